// Symmetric int8 quantisation, and distances between quantised rows from an integer dot
// product (forward only: search, never training). Two scale layouts, x̂ = r·(s ∘ q):
// - per dimension (r = 1): s_j = max_i |x_ij| / 127 over the set, q = round(x / s); the set
//   holds its codes and d floats, so it is 4× smaller than float32. The query folds the scales
//   in (its codes are those of a ∘ s), so a·x̂ = (a ∘ s)·q is still one integer dot product.
// - per row (s = 1): q = round(127·x / max|x|) and r = ‖x‖² / (x·q), the scale that projects the
//   reconstruction x̂ = r·q onto x (x·(x̂ − x) = 0), not max|x| / 127; r differs from it by a
//   relative |x·(q − 127·x/max|x|)| / (x·q) (a fraction of a percent on ordinary rows).
// Either way the search values are those of x̂ itself: its squared norm ‖x̂‖² = r²·Σ s_j² q_j² is
// computed from the codes, never stored. With e = x̂ − x, ‖a − x̂‖² − ‖a − x‖² = ‖e‖² − 2 (a − x)·e:
// the first-order error shrinks with the distance from the query a to the row, where the exact
// norm kept would give −2 a·e, growing with ‖a‖, so the nearest neighbours, whose order the
// search must get right, are the ones ranked best. A row scale's step follows the row's own
// range (finer where rows differ in spread); dimension scales cost no float a row. A scale
// factors out of the dot product either way, so the inner loop is a pure integer dot product
// and the scales cost a multiply per pair.
import { QuantKind } from '../codes';
import { klistBound, klistPush } from './klist';

// Rows x [n, d] (f32) to codes [n, d] (i8) and scales [n] (f32, the projecting scale above).
// Everything is computed in float64, so no magnitude a float32 holds overflows or underflows
// on the way (127 / max|x| of a subnormal row is beyond float32). An all-zero row gets scale
// 0, codes 0.
export function i8_quantize_rows(x: usize, n: i32, d: i32, codes: usize, scales: usize): void {
  for (let i = 0; i < n; i++) {
    const xr = x + ((<usize>i * d) << 2);
    const qr = codes + <usize>i * d;
    let m: f64 = 0;
    for (let j = 0; j < d; j++) m = max<f64>(m, abs<f64>(<f64>load<f32>(xr + (<usize>j << 2))));
    const inv: f64 = m > 0 ? 127 / m : 0;
    let ss: f64 = 0, xq: f64 = 0;
    for (let j = 0; j < d; j++) {
      const v = <f64>load<f32>(xr + (<usize>j << 2));
      const c = min<f64>(127, max<f64>(-127, nearest<f64>(v * inv)));
      store<i8>(qr + j, <i8><i32>c);
      ss += v * v;
      xq += v * c;
    }
    // xq > 0 for a non-zero row: every code has its element's sign and the largest is ±127.
    store<f32>(scales + (<usize>i << 2), xq > 0 ? <f32>(ss / xq) : 0);
  }
}

// The per-dimension scales of rows x [n, d] (f32): scales [d] = max_i |x_ij| / 127 (f32; 0 for
// an all-zero column), the maxima taken in float64.
export function i8_dim_scales(x: usize, n: i32, d: i32, scales: usize): void {
  for (let j = 0; j < d; j++) store<f32>(scales + (<usize>j << 2), 0);
  for (let i = 0; i < n; i++) {
    const xr = x + ((<usize>i * d) << 2);
    for (let j = 0; j < d; j++) {
      const p = scales + (<usize>j << 2);
      store<f32>(p, max<f32>(load<f32>(p), abs<f32>(load<f32>(xr + (<usize>j << 2)))));
    }
  }
  for (let j = 0; j < d; j++) {
    const p = scales + (<usize>j << 2);
    store<f32>(p, <f32>(<f64>load<f32>(p) / 127));
  }
}

// Rows x [n, d] (f32) to codes [n, d] (i8) under the per-dimension scales [d] from
// i8_dim_scales: q = round(x / s), clamped to ±127 (a value beyond the scales' range; none
// within them), in float64 (1 / s of a subnormal scale is beyond float32). A zero scale gives
// code 0.
export function i8_quantize_dims(x: usize, n: i32, d: i32, scales: usize, codes: usize): void {
  for (let i = 0; i < n; i++) {
    const xr = x + ((<usize>i * d) << 2);
    const qr = codes + <usize>i * d;
    for (let j = 0; j < d; j++) {
      const s = <f64>load<f32>(scales + (<usize>j << 2));
      const c = s > 0 ? min<f64>(127, max<f64>(-127, nearest<f64>(<f64>load<f32>(xr + (<usize>j << 2)) / s))) : 0;
      store<i8>(qr + j, <i8><i32>c);
    }
  }
}

// ---- streaming top-k over int8 codes (the search path: no tile in memory) ----

// Every QuantKind value is v = A + (B + C·(W·dot)), dot the integer dot product of the codes,
// A and C per query (queryTerms), B and W per reference (widenRows):
//   sqeuclidean  A = ‖a‖², C = −2·sa,            B = ‖x̂‖², W = r      (then max(0, v))
//   negDot       A = 0,    C = −sa,              B = 0,     W = r
//   cosine       A = 1,    C = −sa / ‖a‖ (or 0), B = 0,     W = r / ‖x̂‖ (or 0)
// so the four values of a register block cost a convert, two multiplies and two adds, and a
// zero norm gives cosine 1 with no division.

// Sign-extends codes [n, d] (i8) to i16 in groups of four rows, zero rows padding n to a
// multiple of eight: group g holds, for each pair of dimensions (2p, 2p + 1), the four rows'
// pairs [r0 r0' r1 r1' r2 r2' r3 r3'] as one vector at w + g·8·dp + 16·p (dp = d rounded up to
// 16, zero-padded). A query's pair splat against it gives the four rows' partial dot products
// in the lanes of one accumulator: no reduction per pair. Stores each row's B and W (above) at
// bw [n8] and bw + 4·rb [n8] (0 for the padding), from ‖x̂‖² = r²·Σ s_j² q_j² (the weights
// sq [dp] hold s_j², or 1 for row scales; r from rowScales [n], or 1 when rowScales is 0).
// tmp: 64 bytes for the last partial step of a row.
// @ts-ignore: decorator
@inline function widenQuads(codes: usize, rowScales: usize, n: i32, d: i32, sq: usize, kind: i32, w: usize, bw: usize, rb: i32, tmp: usize): void {
  const dp = (d + 15) & ~15;
  const n8 = (n + 7) & ~7;
  for (let g = 0; g < (n8 >> 2); g++) {
    const dst = w + ((<usize>g * dp) << 3);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let p = 0; p < dp; p += 16) {
      // The 16 codes of each of the four rows at dimensions p..p + 15 (zeros past d or n).
      for (let t = 0; t < 4; t++) {
        const i = (g << 2) + t;
        const src = codes + <usize>i * d + p;
        if (i < n && p + 16 <= d) v128.store(tmp + (<usize>t << 4), v128.load(src));
        else {
          v128.store(tmp + (<usize>t << 4), v128.splat<i8>(0));
          if (i < n) for (let c = 0; c < d - p; c++) store<i8>(tmp + (<usize>t << 4) + c, load<i8>(src + c));
        }
      }
      const v0 = v128.load(tmp), v1 = v128.load(tmp, 16), v2 = v128.load(tmp, 32), v3 = v128.load(tmp, 48);
      const s0 = v128.load(sq + (<usize>p << 2)), s1 = v128.load(sq + (<usize>p << 2), 16), s2 = v128.load(sq + (<usize>p << 2), 32), s3 = v128.load(sq + (<usize>p << 2), 48);
      a0 = f32x4.add(a0, sqSum16(v0, s0, s1, s2, s3));
      a1 = f32x4.add(a1, sqSum16(v1, s0, s1, s2, s3));
      a2 = f32x4.add(a2, sqSum16(v2, s0, s1, s2, s3));
      a3 = f32x4.add(a3, sqSum16(v3, s0, s1, s2, s3));
      const out = dst + (<usize>p << 3); // 16 dimensions = 8 pairs = 8 vectors
      transposePairs(i16x8.extend_low_i8x16_s(v0), i16x8.extend_low_i8x16_s(v1), i16x8.extend_low_i8x16_s(v2), i16x8.extend_low_i8x16_s(v3), out);
      transposePairs(i16x8.extend_high_i8x16_s(v0), i16x8.extend_high_i8x16_s(v1), i16x8.extend_high_i8x16_s(v2), i16x8.extend_high_i8x16_s(v3), out + 64);
    }
    rowTerms(a0, (g << 2), n, rowScales, kind, bw, rb);
    rowTerms(a1, (g << 2) + 1, n, rowScales, kind, bw, rb);
    rowTerms(a2, (g << 2) + 2, n, rowScales, kind, bw, rb);
    rowTerms(a3, (g << 2) + 3, n, rowScales, kind, bw, rb);
  }
}

// Σ s_j² q_j² over 16 codes v (i8x16), as four lane partial sums.
// @ts-ignore: decorator
@inline function sqSum16(v: v128, s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const lo = i16x8.extend_low_i8x16_s(v), hi = i16x8.extend_high_i8x16_s(v);
  const f0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), f1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo));
  const f2 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), f3 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi));
  return f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(f0, f0), s0), f32x4.mul(f32x4.mul(f1, f1), s1)), f32x4.add(f32x4.mul(f32x4.mul(f2, f2), s2), f32x4.mul(f32x4.mul(f3, f3), s3)));
}

// Four rows of 8 i16 (4 pairs each) to 4 vectors, vector k holding pair k of rows 0..3.
// @ts-ignore: decorator
@inline function transposePairs(r0: v128, r1: v128, r2: v128, r3: v128, out: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(out, i64x2.shuffle(t0, t2, 0, 2));
  v128.store(out, i64x2.shuffle(t0, t2, 1, 3), 16);
  v128.store(out, i64x2.shuffle(t1, t3, 0, 2), 32);
  v128.store(out, i64x2.shuffle(t1, t3, 1, 3), 48);
}

// Row i's B and W from the lane partial sums acc of Σ s_j² q_j² (zeros for padding rows).
// @ts-ignore: decorator
@inline function rowTerms(acc: v128, i: i32, n: i32, rowScales: usize, kind: i32, bw: usize, rb: i32): void {
  const qq = <f64>(f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  const r = i >= n ? 0 : rowScales ? <f64>load<f32>(rowScales + (<usize>i << 2)) : 1;
  const nrm2 = r * r * qq;
  store<f32>(bw + (<usize>i << 2), kind == QuantKind.sqeuclidean ? <f32>nrm2 : 0);
  store<f32>(bw + ((<usize>(rb + i)) << 2), kind != QuantKind.cosine ? <f32>r : nrm2 > 0 ? <f32>(r / Math.sqrt(nrm2)) : 0);
}

// The query side of i8_topk_scan: rows x [n, d] (f32), times the per-dimension scales
// dimScales [d] of the set (0 for a row-scaled set), to 16-bit codes w [n, dp] (i16, dp = d
// rounded up to 16, zero-padded), scales [n] and the exact squared norms of x [n]. Asymmetric:
// the references are int8, the queries keep up to 15 bits (|code| ≤ queryCodeMax(d), a
// multiple of 127 so that rows an int8 code represents exactly stay exact), so the ranking
// error is the references' rounding alone, at no cost: the scan widens to i16 either way. The
// bound keeps every integer dot product d·max|q|·127 inside i32.
export function i16_quantize_rows(x: usize, n: i32, d: i32, dimScales: usize, w: usize, scales: usize, sqnorms: usize): void {
  const dp = (d + 15) & ~15;
  const qmax = <f64>queryCodeMax(d);
  for (let i = 0; i < n; i++) {
    const xr = x + ((<usize>i * d) << 2);
    const wr = w + ((<usize>i * dp) << 1);
    let m: f64 = 0, ss: f64 = 0;
    for (let j = 0; j < d; j++) {
      const v = <f64>load<f32>(xr + (<usize>j << 2));
      ss += v * v;
      m = max<f64>(m, abs<f64>(dimScales ? v * <f64>load<f32>(dimScales + (<usize>j << 2)) : v));
    }
    const inv: f64 = m > 0 ? qmax / m : 0;
    for (let j = 0; j < dp; j++) {
      let c: f64 = 0;
      if (j < d) {
        const v = <f64>load<f32>(xr + (<usize>j << 2));
        c = min<f64>(qmax, max<f64>(-qmax, nearest<f64>((dimScales ? v * <f64>load<f32>(dimScales + (<usize>j << 2)) : v) * inv)));
      }
      store<i16>(wr + (<usize>j << 1), <i16><i32>c);
    }
    store<f32>(scales + (<usize>i << 2), <f32>(m / qmax));
    store<f32>(sqnorms + (<usize>i << 2), <f32>ss);
  }
}

// The largest query code: 127·⌊min(32767, (2³¹ − 1) / (127·d)) / 127⌋ (at least 1).
export function i16_query_code_max(d: i32): i32 {
  return queryCodeMax(d);
}

// @ts-ignore: decorator
@inline function queryCodeMax(d: i32): i32 {
  const lim = min<i64>(32767, <i64>2147483647 / (<i64>127 * <i64>max<i32>(d, 1)));
  return lim >= 127 ? <i32>(lim / 127) * 127 : max<i32>(1, <i32>lim);
}

// The query terms A and C (above) of query i, from its scale sa and squared norm ssa.
// @ts-ignore: decorator
@inline function queryA(kind: i32, sa: usize, ssa: usize, i: i32): f32 {
  return kind == QuantKind.sqeuclidean ? load<f32>(ssa + (<usize>i << 2)) : kind == QuantKind.negDot ? 0 : 1;
}

// @ts-ignore: decorator
@inline function queryC(kind: i32, sa: usize, ssa: usize, i: i32): f32 {
  const s = load<f32>(sa + (<usize>i << 2)), n2 = load<f32>(ssa + (<usize>i << 2));
  return kind == QuantKind.sqeuclidean ? -2 * s : kind == QuantKind.negDot ? -s : n2 > 0 ? -s / Mathf.sqrt(n2) : 0;
}

// Offers the four values v (references idx0..idx0+3, the first `valid` of them real) to a
// query's k-list; the caller has found at least one of them ≤ worst. Out of line: the hot loop
// keeps only the compare.
// @ts-ignore: decorator
@noinline function offer4(kind: i32, v: v128, worst: f32, ld: usize, li: usize, k: i32, idx0: i32, skip: i32, valid: i32): f32 {
  if (kind == QuantKind.sqeuclidean) v = f32x4.max(v, f32x4.splat(0));
  const m = min<i32>(4, valid);
  for (let l = 0; l < m; l++) {
    const x = f32x4.extract_lane(v, 0);
    v = i32x4.shuffle(v, v, 1, 2, 3, 0);
    if (x <= worst && idx0 + l != skip) worst = klistPush(ld, li, k, x, idx0 + l);
  }
  return worst;
}

// References per block: 16 KB of codes, 32 KB widened, read from memory once for every query
// of the call and widened once.
// @ts-ignore: decorator
@inline function codeBlockRows(d: i32): i32 {
  return max<i32>(8, (16384 / max<i32>(d, 1)) & ~7);
}

// Bytes of scratch i8_topk_scan needs: the squared dimension scales, one block of references
// widened to i16, their B and W, and 64 bytes for widenQuads.
export function i8_topk_scan_scratch_bytes(d: i32): i32 {
  const dp = (d + 15) & ~15;
  return (dp << 2) + ((codeBlockRows(d) * dp) << 1) + (codeBlockRows(d) << 3) + 64;
}

// The values of one query against eight references (two groups) from the accumulators, offered
// to its list where one is ≤ its threshold thr (splat of worst); returns the new worst.
// @ts-ignore: decorator
@inline function offer8(kind: i32, c0: v128, c1: v128, va: v128, vc: v128, bB: usize, bW: usize, j: i32, worst: f32, ld: usize, li: usize, kc: i32, idx: i32, skip: i32, valid: i32): f32 {
  const thr = f32x4.splat(worst);
  const v0 = f32x4.add(va, f32x4.add(v128.load(bB + (<usize>j << 2)), f32x4.mul(vc, f32x4.mul(v128.load(bW + (<usize>j << 2)), f32x4.convert_i32x4_s(c0)))));
  const v1 = f32x4.add(va, f32x4.add(v128.load(bB + (<usize>j << 2), 16), f32x4.mul(vc, f32x4.mul(v128.load(bW + (<usize>j << 2), 16), f32x4.convert_i32x4_s(c1)))));
  if (v128.any_true(f32x4.le(v0, thr))) worst = offer4(kind, v0, worst, ld, li, kc, idx, skip, valid);
  if (v128.any_true(f32x4.le(v1, f32x4.splat(worst)))) worst = offer4(kind, v1, worst, ld, li, kc, idx + 4, skip, valid - 4);
  return worst;
}

// Streams the reference codes b [nb, d] past the queries, as 16-bit codes qw [na, dp] from
// i16_quantize_rows (scales sa, squared norms ssa), keeping each query's kc smallest QuantKind
// values in bestD / bestI [na, kc] (filled with +inf / −1 by the caller). The set's scales are
// rowScales [nb] (0 for none) or dimScales [d] (0 for none; the queries' codes hold them).
// Reference j is refBase + j; with selfBase ≥ 0 query i skips reference selfBase + i.
// scratch: i8_topk_scan_scratch_bytes(d). Each block of references is widened to i16 once, in
// groups of four rows (widenQuads, with their B and W); four queries × eight references make a
// register block: per pair of dimensions, each query's pair is splat once and two group
// vectors loaded, eight i32x4 accumulators collect the 32 dot products with no reduction, the
// values are computed four at a time and a query's four are rejected by one compare against
// its current worst, so nothing but the k-lists is written.
export function i8_topk_scan(qw: usize, sa: usize, ssa: usize, na: i32, b: usize, rowScales: usize, dimScales: usize, nb: i32, d: i32, kind: i32, kc: i32, refBase: i32, selfBase: i32, bestD: usize, bestI: usize, scratch: usize): void {
  const dp = (d + 15) & ~15;
  const rs = <usize>dp << 1; // bytes per query row
  const gs = <usize>dp << 3; // bytes per widened group of four references
  const rb = codeBlockRows(d);
  const sq = scratch, wide = scratch + (<usize>dp << 2); // s_j², then the widened block
  const bB = wide + <usize>rb * rs, bW = bB + (<usize>rb << 2); // the block's B and W
  const tmp = bW + (<usize>rb << 2);
  for (let j = 0; j < dp; j++) {
    const s = j < d ? (dimScales ? <f64>load<f32>(dimScales + (<usize>j << 2)) : 1) : 0;
    store<f32>(sq + (<usize>j << 2), <f32>(s * s));
  }
  for (let r0 = 0; r0 < nb; r0 += rb) {
    const nbb = min<i32>(rb, nb - r0);
    widenQuads(b + <usize>r0 * d, rowScales ? rowScales + (<usize>r0 << 2) : 0, nbb, d, sq, kind, wide, bB, rb, tmp);
    for (let i = 0; i < na; i += 4) {
      const nt = min<i32>(4, na - i); // a last short quad repeats its last query, lists unused
      const i1 = i + min<i32>(1, nt - 1), i2 = i + min<i32>(2, nt - 1), i3 = i + min<i32>(3, nt - 1);
      const q0 = qw + <usize>i * rs, q1 = qw + <usize>i1 * rs, q2 = qw + <usize>i2 * rs, q3 = qw + <usize>i3 * rs;
      const va0 = f32x4.splat(queryA(kind, sa, ssa, i)), va1 = f32x4.splat(queryA(kind, sa, ssa, i1));
      const va2 = f32x4.splat(queryA(kind, sa, ssa, i2)), va3 = f32x4.splat(queryA(kind, sa, ssa, i3));
      const vc0 = f32x4.splat(queryC(kind, sa, ssa, i)), vc1 = f32x4.splat(queryC(kind, sa, ssa, i1));
      const vc2 = f32x4.splat(queryC(kind, sa, ssa, i2)), vc3 = f32x4.splat(queryC(kind, sa, ssa, i3));
      const ld0 = bestD + ((<usize>i * kc) << 2), li0 = bestI + ((<usize>i * kc) << 2);
      const ld1 = bestD + ((<usize>i1 * kc) << 2), li1 = bestI + ((<usize>i1 * kc) << 2);
      const ld2 = bestD + ((<usize>i2 * kc) << 2), li2 = bestI + ((<usize>i2 * kc) << 2);
      const ld3 = bestD + ((<usize>i3 * kc) << 2), li3 = bestI + ((<usize>i3 * kc) << 2);
      const skip0 = selfBase >= 0 ? selfBase + i : -1, skip1 = selfBase >= 0 ? selfBase + i1 : -1;
      const skip2 = selfBase >= 0 ? selfBase + i2 : -1, skip3 = selfBase >= 0 ? selfBase + i3 : -1;
      let w0 = klistBound(ld0, li0, kc), w1 = klistBound(ld1, li1, kc), w2 = klistBound(ld2, li2, kc), w3 = klistBound(ld3, li3, kc);
      for (let j = 0; j < nbb; j += 8) {
        const g0 = wide + (<usize>j >> 2) * gs, g1 = g0 + gs;
        let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
        let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
        for (let p: usize = 0; p < rs; p += 4) {
          const u0 = v128.load(g0 + (p << 2)), u1 = v128.load(g1 + (p << 2));
          let x = v128.load32_splat(q0 + p);
          c00 = i32x4.add(c00, i32x4.dot_i16x8_s(x, u0));
          c01 = i32x4.add(c01, i32x4.dot_i16x8_s(x, u1));
          x = v128.load32_splat(q1 + p);
          c10 = i32x4.add(c10, i32x4.dot_i16x8_s(x, u0));
          c11 = i32x4.add(c11, i32x4.dot_i16x8_s(x, u1));
          x = v128.load32_splat(q2 + p);
          c20 = i32x4.add(c20, i32x4.dot_i16x8_s(x, u0));
          c21 = i32x4.add(c21, i32x4.dot_i16x8_s(x, u1));
          x = v128.load32_splat(q3 + p);
          c30 = i32x4.add(c30, i32x4.dot_i16x8_s(x, u0));
          c31 = i32x4.add(c31, i32x4.dot_i16x8_s(x, u1));
        }
        const idx = refBase + r0 + j, valid = nbb - j;
        w0 = offer8(kind, c00, c01, va0, vc0, bB, bW, j, w0, ld0, li0, kc, idx, skip0, valid);
        if (nt > 1) w1 = offer8(kind, c10, c11, va1, vc1, bB, bW, j, w1, ld1, li1, kc, idx, skip1, valid);
        if (nt > 2) w2 = offer8(kind, c20, c21, va2, vc2, bB, bW, j, w2, ld2, li2, kc, idx, skip2, valid);
        if (nt > 3) w3 = offer8(kind, c30, c31, va3, vc3, bB, bW, j, w3, ld3, li3, kc, idx, skip3, valid);
      }
    }
  }
}
