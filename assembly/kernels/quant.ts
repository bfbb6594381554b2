// Symmetric int8 quantisation with one scale per row, and distances between quantised rows
// from an integer dot product (forward only: search, never training).
// A row x becomes codes q = round(127·x / max|x|) and the scale s = ‖x‖² / (x·q): the scale
// that projects the reconstruction x̂ = s·q onto x (x·(x̂ − x) = 0), not max|x| / 127. The
// search values are those of x̂ itself (its squared norm s²·‖q‖² comes from the codes, so a
// row holds its codes and one float). With e = x̂ − x orthogonal to x, ‖a − x̂‖² − ‖a − x‖²
// = ‖e‖² − 2 (a − x)·e: the first-order error shrinks with the distance from the query a to
// the row, where the max-abs scale's −2 a·e grows with ‖a‖, so the nearest neighbours, whose
// order the search must get right, are the ones ranked best (cosine likewise). ‖e‖ = ‖x‖·tan θ
// (θ the angle between x and q) is the least-squares scale's ‖x‖·sin θ to first order; s
// differs from max|x| / 127 by a relative |x·(q − 127·x/max|x|)| / (x·q) (a fraction of a
// percent on ordinary rows).
// One scale per row (not per dimension) factors out of the dot product: a·b ≈ sa·sb·(qa·qb),
// so the inner loop is a pure integer dot product and the scales cost one multiply per pair.
import { QuantKind } from '../codes';
import { klistBound, klistPush } from './klist';

// max|x| over the row xr [d]; its exact squared norm (summed in f64) is stored at sqnorm.
// @ts-ignore: decorator
@inline function absMaxAndSqNorm(xr: usize, d: i32, sqnorm: usize): f32 {
  let m: f32 = 0;
  let ss: f64 = 0;
  for (let j = 0; j < d; j++) {
    const v = load<f32>(xr + (<usize>j << 2));
    m = max<f32>(m, abs<f32>(v));
    ss += <f64>v * <f64>v;
  }
  store<f32>(sqnorm, <f32>ss);
  return m;
}

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

@inline
function quantValue(kind: i32, dot: i32, sa: f32, na: f32, sb: f32, nb: f32): f32 {
  const cross = sa * sb * <f32>dot;
  if (kind == QuantKind.sqeuclidean) return max<f32>(0, na + nb - 2 * cross);
  if (kind == QuantKind.negDot) return -cross;
  const den = Mathf.sqrt(na) * Mathf.sqrt(nb);
  return den > 0 ? 1 - cross / den : 1;
}

// ---- streaming top-k over int8 codes (the search path: no tile in memory) ----

// Sign-extends codes [n, d] (i8) to w [n, dp] (i16), dp = d rounded up to 16, zero-padded,
// and stores each row's ‖s·q‖² = s²·Σq² (f32, from its scale at scales [n]) at norms [n]: both sides of i8_topk_scan are widened once
// (the queries per call, the references per block) instead of once per pair, and the padding
// makes every row a whole number of steps.
// @ts-ignore: decorator
@inline function widenRows(codes: usize, scales: usize, n: i32, d: i32, w: usize, norms: usize): void {
  const dp = (d + 15) & ~15;
  for (let i = 0; i < n; i++) {
    const src = codes + <usize>i * d, dst = w + ((<usize>i * dp) << 1);
    let p = 0;
    for (; p + 16 <= d; p += 16) {
      const v = v128.load(src + p);
      v128.store(dst + (<usize>p << 1), i16x8.extend_low_i8x16_s(v));
      v128.store(dst + (<usize>p << 1), i16x8.extend_high_i8x16_s(v), 16);
    }
    for (; p < dp; p++) store<i16>(dst + (<usize>p << 1), p < d ? <i16>load<i8>(src + p) : 0);
    let acc = i32x4.splat(0);
    for (let o: usize = 0; o < (<usize>dp << 1); o += 16) {
      const v = v128.load(dst + o);
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(v, v));
    }
    const qq = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
    const sc = <f64>load<f32>(scales + (<usize>i << 2));
    store<f32>(norms + (<usize>i << 2), <f32>(sc * sc * <f64>qq));
  }
}

// The query side of i8_topk_scan: rows x [n, d] (f32) to 16-bit codes w [n, dp] (i16, dp = d
// rounded up to 16, zero-padded), scales [n] and exact squared norms [n]. Asymmetric: the
// references are int8, the queries keep up to 15 bits (|code| ≤ queryCodeMax(d), a multiple
// of 127 so that rows an int8 code represents exactly stay exact), so the ranking error is
// the references' rounding alone, at no cost: the scan widens to i16 either way. The bound
// keeps every integer dot product d·max|q|·127 inside i32.
export function i16_quantize_rows(x: usize, n: i32, d: i32, w: usize, scales: usize, sqnorms: usize): void {
  const dp = (d + 15) & ~15;
  const qmax = <f32>queryCodeMax(d);
  for (let i = 0; i < n; i++) {
    const xr = x + ((<usize>i * d) << 2);
    const wr = w + ((<usize>i * dp) << 1);
    const m = absMaxAndSqNorm(xr, d, sqnorms + (<usize>i << 2));
    const inv: f32 = m > 0 ? qmax / m : 0;
    for (let j = 0; j < dp; j++) {
      const c = j < d ? min<f32>(qmax, max<f32>(-qmax, nearest<f32>(load<f32>(xr + (<usize>j << 2)) * inv))) : 0;
      store<i16>(wr + (<usize>j << 1), <i16><i32>c);
    }
    store<f32>(scales + (<usize>i << 2), m / qmax);
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

// [Σc0, Σc1, Σc2, Σc3]: the lane sums of four accumulators as one vector (a transpose-add).
// @ts-ignore: decorator
@inline function sum4(c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  const s01 = i32x4.add(i32x4.shuffle(c0, c1, 0, 4, 1, 5), i32x4.shuffle(c0, c1, 2, 6, 3, 7));
  const s23 = i32x4.add(i32x4.shuffle(c2, c3, 0, 4, 1, 5), i32x4.shuffle(c2, c3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(s01, s23, 0, 1, 4, 5), i32x4.shuffle(s01, s23, 2, 3, 6, 7));
}

// The QuantKind values of one query against four references from their integer dot products.
// @ts-ignore: decorator
@inline function quantValue4(kind: i32, dots: v128, sa: f32, na: f32, sb: usize, nb: usize): v128 {
  const cross = f32x4.mul(f32x4.mul(f32x4.splat(sa), v128.load(sb)), f32x4.convert_i32x4_s(dots));
  if (kind == QuantKind.sqeuclidean) {
    const two = f32x4.splat(2);
    return f32x4.max(f32x4.splat(0), f32x4.sub(f32x4.add(f32x4.splat(na), v128.load(nb)), f32x4.mul(two, cross)));
  }
  if (kind == QuantKind.negDot) return f32x4.neg(cross);
  const den = f32x4.mul(f32x4.splat(Mathf.sqrt(na)), f32x4.sqrt(v128.load(nb)));
  const one = f32x4.splat(1);
  return v128.bitselect(f32x4.sub(one, f32x4.div(cross, den)), one, f32x4.gt(den, f32x4.splat(0)));
}

// Offers the four values v (references j0..j0+3 of the block) to a query's k-list.
// @ts-ignore: decorator
@inline function offer4(v: v128, worst: f32, ld: usize, li: usize, k: i32, idx0: i32, skip: i32): f32 {
  if (!v128.any_true(f32x4.le(v, f32x4.splat(worst)))) return worst;
  for (let l = 0; l < 4; l++) {
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
  return max<i32>(4, (16384 / max<i32>(d, 1)) & ~3);
}

// Bytes of scratch i8_topk_scan needs: one block of references widened to i16, and their norms.
export function i8_topk_scan_scratch_bytes(d: i32): i32 {
  return ((codeBlockRows(d) * ((d + 15) & ~15)) << 1) + (codeBlockRows(d) << 2);
}

// Streams the reference codes b [nb, d] (scales sb) past the queries, as 16-bit codes qw
// [na, dp] from i16_quantize_rows (scales sa, squared norms ssa), keeping each query's
// kc smallest QuantKind values in bestD / bestI [na, kc] (filled with +inf / −1 by the caller).
// Reference j is refBase + j; with selfBase ≥ 0 query i skips reference selfBase + i.
// scratch: i8_topk_scan_scratch_bytes(d). Each block of references is widened to i16 once
// (and the squared norms of its reconstructions s·q computed);
// two queries × four references make a register block (each widened step of a reference
// loaded once for both queries), the eight i32x4 accumulators are reduced by a transpose-add,
// the values computed four at a time, and a query's four are rejected by one compare against
// its current worst, so nothing but the k-lists is written.
export function i8_topk_scan(qw: usize, sa: usize, ssa: usize, na: i32, b: usize, sb: usize, nb: i32, d: i32, kind: i32, kc: i32, refBase: i32, selfBase: i32, bestD: usize, bestI: usize, scratch: usize): void {
  const dp = (d + 15) & ~15;
  const rs = <usize>dp << 1; // bytes per widened row
  const rb = codeBlockRows(d);
  const ssb = scratch + <usize>rb * rs; // the block's ‖s·q‖²
  for (let r0 = 0; r0 < nb; r0 += rb) {
    const nbb = min<i32>(rb, nb - r0);
    const nb4 = nbb & ~3;
    widenRows(b + <usize>r0 * d, sb + (<usize>r0 << 2), nbb, d, scratch, ssb);
    for (let i = 0; i < na; i += 2) {
      const two = i + 1 < na; // an odd last query pairs with itself, its second list unused
      const i1 = two ? i + 1 : i;
      const q0 = qw + <usize>i * rs, q1 = qw + <usize>i1 * rs;
      const s0 = load<f32>(sa + (<usize>i << 2)), n0 = load<f32>(ssa + (<usize>i << 2));
      const s1 = load<f32>(sa + (<usize>i1 << 2)), n1 = load<f32>(ssa + (<usize>i1 << 2));
      const ld0 = bestD + ((<usize>i * kc) << 2), li0 = bestI + ((<usize>i * kc) << 2);
      const ld1 = bestD + ((<usize>i1 * kc) << 2), li1 = bestI + ((<usize>i1 * kc) << 2);
      const skip0 = selfBase >= 0 ? selfBase + i : -1, skip1 = selfBase >= 0 ? selfBase + i1 : -1;
      let w0 = klistBound(ld0, li0, kc), w1 = klistBound(ld1, li1, kc);
      let j = 0;
      for (; j < nb4; j += 4) {
        const b0 = scratch + <usize>j * rs, b1 = b0 + rs, b2 = b1 + rs, b3 = b2 + rs;
        let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c02 = i32x4.splat(0), c03 = i32x4.splat(0);
        let c10 = i32x4.splat(0), c11 = i32x4.splat(0), c12 = i32x4.splat(0), c13 = i32x4.splat(0);
        for (let o: usize = 0; o < rs; o += 16) {
          const x0 = v128.load(q0 + o), x1 = v128.load(q1 + o);
          let v = v128.load(b0 + o);
          c00 = i32x4.add(c00, i32x4.dot_i16x8_s(x0, v));
          c10 = i32x4.add(c10, i32x4.dot_i16x8_s(x1, v));
          v = v128.load(b1 + o);
          c01 = i32x4.add(c01, i32x4.dot_i16x8_s(x0, v));
          c11 = i32x4.add(c11, i32x4.dot_i16x8_s(x1, v));
          v = v128.load(b2 + o);
          c02 = i32x4.add(c02, i32x4.dot_i16x8_s(x0, v));
          c12 = i32x4.add(c12, i32x4.dot_i16x8_s(x1, v));
          v = v128.load(b3 + o);
          c03 = i32x4.add(c03, i32x4.dot_i16x8_s(x0, v));
          c13 = i32x4.add(c13, i32x4.dot_i16x8_s(x1, v));
        }
        const sbj = sb + (<usize>(r0 + j) << 2), nbj = ssb + (<usize>j << 2);
        const idx = refBase + r0 + j;
        w0 = offer4(quantValue4(kind, sum4(c00, c01, c02, c03), s0, n0, sbj, nbj), w0, ld0, li0, kc, idx, skip0);
        if (two) w1 = offer4(quantValue4(kind, sum4(c10, c11, c12, c13), s1, n1, sbj, nbj), w1, ld1, li1, kc, idx, skip1);
      }
      // The last nbb % 4 references of the block, one at a time.
      for (; j < nbb; j++) {
        const bj = scratch + <usize>j * rs;
        const sbv = load<f32>(sb + (<usize>(r0 + j) << 2)), nbv = load<f32>(ssb + (<usize>j << 2));
        const idx = refBase + r0 + j;
        const nt = two ? 2 : 1;
        for (let t = 0; t < nt; t++) {
          const qt = t == 0 ? q0 : q1;
          let acc = i32x4.splat(0);
          for (let o: usize = 0; o < rs; o += 16) acc = i32x4.add(acc, i32x4.dot_i16x8_s(v128.load(qt + o), v128.load(bj + o)));
          const s = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
          const v = t == 0 ? quantValue(kind, s, s0, n0, sbv, nbv) : quantValue(kind, s, s1, n1, sbv, nbv);
          if (t == 0) { if (v <= w0 && idx != skip0) w0 = klistPush(ld0, li0, kc, v, idx); }
          else if (v <= w1 && idx != skip1) w1 = klistPush(ld1, li1, kc, v, idx);
        }
      }
    }
  }
}
