// W2: pairwise distance matrices [n, m] from x [n, d], y [m, d]. FLOPs counted as 2·n·m·d
// (the GEMM-equivalent inner products; norms, sqrt and cosine scaling are O(n·m + (n+m)·d)
// and not counted), for every metric and implementation alike.
//   simlearn: sl.cdist(x, y, metric) in tidy on tensors made once; the result is freed, not
//     read out (neither side reads out: see lib/tfjs.ts).
//   tfjs: ‖x‖² + ‖y‖² − 2·x·yᵀ (its best formulation), with y transposed either by the
//     matMul flag or explicitly (the flag is several times slower on the wasm backend), sqrt for
//     euclidean, normalised rows and one matMul for cosine; tidy, no read-out every call, so
//     both sides pay the same read-out. The naive broadcast (x[:,None] − y[None]) would need
//     an [n, m, d] intermediate (2 GiB at 2048×2048×128), so it runs only at the small size.
//   js: the direct Σ(x − y)² double loop, small size only.
import { compare, maxAbsDiff, measure, type Ctx, type Row, type Workload } from './lib/harness';
import { api, missing, randomData, sl } from './lib/simlearn';
import { tf, useTf, tfRun, tfNames, tfSqDist, tfNormalizeRows, tfMatMulT, type TfBackend, type Transposed } from './lib/tfjs';

type Metric = 'sqeuclidean' | 'euclidean' | 'cosine';

interface Case {
  n: number;
  m: number;
  d: number;
  metric: Metric;
  small?: boolean;
}

const CASES: Case[] = [
  { n: 2048, m: 2048, d: 128, metric: 'sqeuclidean' },
  { n: 4096, m: 4096, d: 64, metric: 'sqeuclidean' },
  { n: 2048, m: 2048, d: 128, metric: 'euclidean' },
  { n: 2048, m: 2048, d: 128, metric: 'cosine' },
  { n: 256, m: 256, d: 128, metric: 'sqeuclidean', small: true },
];

function tfDistance(metric: Metric, x: tf.Tensor2D, y: tf.Tensor2D, how: Transposed): tf.Tensor2D {
  switch (metric) {
    case 'sqeuclidean':
      return tfSqDist(x, y, how);
    case 'euclidean':
      return tf.sqrt(tfSqDist(x, y, how));
    case 'cosine':
      return tf.sub(1, tfMatMulT(tfNormalizeRows(x), tfNormalizeRows(y), how));
  }
}

function tfNaiveSq(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor {
  const diff = tf.sub(tf.expandDims(x, 1), tf.expandDims(y, 0));
  return tf.sum(tf.square(diff), 2);
}

function jsSqDist(x: Float32Array, y: Float32Array, out: Float32Array, n: number, m: number, d: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) {
        const t = x[i * d + p] - y[j * d + p];
        s += t * t;
      }
      out[i * m + j] = s;
    }
  }
}

export const w2: Workload = {
  id: 'W2',
  title: 'cdist',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    for (const c of CASES) {
      const { n, m, d, metric } = c;
      const task = `cdist ${metric} ${n}×${m}×${d}`;
      const flops = 2 * n * m * d;
      const X = randomData(n * d, 3), Y = randomData(m * d, 4);
      const held: { dispose(): void }[] = [];
      rows.push(measure(ctx, 'W2', task, 'simlearn', flops, () => {
        const why = missing('cdist');
        if (why) return why;
        const x = sl.tensor(X, [n, d]), y = sl.tensor(Y, [m, d]);
        held.push(x, y);
        const cdist = api('cdist');
        return () => sl.tidy(() => { cdist(x, y, metric); });
      }, { note: `sl.cdist(x, y, '${metric}') in tidy`, cleanup: () => held.forEach((t) => t.dispose()) }));

      const backends: TfBackend[] = c.small || ctx.cpu ? ['wasm', 'cpu'] : ['wasm'];
      for (const backend of backends) {
        await useTf(backend);
        const x = tf.tensor2d(X, [n, d]), y = tf.tensor2d(Y, [m, d]);
        const formula = metric === 'cosine' ? '1 − norm(x)·norm(y)ᵀ' : '‖x‖²+‖y‖²−2x·yᵀ';
        for (const how of ['explicit', 'flag'] as Transposed[]) {
          const note = `${formula}, ${how === 'flag' ? 'matMul(transposeB)' : 'matMul(x, transpose(y))'}, tidy, no read-out`;
          rows.push(measure(ctx, 'W2', task, tfNames[backend], flops, () => () => tfRun(() => tfDistance(metric, x, y, how)), {
            note,
            minSamples: backend === 'cpu' ? 3 : 10,
          }));
        }
        if (c.small) {
          rows.push(measure(ctx, 'W2', task, tfNames[backend], flops, () => () => tfRun(() => tfNaiveSq(x, y)), {
            note: 'naive broadcast Σ(x[:,None]−y[None])², tidy, no read-out',
            minSamples: backend === 'cpu' ? 3 : 10,
          }));
        }
        tf.dispose([x, y]);
      }

      if (c.small) {
        const out = new Float32Array(n * m);
        rows.push(measure(ctx, 'W2', task, 'js', flops, () => () => jsSqDist(X, Y, out, n, m, d), { note: 'direct Σ(x−y)² loops', minSamples: 5 }));
        const mine = rows.find((r) => r.task === task && r.impl === 'simlearn');
        if (mine?.status === 'ok') {
          const got = sl.tidy(() => api('cdist')(sl.tensor(X, [n, d]), sl.tensor(Y, [m, d]), metric).data());
          mine.note += `; max abs diff vs js ${maxAbsDiff(got, out).toExponential(1)}`;
        }
      }
    }
    return compare(rows);
  },
};
