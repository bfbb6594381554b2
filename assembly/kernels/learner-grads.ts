// The float64 pieces of the stochastic-neighbour objectives (NCA, MLKR) and of ITML's bounds,
// where metric-learn calls BLAS. Row-major; nothing allocated; no over-read or over-write.
//   f64_gemm_nt            C [m, n] = A [m, k] · B [n, k]ᵀ          (the embedding X·Lᵀ)
//   f64_pdist_sqeuclid     D [n, n] = ‖eᵢ − eⱼ‖², diagonal 0        (differences, not the Gram
//                          trick, so near pairs keep their digits)
//   f64_pdist_euclid_lower the lower triangle's ‖xᵢ − xⱼ‖, packed   (ITML's bounds)
//   f64_neighbour_weights  D's rows in place → softmax weights W, the loss and colsum(W)
//   f64_sym_add_transpose  S [n, n] = W + Wᵀ with diag −colsum      (metric-learn's W_sym)
//   f64_weights_mul        W_sym·X over W_sym's non-zero columns    (then Eᵀ·(W_sym·X) by
//                          f64_gemm_tn of f64-linalg.ts)
import { NeighbourObjective } from '../codes';
import { row1, rows4 } from './f64-tile';

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
// colsum [n] receives Σᵢ wᵢⱼ. Returns the loss. Needs n ≥ 2. idx (i32 [n]) lists the row's
// entries whose exp does not underflow: on a saturated softmax a handful, and every pass after
// the exp runs over those alone, in column order (the sums the dense loops make).
export function f64_neighbour_weights(dist: usize, t: usize, colsum: usize, idx: usize, n: i32, kind: i32): f64 {
  for (let j = 0; j < n; j++) store<f64>(at(colsum, j), 0);
  const zero = f64x2.splat(0), lim = f64x2.splat(-746);
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const di = dist + ((<usize>i * n) << 3);
    // the smallest off-diagonal distance is the max of −d (logsumexp's shift); the diagonal
    // reads +∞ for the scan and gets exp(−∞) = 0 below
    store<f64>(at(di, i), Infinity);
    let mv = f64x2.splat(Infinity);
    let j = 0;
    for (; j + 2 <= n; j += 2) mv = f64x2.min(mv, v128.load(at(di, j)));
    let mn = Math.min(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
    if (j < n) mn = Math.min(mn, load<f64>(at(di, j)));
    // exp underflows to exactly 0 below −745: two such lanes are stored as zeros without the call
    const mnv = f64x2.splat(mn);
    let s: f64 = 0;
    let cnt = 0;
    for (j = 0; j < n; j++) {
      if ((j & 1) == 0 && j + 2 <= n && i64x2.all_true(f64x2.lt(f64x2.sub(mnv, v128.load(at(di, j))), lim))) {
        v128.store(at(di, j), zero);
        j++;
        continue;
      }
      const x = mn - load<f64>(at(di, j));
      if (x < -746) {
        store<f64>(at(di, j), 0);
        continue;
      }
      const p = Math.exp(x);
      store<f64>(at(di, j), p);
      s += p;
      store<i32>(idx + (<usize>cnt << 2), j);
      cnt++;
    }
    const inv = 1 / s;
    const ti = load<f64>(at(t, i));
    let acc: f64 = 0;
    for (let q = 0; q < cnt; q++) {
      const jj = load<i32>(idx + (<usize>q << 2));
      const p = load<f64>(at(di, jj)) * inv;
      store<f64>(at(di, jj), p);
      if (kind == NeighbourObjective.nca) {
        if (load<f64>(at(t, jj)) == ti) acc += p;
      } else acc += p * load<f64>(at(t, jj));
    }
    if (kind == NeighbourObjective.nca) {
      loss += acc;
      for (let q = 0; q < cnt; q++) {
        const jj = load<i32>(idx + (<usize>q << 2));
        const p = load<f64>(at(di, jj));
        const w = (load<f64>(at(t, jj)) == ti ? p : 0) - p * acc;
        store<f64>(at(di, jj), w);
        store<f64>(at(colsum, jj), load<f64>(at(colsum, jj)) + w);
      }
    } else {
      const delta = acc - ti;
      loss += delta * delta;
      for (let q = 0; q < cnt; q++) {
        const jj = load<i32>(idx + (<usize>q << 2));
        const w = load<f64>(at(di, jj)) * delta * (load<f64>(at(t, jj)) - acc);
        store<f64>(at(di, jj), w);
        store<f64>(at(colsum, jj), load<f64>(at(colsum, jj)) + w);
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

// out [n, d] = W [n, n] · X [n, d] for the mostly-zero weights of a saturated softmax: each
// block of four rows of W (then each last row) is scanned once for the columns p where any of
// its entries is non-zero (into idx, i32 [n]), and the tile runs over those p only: every
// out[i, j] is the dense loop's ordered sum, the zero terms left out.
export function f64_weights_mul(w: usize, x: usize, out: usize, idx: usize, n: i32, d: i32): void {
  const ldw = <usize>n << 3;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w0 = w + <usize>i * ldw, w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
    let cnt = 0;
    for (let p = 0; p < n; p++) {
      const po = <usize>p << 3;
      if (load<f64>(w0 + po) != 0 || load<f64>(w1 + po) != 0 || load<f64>(w2 + po) != 0 || load<f64>(w3 + po) != 0) {
        store<i32>(idx + (<usize>cnt << 2), p);
        cnt++;
      }
    }
    rows4(w, <usize>n, 1, x, out, <usize>i, n, d, false, idx, cnt);
  }
  for (; i < n; i++) {
    const wi = w + <usize>i * ldw;
    let cnt = 0;
    for (let p = 0; p < n; p++)
      if (load<f64>(at(wi, p)) != 0) {
        store<i32>(idx + (<usize>cnt << 2), p);
        cnt++;
      }
    row1(w, <usize>n, 1, x, out, <usize>i, n, d, false, idx, cnt);
  }
}
