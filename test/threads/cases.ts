// The workloads of threads.test.ts, run once single-threaded (the test process) and once with
// init({ threads }) in a child: every output and gradient of the ops that split work across
// threads, on odd sizes on both sides of the split thresholds (SPLIT_MIN_MADDS, SPLIT_MIN_ELEMENTS).
import type * as SL from '../../src/index';
import { mahalanobisPaired, mahalanobisPairwise } from '../../src/ops/mahalanobis';
import { conv2dRelu } from '../../src/ops/conv';
import { conv2dInfer } from '../../src/ops/conv-infer';

type Sl = typeof SL;
export type Results = Record<string, Float32Array>;

// [n, k, m]: tiny; below the threshold; rows split (m ≥ n); columns split; k over two KC blocks.
export const MATMUL_SIZES: [number, number, number][] = [[1, 3, 5], [37, 29, 41], [263, 127, 45], [131, 97, 203], [45, 300, 91]];

/** Products, conv2d and pairwise distances, with every gradient (some accumulated twice). */
export function runCases(sl: Sl): Results {
  const out: Results = {};
  const keep = (name: string, t: { data(): Float32Array } | null | undefined) => {
    if (!t) throw new Error(`no ${name}`);
    out[name] = Float32Array.from(t.data());
  };
  let seed = 1;
  const randn = (shape: number[]) => sl.randn(shape, { seed: seed++, requiresGrad: true });

  for (const [n, k, m] of MATMUL_SIZES) {
    const tag = `${n}x${k}x${m}`;
    const a = randn([n, k]), b = randn([k, m]), b2 = randn([k, m]);
    const y = sl.matmul(a, b);
    keep(`matmul ${tag}`, y);
    // a is used twice, so its gradient takes the accumulating GEMM path.
    sl.add(sl.sum(sl.mul(y, randn([n, m]))), sl.sum(sl.mul(sl.matmul(a, b2), randn([n, m])))).backward();
    keep(`matmul ${tag} da`, a.grad);
    keep(`matmul ${tag} db`, b.grad);
    const w = randn([m, k]), bias = randn([m]);
    const z = sl.linear(a, w, bias);
    keep(`linear ${tag}`, z);
    a.grad = null;
    sl.sum(sl.mul(z, randn([n, m]))).backward();
    keep(`linear ${tag} dx`, a.grad);
    keep(`linear ${tag} dw`, w.grad);
    keep(`linear ${tag} db`, bias.grad);
  }

  // [n, c, h, w, oc, kernel, stride, padding]: below the threshold; 'same' 3×3 (one image per
  // GEMM); small maps (several images per GEMM, odd batch); strided 5×5; pointwise 1×1; one
  // input channel (the filter gradient split by output channels, not input channels).
  const convs: [number, number, number, number, number, number, number, number | 'same'][] = [
    [5, 3, 13, 13, 17, 3, 1, 1],
    [7, 8, 23, 23, 21, 3, 1, 'same'],
    [13, 6, 9, 9, 33, 3, 1, 0],
    [9, 5, 19, 17, 12, 5, 2, 2],
    [11, 33, 11, 11, 29, 1, 1, 0],
    [9, 1, 29, 31, 23, 3, 1, 'same'],
  ];
  for (const [n, c, h, w, oc, ks, stride, padding] of convs) {
    const tag = `${n}x${c}x${h}x${w}->${oc} k${ks} s${stride} p${padding}`;
    const x = randn([n, c, h, w]), weight = randn([oc, c, ks, ks]), bias = randn([oc]);
    const y = sl.conv2d(x, weight, bias, { stride, padding });
    keep(`conv2d ${tag}`, y);
    sl.sum(sl.mul(y, sl.randn(y.shape, { seed: seed++ }))).backward();
    keep(`conv2d ${tag} dx`, x.grad);
    keep(`conv2d ${tag} dw`, weight.grad);
    keep(`conv2d ${tag} db`, bias.grad);
  }

  // [n, m, d]: below the threshold; rows split with a tail share.
  for (const [n, m, d] of [[13, 11, 7], [203, 117, 67]]) {
    for (const metric of ['sqeuclidean', 'euclidean', 'dot'] as const) {
      const tag = `${metric} ${n}x${m}x${d}`;
      const x = randn([n, d]), y = randn([m, d]);
      const dist = sl.cdist(x, y, metric);
      keep(`cdist ${tag}`, dist);
      sl.sum(sl.mul(dist, sl.randn([n, m], { seed: seed++ }))).backward();
      keep(`cdist ${tag} dx`, x.grad);
      keep(`cdist ${tag} dy`, y.grad);
    }
  }
  // ReLU and max pooling (memory-bound, split above SPLIT_MIN_ELEMENTS): below it, and
  // an odd [7, 9, 45, 47] map above it, pooled 2×2 and 3×3 stride 2 (overlapping windows).
  for (const shape of [[3, 5, 11, 13], [7, 9, 45, 47]]) {
    for (const [ks, stride] of [[2, 2], [3, 2]]) {
      const tag = `${shape.join('x')} k${ks} s${stride}`;
      const x = randn(shape);
      const r = sl.relu(x);
      const y = sl.maxPool2d(r, ks, { stride });
      keep(`relu ${tag}`, r);
      keep(`maxpool ${tag}`, y);
      sl.sum(sl.mul(y, sl.randn(y.shape, { seed: seed++ }))).backward();
      keep(`relu+maxpool ${tag} dx`, x.grad);
    }
  }

  // Conv + ReLU fused (the ReLU's backward with the bias gradient split by channels): below
  // the threshold, and a 'same' 3×3 layer above it.
  for (const [n, c, h, w, oc] of [[3, 2, 9, 11, 5], [7, 3, 29, 31, 13]]) {
    const tag = `${n}x${c}x${h}x${w}->${oc}`;
    const x = randn([n, c, h, w]), weight = randn([oc, c, 3, 3]), bias = randn([oc]);
    const y = conv2dRelu(x, weight, bias, { padding: 1 });
    keep(`conv2dRelu ${tag}`, y);
    sl.sum(sl.mul(y, sl.randn(y.shape, { seed: seed++ }))).backward();
    keep(`conv2dRelu ${tag} dx`, x.grad);
    keep(`conv2dRelu ${tag} dw`, weight.grad);
    keep(`conv2dRelu ${tag} db`, bias.grad);
  }

  // A first layer (input without a gradient, one channel, 3×3): mask, bias and filter gradient
  // in one pass, split by output channels; below the threshold, above it, and accumulated.
  for (const [n, h, w, oc] of [[2, 5, 7, 3], [9, 28, 27, 13]]) {
    const tag = `first layer ${n}x1x${h}x${w}->${oc}`;
    const x = sl.randn([n, 1, h, w], { seed: seed++ }), weight = randn([oc, 1, 3, 3]), bias = randn([oc]);
    for (let r = 0; r < 2; r++) sl.sum(sl.mul(conv2dRelu(x, weight, bias, { padding: 1 }), sl.randn([n, oc, h, w], { seed: seed++ }))).backward();
    keep(`conv2dRelu ${tag} dw`, weight.grad);
    keep(`conv2dRelu ${tag} db`, bias.grad);
  }

  // Inference conv over packed weights, with a residual and ReLU, and without: below the
  // threshold and above it (split by images; the residual pointer moves with y).
  for (const [n, c, h, w, oc] of [[3, 2, 9, 11, 5], [7, 3, 29, 31, 13]]) {
    const tag = `${n}x${c}x${h}x${w}->${oc}`;
    const x = randn([n, c, h, w]), weight = randn([oc, c, 3, 3]), bias = randn([oc]);
    sl.noGrad(() => {
      const r = sl.randn([n, oc, h, w], { seed: seed++ });
      keep(`conv2dInfer ${tag} residual relu`, conv2dInfer(x, weight, bias, { padding: 1 }, 'relu', r));
      keep(`conv2dInfer ${tag} relu6`, conv2dInfer(x, weight, bias, { padding: 1 }, 'relu6', null));
    });
  }
  // pointwise over small maps: several images per GEMM, whole groups per thread
  for (const [n, c, hw, oc] of [[3, 5, 7, 6], [23, 64, 7, 64]]) {
    const x = randn([n, c, hw, hw]), weight = randn([oc, c, 1, 1]), bias = randn([oc]);
    sl.noGrad(() => keep(`conv2dInfer pointwise ${n}x${c}x${hw}x${hw}->${oc}`, conv2dInfer(x, weight, bias, {}, 'relu6', sl.randn([n, oc, hw, hw], { seed: seed++ }))));
  }

  // cdist backward weights (elementwise, split above SPLIT_MIN_ELEMENTS): 331·257 of them.
  {
    const x = randn([331, 5]), y = randn([257, 5]);
    sl.sum(sl.mul(sl.cdist(x, y, 'euclidean'), sl.randn([331, 257], { seed: seed++ }))).backward();
    keep('cdist euclidean 331x257x5 dx', x.grad);
    keep('cdist euclidean 331x257x5 dy', y.grad);
  }

  // Mahalanobis, pairwise (rows of x split after the y side) and paired: below and above
  // (the paired kernels split from 2001 rows of 37: 2.7 M multiply-adds, 74 K elements).
  for (const [n, m, d] of [[7, 5, 3], [203, 117, 37], [2001, 3, 37]]) {
    const tag = `${n}x${m}x${d}`;
    const x = randn([n, d]), y = randn([m, d]), a = sl.randn([d, d], { seed: seed++ });
    const M = sl.matmul(a, sl.transpose(a)).detach().requiresGrad_();
    const pw = mahalanobisPairwise(x, y, M);
    keep(`mahalanobis pairwise ${tag}`, pw);
    sl.sum(sl.mul(pw, sl.randn([n, m], { seed: seed++ }))).backward();
    keep(`mahalanobis pairwise ${tag} dx`, x.grad);
    keep(`mahalanobis pairwise ${tag} dy`, y.grad);
    keep(`mahalanobis pairwise ${tag} dM`, M.grad);
    const y2 = randn([n, d]);
    x.grad = null;
    M.grad = null;
    const pd = mahalanobisPaired(x, y2, M);
    keep(`mahalanobis paired ${tag}`, pd);
    sl.sum(sl.mul(pd, sl.randn([n], { seed: seed++ }))).backward();
    keep(`mahalanobis paired ${tag} dx`, x.grad);
    keep(`mahalanobis paired ${tag} dy`, y2.grad);
    keep(`mahalanobis paired ${tag} dM`, M.grad);
  }

  // Batch norm in training (statistics, forward, both backward passes split by channels):
  // below the threshold, and [7, 13, 29, 31] above it; the running statistics too.
  for (const shape of [[3, 5, 7], [7, 13, 29, 31]]) {
    const tag = shape.join('x');
    const c = shape[1];
    const x = randn(shape), weight = randn([c]), bias = randn([c]);
    const rm = sl.zeros([c]), rv = sl.ones([c]);
    const y = sl.batchNorm(x, rm, rv, weight, bias, { training: true });
    keep(`batchNorm ${tag}`, y);
    keep(`batchNorm ${tag} running mean`, rm);
    keep(`batchNorm ${tag} running var`, rv);
    sl.sum(sl.mul(y, sl.randn(shape, { seed: seed++ }))).backward();
    keep(`batchNorm ${tag} dx`, x.grad);
    keep(`batchNorm ${tag} dweight`, weight.grad);
    keep(`batchNorm ${tag} dbias`, bias.grad);
    const e = sl.batchNorm(x, rm, rv, weight, bias, { training: false });
    keep(`batchNorm ${tag} eval`, e);
  }

  // Optimisers (elementwise, split above SPLIT_MIN_ELEMENTS): three steps of SGD with
  // momentum, Adam and AdamW on a parameter of an odd size on each side of it.
  for (const size of [1001, 70001]) {
    for (const make of [
      (p: SL.Tensor[]) => new sl.optim.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true }),
      (p: SL.Tensor[]) => new sl.optim.SGD(p, { lr: 0.1 }),
      (p: SL.Tensor[]) => new sl.optim.Adam(p, { lr: 0.01, weightDecay: 0.1 }),
      (p: SL.Tensor[]) => new sl.optim.AdamW(p, { lr: 0.01 }),
    ]) {
      const p = randn([size]);
      const opt = make([p]);
      for (let t = 0; t < 3; t++) {
        opt.zeroGrad();
        sl.sum(sl.mul(sl.mul(p, p), sl.randn([size], { seed: seed++ }))).backward();
        opt.step();
      }
      keep(`${opt.constructor.name} ${size} params after 3 steps (${seed})`, p);
    }
  }
  return out;
}
