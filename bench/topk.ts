// TOPK: k = 10 nearest references (Euclidean) for a block of queries over 100,000 × 128
// references, reported as queries/s; FLOPs 2·queries·refs·d (the distance inner products).
//   simlearn: sl.search.topK(queries, refs, 10, { metric: 'euclidean' }), which streams over
//     blocks of refs; indices and distances come back as typed arrays.
//   tfjs-wasm: per block of 64 queries, ‖q‖²+‖r‖²−2q·rᵀ, tf.topk of the negated squares, sqrt
//     of the k winners, dataSync of values and indices; the references prepared once as an index
//     (rᵀ and ‖r‖², outside the timing: tfIndex), the fastest way found on the wasm backend.
//   js: a brute-force scan with a sorted k-list, on 4 queries only.
import { compare, measure, type Ctx, type Row, type Workload } from './lib/harness';
import { api, missing, randomData, sl } from './lib/simlearn';
import { tf, useTf, tfIndex, tfSqDistToIndex } from './lib/tfjs';

const REFS = 100_000;
const D = 128;
const K = 10;
const TF_BLOCK = 64;

function jsTopK(q: Float32Array, refs: Float32Array, nq: number, k: number): Int32Array {
  const out = new Int32Array(nq * k);
  const best = new Float64Array(k), idx = new Int32Array(k);
  for (let i = 0; i < nq; i++) {
    best.fill(Infinity);
    idx.fill(-1);
    for (let j = 0; j < REFS; j++) {
      let s = 0;
      for (let p = 0; p < D; p++) {
        const t = q[i * D + p] - refs[j * D + p];
        s += t * t;
      }
      if (s < best[k - 1]) {
        let at = k - 1;
        while (at > 0 && best[at - 1] > s) {
          best[at] = best[at - 1];
          idx[at] = idx[at - 1];
          at--;
        }
        best[at] = s;
        idx[at] = j;
      }
    }
    out.set(idx, i * k);
  }
  return out;
}

export const topk: Workload = {
  id: 'TOPK',
  title: 'top-k search over 100,000 × 128 refs',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    const R = randomData(REFS * D, 5);
    for (const nq of ctx.quick ? [64, 4] : [256, 4]) {
      const task = `topK k=${K} ${nq} q × ${REFS / 1000}k×${D}`;
      const flops = 2 * nq * REFS * D;
      const Q = randomData(nq * D, 6 + nq);
      const held: { dispose(): void }[] = [];
      const qps = (r: Row) => {
        if (r.medianMs) {
          r.extra = { queriesPerSecond: (nq * 1000) / r.medianMs };
          r.note = `${Math.round(r.extra.queriesPerSecond).toLocaleString('en')} queries/s; ${r.note}`;
        }
        return r;
      };
      rows.push(qps(measure(ctx, 'TOPK', task, 'simlearn', flops, () => {
        const why = missing('search.topK');
        if (why) return why;
        const q = sl.tensor(Q, [nq, D]), r = sl.tensor(R, [REFS, D]);
        held.push(q, r);
        const topK = api('search.topK');
        return () => sl.tidy(() => topK(q, r, K, { metric: 'euclidean' }));
      }, { note: "sl.search.topK(q, refs, 10, { metric: 'euclidean' })", minSamples: 5, cleanup: () => held.forEach((t) => t.dispose()) })));

      await useTf('wasm');
      const q = tf.tensor2d(Q, [nq, D]), r = tf.tensor2d(R, [REFS, D]);
      const index = tfIndex(r);
      rows.push(qps(measure(ctx, 'TOPK', task, 'tfjs-wasm', flops, () => () => {
        for (let s = 0; s < nq; s += TF_BLOCK) {
          const [values, indices] = tf.tidy(() => {
            const qb = tf.slice(q, [s, 0], [Math.min(TF_BLOCK, nq - s), D]);
            const best = tf.topk(tf.neg(tfSqDistToIndex(qb, index)), K);
            return [tf.sqrt(tf.neg(best.values)), best.indices];
          });
          values.dataSync();
          indices.dataSync();
          tf.dispose([values, indices]);
        }
      }, { note: `blocks of ${TF_BLOCK} queries: sq-dist matrix + tf.topk, dataSync`, minSamples: 5, cleanup: () => tf.dispose([q, r, index.rt, index.rn]) })));

      if (nq <= 4) {
        rows.push(qps(measure(ctx, 'TOPK', task, 'js', flops, () => () => jsTopK(Q, R, nq, K), { note: 'brute-force scan', minSamples: 3 })));
        const mine = rows.find((r) => r.task === task && r.impl === 'simlearn');
        if (mine?.status === 'ok') {
          const got: Int32Array = sl.tidy(() => api('search.topK')(sl.tensor(Q, [nq, D]), sl.tensor(R, [REFS, D]), K, { metric: 'euclidean' }).indices);
          const want = jsTopK(Q, R, nq, K);
          mine.note += `; indices ${got.every((v, i) => v === want[i]) ? 'equal' : 'DIFFER from'} js`;
        }
      }
    }
    return compare(rows);
  },
};
