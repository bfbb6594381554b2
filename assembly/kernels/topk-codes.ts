// An exact single-query scan that reads about a quarter of the bytes: references kept beside
// their float32 rows as int8 codes r̃ = s·c (s = max|r|/127 per row) with a rigorous bound e ≥
// ‖r − r̃‖₂, and the query as int16 codes q̃ = t·u with eq ≥ ‖q − q̃‖₂. The integer u·c gives a
// lower bound on each row's value; a row whose bound proves that its float32 value (as
// f32_topk_scan computes it, rounding included) exceeds the current k-th best is skipped, every
// other row is valued by f32_topk_scan's own arithmetic in the same order, so the k-lists,
// ties included, are the plain scan's.
//
// Layout of the codes buffer (f32_topk_codes_floats): a header of 4 floats (usable flag, max|r|),
// then per row its scale s (f32), Σc² (i32) and e (f32), then the codes [nr, dp] (int8, dp = d
// rounded up to 16, zero padded), 16-byte aligned.
import { ScanKind } from '../codes';
import { klistBound, klistPush } from './klist';
import { l2Diff, sqDiff, sqDiff64, inRange, dot, F32_MAX } from './rows';
import { f32_absmax } from './distance';

// Beyond this magnitude a float32 distance of the scan could overflow: such inputs keep the
// plain scan, which reports them (the codes are marked unusable, or the query declines).
const BIG: f64 = 1099511627776; // 2^40
const U40: f64 = 9.094947017729282e-13; // 2^-40
const U45: f64 = 2.842170943040401e-14; // 2^-45

// @ts-ignore: decorator
@inline function paddedD(d: i32): i32 {
  return (d + 15) & ~15;
}

// @ts-ignore: decorator
@inline function metaFloats(nr: i32): i32 {
  return (4 + 3 * nr + 3) & ~3;
}

// Floats of the codes buffer for refs [nr, d]; −1 beyond 2³¹ − 1.
export function f32_topk_codes_floats(nr: i32, d: i32): i32 {
  const n = <i64>metaFloats(nr) + ((<i64>nr * <i64>paddedD(d)) >> 2);
  return n > <i64>i32.MAX_VALUE ? -1 : <i32>n;
}

// Builds the codes buffer out (f32_topk_codes_floats) from refs [nr, d]. Unusable (flag 0) when
// some value is not finite or above 2^40: the scan then declines. Any code would do (rounding
// r/s in float32 may miss the nearest): e is measured, the residuals r − s·c in float64 (s·c
// exact there), rounded up to an upper bound.
export function f32_topk_codes(refs: usize, nr: i32, d: i32, out: usize): void {
  const dp = paddedD(d);
  const d4 = d & ~3;
  const codes = out + ((<usize>metaFloats(nr)) << 2);
  const up = errUp(d);
  let top: f32 = 0;
  store<f32>(out, 0);
  for (let j = 0; j < nr; j++) {
    const row = refs + ((<usize>j * d) << 2);
    const m = f32_absmax(row, d);
    if (!(m <= <f32>BIG)) return; // NaN, ±inf or too large: the flag stays 0
    top = max<f32>(top, m);
    const s: f32 = m / <f32>127;
    const inv: f32 = s > 0 ? min<f32>(<f32>1 / s, F32_MAX) : 0; // finite: 0·inv is 0, never NaN
    const s2 = f64x2.splat(<f64>s);
    const c = codes + <usize>j * dp;
    let sq = i32x4.splat(0);
    let e2 = f64x2.splat(0);
    for (let i = 0; i < d4; i += 4) {
      const v = v128.load(row + (<usize>i << 2));
      const ci = i32x4.min_s(i32x4.splat(127), i32x4.max_s(i32x4.splat(-127), i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v, f32x4.splat(inv))))));
      store<i32>(c + i, i32x4.extract_lane(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(ci, ci), i16x8.splat(0)), 0));
      sq = i32x4.add(sq, i32x4.mul(ci, ci));
      const cf = f32x4.convert_i32x4_s(ci);
      const r0 = f64x2.sub(f64x2.promote_low_f32x4(v), f64x2.mul(s2, f64x2.promote_low_f32x4(cf)));
      const r1 = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), f64x2.mul(s2, f64x2.promote_low_f32x4(v128.shuffle<f32>(cf, cf, 2, 3, 0, 1))));
      e2 = f64x2.add(e2, f64x2.add(f64x2.mul(r0, r0), f64x2.mul(r1, r1)));
    }
    let csq = i32x4.extract_lane(sq, 0) + i32x4.extract_lane(sq, 1) + i32x4.extract_lane(sq, 2) + i32x4.extract_lane(sq, 3);
    let err = f64x2.extract_lane(e2, 0) + f64x2.extract_lane(e2, 1);
    for (let i = d4; i < d; i++) {
      const v = load<f32>(row + (<usize>i << 2));
      const q = <i32>min<f32>(127, max<f32>(-127, nearest<f32>(v * inv)));
      store<i8>(c + i, <i8>q);
      csq += q * q;
      const r = <f64>v - <f64>s * <f64>q;
      err += r * r;
    }
    for (let i = d; i < dp; i++) store<i8>(c + i, 0);
    const meta = out + ((<usize>(4 + 3 * j)) << 2);
    store<f32>(meta, s);
    store<i32>(meta, csq, 4);
    // Rounded to float32 and then up: ×(1 + 2⁻²¹) covers a normal rounding, 2⁻¹⁴⁹ a subnormal one.
    store<f32>(meta, err > 0 ? <f32>(Math.sqrt(err) * up) * <f32>1.0000005 + <f32>1.4e-45 : 0, 8);
  }
  store<f32>(out, 1);
  store<f32>(out, top, 4);
}

// Inflation of a float64 ‖x‖ over d residuals to an upper bound: each residual and square is
// off by 2⁻⁵³ relative, the sum by d·2⁻⁵³, with room to spare.
// @ts-ignore: decorator
@inline function errUp(d: i32): f64 {
  return 1 + (<f64>d + 8) * 2.220446049250313e-16 + U40;
}

// Bytes of scratch f32_topk_scan_codes needs: the query's int16 codes.
export function f32_topk_scan_codes_scratch_bytes(d: i32): i32 {
  return paddedD(d) << 1;
}

// The smallest true distance (kind sqeuclidean or euclidean: of ‖q − r‖) above which the float32
// value f32_topk_scan computes exceeds worst. The float32 sum of squares is at least
// (1 − g)·‖q − r‖² − tiny (g covers its roundings, tiny the underflow of d squares); the
// Euclidean form then passes s > worst²·(1 + 2⁻²¹) through its rounded square root.
// @ts-ignore: decorator
@inline function distanceFloor(kind: i32, worst: f32, g: f64, tiny: f64): f64 {
  if (worst == Infinity) return Infinity;
  const w = <f64>worst;
  const need = kind == ScanKind.euclidean ? w * w * (1 + 4.76837158203125e-7) : w;
  return Math.sqrt((need + tiny) / (1 - g)) * (1 + U40);
}

// f32_topk_scan for one query q [d] (kind sqeuclidean, euclidean or negDot, no normalisation)
// over refs [nr, d] with their codes (f32_topk_codes): the same k-list in bestD / bestI [k]
// (filled by the caller with +inf / −1), reference j is j, selfBase ≥ 0 skips reference selfBase.
// Returns what f32_topk_scan returns (max |r| for negDot, else 0), or −1 when it declines (codes
// unusable, a query value above 2^40, another kind): the caller then runs the plain scan.
// scratch: f32_topk_scan_codes_scratch_bytes(d).
export function f32_topk_scan_codes(kind: i32, q: usize, d: i32, refs: usize, nr: i32, codes: usize, k: i32, selfBase: i32, bestD: usize, bestI: usize, scratch: usize): f32 {
  if (load<f32>(codes) != 1) return -1;
  if (kind != ScanKind.sqeuclidean && kind != ScanKind.euclidean && kind != ScanKind.negDot) return -1;
  const dp = paddedD(d);
  // |u| ≤ umax keeps u·c inside i32 (|c| ≤ 127).
  const umax = min<f64>(32767, Math.floor(2147483647 / (127 * <f64>dp)));
  if (umax < 1) return -1;
  let qmax: f64 = 0, qsq: f64 = 0;
  for (let i = 0; i < d; i++) {
    const v = <f64>load<f32>(q + (<usize>i << 2));
    if (!(abs<f64>(v) <= BIG)) return -1;
    qmax = max<f64>(qmax, abs<f64>(v));
    qsq += v * v;
  }
  const t: f64 = qmax / umax;
  const inv: f64 = t > 0 ? 1 / t : 0;
  let usq: f64 = 0, eqsq: f64 = 0;
  for (let i = 0; i < d; i++) {
    const v = <f64>load<f32>(q + (<usize>i << 2));
    const u = min<f64>(umax, max<f64>(-umax, nearest<f64>(v * inv)));
    store<i16>(scratch + (<usize>i << 1), <i16>u);
    usq += u * u;
    const r = v - t * u;
    eqsq += r * r;
  }
  for (let i = d; i < dp; i++) store<i16>(scratch + (<usize>i << 1), 0);
  const qn = Math.sqrt(qsq) * errUp(d);
  // ‖q − q̃‖: t·u is rounded in float64 (2⁻⁵³·|q_i| at most per residual).
  const eq = Math.sqrt(eqsq) * errUp(d) + U45 * qn;
  const A = t * t * usq;
  // Roundings of the float32 value: d/8 + 8 chained adds at most and two roundings per term,
  // counted twice over; tiny: d squares or products underflowing by 2⁻¹⁵⁰ each, twice over.
  const g: f64 = (<f64>d / 8 + 12) * 1.1920928955078125e-7;
  const tiny: f64 = <f64>d * 1.401298464324817e-45;
  const sqd: f64 = 127 * Math.sqrt(<f64>d) * (1 + U40); // ‖c‖ ≤ 127·√d
  const base = codes + ((<usize>metaFloats(nr)) << 2);
  const neg = kind == ScanKind.negDot;
  let worst = klistBound(bestD, bestI, k);
  let thr2: f32 = worst * worst * <f32>1.000001;
  let floor = distanceFloor(kind, worst, g, tiny);
  for (let j = 0; j < nr; j++) {
    const c = base + <usize>j * dp;
    // 32 codes a step into four independent sums (the loop, not the memory, bounds this scan)
    let acc0 = i32x4.splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    let o = 0;
    for (; o + 32 <= dp; o += 32) {
      const cv = v128.load(c + o), cw = v128.load(c + o, 16);
      const uo = scratch + (<usize>o << 1);
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(cv), v128.load(uo)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(cv), v128.load(uo, 16)));
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(cw), v128.load(uo, 32)));
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(cw), v128.load(uo, 48)));
    }
    if (o < dp) {
      const cv = v128.load(c + o);
      const uo = scratch + (<usize>o << 1);
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(cv), v128.load(uo)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(cv), v128.load(uo, 16)));
    }
    const acc = i32x4.add(i32x4.add(acc0, acc1), i32x4.add(acc2, acc3));
    const uc = <f64>(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3));
    const meta = codes + ((<usize>(4 + 3 * j)) << 2);
    const s = <f64>load<f32>(meta), e = <f64>load<f32>(meta, 8);
    const C = t * s * uc;
    let skip = false;
    if (neg) {
      // q·r ≤ q̃·r̃ + eq‖r̃‖ + ‖q‖e; the float32 dot is off by at most g·‖q‖‖r‖ + tiny.
      const rn = s * sqd;
      const M = (qn + eq) * (rn + e);
      skip = -C - eq * rn - qn * e - (2 * g + U40) * M - tiny > <f64>worst;
    } else {
      // ‖q − r‖ ≥ ‖q̃ − r̃‖ − eq − e, with ‖q̃ − r̃‖² = A + B − 2C in float64.
      const B = s * s * <f64>load<i32>(meta, 4);
      const lo = A + B - 2 * C - U45 * (A + B);
      const f = floor + eq + e;
      skip = lo > f * f * (1 + U40);
    }
    if (skip) continue;
    const row = refs + ((<usize>j * d) << 2);
    let v: f32;
    if (kind == ScanKind.sqeuclidean) v = l2Diff(q, row, d, false);
    else if (kind == ScanKind.euclidean) {
      const sq = sqDiff(q, row, d);
      v = !inRange(sq) ? sqDiff64(q, row, d, true) : sq > thr2 ? F32_MAX : sqrt<f32>(sq);
    } else v = -dot(q, row, d);
    if (!(v <= worst) || j == selfBase) continue;
    worst = klistPush(bestD, bestI, k, v, j);
    thr2 = worst * worst * <f32>1.000001;
    floor = distanceFloor(kind, worst, g, tiny);
  }
  return neg ? load<f32>(codes, 4) : 0;
}
