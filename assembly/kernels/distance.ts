// Distance kernels: pairwise (cdist, x [n, d] against y [m, d] -> [n, m]) and paired
// (row i of x against row i of y -> [n]), forward and backward side by side, plus the
// top-k selection used by search. Row-major f32; every d works (f32x4 body, scalar tail).
//
// Gradient conventions follow PyTorch (torch.cdist, F.pairwise_distance without its eps):
//   euclidean  ∂‖v‖/∂v = v / ‖v‖, and 0 where ‖v‖ = 0 (torch.cdist's choice: no NaN)
//   manhattan  ∂|v|/∂v = sign(v) with sign(0) = 0
//   Lp         sign(v)|v|^(p−1) / ‖v‖_p^(p−1), and 0 where ‖v‖_p = 0
//   cosine     goes through f32_l2normalize_* (F.normalize, eps 1e-12) and a dot product.
import { f32_gemm_nn, f32_gemm_nt, f32_gemm_nt_self, f32_gemm_part, f32_gemm_tn } from './gemm';
import { mirrorUpper } from './gemm-tile';
import { f32_sum_cols } from './reduce';
import { PairedKind } from '../codes';
import { addInto, centreRows } from './vec';
import { F32_MAX, TINY, absDiff, dot, hsum, inRange, l2Diff, lpDiff, madd, sqDiff, sqDiff64 } from './rows';

// f32_gemm_part's form code for C = Aᵀ·B.
// @ts-ignore: decorator
@inline const TN_FORM = 1;

// Squared Euclidean through ‖x‖² − 2x·y + ‖y‖² cancels catastrophically when x ≈ y: the
// error is a few ulps of ‖x‖² + ‖y‖², not of the result. Two defences:
//  1. Both sides are first shifted by the mean of y (distances are translation invariant),
//     so the norms measure the spread of the data, not its offset: a cloud far from the
//     origin (ReLU features, un-centred embeddings) is as accurate as a centred one.
//  2. Entries below RECOMPUTE_BELOW · (‖x‖² + ‖y‖²) (centred norms) are recomputed as
//     Σ(x − y)² from the original rows, which bounds the relative error of every entry to
//     about 1e-5 (f32 rounding × 2 / RECOMPUTE_BELOW). Random data almost never triggers
//     it; data where most pairs are near relative to the spread (collapsed embeddings)
//     recompute most entries and cost up to twice the GEMM time — still correct.
// @ts-ignore: decorator
@inline const RECOMPUTE_BELOW: f32 = 1.0 / 128.0;

// sign(v) lane-wise with sign(0) = 0: the L1 subgradient PyTorch uses.
// @ts-ignore: decorator
@inline function vsign(v: v128): v128 {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  return f32x4.sub(v128.and(f32x4.gt(v, zero), one), v128.and(f32x4.lt(v, zero), one));
}

// @ts-ignore: decorator
@inline function ssign(v: f32): f32 {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

// ga (+)= s · v over d elements (the caller zeroes ga when overwriting).
// @ts-ignore: decorator
@inline function rowAxpyInto(s: f32, v: usize, ga: usize, d: i32): void {
  const vs = f32x4.splat(s);
  let p = 0;
  for (; p + 4 <= d; p += 4) {
    const o = <usize>p << 2;
    v128.store(ga + o, madd(vs, v128.load(v + o), v128.load(ga + o)));
  }
  for (; p < d; p++) {
    const o = <usize>p << 2;
    store<f32>(ga + o, load<f32>(ga + o) + s * load<f32>(v + o));
  }
}

// out[i] = Σ_p x[i, p]²; x [n, d]
function rowSqnorms(x: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const r = x + ((<usize>i * d) << 2);
    store<f32>(out + (<usize>i << 2), dot(r, r, d));
  }
}

// Index of the first non-finite element of x[0..n), or −1. x − x is 0 for finite x and NaN
// for ±inf and NaN, so one subtraction and one self-comparison test four lanes.
export function f32_find_nonfinite(x: usize, n: i32): i32 {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const z = f32x4.sub(v, v);
    if (v128.any_true(f32x4.ne(z, z))) break;
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v - v != 0) return i;
  }
  return -1;
}

// max |x[i]| over x[0..n); NaN if any element is NaN (Infinity if any is infinite), so one
// pass both range-checks and finds the scale of the data. pmax is one instruction where the
// IEEE max is several; NaN lanes are collected separately (x ≠ x).
export function f32_absmax(x: usize, n: i32): f32 {
  let m0 = f32x4.splat(0), m1 = f32x4.splat(0), bad = v128.splat<i32>(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = v128.load(x + o), b = v128.load(x + o, 16);
    m0 = f32x4.pmax(m0, f32x4.abs(a));
    m1 = f32x4.pmax(m1, f32x4.abs(b));
    bad = v128.or(bad, v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
  }
  for (; i + 4 <= n; i += 4) {
    const a = v128.load(x + (<usize>i << 2));
    m0 = f32x4.pmax(m0, f32x4.abs(a));
    bad = v128.or(bad, f32x4.ne(a, a));
  }
  if (v128.any_true(bad)) return NaN;
  const v = f32x4.pmax(m0, m1);
  let m = max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  for (; i < n; i++) m = max<f32>(m, abs<f32>(load<f32>(x + (<usize>i << 2))));
  return m;
}

// ---- pairwise squared Euclidean / Euclidean (GEMM route) ----

// out[i, j] = ‖x_i − y_j‖² (root = 0) or its square root (root = 1), through the GEMM on
// rows centred by the mean of y: out = xc·ycᵀ, then ‖xc_i‖² + ‖yc_j‖² − 2·out clamped at 0,
// with small entries recomputed from x, y (see RECOMPUTE_BELOW).
// x [n, d], y [m, d], out [n, m]. Scratch: xc [n, d], yc [m, d], mu [d], xn [n], yn [m];
// ws is the GEMM workspace.
// @ts-ignore: decorator
@inline function cdistL2(x: usize, y: usize, xc: usize, yc: usize, mu: usize, xn: usize, yn: usize, out: usize, n: i32, m: i32, d: i32, root: bool, ws: usize): void {
  // the batch against itself (one buffer): one centred copy and its norms, and the symmetric
  // product, half the GEMM
  const self = x == y && n == m;
  if (self) {
    centreRows(x, x, xc, xc, mu, 0, n, d);
    yn = xn;
  } else centreRows(x, y, xc, yc, mu, n, m, d);
  rowSqnorms(xc, xn, n, d);
  if (self) f32_gemm_nt_self(xc, out, n, d, ws);
  else {
    rowSqnorms(yc, yn, m, d);
    f32_gemm_nt(xc, yc, out, n, d, m, 0, ws);
  }
  // Recomputed directly: entries small against the norms (cancellation), and whole rows whose
  // centred norm is tiny (with s < TINY the GEMM terms may be subnormal). Norms cannot
  // overflow: the caller scales inputs beyond 2^50 into range.
  const zero = f32x4.splat(0), two = f32x4.splat(2), tau = f32x4.splat(RECOMPUTE_BELOW);
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>i * d) << 2);
    const row = out + ((<usize>i * m) << 2);
    const nx: f32 = load<f32>(xn + (<usize>i << 2));
    if (!(nx >= TINY)) {
      for (let j = self ? i : 0; j < m; j++) store<f32>(row + (<usize>j << 2), l2Diff(xi, y + ((<usize>j * d) << 2), d, root));
      continue;
    }
    const vnx = f32x4.splat(nx);
    // against itself only the upper triangle (from the four columns holding the diagonal): the
    // lower one is its mirror, bitwise (each entry's terms are symmetric)
    let j = self ? i & ~3 : 0;
    for (; j + 4 <= m; j += 4) {
      const o = <usize>j << 2;
      const s = f32x4.add(vnx, v128.load(yn + o));
      const v = f32x4.max(f32x4.sub(s, f32x4.mul(two, v128.load(row + o))), zero);
      if (v128.any_true(f32x4.lt(v, f32x4.mul(tau, s)))) {
        v128.store(row + o, v);
        for (let l = 0; l < 4; l++) {
          const jl = j + l;
          const ol = row + (<usize>jl << 2);
          const vl = load<f32>(ol);
          const small = vl < RECOMPUTE_BELOW * (nx + load<f32>(yn + (<usize>jl << 2)));
          store<f32>(ol, small ? l2Diff(xi, y + ((<usize>jl * d) << 2), d, root) : root ? sqrt<f32>(vl) : vl);
        }
      } else {
        v128.store(row + o, root ? f32x4.sqrt(v) : v);
      }
    }
    for (; j < m; j++) {
      const o = <usize>j << 2;
      const s = nx + load<f32>(yn + o);
      const v = max<f32>(s - 2 * load<f32>(row + o), 0);
      store<f32>(row + o, v < RECOMPUTE_BELOW * s ? l2Diff(xi, y + ((<usize>j * d) << 2), d, root) : root ? sqrt<f32>(v) : v);
    }
  }
  if (self) mirrorUpper(out, n);
}

export function f32_cdist_sqeuclid_fwd(x: usize, y: usize, xc: usize, yc: usize, mu: usize, xn: usize, yn: usize, out: usize, n: i32, m: i32, d: i32, ws: usize): void {
  cdistL2(x, y, xc, yc, mu, xn, yn, out, n, m, d, false, ws);
}

export function f32_cdist_euclid_fwd(x: usize, y: usize, xc: usize, yc: usize, mu: usize, xn: usize, yn: usize, out: usize, n: i32, m: i32, d: i32, ws: usize): void {
  cdistL2(x, y, xc, yc, mu, xn, yn, out, n, m, d, true, ws);
}

// Negated backward weights of the Euclidean distance: nw = −g / dist, and 0 where dist = 0
// (torch.cdist). For squared Euclidean the weights are −2g (f32_scale). [size] elements.
export function f32_cdist_euclid_bwd_nweights(g: usize, dist: usize, nw: usize, size: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const o = <usize>i << 2;
    const dv = v128.load(dist + o);
    const w = f32x4.neg(f32x4.div(v128.load(g + o), dv));
    v128.store(nw + o, v128.and(w, f32x4.gt(dv, zero)));
  }
  for (; i < size; i++) {
    const o = <usize>i << 2;
    const dv = load<f32>(dist + o);
    store<f32>(nw + o, dv > 0 ? -load<f32>(g + o) / dv : 0);
  }
}

// The gradient of every ‖a_i − b_j‖²-style term, given negated weights nw [n, m]
// (ga_i = Σ_j w_ij (a_i − b_j) with w = −nw):
//   ga (+)= −rowsum(nw) ⊙ a + nw · b                  a [n, d], b [m, d], ga [n, d]
// Two GEMM-friendly terms instead of an n·m·d loop of differences. Mahalanobis reuses it
// with a = x·M, b = y·M.
export function f32_cdist_l2_bwd_x(nw: usize, a: usize, b: usize, ga: usize, n: i32, m: i32, d: i32, accumulate: i32, ws: usize): void {
  for (let i = 0; i < n; i++) {
    const gi = ga + ((<usize>i * d) << 2);
    const wr = nw + ((<usize>i * m) << 2);
    let vs = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= m; j += 4) vs = f32x4.add(vs, v128.load(wr + (<usize>j << 2)));
    let rs = hsum(vs);
    for (; j < m; j++) rs += load<f32>(wr + (<usize>j << 2));
    if (!accumulate) memory.fill(gi, 0, <usize>d << 2);
    rowAxpyInto(-rs, a + ((<usize>i * d) << 2), gi, d);
  }
  f32_gemm_nn(nw, b, ga, n, m, d, 1, ws);
}

//   gb (+)= −colsum(nw) ⊙ b + nwᵀ · a                 colsum: scratch [m]; gb [m, d]
export function f32_cdist_l2_bwd_y(nw: usize, a: usize, b: usize, colsum: usize, gb: usize, n: i32, m: i32, d: i32, accumulate: i32, ws: usize): void {
  f32_cdist_l2_bwd_y_rows(nw, a, b, colsum, gb, n, m, d, accumulate, ws, 0, m);
}

// Rows j0..j1 of gb (a thread's share): the same sums in the same order as the whole
// (column sums of nw over i in order, the GEMM's rows), so split gradients are bitwise equal.
export function f32_cdist_l2_bwd_y_rows(nw: usize, a: usize, b: usize, colsum: usize, gb: usize, n: i32, m: i32, d: i32, accumulate: i32, ws: usize, j0: i32, j1: i32): void {
  if (j1 <= j0) return;
  const cs = colsum + (<usize>j0 << 2);
  memory.fill(cs, 0, <usize>(j1 - j0) << 2);
  for (let i = 0; i < n; i++) addInto(cs, nw + ((<usize>i * m + j0) << 2), j1 - j0);
  for (let j = j0; j < j1; j++) {
    const gj = gb + ((<usize>j * d) << 2);
    if (!accumulate) memory.fill(gj, 0, <usize>d << 2);
    rowAxpyInto(-load<f32>(colsum + (<usize>j << 2)), b + ((<usize>j * d) << 2), gj, d);
  }
  f32_gemm_part(TN_FORM, nw, a, gb, m, n, d, 1, ws, j0, j1, 0, d);
}

// ---- pairwise Manhattan and general Lp (direct loops: no GEMM form) ----

// out[i, j] = Σ_p |x_i − y_j|
export function f32_cdist_manhattan_fwd(x: usize, y: usize, out: usize, n: i32, m: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>i * d) << 2);
    for (let j = 0; j < m; j++) store<f32>(out + ((<usize>i * m + j) << 2), absDiff(xi, y + ((<usize>j * d) << 2), d));
  }
}

// out[i, j] = ‖x_i − y_j‖_p, p ≥ 1
export function f32_cdist_lp_fwd(x: usize, y: usize, out: usize, n: i32, m: i32, d: i32, p: f32): void {
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>i * d) << 2);
    for (let j = 0; j < m; j++) store<f32>(out + ((<usize>i * m + j) << 2), lpDiff(xi, y + ((<usize>j * d) << 2), d, p));
  }
}

// ga_i (+)= Σ_j g(i, j) · sign(a_i − b_j); a [na, d], b [nb, d]. g(i, j) is read at
// g + (i·gsi + j·gsj) floats, so the same kernel serves x (gsi = m, gsj = 1) and, with the
// roles of x and y swapped (the sign flips with the difference), y (gsi = 1, gsj = m).
export function f32_cdist_manhattan_bwd(a: usize, b: usize, g: usize, gsi: i32, gsj: i32, ga: usize, na: i32, nb: i32, d: i32, accumulate: i32): void {
  for (let i = 0; i < na; i++) {
    const ai = a + ((<usize>i * d) << 2);
    const gi = ga + ((<usize>i * d) << 2);
    if (!accumulate) memory.fill(gi, 0, <usize>d << 2);
    for (let j = 0; j < nb; j++) {
      const w = load<f32>(g + ((<usize>i * gsi + <usize>j * gsj) << 2));
      if (w == 0) continue;
      const bj = b + ((<usize>j * d) << 2);
      const vw = f32x4.splat(w);
      let p = 0;
      for (; p + 4 <= d; p += 4) {
        const o = <usize>p << 2;
        v128.store(gi + o, madd(vw, vsign(f32x4.sub(v128.load(ai + o), v128.load(bj + o))), v128.load(gi + o)));
      }
      for (; p < d; p++) {
        const o = <usize>p << 2;
        store<f32>(gi + o, load<f32>(gi + o) + w * ssign(load<f32>(ai + o) - load<f32>(bj + o)));
      }
    }
  }
}

// gi (+)= w · sign(v)(|v| / r)^(p−1), v = a − b, r the distance: the ratio is at most 1, so
// the power neither overflows nor underflows at any magnitude of the data.
// @ts-ignore: decorator
@inline function lpRowGrad(a: usize, b: usize, gi: usize, d: i32, p: f32, w: f32, r: f32): void {
  for (let q = 0; q < d; q++) {
    const o = <usize>q << 2;
    const v = load<f32>(a + o) - load<f32>(b + o);
    store<f32>(gi + o, load<f32>(gi + o) + w * ssign(v) * Mathf.pow(abs<f32>(v) / r, p - 1));
  }
}

// ga_i (+)= Σ_j g(i, j) · sign(v)(|v| / dist(i, j))^(p−1), v = a_i − b_j; 0 where
// dist = 0. g and dist share the strides (see f32_cdist_manhattan_bwd).
export function f32_cdist_lp_bwd(a: usize, b: usize, g: usize, dist: usize, gsi: i32, gsj: i32, ga: usize, na: i32, nb: i32, d: i32, p: f32, accumulate: i32): void {
  for (let i = 0; i < na; i++) {
    const ai = a + ((<usize>i * d) << 2);
    const gi = ga + ((<usize>i * d) << 2);
    if (!accumulate) memory.fill(gi, 0, <usize>d << 2);
    for (let j = 0; j < nb; j++) {
      const off = (<usize>i * gsi + <usize>j * gsj) << 2;
      const w = load<f32>(g + off), r = load<f32>(dist + off);
      if (w == 0 || r == 0) continue;
      lpRowGrad(ai, b + ((<usize>j * d) << 2), gi, d, p, w, r);
    }
  }
}

// ---- paired: row i of x against row i of y, x, y [n, d], out [n] ----

export function f32_paired_sqeuclid_fwd(x: usize, y: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i * d) << 2;
    store<f32>(out + (<usize>i << 2), l2Diff(x + o, y + o, d, false));
  }
}

export function f32_paired_euclid_fwd(x: usize, y: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i * d) << 2;
    store<f32>(out + (<usize>i << 2), l2Diff(x + o, y + o, d, true));
  }
}

export function f32_paired_manhattan_fwd(x: usize, y: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i * d) << 2;
    store<f32>(out + (<usize>i << 2), absDiff(x + o, y + o, d));
  }
}

export function f32_paired_lp_fwd(x: usize, y: usize, out: usize, n: i32, d: i32, p: f32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i * d) << 2;
    store<f32>(out + (<usize>i << 2), lpDiff(x + o, y + o, d, p));
  }
}

export function f32_paired_dot_fwd(x: usize, y: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i * d) << 2;
    store<f32>(out + (<usize>i << 2), dot(x + o, y + o, d));
  }
}

// Paired backward for a = x, b = y (gx) or a = y, b = x (gy): every form is odd in a − b
// (dot is symmetric under the swap). dist is the forward output.
// PairedKind.sqeuclidean:      ga (+)= 2 g_i (a_i − b_i)
// PairedKind.euclidean:       ga (+)= g_i (a_i − b_i) / dist_i, 0 where dist_i = 0
// PairedKind.manhattan:       ga (+)= g_i sign(a_i − b_i)
// PairedKind.lp:              ga (+)= g_i sign(v)|v|^(p−1) / dist_i^(p−1), 0 where dist_i = 0
// PairedKind.dot:             ga (+)= g_i b_i
export function f32_paired_bwd(kind: i32, a: usize, b: usize, g: usize, dist: usize, ga: usize, n: i32, d: i32, p: f32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i * d) << 2;
    const ai = a + o, bi = b + o, gi = ga + o;
    if (!accumulate) memory.fill(gi, 0, <usize>d << 2);
    const w = load<f32>(g + (<usize>i << 2));
    const r = load<f32>(dist + (<usize>i << 2));
    if (kind == PairedKind.dot) {
      rowAxpyInto(w, bi, gi, d);
      continue;
    }
    if (kind == PairedKind.lp) {
      if (r > 0) lpRowGrad(ai, bi, gi, d, p, w, r);
      continue;
    }
    const s: f32 = kind == PairedKind.sqeuclidean ? 2 * w : kind == PairedKind.euclidean ? (r > 0 ? w / r : 0) : w;
    const vs = f32x4.splat(s);
    let q = 0;
    for (; q + 4 <= d; q += 4) {
      const oq = <usize>q << 2;
      let v = f32x4.sub(v128.load(ai + oq), v128.load(bi + oq));
      if (kind == PairedKind.manhattan) v = vsign(v);
      v128.store(gi + oq, madd(vs, v, v128.load(gi + oq)));
    }
    for (; q < d; q++) {
      const oq = <usize>q << 2;
      let v = load<f32>(ai + oq) - load<f32>(bi + oq);
      if (kind == PairedKind.manhattan) v = ssign(v);
      store<f32>(gi + oq, load<f32>(gi + oq) + s * v);
    }
  }
}

// ---- elementwise transforms of a distance matrix ----

// out = x^power (pytorch-metric-learning's `power`); power 2 is exact x·x.
export function f32_dist_pow_fwd(x: usize, out: usize, n: i32, power: f32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), power == 2 ? v * v : Mathf.pow(v, power));
  }
}

// gx (+)= g · power · x^(power−1), as torch.pow's backward.
export function f32_dist_pow_bwd(x: usize, g: usize, gx: usize, n: i32, power: f32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    let r = load<f32>(g + o) * (power == 2 ? 2 * v : power * Mathf.pow(v, power - 1));
    if (accumulate) r += load<f32>(gx + o);
    store<f32>(gx + o, r);
  }
}

// out = sqrt(max(x, 0)): the root of a squared distance (Mahalanobis with squared: false).
export function f32_dist_sqrt_fwd(x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.sqrt(f32x4.max(v128.load(x + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sqrt<f32>(max<f32>(load<f32>(x + o), 0)));
  }
}

// gx (+)= g / (2·out), and 0 where out = 0 (the torch.cdist convention at zero distance).
export function f32_dist_sqrt_bwd(out: usize, g: usize, gx: usize, n: i32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const r = load<f32>(out + o);
    let v: f32 = r > 0 ? load<f32>(g + o) / (2 * r) : 0;
    if (accumulate) v += load<f32>(gx + o);
    store<f32>(gx + o, v);
  }
}

// ---- Lp normalisation (F.normalize(x, p), eps 1e-12) for p ≠ 2 ----

// y = x / max(‖x‖_p, eps); norms[i] = max(‖x_i‖_p, eps) kept for backward. The norm is
// taken as t·‖x / t‖_p with t = max |x| (no power overflows or underflows).
export function f32_lpnormalize_fwd(x: usize, y: usize, norms: usize, n: i32, d: i32, p: f32, eps: f32): void {
  const zeros = memory.data(16); // ‖x‖_p = lpDiff(x, 0): b read with stride 0 from one zero
  for (let i = 0; i < n; i++) {
    const r = x + ((<usize>i * d) << 2);
    const nrm = max<f32>(lpDiff(r, zeros, d, p, 0), eps);
    store<f32>(norms + (<usize>i << 2), nrm);
    const yr = y + ((<usize>i * d) << 2);
    for (let q = 0; q < d; q++) store<f32>(yr + (<usize>q << 2), load<f32>(r + (<usize>q << 2)) / nrm);
  }
}

// gx (+)= g / r − (g·x / r²) · sign(x)(|x| / r)^(p−1) where r = ‖x‖_p > eps; g / eps where
// the norm was clamped (the map is then linear, as in F.normalize).
export function f32_lpnormalize_bwd(x: usize, g: usize, norms: usize, gx: usize, n: i32, d: i32, p: f32, eps: f32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i * d) << 2;
    const xr = x + o, gr = g + o, out = gx + o;
    const r = load<f32>(norms + (<usize>i << 2));
    // with x̂ = x / r: gx = g / r − (g·x̂ / r) · sign(x)|x̂|^(p−1), every factor in range
    let c: f32 = 0;
    if (r > eps) {
      for (let q = 0; q < d; q++) c += load<f32>(gr + (<usize>q << 2)) * (load<f32>(xr + (<usize>q << 2)) / r);
      c /= r;
    }
    for (let q = 0; q < d; q++) {
      const oq = <usize>q << 2;
      const v = load<f32>(xr + oq);
      let t = load<f32>(gr + oq) / r;
      if (c != 0) t -= c * ssign(v) * Mathf.pow(abs<f32>(v) / r, p - 1);
      if (accumulate) t += load<f32>(out + oq);
      store<f32>(out + oq, t);
    }
  }
}
