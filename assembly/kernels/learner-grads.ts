// The float64 pieces of the stochastic-neighbour objectives (NCA, MLKR) and of ITML's bounds,
// where metric-learn calls BLAS. Row-major; nothing allocated; no over-read or over-write.
//   f64_gemm_nt            C [m, n] = A [m, k] · B [n, k]ᵀ          (the embedding X·Lᵀ)
//   f64_pdist_sqeuclid     D [n, n] = ‖eᵢ − eⱼ‖², diagonal 0        (differences, not the Gram
//                          trick, so near pairs keep their digits)
//   f64_pdist_euclid_lower the lower triangle's ‖xᵢ − xⱼ‖, packed   (ITML's bounds)
//   f64_neighbour_weights  D's rows in place → softmax weights W, the loss and colsum(W)
//   f64_sym_add_transpose  S [n, n] f32 = W + Wᵀ with diag −colsum  (metric-learn's W_sym)
//   (the gradient Eᵀ·(W_sym·X) goes through f64_gemm_nn / f64_gemm_tn of f64-linalg.ts)
import { NeighbourObjective } from '../codes';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// C = A·Bᵀ: every entry a dot product of two contiguous rows; four rows of B share each load
// of A's row.
export function f64_gemm_nt(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const k2 = k & ~1;
  for (let i = 0; i < m; i++) {
    const ai = a + ((<usize>i * k) << 3);
    const ci = c + ((<usize>i * n) << 3);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = b + ((<usize>j * k) << 3), b1 = b0 + (<usize>k << 3), b2 = b1 + (<usize>k << 3), b3 = b2 + (<usize>k << 3);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      for (let r = 0; r < k2; r += 2) {
        const x = v128.load(at(ai, r));
        s0 = f64x2.add(s0, f64x2.mul(x, v128.load(at(b0, r))));
        s1 = f64x2.add(s1, f64x2.mul(x, v128.load(at(b1, r))));
        s2 = f64x2.add(s2, f64x2.mul(x, v128.load(at(b2, r))));
        s3 = f64x2.add(s3, f64x2.mul(x, v128.load(at(b3, r))));
      }
      let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
      if (k2 < k) {
        const x = load<f64>(at(ai, k2));
        t0 += x * load<f64>(at(b0, k2));
        t1 += x * load<f64>(at(b1, k2));
        t2 += x * load<f64>(at(b2, k2));
        t3 += x * load<f64>(at(b3, k2));
      }
      store<f64>(at(ci, j), t0);
      store<f64>(at(ci, j + 1), t1);
      store<f64>(at(ci, j + 2), t2);
      store<f64>(at(ci, j + 3), t3);
    }
    for (; j < n; j++) {
      const bj = b + ((<usize>j * k) << 3);
      let s = f64x2.splat(0);
      for (let r = 0; r < k2; r += 2) s = f64x2.add(s, f64x2.mul(v128.load(at(ai, r)), v128.load(at(bj, r))));
      let t = hsum(s);
      if (k2 < k) t += load<f64>(at(ai, k2)) * load<f64>(at(bj, k2));
      store<f64>(at(ci, j), t);
    }
  }
}

// @ts-ignore: decorator
@inline function sqdiff(acc: v128, x: v128, p: usize): v128 {
  const v = f64x2.sub(x, v128.load(p));
  return f64x2.add(acc, f64x2.mul(v, v));
}

// out[j] = ‖eᵢ − eⱼ‖² for j < i (four j per load of eᵢ).
// @ts-ignore: decorator
@inline function sqDistsToEarlier(e: usize, i: i32, k: i32, out: usize): void {
  const k2 = k & ~1;
  const ei = e + ((<usize>i * k) << 3);
  let j = 0;
  for (; j + 4 <= i; j += 4) {
    const e0 = e + ((<usize>j * k) << 3), e1 = e0 + (<usize>k << 3), e2 = e1 + (<usize>k << 3), e3 = e2 + (<usize>k << 3);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (let r = 0; r < k2; r += 2) {
      const x = v128.load(at(ei, r));
      s0 = sqdiff(s0, x, at(e0, r));
      s1 = sqdiff(s1, x, at(e1, r));
      s2 = sqdiff(s2, x, at(e2, r));
      s3 = sqdiff(s3, x, at(e3, r));
    }
    let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
    if (k2 < k) {
      const x = load<f64>(at(ei, k2));
      const v0 = x - load<f64>(at(e0, k2)), v1 = x - load<f64>(at(e1, k2)), v2 = x - load<f64>(at(e2, k2)), v3 = x - load<f64>(at(e3, k2));
      t0 += v0 * v0;
      t1 += v1 * v1;
      t2 += v2 * v2;
      t3 += v3 * v3;
    }
    store<f64>(at(out, j), t0);
    store<f64>(at(out, j + 1), t1);
    store<f64>(at(out, j + 2), t2);
    store<f64>(at(out, j + 3), t3);
  }
  for (; j < i; j++) {
    const ej = e + ((<usize>j * k) << 3);
    let s = f64x2.splat(0);
    for (let r = 0; r < k2; r += 2) s = sqdiff(s, v128.load(at(ei, r)), at(ej, r));
    let t = hsum(s);
    if (k2 < k) {
      const v = load<f64>(at(ei, k2)) - load<f64>(at(ej, k2));
      t += v * v;
    }
    store<f64>(at(out, j), t);
  }
}

// D [n, n] of the rows of E [n, k]: the lower triangle computed, the upper mirrored, the
// diagonal 0.
export function f64_pdist_sqeuclid(e: usize, dist: usize, n: i32, k: i32): void {
  for (let i = 0; i < n; i++) {
    const di = dist + ((<usize>i * n) << 3);
    sqDistsToEarlier(e, i, k, di);
    store<f64>(at(di, i), 0);
    for (let j = 0; j < i; j++) store<f64>(at(dist + ((<usize>j * n) << 3), i), load<f64>(at(di, j)));
  }
}

// The n(n − 1)/2 Euclidean distances ‖xᵢ − xⱼ‖, j < i, row after row (ITML's bounds).
export function f64_pdist_euclid_lower(x: usize, out: usize, n: i32, d: i32): void {
  for (let i = 1; i < n; i++) {
    const oi = at(out, (i * (i - 1)) >> 1);
    sqDistsToEarlier(x, i, d, oi);
    for (let j = 0; j < i; j++) store<f64>(at(oi, j), Math.sqrt(load<f64>(at(oi, j))));
  }
}

// Row i of D [n, n] becomes the softmax pᵢⱼ ∝ exp(−dᵢⱼ) over j ≠ i (pᵢᵢ = 0), then the weights
// of the objective (t [n]: class ids for NCA, targets for MLKR), written over D:
//   NCA:  pᵢ = Σ_{tⱼ = tᵢ} pᵢⱼ,  wᵢⱼ = [tⱼ = tᵢ]·pᵢⱼ − pᵢⱼ·pᵢ,          loss += pᵢ
//   MLKR: ŷᵢ = Σⱼ pᵢⱼ tⱼ, δ = ŷᵢ − tᵢ, wᵢⱼ = pᵢⱼ·δ·(tⱼ − ŷᵢ),          loss += δ²
// colsum [n] receives Σᵢ wᵢⱼ. Returns the loss. Needs n ≥ 2.
export function f64_neighbour_weights(dist: usize, t: usize, colsum: usize, n: i32, kind: i32): f64 {
  for (let j = 0; j < n; j++) store<f64>(at(colsum, j), 0);
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const di = dist + ((<usize>i * n) << 3);
    // the smallest off-diagonal distance is the max of −d (logsumexp's shift)
    let mn = Infinity;
    for (let j = 0; j < n; j++) if (j != i) mn = Math.min(mn, load<f64>(at(di, j)));
    let s: f64 = 0;
    for (let j = 0; j < n; j++) {
      // exp underflows to exactly 0 below −745: skip the call
      const x = mn - load<f64>(at(di, j));
      const p = j == i || x < -746 ? 0 : Math.exp(x);
      store<f64>(at(di, j), p);
      s += p;
    }
    const inv = 1 / s;
    const ti = load<f64>(at(t, i));
    let acc: f64 = 0;
    for (let j = 0; j < n; j++) {
      const p = load<f64>(at(di, j)) * inv;
      store<f64>(at(di, j), p);
      if (kind == NeighbourObjective.nca) {
        if (load<f64>(at(t, j)) == ti) acc += p;
      } else acc += p * load<f64>(at(t, j));
    }
    if (kind == NeighbourObjective.nca) {
      loss += acc;
      for (let j = 0; j < n; j++) {
        const p = load<f64>(at(di, j));
        const w = (load<f64>(at(t, j)) == ti ? p : 0) - p * acc;
        store<f64>(at(di, j), w);
        store<f64>(at(colsum, j), load<f64>(at(colsum, j)) + w);
      }
    } else {
      const delta = acc - ti;
      loss += delta * delta;
      for (let j = 0; j < n; j++) {
        const w = load<f64>(at(di, j)) * delta * (load<f64>(at(t, j)) - acc);
        store<f64>(at(di, j), w);
        store<f64>(at(colsum, j), load<f64>(at(colsum, j)) + w);
      }
    }
  }
  return loss;
}

// W [n, n] in place → W + Wᵀ off the diagonal, −colsumᵢ on it (metric-learn's W_sym); 32×32
// blocks so the transposed reads stay in cache.
export function f64_sym_add_transpose(w: usize, colsum: usize, n: i32): void {
  for (let ib = 0; ib < n; ib += 32) {
    const ie = min(ib + 32, n);
    for (let jb = 0; jb <= ib; jb += 32) {
      const je = min(jb + 32, n);
      for (let i = ib; i < ie; i++)
        for (let j = jb; j < min(je, i); j++) {
          const v = load<f64>(at(w, i * n + j)) + load<f64>(at(w, j * n + i));
          store<f64>(at(w, i * n + j), v);
          store<f64>(at(w, j * n + i), v);
        }
    }
  }
  for (let i = 0; i < n; i++) store<f64>(at(w, i * n + i), -load<f64>(at(colsum, i)));
}
