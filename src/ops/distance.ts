// Distance ops on assembly/kernels/distance.ts: forward kernel and backward kernels of each
// op side by side. Inputs are 2-D and already validated by src/distances (shapes, finite
// values); these functions only compute and record.
//   pairwise  x [n, d], y [m, d] -> [n, m]       paired  x, y [n, d] -> [n]
import { getEngine } from '../wasm/instance';
import { PairedKind } from '../wasm/abi';
import { empty } from '../autograd/create';
import { Tensor, addGrad, record, untracked, writeOrAdd, type Shape } from '../autograd/tensor';
import { l2Normalize } from './reduce';

/** Calls fn with an untracked scratch tensor, freed after. */
export function withScratch<T>(shape: Shape, fn: (t: Tensor) => T): T {
  const t = untracked(shape);
  try {
    return fn(t);
  } finally {
    t.dispose();
  }
}

function dims(x: Tensor, y: Tensor): [number, number, number] {
  return [x.shape[0], y.shape[0], x.shape[1]];
}

/**
 * ‖x_i − y_j‖² (squared) or ‖x_i − y_j‖ through the GEMM on rows centred by y's mean, exact
 * for near-identical rows (see RECOMPUTE_BELOW in the kernel). Backward: gx = −rowsum(nw)⊙x + nw·y with nw = −2g
 * (squared) or −g/dist (0 at dist 0, like torch.cdist).
 */
export function cdistL2(x: Tensor, y: Tensor, squared: boolean): Tensor {
  const e = getEngine();
  const k = e.k;
  const [n, m, d] = dims(x, y);
  const out = empty([n, m]);
  // One scratch block: centred copies of x and y, the mean of y, the squared norms.
  withScratch([(n + m) * d + d + n + m], (s) => {
    const xc = s.ptr, yc = xc + n * d * 4, mu = yc + m * d * 4, xn = mu + d * 4, yn = xn + n * 4;
    const fwd = squared ? k.f32_cdist_sqeuclid_fwd : k.f32_cdist_euclid_fwd;
    fwd(x.ptr, y.ptr, xc, yc, mu, xn, yn, out.ptr, n, m, d, e.gemmWorkspace);
  });
  return record(out, squared ? 'cdistSqEuclidean' : 'cdistEuclidean', [x, y], (g) => {
    // against itself, the weights (−2g, or −g/dist) are made in the symmetric weights' pass
    if (x === y) {
      return selfPairwiseGrad(g, squared ? null : out, -2, x, (s) => addGrad(x, (p, acc) => k.f32_cdist_l2_bwd_x(s.ptr, x.ptr, x.ptr, p, n, n, d, acc, e.gemmWorkspace)));
    }
    withScratch([n, m], (nw) => {
      if (squared) k.f32_scale(g.ptr, -2, nw.ptr, n * m);
      else k.f32_cdist_euclid_bwd_nweights(g.ptr, out.ptr, nw.ptr, n * m);
      l2PairwiseGrads(nw, x, y, x, y);
    });
  });
}

/**
 * A batch against itself, f(x, x): x's two gradients (as the first argument and as the
 * second) are one term with the weights w + wᵀ, so `write` runs one GEMM instead of two.
 * w = α·g, or −g/dist (0 where dist = 0) when dist is given (the Euclidean distance).
 */
function selfPairwiseGrad(g: Tensor, dist: Tensor | null, alpha: number, x: Tensor, write: (sym: Tensor) => void): void {
  if (!x.requiresGrad) return;
  withScratch(g.shape, (s) => {
    getEngine().k.f32_add_transpose(g.ptr, dist ? dist.ptr : 0, s.ptr, g.shape[0], alpha);
    write(s);
  });
}

/**
 * Gradients of Σ w_ij ‖·‖²-style terms given negated weights nw [n, m]:
 *   into gx: −rowsum(nw)⊙a + nw·b    into gy: −colsum(nw)⊙b + nwᵀ·a
 * a, b are the rows the weights act on (x, y; or x·M, y·M for Mahalanobis).
 */
export function l2PairwiseGrads(nw: Tensor, a: Tensor, b: Tensor, gxOf: Tensor, gyOf: Tensor): void {
  const e = getEngine();
  const k = e.k;
  const [n, m, d] = dims(a, b);
  addGrad(gxOf, (p, acc) => k.f32_cdist_l2_bwd_x(nw.ptr, a.ptr, b.ptr, p, n, m, d, acc, e.gemmWorkspace));
  addGrad(gyOf, (p, acc) =>
    withScratch([m], (cs) => k.f32_cdist_l2_bwd_y(nw.ptr, a.ptr, b.ptr, cs.ptr, p, n, m, d, acc, e.gemmWorkspace)),
  );
}

/** x_i · y_j (GEMM). Backward gx = g·y, gy = gᵀ·x. */
export function cdistDot(x: Tensor, y: Tensor): Tensor {
  const e = getEngine();
  const k = e.k;
  const [n, m, d] = dims(x, y);
  const out = empty([n, m]);
  if (x === y) k.f32_gemm_nt_self(x.ptr, out.ptr, n, d, e.gemmWorkspace);
  else k.f32_gemm_nt(x.ptr, y.ptr, out.ptr, n, d, m, 0, e.gemmWorkspace);
  return record(out, 'cdistDot', [x, y], (g) => {
    if (x === y) return selfPairwiseGrad(g, null, 1, x, (s) => addGrad(x, (p, acc) => k.f32_gemm_nn(s.ptr, x.ptr, p, n, n, d, acc, e.gemmWorkspace)));
    addGrad(x, (p, acc) => k.f32_gemm_nn(g.ptr, y.ptr, p, n, m, d, acc, e.gemmWorkspace));
    addGrad(y, (p, acc) => k.f32_gemm_tn(g.ptr, x.ptr, p, m, n, d, acc, e.gemmWorkspace));
  });
}

/** ‖x_i − y_j‖_p for p ≥ 1 (p = 1 Manhattan, sign(0) = 0; p = 2 goes to cdistL2). */
export function cdistLp(x: Tensor, y: Tensor, p: number): Tensor {
  if (p === 2) return cdistL2(x, y, false);
  const k = getEngine().k;
  const [n, m, d] = dims(x, y);
  const out = empty([n, m]);
  if (p === 1) k.f32_cdist_manhattan_fwd(x.ptr, y.ptr, out.ptr, n, m, d);
  else k.f32_cdist_lp_fwd(x.ptr, y.ptr, out.ptr, n, m, d, p);
  // y's gradient is x's with the roles swapped: g is read transposed through its strides.
  const grad = (a: Tensor, b: Tensor, gp: number, gsi: number, gsj: number, ptr: number, na: number, nb: number, acc: 0 | 1) =>
    p === 1
      ? k.f32_cdist_manhattan_bwd(a.ptr, b.ptr, gp, gsi, gsj, ptr, na, nb, d, acc)
      : k.f32_cdist_lp_bwd(a.ptr, b.ptr, gp, out.ptr, gsi, gsj, ptr, na, nb, d, p, acc);
  return record(out, p === 1 ? 'cdistManhattan' : 'cdistLp', [x, y], (g) => {
    addGrad(x, (ptr, acc) => grad(x, y, g.ptr, m, 1, ptr, n, m, acc));
    addGrad(y, (ptr, acc) => grad(y, x, g.ptr, 1, m, ptr, m, n, acc));
  });
}

export type PairedKindName = keyof typeof PairedKind;

/** Row-wise distance of x_i and y_i; `lp` takes p (p = 1 and 2 map to their own kinds). */
export function paired(x: Tensor, y: Tensor, kindIn: PairedKindName, p = 2): Tensor {
  const kind: PairedKindName = kindIn === 'lp' ? (p === 1 ? 'manhattan' : p === 2 ? 'euclidean' : 'lp') : kindIn;
  const k = getEngine().k;
  const [n, d] = x.shape;
  const out = empty([n]);
  switch (kind) {
    case 'sqeuclidean': k.f32_paired_sqeuclid_fwd(x.ptr, y.ptr, out.ptr, n, d); break;
    case 'euclidean': k.f32_paired_euclid_fwd(x.ptr, y.ptr, out.ptr, n, d); break;
    case 'manhattan': k.f32_paired_manhattan_fwd(x.ptr, y.ptr, out.ptr, n, d); break;
    case 'lp': k.f32_paired_lp_fwd(x.ptr, y.ptr, out.ptr, n, d, p); break;
    case 'dot': k.f32_paired_dot_fwd(x.ptr, y.ptr, out.ptr, n, d); break;
  }
  const code = PairedKind[kind];
  return record(out, `paired_${kind}`, [x, y], (g) => {
    // Every kind is odd in x − y (dot: symmetric in the swap), so y's gradient swaps roles.
    addGrad(x, (ptr, acc) => k.f32_paired_bwd(code, x.ptr, y.ptr, g.ptr, out.ptr, ptr, n, d, p, acc));
    addGrad(y, (ptr, acc) => k.f32_paired_bwd(code, y.ptr, x.ptr, g.ptr, out.ptr, ptr, n, d, p, acc));
  });
}

/** t^power elementwise (pytorch-metric-learning's `power`), torch.pow's gradient. */
export function distPow(t: Tensor, power: number): Tensor {
  const k = getEngine().k;
  const out = empty(t.shape);
  k.f32_dist_pow_fwd(t.ptr, out.ptr, t.size, power);
  return record(out, 'distPow', [t], (g) => addGrad(t, (p, acc) => k.f32_dist_pow_bwd(t.ptr, g.ptr, p, t.size, power, acc)));
}

/** sqrt(max(t, 0)) with gradient 0 where the root is 0 (torch.cdist at zero distance). */
export function distSqrt(t: Tensor): Tensor {
  const k = getEngine().k;
  const out = empty(t.shape);
  k.f32_dist_sqrt_fwd(t.ptr, out.ptr, t.size);
  return record(out, 'distSqrt', [t], (g) => addGrad(t, (p, acc) => k.f32_dist_sqrt_bwd(out.ptr, g.ptr, p, t.size, acc)));
}

/** a·t + b elementwise (1 − cos for the cosine distance). */
export function affine(t: Tensor, a: number, b: number): Tensor {
  const k = getEngine().k;
  const out = empty(t.shape);
  k.f32_scale(t.ptr, a, out.ptr, t.size);
  if (b !== 0) k.f32_add_scalar(out.ptr, b, out.ptr, t.size);
  return record(out, 'affine', [t], (g) =>
    addGrad(t, (p, acc) => (acc ? k.f32_axpy(a, g.ptr, p, t.size) : k.f32_scale(g.ptr, a, p, t.size))),
  );
}

/**
 * t·2^fwdExp (exact), whose backward scales g by 2^bwdExp. A pair of these around a distance
 * (inputs by 2^-e, result by 2^(k·e) for degree k) keeps every value in range; giving the pair
 * backward exponents 0 and (k−1)·e instead of −e and k·e applies the same total factor without
 * an intermediate gradient g·2^(k·e) that would underflow (or overflow) on its own.
 */
export function scaleByPow2(t: Tensor, fwdExp: number, bwdExp = fwdExp): Tensor {
  const out = empty(t.shape);
  scalePow2Into(t.ptr, out.ptr, t.size, fwdExp);
  return record(out, 'scaleByPow2', [t], (g) => addGrad(t, (p, acc) => writeOrAdd(p, acc, t.shape, (dst) => scalePow2Into(g.ptr, dst, t.size, bwdExp))));
}

/** dst = src·2^e in steps a float32 factor holds (|e| up to ~300). */
function scalePow2Into(src: number, dst: number, n: number, e: number): void {
  const k = getEngine().k;
  let from = src;
  do {
    const step = Math.max(-120, Math.min(120, e));
    k.f32_scale(from, 2 ** step, dst, n);
    from = dst;
    e -= step;
  } while (e !== 0);
}

/** Row-wise x / max(‖x‖_p, eps) along the last axis (F.normalize(x, p, dim=1), eps 1e-12). */
export function lpNormalize(x: Tensor, p: number, eps = 1e-12): Tensor {
  if (p === 2) return l2Normalize(x, eps);
  const k = getEngine().k;
  const [n, d] = x.shape;
  const out = empty(x.shape);
  const norms = untracked([n]);
  k.f32_lpnormalize_fwd(x.ptr, out.ptr, norms.ptr, n, d, p, eps);
  return record(
    out,
    'lpNormalize',
    [x],
    (g) => addGrad(x, (ptr, acc) => k.f32_lpnormalize_bwd(x.ptr, g.ptr, norms.ptr, ptr, n, d, p, eps, acc)),
    [norms],
  );
}
