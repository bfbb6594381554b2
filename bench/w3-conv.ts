// W3: conv2d 3×3, stride 1, 'same' padding, no bias, batch 64, each pass alone. FLOPs
// 2·n·h·w·oc·c·9 for forward, backward-to-input and backward-to-filter alike.
//   simlearn: the op sl.conv2d (NCHW, weight [oc, c, 3, 3]) on tensors made once. Forward
//     under noGrad; each backward alone by calling the recorded op's backward with a fixed
//     upstream gradient, only x (to input) or only the weight (to filter) requiring grad.
//     Output / gradient freed each call, not read out (neither side reads out: lib/tfjs.ts).
//   tfjs (NHWC, filter [3, 3, c, oc]): tf.conv2d; tf.conv2dTranspose (the Conv2DBackpropInput
//     kernel); backward-to-filter composed as im2col + matMul (lib/tfjs.ts), since
//     tfjs-backend-wasm has no Conv2DBackpropFilter kernel. tidy, no read-out each call.
//   js: direct 7-loop forward, first layer only.
import { compare, maxAbsDiff, measure, type Ctx, type Row, type Workload } from './lib/harness';
import { api, missing, randomData, sl } from './lib/simlearn';
import { tf, useTf, tfRun, tfNames, tfConvFilterGradIm2col, type TfBackend } from './lib/tfjs';
import type { Tensor } from '../src/index';

const N = 64;
const K = 3;
const LAYERS = [
  { h: 28, w: 28, c: 1, oc: 32, small: true },
  { h: 14, w: 14, c: 32, oc: 64, small: false },
];
type Pass = 'forward' | 'backward to input' | 'backward to filter';
const PASSES: Pass[] = ['forward', 'backward to input', 'backward to filter'];

function jsConvSame(x: Float32Array, wt: Float32Array, y: Float32Array, n: number, c: number, h: number, w: number, oc: number): void {
  y.fill(0);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < oc; o++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          let s = 0;
          for (let ci = 0; ci < c; ci++)
            for (let u = 0; u < K; u++) {
              const yi = i + u - 1;
              if (yi < 0 || yi >= h) continue;
              for (let v = 0; v < K; v++) {
                const xj = j + v - 1;
                if (xj < 0 || xj >= w) continue;
                s += x[((b * c + ci) * h + yi) * w + xj] * wt[((o * c + ci) * K + u) * K + v];
              }
            }
          y[((b * oc + o) * h + i) * w + j] = s;
        }
}

function simlearnPass(pass: Pass, X: Float32Array, W: Float32Array, G: Float32Array, l: (typeof LAYERS)[number]): (() => unknown) | string {
  const why = missing('conv2d');
  if (why) return why;
  const conv2d = api('conv2d');
  const x = sl.tensor(X, [N, l.c, l.h, l.w], { requiresGrad: pass === 'backward to input' });
  const w = sl.tensor(W, [l.oc, l.c, K, K], { requiresGrad: pass === 'backward to filter' });
  held.push(x, w);
  if (pass === 'forward') return () => sl.noGrad(() => sl.tidy(() => { conv2d(x, w, null, { padding: 1 }); }));
  const y: Tensor = conv2d(x, w, null, { padding: 1 });
  const g = sl.tensor(G, y.shape);
  held.push(y, g);
  const target = pass === 'backward to input' ? x : w;
  return () => {
    y.gradFn!.backward(g);
    target.grad!.dispose();
    target.grad = null;
  };
}
const held: { dispose(): void }[] = [];

export const w3: Workload = {
  id: 'W3',
  title: 'conv2d 3×3 same, batch 64',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    for (const l of LAYERS) {
      const flops = 2 * N * l.h * l.w * l.oc * l.c * K * K;
      const X = randomData(N * l.c * l.h * l.w, 11), W = randomData(l.oc * l.c * K * K, 12), G = randomData(N * l.oc * l.h * l.w, 13);
      for (const pass of PASSES) {
        const task = `conv ${l.h}×${l.w}×${l.c}→${l.oc} ${pass}`;
        rows.push(measure(ctx, 'W3', task, 'simlearn', flops, () => simlearnPass(pass, X, W, G, l), {
          note: pass === 'forward' ? 'sl.conv2d under noGrad, in tidy' : 'the recorded sl.conv2d backward alone',
          cleanup: () => held.splice(0).forEach((t) => t.dispose()),
        }));

        const backends: TfBackend[] = ctx.peers === false ? [] : l.small || ctx.cpu ? ['wasm', 'cpu'] : ['wasm'];
        for (const backend of backends) {
          await useTf(backend);
          // Same numbers, NHWC / [kh, kw, c, oc] layouts.
          const x = tf.transpose(tf.tensor4d(X, [N, l.c, l.h, l.w]), [0, 2, 3, 1]) as tf.Tensor4D;
          const f = tf.transpose(tf.tensor4d(W, [l.oc, l.c, K, K]), [2, 3, 1, 0]) as tf.Tensor4D;
          const dy = tf.transpose(tf.tensor4d(G, [N, l.oc, l.h, l.w]), [0, 2, 3, 1]) as tf.Tensor4D;
          const fn = {
            forward: () => tf.conv2d(x, f, 1, 'same'),
            'backward to input': () => tf.conv2dTranspose(dy, f, x.shape, 1, 'same'),
            'backward to filter': () => tfConvFilterGradIm2col(x, dy, K, K),
          }[pass];
          const note = {
            forward: 'tf.conv2d, tidy, no read-out',
            'backward to input': 'tf.conv2dTranspose (Conv2DBackpropInput), tidy, no read-out',
            'backward to filter': 'composed: im2col (pad+slices+concat) + matMul — no Conv2DBackpropFilter kernel; tidy, no read-out',
          }[pass];
          rows.push(measure(ctx, 'W3', task, tfNames[backend], flops, () => () => tfRun(fn), {
            note,
            minSamples: backend === 'cpu' ? 3 : 10,
            cleanup: () => tf.dispose([x, f, dy]),
          }));
        }

        if (l.small && pass === 'forward' && ctx.peers !== false) {
          const y = new Float32Array(N * l.oc * l.h * l.w);
          rows.push(measure(ctx, 'W3', task, 'js', flops, () => () => jsConvSame(X, W, y, N, l.c, l.h, l.w, l.oc), { note: 'direct loops', minSamples: 3 }));
          const mine = rows.find((r) => r.task === task && r.impl === 'simlearn');
          if (mine?.status === 'ok') {
            const got = sl.tidy(() => api('conv2d')(sl.tensor(X, [N, l.c, l.h, l.w]), sl.tensor(W, [l.oc, l.c, K, K]), null, { padding: 1 }).data());
            mine.note += `; max abs diff vs js ${maxAbsDiff(got, y).toExponential(1)}`;
          }
        }
      }
    }
    return compare(rows);
  },
};
