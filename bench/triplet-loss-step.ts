// TRIPLET: one triplet loss step on a batch of 256 embeddings × 128 (32 classes × 8):
// pairwise Euclidean distances of the L2-normalised embeddings (pytorch-metric-learning's
// LpDistance default), batch-hard mining (per anchor the farthest positive and the closest
// negative), TripletMarginLoss margin 0.2 averaged over non-zero terms, and the gradient
// with respect to the embeddings (not read out, on either side). Reported in µs; no FLOP count (a mix of one
// 256×256×128 product each way and O(n²) mining).
//   simlearn: BatchHardMiner.mine + TripletMarginLoss.forward(emb, labels, triplets) +
//     backward, in tidy.
//   tfjs: the same composed from tfjs ops under tf.grad (masks from the labels inside the
//     step; distances as sqrt(max(d², 1e-12)) so the diagonal's gradient stays finite).
import { compare, measure, type Ctx, type Row, type Workload } from './lib/harness';
import { api, missing, randomData, sl } from './lib/simlearn';
import { tf, useTf, tfSqDist, tfNormalizeRows, tfNames, type TfBackend } from './lib/tfjs';

const N = 256;
const D = 128;
const CLASSES = 32;
const MARGIN = 0.2;

export function tfBatchHardLoss(emb: tf.Tensor2D, labels: tf.Tensor1D, margin: number): tf.Scalar {
  const e = tfNormalizeRows(emb);
  const dist = tf.sqrt(tf.maximum(tfSqDist(e, e), 1e-12));
  const same = tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0));
  const pos = tf.logicalAnd(same, tf.logicalNot(tf.cast(tf.eye(labels.shape[0]), 'bool')));
  const hardPos = tf.max(tf.mul(dist, tf.cast(pos, 'float32')), 1);
  const hardNeg = tf.min(tf.add(dist, tf.mul(tf.cast(same, 'float32'), 1e9)), 1);
  const l = tf.relu(tf.add(tf.sub(hardPos, hardNeg), margin));
  const active = tf.maximum(tf.sum(tf.step(l, 0)), 1); // step has a (zero) gradient, greater has none
  return tf.div(tf.sum(l), active) as tf.Scalar;
}

export const tripletLossStep: Workload = {
  id: 'TRIPLET',
  title: 'triplet loss step, batch 256 × 128',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    const task = `batch-hard triplet step ${N}×${D}`;
    const E = randomData(N * D, 7);
    const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
    const us = (r: Row) => {
      if (r.medianMs) {
        r.extra = { microseconds: r.medianMs * 1000 };
        r.note = `${r.extra.microseconds.toFixed(0)} µs; ${r.note}`;
      }
      return r;
    };
    const held: { dispose(): void }[] = [];
    let simlearnLoss = NaN;
    rows.push(us(measure(ctx, 'TRIPLET', task, 'simlearn', null, () => {
      const why = missing('miners.BatchHardMiner', 'losses.TripletMarginLoss');
      if (why) return why;
      const emb = sl.tensor(E, [N, D], { requiresGrad: true });
      held.push(emb);
      const Miner = api('miners.BatchHardMiner'), Loss = api('losses.TripletMarginLoss');
      const miner = new Miner(), loss = new Loss({ margin: MARGIN });
      simlearnLoss = sl.tidy(() => loss.forward(emb, labels, miner.mine(emb, labels)).item());
      return () => {
        sl.tidy(() => loss.forward(emb, labels, miner.mine(emb, labels)).backward());
        emb.grad!.dispose();
        emb.grad = null;
      };
    }, { note: 'BatchHardMiner + TripletMarginLoss, backward', cleanup: () => held.forEach((t) => t.dispose()) })));
    // The same loss value on both sides shows both compute the same thing.
    if (rows[0].status === 'ok') rows[0].note += `; loss ${simlearnLoss.toFixed(5)}`;

    const backends: TfBackend[] = ['wasm', 'cpu'];
    for (const backend of backends) {
      await useTf(backend);
      const emb = tf.tensor2d(E, [N, D]);
      const lab = tf.tensor1d(labels, 'int32');
      const grad = tf.grad((e: tf.Tensor) => tfBatchHardLoss(e as tf.Tensor2D, lab, MARGIN));
      const value = tf.tidy(() => tfBatchHardLoss(emb, lab, MARGIN).dataSync()[0]);
      rows.push(us(measure(ctx, 'TRIPLET', task, tfNames[backend], null, () => () => {
        grad(emb).dispose();
      }, { note: `composed tfjs ops under tf.grad; loss ${value.toFixed(5)}`, cleanup: () => tf.dispose([emb, lab]) })));
    }
    return compare(rows);
  },
};
