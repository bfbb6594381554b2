// W4: one full triplet training step. Embedder conv3×3(1→32, pad 1)+ReLU+maxpool2 →
// conv3×3(32→64, pad 1)+ReLU+maxpool2 → flatten → Linear(3136→128) → L2-normalise, on
// 64 anchors + 64 positives + 64 negatives (one batch of 192 × 1×28×28); TripletMarginLoss
// margin 0.2 on Euclidean distances, mean over non-zero terms; SGD lr 0.01.
// FLOPs per step, GEMM-equivalent terms only (B = 192): forward conv1 + conv2 + linear,
// backward conv2 to input and to filter, conv1 to filter (the images need no gradient),
// linear to input and to weight: 2·conv1 + 3·conv2 + 3·linear ≈ 4.80 GFLOP.
//   simlearn: sl.nn.Sequential of the layers, TripletMarginLoss with explicit triplet tuples
//     (rows i, 64+i, 128+i), LpDistance without re-normalising, sl.optim.SGD; each step in
//     tidy: zeroGrad, forward, loss, backward, step, loss read with .item(). ≥ 20 timed steps
//     after warm-up; the wasm heap high-water mark from sl.engineInfo().
//   tfjs-wasm: the same network in NHWC under tf.train.sgd(0.01).minimize; each conv is a
//     tf.customGrad whose filter gradient is composed from im2col + matMul (no
//     Conv2DBackpropFilter kernel in tfjs-backend-wasm), input gradient by conv2dTranspose
//     (skipped for the first conv, as simlearn skips it). Fewer timed steps (about 1.7 s each).
//   tfjs-cpu: only with --cpu (minutes per step).
import { compare, measure, type Ctx, type Row, type Workload } from './lib/harness';
import { api, missing, randomData, sl } from './lib/simlearn';
import { profileLap, profileSection, startProfile, stopProfile } from '../src/autograd/profile';
import { tf, useTf, tfNames, tfConvFilterGradIm2col, type TfBackend } from './lib/tfjs';

const B = 64;
const BATCH = 3 * B;
const EMB = 128;
const MARGIN = 0.2;
const LR = 0.01;

const conv1 = 2 * BATCH * 28 * 28 * 32 * 1 * 9;
const conv2 = 2 * BATCH * 14 * 14 * 64 * 32 * 9;
const lin = 2 * BATCH * 3136 * EMB;
export const W4_FLOPS = 2 * conv1 + 3 * conv2 + 3 * lin;

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** The network, loss, optimiser and batch of simlearn's step, or why they are not available. */
function simlearnSetup(X: Float32Array) {
  const why = missing('nn.Sequential', 'nn.Conv2d', 'nn.ReLU', 'nn.MaxPool2d', 'nn.Flatten', 'nn.Linear', 'nn.L2Normalize',
    'optim.SGD', 'losses.TripletMarginLoss', 'distances.LpDistance');
  if (why) return why;
  const nn = api('nn'), optim = api('optim'), losses = api('losses'), distances = api('distances');
  sl.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(3136, EMB), new nn.L2Normalize(),
  );
  const opt = new optim.SGD(model.parameters(), { lr: LR });
  const loss = new losses.TripletMarginLoss({ margin: MARGIN, distance: new distances.LpDistance({ normalizeEmbeddings: false }) });
  const x = sl.tensor(X, [BATCH, 1, 28, 28]);
  const idx = (off: number) => Int32Array.from({ length: B }, (_, i) => off + i);
  const tuples = [idx(0), idx(B), idx(2 * B)];
  // Anchor and positive share a class, every negative has its own.
  const labels = Int32Array.from({ length: BATCH }, (_, i) => (i < 2 * B ? i % B : i));
  held.push(x, { dispose: () => model.parameters().forEach((p: { dispose(): void }) => p.dispose()) });
  return { model, opt, loss, x, labels, tuples };
}

function simlearnStep(X: Float32Array): (() => unknown) | string {
  const s = simlearnSetup(X);
  if (typeof s === 'string') return s;
  const { model, opt, loss, x, labels, tuples } = s;
  return () =>
    sl.tidy(() => {
      opt.zeroGrad();
      const l = loss.forward(model.forward(x), labels, tuples);
      l.backward();
      opt.step();
      return l.item();
    });
}

/**
 * --profile: `steps` steps after warm-up with the per-op profiler on (src/autograd/profile.ts),
 * as a markdown table of ms per step and share of the step, forward and backward.
 */
export function simlearnProfile(X: Float32Array, steps: number): string {
  const s = simlearnSetup(X);
  if (typeof s === 'string') return s;
  const { model, opt, loss, x, labels, tuples } = s;
  const step = () => {
    sl.tidy(() => {
      profileSection('optimiser zeroGrad', () => opt.zeroGrad());
      const l = loss.forward(model.forward(x), labels, tuples);
      profileLap('(loss tail)', 'forward');
      l.backward();
      profileSection('optimiser step (SGD)', () => opt.step());
      return profileSection('loss.item()', () => l.item());
    });
    profileLap('tidy: free the step', 'other');
  };
  for (let i = 0; i < 3; i++) step();
  const t0 = performance.now();
  startProfile();
  for (let i = 0; i < steps; i++) step();
  const rows = stopProfile();
  const wall = (performance.now() - t0) / steps;
  held.splice(0).forEach((t) => t.dispose());
  const total = rows.reduce((a, r) => a + r.ms, 0) / steps;
  const by = (phase: string) => rows.filter((r) => r.phase === phase).reduce((a, r) => a + r.ms, 0) / steps;
  const lines = [
    `W4 profile: ${steps} steps, ${sl.engineInfo().build} build, ${sl.engineInfo().threads} thread(s); ${wall.toFixed(1)} ms per step wall, ` +
      `${total.toFixed(1)} ms in the rows (forward ${by('forward').toFixed(1)}, backward ${by('backward').toFixed(1)}, other ${by('other').toFixed(1)})`,
    '',
    'Rows: an op and its output shape; `∂[shape]` rows are the gradient into the input of that shape; ' +
      'an op\'s own backward row is the rest of its backward.',
    '',
    '| op | phase | calls/step | ms/step | share |',
    '|---|---|---|---|---|',
    ...rows.filter((r) => r.ms / steps >= 0.05).map((r) => `| ${r.name} | ${r.phase} | ${(r.calls / steps).toFixed(0)} | ${(r.ms / steps).toFixed(2)} | ${((100 * r.ms) / steps / total).toFixed(1)}% |`),
    `| (${rows.filter((r) => r.ms / steps < 0.05).length} rows under 0.05 ms) | | | ${(rows.filter((r) => r.ms / steps < 0.05).reduce((a, r) => a + r.ms, 0) / steps).toFixed(2)} | |`,
  ];
  return lines.join('\n');
}
const held: { dispose(): void }[] = [];

function tfConv(needInputGrad: boolean) {
  return tf.customGrad(((x: tf.Tensor4D, f: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([x, f]);
    return {
      value: tf.conv2d(x, f, 1, 'same'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sf] = saved as tf.Tensor4D[];
        return [
          needInputGrad ? tf.conv2dTranspose(dy, sf, sx.shape, 1, 'same') : tf.zerosLike(sx),
          tfConvFilterGradIm2col(sx, dy, 3, 3),
        ];
      },
    };
  }) as any) as (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor4D;
}

function tfStep(X: Float32Array): () => unknown {
  const rnd = (shape: number[], seed: number, scale: number) =>
    tf.variable(tf.mul(tf.tensor(randomData(shape.reduce((a, b) => a * b), seed), shape), scale));
  const f1 = rnd([3, 3, 1, 32], 21, 1 / 3), b1 = rnd([32], 22, 1 / 3);
  const f2 = rnd([3, 3, 32, 64], 23, 1 / Math.sqrt(288)), b2 = rnd([64], 24, 1 / Math.sqrt(288));
  const w = rnd([3136, EMB], 25, 1 / 56), b = rnd([EMB], 26, 1 / 56);
  const x = tf.transpose(tf.tensor4d(X, [BATCH, 1, 28, 28]), [0, 2, 3, 1]) as tf.Tensor4D;
  const conv1 = tfConv(false), conv2 = tfConv(true);
  const opt = tf.train.sgd(LR);
  const pdist = (a: tf.Tensor, c: tf.Tensor) => tf.sqrt(tf.maximum(tf.sum(tf.square(tf.sub(a, c)), 1), 1e-12));
  const lossFn = () => {
    const block = (conv: typeof conv1, input: tf.Tensor4D, f: tf.Variable, bias: tf.Variable) =>
      tf.maxPool(tf.relu(tf.add(conv(input, f as tf.Variable<tf.Rank.R4>), bias)) as tf.Tensor4D, 2, 2, 'valid');
    const h = block(conv2, block(conv1, x, f1, b1), f2, b2);
    const e = tf.add(tf.matMul(tf.reshape(h, [BATCH, 3136]), w as tf.Variable<tf.Rank.R2>), b);
    const en = tf.div(e, tf.maximum(tf.norm(e, 2, 1, true), 1e-12));
    const [a, p, n] = tf.split(en, 3, 0);
    const l = tf.relu(tf.add(tf.sub(pdist(a, p), pdist(a, n)), MARGIN));
    return tf.div(tf.sum(l), tf.maximum(tf.sum(tf.step(l, 0)), 1)) as tf.Scalar;
  };
  heldTf.push(f1, b1, f2, b2, w, b, x);
  return () => {
    const cost = opt.minimize(lossFn, true)!;
    const v = cost.dataSync()[0];
    cost.dispose();
    return v;
  };
}
const heldTf: tf.Tensor[] = [];

export const w4: Workload = {
  id: 'W4',
  title: 'triplet training step, 3 × 64 × 1×28×28',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    const task = 'triplet train step 3×64 MNIST-size';
    const X = randomData(BATCH * 28 * 28, 31).map((v) => 0.5 + 0.5 * v);
    let step: (() => unknown) | string = '';
    const row = measure(ctx, 'W4', task, 'simlearn', W4_FLOPS, () => {
      step = simlearnStep(X);
      if (typeof step !== 'string') for (let i = 0; i < 2; i++) step();
      return step;
    }, { note: 'nn.Sequential + TripletMarginLoss + SGD, tidy per step', minSamples: 20, maxTime: 4, cleanup: () => held.splice(0).forEach((t) => t.dispose()) });
    if (row.status === 'ok') {
      const hw = sl.engineInfo().highWaterBytes;
      row.extra = { wasmHighWaterBytes: hw };
      row.note = `wasm high-water ${mib(hw)}; ${row.note}`;
    }
    rows.push(row);
    if (ctx.profile) {
      const table = simlearnProfile(X, ctx.quick ? 3 : 15);
      ctx.log(table);
      ctx.sections?.push(table);
    }

    const backends: TfBackend[] = ctx.peers === false ? [] : ctx.cpu ? ['wasm', 'cpu'] : ['wasm'];
    for (const backend of backends) {
      await useTf(backend);
      rows.push(measure(ctx, 'W4', task, tfNames[backend], W4_FLOPS, () => {
        const s = tfStep(X);
        s();
        return s;
      }, {
        note: 'customGrad conv: filter grad = im2col + matMul (no Conv2DBackpropFilter); sgd.minimize',
        minSamples: backend === 'cpu' ? 1 : 5,
        maxTime: 1,
        cleanup: () => tf.dispose(heldTf.splice(0)),
      }));
    }
    return compare(rows);
  },
};
