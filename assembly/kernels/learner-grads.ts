// The float64 pieces of the stochastic-neighbour objectives (NCA, MLKR) and of ITML's bounds,
// where metric-learn calls BLAS. Row-major; nothing allocated; no over-read or over-write.
//   f64_gemm_nt            C [m, n] = A [m, k] · B [n, k]ᵀ          (the embedding X·Lᵀ)
//   f64_pdist_euclid_lower the lower triangle's ‖xᵢ − xⱼ‖, packed   (ITML's bounds)
//   f64_to_f32_pow2        E → f32(2^p·E) for the f32 Gram (f32_gemm_nt_self) that screens
//                          the pairs of f64_neighbour_grad
//   f64_neighbour_grad     the softmax weights W over ‖eᵢ − eⱼ‖² (by differences, not the Gram
//                          trick, so near pairs keep their digits; only the pairs the screen
//                          keeps), the loss and W_sym·X, W_sym = W + Wᵀ with diag −colsum(W)
//                          (metric-learn's; then Eᵀ·(W_sym·X) by f64_gemm_tn of f64-linalg.ts)
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

// out[0..3] = ‖eᵢ − e₀..₃‖² (four rows per load of eᵢ): lanes over even and odd r, then their
// sum, then an odd k's last r — the sum sqDist1 makes, so every pair gets the same bits.
// @ts-ignore: decorator
@inline function sqDist4(ei: usize, e0: usize, e1: usize, e2: usize, e3: usize, k: i32, out: usize): void {
  const k2 = k & ~1;
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
  store<f64>(out, t0);
  store<f64>(out, t1, 8);
  store<f64>(out, t2, 16);
  store<f64>(out, t3, 24);
}

// ‖eᵢ − eⱼ‖² as sqDist4 sums it.
// @ts-ignore: decorator
@inline function sqDist1(ei: usize, ej: usize, k: i32): f64 {
  const k2 = k & ~1;
  let s = f64x2.splat(0);
  for (let r = 0; r < k2; r += 2) s = sqdiff(s, v128.load(at(ei, r)), at(ej, r));
  let t = hsum(s);
  if (k2 < k) {
    const v = load<f64>(at(ei, k2)) - load<f64>(at(ej, k2));
    t += v * v;
  }
  return t;
}

// out[j] = ‖eᵢ − eⱼ‖² for j < i.
// @ts-ignore: decorator
@inline function sqDistsToEarlier(e: usize, i: i32, k: i32, out: usize): void {
  const row = <usize>k << 3;
  const ei = e + <usize>i * row;
  let j = 0;
  for (; j + 4 <= i; j += 4) {
    const e0 = e + <usize>j * row;
    sqDist4(ei, e0, e0 + row, e0 + 2 * row, e0 + 3 * row, k, at(out, j));
  }
  for (; j < i; j++) store<f64>(at(out, j), sqDist1(ei, e + <usize>j * row, k));
}

// The n(n − 1)/2 Euclidean distances ‖xᵢ − xⱼ‖, j < i, row after row (ITML's bounds).
export function f64_pdist_euclid_lower(x: usize, out: usize, n: i32, d: i32): void {
  for (let i = 1; i < n; i++) {
    const oi = at(out, (i * (i - 1)) >> 1);
    sqDistsToEarlier(x, i, d, oi);
    for (let j = 0; j < i; j++) store<f64>(at(oi, j), Math.sqrt(load<f64>(at(oi, j))));
  }
}

// e [count] → out [count] f32 of s·e, s = 2^p putting max|e| in [2^8, 2^9) (so the f32 Gram
// of the scaled rows stays far from overflow). Returns s; 0 when some e is not finite or all
// are below 1e-290, 1 when all are 0.
export function f64_to_f32_pow2(e: usize, out: usize, count: i32): f64 {
  let m: f64 = 0;
  for (let i = 0; i < count; i++) {
    const v = Math.abs(load<f64>(at(e, i)));
    if (!(v < Infinity)) return 0;
    if (v > m) m = v;
  }
  // (rows this small have a dense softmax: f64_neighbour_grad lists every pair for s = 0)
  if (m > 0 && m < 1e-290) return 0;
  if (m == 0) {
    memory.fill(out, 0, <usize>count << 2);
    return 1;
  }
  let sc: f64 = 1;
  while (m * sc >= 512) sc *= 0.5;
  while (m * sc < 256) sc *= 2;
  for (let i = 0; i < count; i++) store<f32>(out + (<usize>i << 2), <f32>(load<f64>(at(e, i)) * sc));
  return sc;
}

// vals[q] = ‖eᵢ − e_{idx[q]}‖² for q < cnt, the sums sqDistsToEarlier makes.
// @ts-ignore: decorator
@inline function sqDistsListed(e: usize, i: i32, idx: usize, cnt: i32, k: i32, vals: usize): void {
  const row = <usize>k << 3;
  const ei = e + <usize>i * row;
  let q = 0;
  for (; q + 4 <= cnt; q += 4) {
    const ql = idx + (<usize>q << 2);
    const e0 = e + <usize>load<i32>(ql) * row, e1 = e + <usize>load<i32>(ql, 4) * row;
    const e2 = e + <usize>load<i32>(ql, 8) * row, e3 = e + <usize>load<i32>(ql, 12) * row;
    sqDist4(ei, e0, e1, e2, e3, k, at(vals, q));
  }
  for (; q < cnt; q++) store<f64>(at(vals, q), sqDist1(ei, e + <usize>load<i32>(idx + (<usize>q << 2)) * row, k));
}

// The objective and W_sym·X of the softmax weights (metric-learn's gradient is Eᵀ·W_sym·X).
// Row i's softmax pᵢⱼ ∝ exp(−dᵢⱼ), dᵢⱼ = ‖eᵢ − eⱼ‖² over j ≠ i (pᵢᵢ = 0), gives the weights
// (t [n]: class ids for NCA, targets for MLKR):
//   NCA:  pᵢ = Σ_{tⱼ = tᵢ} pᵢⱼ,  wᵢⱼ = [tⱼ = tᵢ]·pᵢⱼ − pᵢⱼ·pᵢ,          loss += pᵢ
//   MLKR: ŷᵢ = Σⱼ pᵢⱼ tⱼ, δ = ŷᵢ − tᵢ, wᵢⱼ = pᵢⱼ·δ·(tⱼ − ŷᵢ),          loss += δ²
// and out [n, d] = W_sym·X with W_sym = W + Wᵀ, diag −colsum(W) (colsum [n] receives Σᵢ wᵢⱼ).
// Returns the loss. Needs n ≥ 2.
// exp(−dᵢⱼ + minⱼ dᵢⱼ) underflows to 0 once dᵢⱼ exceeds the row's minimum by 746: on unscaled
// digits all but ~20 of 1797. The f32 Gram G [n, n] of s·E (f64_to_f32_pow2, then
// f32_gemm_nt_self; diag [n] f32 scratch; G's diagonal is overwritten) bounds every dᵢⱼ to
// within μ = 8(k + 4)·2⁻²⁴·(Gᵢᵢ + max G)/s², a bound on the f32 rounding of the conversion,
// the products and the sums: only the j whose bound reaches within 746 of the row's minimum
// (idx, i32 [n]) get their float64 distance by differences (vals, f64 [n]), the sum the dense
// kernel made, and every pass after runs over those. W is never dense: row i adds wᵢⱼ·xⱼ to
// outᵢ and wᵢⱼ·xᵢ to outⱼ. s = 0 (E not finite) lists every j.
export function f64_neighbour_grad(gram: usize, diag: usize, s: f64, e: usize, k: i32, t: usize, x: usize, out: usize, colsum: usize, idx: usize, vals: usize, n: i32, d: i32, kind: i32): f64 {
  for (let j = 0; j < n; j++) store<f64>(at(colsum, j), 0);
  memory.fill(out, 0, (<usize>n * d) << 3);
  let gmax: f32 = 0;
  for (let j = 0; j < n; j++) {
    const g = load<f32>(gram + ((<usize>j * n + j) << 2));
    store<f32>(diag + (<usize>j << 2), g);
    gmax = max(gmax, g);
  }
  const u: f64 = 1.0 / 16777216;
  const row = <usize>d << 3;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    let cnt = 0;
    if (s == 0) {
      for (let j = 0; j < n; j++)
        if (j != i) {
          store<i32>(idx + (<usize>cnt << 2), j);
          cnt++;
        }
    } else {
      // hⱼ = Gⱼⱼ − 2Gᵢⱼ = s²dᵢⱼ − Gᵢᵢ (± μ); the diagonal's reads NaN, which pmin and ≤ pass over
      const gi = gram + ((<usize>i * n) << 2);
      store<f32>(gi + (<usize>i << 2), NaN);
      let m0 = f32x4.splat(Infinity), m1 = m0;
      let j = 0;
      for (; j + 8 <= n; j += 8) {
        const g0 = v128.load(gi + (<usize>j << 2)), g1 = v128.load(gi + (<usize>j << 2), 16);
        m0 = f32x4.pmin(m0, f32x4.sub(v128.load(diag + (<usize>j << 2)), f32x4.add(g0, g0)));
        m1 = f32x4.pmin(m1, f32x4.sub(v128.load(diag + (<usize>j << 2), 16), f32x4.add(g1, g1)));
      }
      m0 = f32x4.pmin(m0, m1);
      let hmin = min(min(f32x4.extract_lane(m0, 0), f32x4.extract_lane(m0, 1)), min(f32x4.extract_lane(m0, 2), f32x4.extract_lane(m0, 3)));
      for (; j < n; j++) {
        const h = load<f32>(diag + (<usize>j << 2)) - 2 * load<f32>(gi + (<usize>j << 2));
        if (h < hmin) hmin = h;
      }
      // the row's minimum is at most hmin + Gᵢᵢ + μ: keep hⱼ ≤ hmin + 746 s² + 2μ (+ the rounding of the sum)
      const mu = 8 * <f64>(k + 4) * u * (<f64>load<f32>(diag + (<usize>i << 2)) + <f64>gmax);
      const t64 = <f64>hmin + 747 * s * s + 2 * mu;
      const thr = <f32>(t64 + 4 * u * Math.abs(t64));
      const tv = f32x4.splat(thr);
      for (j = 0; j + 4 <= n; j += 4) {
        const g = v128.load(gi + (<usize>j << 2));
        const keep = f32x4.le(f32x4.sub(v128.load(diag + (<usize>j << 2)), f32x4.add(g, g)), tv);
        if (!v128.any_true(keep)) continue;
        const bits = i32x4.bitmask(keep);
        for (let l = 0; l < 4; l++)
          if ((bits >> l) & 1) {
            store<i32>(idx + (<usize>cnt << 2), j + l);
            cnt++;
          }
      }
      for (; j < n; j++)
        if (load<f32>(diag + (<usize>j << 2)) - 2 * load<f32>(gi + (<usize>j << 2)) <= thr) {
          store<i32>(idx + (<usize>cnt << 2), j);
          cnt++;
        }
    }
    sqDistsListed(e, i, idx, cnt, k, vals);
    let mn: f64 = Infinity;
    for (let q = 0; q < cnt; q++) mn = min(mn, load<f64>(at(vals, q)));
    // the listed entries whose exp does not underflow, in column order: the dense loop's sums
    let sum: f64 = 0;
    let c = 0;
    for (let q = 0; q < cnt; q++) {
      const v = mn - load<f64>(at(vals, q));
      if (v < -746) continue;
      const p = Math.exp(v);
      store<f64>(at(vals, c), p);
      store<i32>(idx + (<usize>c << 2), load<i32>(idx + (<usize>q << 2)));
      sum += p;
      c++;
    }
    cnt = c;
    const inv = 1 / sum;
    const ti = load<f64>(at(t, i));
    let acc: f64 = 0;
    for (let q = 0; q < cnt; q++) {
      const jj = load<i32>(idx + (<usize>q << 2));
      const p = load<f64>(at(vals, q)) * inv;
      store<f64>(at(vals, q), p);
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
      const p = load<f64>(at(vals, q));
      const w = kind == NeighbourObjective.nca ? (load<f64>(at(t, jj)) == ti ? p : 0) - p * acc : p * delta * (load<f64>(at(t, jj)) - acc);
      store<f64>(at(vals, q), w);
      store<f64>(at(colsum, jj), load<f64>(at(colsum, jj)) + w);
      axpy(w, xi, out + <usize>jj * row, d);
    }
    // outᵢ += Σ_q wᵢⱼ·xⱼ in list order, four rows of X per pass over outᵢ
    const oi = out + <usize>i * row;
    let q = 0;
    for (; q + 4 <= cnt; q += 4) {
      const j0 = load<i32>(idx + (<usize>q << 2)), j1 = load<i32>(idx + (<usize>q << 2), 4);
      const j2 = load<i32>(idx + (<usize>q << 2), 8), j3 = load<i32>(idx + (<usize>q << 2), 12);
      const w0 = load<f64>(at(vals, q)), w1 = load<f64>(at(vals, q + 1)), w2 = load<f64>(at(vals, q + 2)), w3 = load<f64>(at(vals, q + 3));
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
    for (; q < cnt; q++) axpy(load<f64>(at(vals, q)), x + <usize>load<i32>(idx + (<usize>q << 2)) * row, oi, d);
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
