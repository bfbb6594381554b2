// The float64 pieces of the stochastic-neighbour objectives (NCA, MLKR) and of ITML's bounds,
// where metric-learn calls BLAS. Row-major; nothing allocated; no over-read or over-write.
//   f64_gemm_nt            C [m, n] = A [m, k] · B [n, k]ᵀ          (the embedding X·Lᵀ)
//   f64_pdist_sqeuclid     D [n, n] = ‖eᵢ − eⱼ‖², diagonal 0        (differences, not the Gram
//                          trick, so near pairs keep their digits)
//   f64_pdist_euclid_lower the lower triangle's ‖xᵢ − xⱼ‖, packed   (ITML's bounds)
//   f64_neighbour_grad     D's rows → the softmax weights W (sparse), the loss and
//                          W_sym·X, W_sym = W + Wᵀ with diag −colsum(W) (metric-learn's;
//                          then Eᵀ·(W_sym·X) by f64_gemm_tn of f64-linalg.ts)
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

// out[j] = ‖eᵢ − eⱼ‖² for j0 ≤ j < j1 (four j per load of eᵢ). Each entry is the same sum
// whichever call computes it: lanes over even and odd r, then their sum, then an odd k's last r.
// @ts-ignore: decorator
@inline function sqDists(e: usize, i: i32, j0: i32, j1: i32, k: i32, out: usize): void {
  const k2 = k & ~1;
  const ei = e + ((<usize>i * k) << 3);
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
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
  for (; j < j1; j++) {
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

// sqDists for rows i and i + 1 at once over j0 ≤ j < j1 (j1 ≤ i + 1): each load of a row j
// serves both, 8 sums in flight; the same sums, bit for bit.
// @ts-ignore: decorator
@inline function sqDists2(e: usize, i: i32, j0: i32, j1: i32, k: i32, out: usize, ld: usize): void {
  const k2 = k & ~1;
  const ea = e + ((<usize>i * k) << 3), eb = ea + (<usize>k << 3);
  const oa = out, ob = out + (ld << 3);
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const e0 = e + ((<usize>j * k) << 3), e1 = e0 + (<usize>k << 3), e2 = e1 + (<usize>k << 3), e3 = e2 + (<usize>k << 3);
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (let r = 0; r < k2; r += 2) {
      const xa = v128.load(at(ea, r)), xb = v128.load(at(eb, r));
      let y = v128.load(at(e0, r));
      a0 = sq(a0, xa, y);
      b0 = sq(b0, xb, y);
      y = v128.load(at(e1, r));
      a1 = sq(a1, xa, y);
      b1 = sq(b1, xb, y);
      y = v128.load(at(e2, r));
      a2 = sq(a2, xa, y);
      b2 = sq(b2, xb, y);
      y = v128.load(at(e3, r));
      a3 = sq(a3, xa, y);
      b3 = sq(b3, xb, y);
    }
    let ta0 = hsum(a0), ta1 = hsum(a1), ta2 = hsum(a2), ta3 = hsum(a3);
    let tb0 = hsum(b0), tb1 = hsum(b1), tb2 = hsum(b2), tb3 = hsum(b3);
    if (k2 < k) {
      const xa = load<f64>(at(ea, k2)), xb = load<f64>(at(eb, k2));
      const y0 = load<f64>(at(e0, k2)), y1 = load<f64>(at(e1, k2)), y2 = load<f64>(at(e2, k2)), y3 = load<f64>(at(e3, k2));
      ta0 += (xa - y0) * (xa - y0);
      ta1 += (xa - y1) * (xa - y1);
      ta2 += (xa - y2) * (xa - y2);
      ta3 += (xa - y3) * (xa - y3);
      tb0 += (xb - y0) * (xb - y0);
      tb1 += (xb - y1) * (xb - y1);
      tb2 += (xb - y2) * (xb - y2);
      tb3 += (xb - y3) * (xb - y3);
    }
    store<f64>(at(oa, j), ta0);
    store<f64>(at(oa, j + 1), ta1);
    store<f64>(at(oa, j + 2), ta2);
    store<f64>(at(oa, j + 3), ta3);
    store<f64>(at(ob, j), tb0);
    store<f64>(at(ob, j + 1), tb1);
    store<f64>(at(ob, j + 2), tb2);
    store<f64>(at(ob, j + 3), tb3);
  }
  sqDists(e, i, j, j1, k, oa);
  sqDists(e, i + 1, j, j1, k, ob);
}

// @ts-ignore: decorator
@inline function sq(acc: v128, x: v128, y: v128): v128 {
  const v = f64x2.sub(x, y);
  return f64x2.add(acc, f64x2.mul(v, v));
}

// D [n, n] of the rows of E [n, k]: the lower triangle computed (two rows at a time), the upper
// mirrored, the diagonal 0, in 32 × 32 blocks so that the mirrored (column) writes stay in cache.
export function f64_pdist_sqeuclid(e: usize, dist: usize, n: i32, k: i32): void {
  for (let ib = 0; ib < n; ib += 32) {
    const ie = min(ib + 32, n);
    for (let jb = 0; jb <= ib; jb += 32) {
      let i = ib;
      for (; i + 2 <= ie; i += 2) {
        const di = dist + ((<usize>i * n) << 3);
        sqDists2(e, i, jb, min(jb + 32, i), k, di, <usize>n);
        // row i + 1's entry j = i, in the diagonal block only
        if (jb == ib) sqDists(e, i + 1, i, i + 1, k, di + (<usize>n << 3));
      }
      if (i < ie) sqDists(e, i, jb, min(jb + 32, i), k, dist + ((<usize>i * n) << 3));
      // mirror the block's lower part into its upper part
      for (i = ib; i < ie; i++) {
        const di = dist + ((<usize>i * n) << 3);
        for (let j = jb, je = min(jb + 32, i); j < je; j++) store<f64>(at(dist + ((<usize>j * n) << 3), i), load<f64>(at(di, j)));
      }
    }
    for (let i = ib; i < ie; i++) store<f64>(at(dist, i * n + i), 0);
  }
}

// The n(n − 1)/2 Euclidean distances ‖xᵢ − xⱼ‖, j < i, row after row (ITML's bounds).
export function f64_pdist_euclid_lower(x: usize, out: usize, n: i32, d: i32): void {
  for (let i = 1; i < n; i++) {
    const oi = at(out, (i * (i - 1)) >> 1);
    sqDists(x, i, 0, i, d, oi);
    for (let j = 0; j < i; j++) store<f64>(at(oi, j), Math.sqrt(load<f64>(at(oi, j))));
  }
}

// The objective and W_sym·X of the softmax weights (metric-learn's gradient is Eᵀ·W_sym·X).
// Row i of D [n, n] becomes the softmax pᵢⱼ ∝ exp(−dᵢⱼ) over j ≠ i (pᵢᵢ = 0), then the weights
// of the objective (t [n]: class ids for NCA, targets for MLKR):
//   NCA:  pᵢ = Σ_{tⱼ = tᵢ} pᵢⱼ,  wᵢⱼ = [tⱼ = tᵢ]·pᵢⱼ − pᵢⱼ·pᵢ,          loss += pᵢ
//   MLKR: ŷᵢ = Σⱼ pᵢⱼ tⱼ, δ = ŷᵢ − tᵢ, wᵢⱼ = pᵢⱼ·δ·(tⱼ − ŷᵢ),          loss += δ²
// and out [n, d] = W_sym·X with W_sym = W + Wᵀ, diag −colsum(W) (colsum [n] receives Σᵢ wᵢⱼ).
// Returns the loss. Needs n ≥ 2. idx (i32 [n]) lists the row's entries whose exp does not
// underflow: on a saturated softmax (unscaled digits: ~20 of 1797) every pass after the scan
// for them runs over those alone, and W never exists densely: row i adds wᵢⱼ·xⱼ to outᵢ and
// wᵢⱼ·xᵢ to outⱼ. D's row i is overwritten (the listed entries hold wᵢⱼ, the others are stale).
export function f64_neighbour_grad(dist: usize, t: usize, x: usize, out: usize, colsum: usize, idx: usize, n: i32, d: i32, kind: i32): f64 {
  for (let j = 0; j < n; j++) store<f64>(at(colsum, j), 0);
  memory.fill(out, 0, (<usize>n * d) << 3);
  const lim = f64x2.splat(-746);
  const row = <usize>d << 3;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const di = dist + ((<usize>i * n) << 3);
    // the smallest off-diagonal distance is the max of −d (logsumexp's shift); the diagonal
    // reads +∞ for the scan and underflows below
    store<f64>(at(di, i), Infinity);
    // pmin (one minpd) on four chains: min's NaN rule costs a sequence on x64; a NaN distance
    // still turns the row into NaN through exp below
    let m0 = f64x2.splat(Infinity), m1 = m0, m2 = m0, m3 = m0;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const pj = at(di, j);
      m0 = f64x2.pmin(v128.load(pj), m0);
      m1 = f64x2.pmin(v128.load(pj, 16), m1);
      m2 = f64x2.pmin(v128.load(pj, 32), m2);
      m3 = f64x2.pmin(v128.load(pj, 48), m3);
    }
    for (; j + 2 <= n; j += 2) m0 = f64x2.pmin(v128.load(at(di, j)), m0);
    const mv = f64x2.pmin(f64x2.pmin(m0, m1), f64x2.pmin(m2, m3));
    let mn = min(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
    if (j < n) mn = min(mn, load<f64>(at(di, j)));
    // exp underflows to exactly 0 below −745: four such entries are passed over on one test
    const mnv = f64x2.splat(mn);
    let s: f64 = 0;
    let cnt = 0;
    for (j = 0; j < n; j++) {
      if ((j & 3) == 0 && j + 4 <= n) {
        const gone = v128.and(f64x2.lt(f64x2.sub(mnv, v128.load(at(di, j))), lim), f64x2.lt(f64x2.sub(mnv, v128.load(at(di, j + 2))), lim));
        if (i64x2.all_true(gone)) {
          j += 3;
          continue;
        }
      }
      const v = mn - load<f64>(at(di, j));
      if (v < -746) continue;
      const p = Math.exp(v);
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
    let delta: f64 = 0;
    if (kind == NeighbourObjective.nca) loss += acc;
    else {
      delta = acc - ti;
      loss += delta * delta;
    }
    const xi = x + <usize>i * row;
    for (let q = 0; q < cnt; q++) {
      const jj = load<i32>(idx + (<usize>q << 2));
      const p = load<f64>(at(di, jj));
      const w = kind == NeighbourObjective.nca ? (load<f64>(at(t, jj)) == ti ? p : 0) - p * acc : p * delta * (load<f64>(at(t, jj)) - acc);
      store<f64>(at(di, jj), w);
      store<f64>(at(colsum, jj), load<f64>(at(colsum, jj)) + w);
      axpy(w, xi, out + <usize>jj * row, d);
    }
    // outᵢ += Σ_q wᵢⱼ·xⱼ in list order, four rows of X per pass over outᵢ
    const oi = out + <usize>i * row;
    let q = 0;
    for (; q + 4 <= cnt; q += 4) {
      const j0 = load<i32>(idx + (<usize>q << 2)), j1 = load<i32>(idx + (<usize>q << 2), 4);
      const j2 = load<i32>(idx + (<usize>q << 2), 8), j3 = load<i32>(idx + (<usize>q << 2), 12);
      const w0 = load<f64>(at(di, j0)), w1 = load<f64>(at(di, j1)), w2 = load<f64>(at(di, j2)), w3 = load<f64>(at(di, j3));
      const x0 = x + <usize>j0 * row, x1 = x + <usize>j1 * row, x2 = x + <usize>j2 * row, x3 = x + <usize>j3 * row;
      const v0 = f64x2.splat(w0), v1 = f64x2.splat(w1), v2 = f64x2.splat(w2), v3 = f64x2.splat(w3);
      let r = 0;
      for (; r + 2 <= d; r += 2) {
        let o = v128.load(at(oi, r));
        o = f64x2.add(o, f64x2.mul(v0, v128.load(at(x0, r))));
        o = f64x2.add(o, f64x2.mul(v1, v128.load(at(x1, r))));
        o = f64x2.add(o, f64x2.mul(v2, v128.load(at(x2, r))));
        o = f64x2.add(o, f64x2.mul(v3, v128.load(at(x3, r))));
        v128.store(at(oi, r), o);
      }
      if (r < d) store<f64>(at(oi, r), load<f64>(at(oi, r)) + w0 * load<f64>(at(x0, r)) + w1 * load<f64>(at(x1, r)) + w2 * load<f64>(at(x2, r)) + w3 * load<f64>(at(x3, r)));
    }
    for (; q < cnt; q++) {
      const jj = load<i32>(idx + (<usize>q << 2));
      axpy(load<f64>(at(di, jj)), x + <usize>jj * row, oi, d);
    }
  }
  for (let i = 0; i < n; i++) axpy(-load<f64>(at(colsum, i)), x + <usize>i * row, out + <usize>i * row, d);
  return loss;
}

// y [d] += a·x [d]
// @ts-ignore: decorator
@inline function axpy(a: f64, x: usize, y: usize, d: i32): void {
  const av = f64x2.splat(a);
  let r = 0;
  for (; r + 2 <= d; r += 2) v128.store(at(y, r), f64x2.add(v128.load(at(y, r)), f64x2.mul(av, v128.load(at(x, r)))));
  if (r < d) store<f64>(at(y, r), load<f64>(at(y, r)) + a * load<f64>(at(x, r)));
}
