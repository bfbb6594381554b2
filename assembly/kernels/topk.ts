// Top-k selection for search: merging a tile of distances into per-query sorted k-lists, and a
// streaming scan that computes each (query, reference) value and offers it to the list at
// once, with no tile in memory (the path of one or a few queries: a GEMV-shaped search needs
// no packing and no [nq, nr] matrix). Lists: bestD [nq, k] ascending, bestI [nq, k], filled by
// the caller with +inf / −1 before the first call (klist.ts).
import { ScanKind } from '../codes';
import { klistBound, klistPush } from './klist';
import { F32_MAX, absDiff, dot, hsum, inRange, l2Diff, lpDiff, madd, sqDiff, sqDiff64 } from './rows';
import { f32_absmax, f32_lpnormalize_fwd } from './distance';
import { f32_l2normalize_fwd } from './reduce';

// Merges a tile of distances into per-query sorted lists of the k smallest.
// tile [nq, nb] with row stride ldt. Column j is reference refBase + j; with selfBase ≥ 0,
// query q skips reference selfBase + q (excludeSelf). Ties keep the lower index: references
// arrive in increasing order and a candidate must be strictly smaller to displace an entry.
export function f32_topk_merge(tile: usize, nq: i32, nb: i32, ldt: i32, k: i32, refBase: i32, selfBase: i32, bestD: usize, bestI: usize): void {
  for (let q = 0; q < nq; q++) {
    const row = tile + ((<usize>q * ldt) << 2);
    const ld = bestD + ((<usize>q * k) << 2);
    const li = bestI + ((<usize>q * k) << 2);
    const skip = selfBase >= 0 ? selfBase + q - refBase : -1;
    let worst = klistBound(ld, li, k);
    for (let j = 0; j < nb; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (!(v <= worst) || j == skip) continue;
      worst = klistPush(ld, li, k, v, refBase + j);
    }
  }
}

// References per block of the scan: 32 KB of float32 rows (at least one row), so a block read
// from memory once stays in L1/L2 while every query of the call visits it.
// @ts-ignore: decorator
@inline function blockRows(d: i32): i32 {
  return max<i32>(1, 8192 / max<i32>(d, 1));
}

// Bytes of scratch f32_topk_scan needs: one block of normalised references and their norms
// (normP > 0), or the block's squared norms (the Euclidean forms with several queries).
export function f32_topk_scan_scratch_bytes(d: i32): i32 {
  const rb = blockRows(d);
  return (rb * d + rb) << 2;
}

// The value of query row a against reference row b, as the search ranks it (smallest first):
// the distance itself, or the negated similarity. Euclidean rows whose squared distance exceeds
// thr2 (≥ worst² with margin) are rejected before the square root, as F32_MAX (finite, and
// never below a worst of a full list).
// @ts-ignore: decorator
@inline function scanValue(kind: i32, a: usize, b: usize, d: i32, p: f32, thr2: f32): f32 {
  if (kind == ScanKind.sqeuclidean) return l2Diff(a, b, d, false);
  if (kind == ScanKind.euclidean) {
    const s = sqDiff(a, b, d);
    if (!inRange(s)) return sqDiff64(a, b, d, true);
    return s > thr2 ? F32_MAX : sqrt<f32>(s);
  }
  if (kind == ScanKind.manhattan) return absDiff(a, b, d);
  if (kind == ScanKind.lp) return lpDiff(a, b, d, p);
  if (kind == ScanKind.negDot) return -dot(a, b, d);
  return <f32>1 - dot(a, b, d); // ScanKind.cosineDistance: 1 − x̂·ŷ
}

// Streams refs [nr, d] past queries q [nq, d] (already normalised when normP > 0), keeping each
// query's k smallest values (ScanKind) in bestD / bestI [nq, k]. Reference j is refBase + j;
// with selfBase ≥ 0 query i skips reference selfBase + i. normP > 0: each block of references
// is first normalised as F.normalize(r, normP) (eps 1e-12) into scratch
// (f32_topk_scan_scratch_bytes).
// The references' values are checked inside the pass, not by a second one: the return is NaN
// when some value came out NaN or ±inf (a non-finite reference, or a result beyond float32),
// else, for the raw dot product (kind negDot, normP 0: the one value whose float32 products
// can underflow or overflow at extreme magnitudes), max |r|, else 0. Euclidean forms redo a
// row in float64 when its float32 sum leaves the exact range, and normalised rows are in range
// whatever the inputs, so they need no magnitude.
export function f32_topk_scan(kind: i32, q: usize, nq: i32, refs: usize, nr: i32, d: i32, p: f32, normP: f32, k: i32, refBase: i32, selfBase: i32, bestD: usize, bestI: usize, scratch: usize): f32 {
  const rb = blockRows(d);
  const needMag = kind == ScanKind.negDot && normP == 0;
  // With several queries the scan is bound by arithmetic, not memory, and Σ (a − b)² costs a
  // subtract, a multiply and an add per element and pair where ‖a‖² + ‖b‖² − 2 a·b costs a
  // multiply and an add (the block's ‖b‖² shared by every query). That form only rejects: a
  // reference whose value passes is valued exactly as before, so results do not change.
  if (nq >= 2 && normP == 0 && (kind == ScanKind.sqeuclidean || kind == ScanKind.euclidean)) {
    return sqScanByDot(kind, q, nq, refs, nr, d, k, refBase, selfBase, bestD, bestI, scratch);
  }
  let mag: f32 = 0;
  let bad = false;
  for (let r0 = 0; r0 < nr; r0 += rb) {
    const nb = min<i32>(rb, nr - r0);
    let src = refs + ((<usize>r0 * d) << 2);
    if (needMag) mag = max<f32>(mag, f32_absmax(src, nb * d));
    if (normP > 0) {
      const norms = scratch + ((<usize>rb * d) << 2);
      if (normP == 2) f32_l2normalize_fwd(src, scratch, norms, nb, d, 1e-12);
      else f32_lpnormalize_fwd(src, scratch, norms, nb, d, normP, 1e-12);
      src = scratch;
    }
    for (let i = 0; i < nq; i++) {
      const qi = q + ((<usize>i * d) << 2);
      const ld = bestD + ((<usize>i * k) << 2);
      const li = bestI + ((<usize>i * k) << 2);
      const skip = selfBase >= 0 ? selfBase + i - refBase - r0 : -1;
      let worst = klistBound(ld, li, k);
      let thr2: f32 = worst * worst * <f32>1.000001;
      for (let j = 0; j < nb; j++) {
        const v = scanValue(kind, qi, src + ((<usize>j * d) << 2), d, p, thr2);
        bad = bad || v - v != 0;
        if (!(v <= worst) || j == skip) continue;
        worst = klistPush(ld, li, k, v, refBase + r0 + j);
        thr2 = worst * worst * <f32>1.000001;
      }
    }
    if (bad) return NaN;
  }
  return mag;
}

// f32_topk_scan for the (squared) Euclidean kinds with several queries. A reference is
// rejected for query a when ‖a‖² + ‖b‖² − 2 a·b, less a bound on its float32 error, exceeds
// the squared threshold. The bound, (d + 32)·2⁻²² (‖a‖² + ‖b‖²) + d·2⁻¹²⁶, is ten times the
// worst-case float32 rounding of these sums (about 3 (d/8 + 4)·2⁻²⁴ of the same, each
// accumulator summing d/8 terms, and 2⁻¹⁴⁹ a product at most where they are subnormal; the
// absolute term is kept normal: a subnormal operand costs x86 a microcode assist per add). A
// NaN never exceeds the threshold, so non-finite and out-of-range rows (whose sums overflow)
// reach the exact path and its checks, as in the plain scan. Queries go in pairs (an odd last
// one pairs with itself): each step of a reference is loaded once for both, and the two
// pairs of accumulator chains are independent (one query's dot product is a chain of d/8
// dependent adds, whose latency, not the arithmetic, bounds the plain scan). scratch holds
// the block's ‖b‖².
function sqScanByDot(kind: i32, q: usize, nq: i32, refs: usize, nr: i32, d: i32, k: i32, refBase: i32, selfBase: i32, bestD: usize, bestI: usize, scratch: usize): f32 {
  const rb = blockRows(d);
  const root = kind == ScanKind.euclidean;
  const rel: f32 = <f32>(d + 32) * <f32>2.384185791015625e-7, slack: f32 = <f32>d * <f32>1.1754943508222875e-38;
  const d8 = d & ~7;
  let bad = false;
  for (let r0 = 0; r0 < nr; r0 += rb) {
    const nb = min<i32>(rb, nr - r0);
    const src = refs + ((<usize>r0 * d) << 2);
    for (let j = 0; j < nb; j++) {
      const b = src + ((<usize>j * d) << 2);
      store<f32>(scratch + (<usize>j << 2), dot(b, b, d));
    }
    for (let i = 0; i < nq; i += 2) {
      const i1 = i + 1 < nq ? i + 1 : i;
      const qa = q + ((<usize>i * d) << 2), qb = q + ((<usize>i1 * d) << 2);
      const na = dot(qa, qa, d), nb1 = dot(qb, qb, d);
      const lda = bestD + ((<usize>i * k) << 2), lia = bestI + ((<usize>i * k) << 2);
      const ldb = bestD + ((<usize>i1 * k) << 2), lib = bestI + ((<usize>i1 * k) << 2);
      const skipA = selfBase >= 0 ? selfBase + i - refBase - r0 : -1, skipB = selfBase >= 0 ? selfBase + i1 - refBase - r0 : -1;
      let worstA = klistBound(lda, lia, k), worstB = klistBound(ldb, lib, k);
      let thrA: f32 = root ? worstA * worstA * <f32>1.000001 : worstA;
      let thrB: f32 = root ? worstB * worstB * <f32>1.000001 : worstB;
      for (let j = 0; j < nb; j++) {
        const b = src + ((<usize>j * d) << 2);
        let a0 = f32x4.splat(0), a1 = a0, b0 = a0, b1 = a0;
        for (let o: usize = 0; o < (<usize>d8 << 2); o += 32) {
          const r0v = v128.load(b + o), r1v = v128.load(b + o, 16);
          a0 = madd(v128.load(qa + o), r0v, a0);
          a1 = madd(v128.load(qa + o, 16), r1v, a1);
          b0 = madd(v128.load(qb + o), r0v, b0);
          b1 = madd(v128.load(qb + o, 16), r1v, b1);
        }
        let da = hsum(f32x4.add(a0, a1)), db = hsum(f32x4.add(b0, b1));
        for (let p = d8; p < d; p++) {
          const rv = load<f32>(b + (<usize>p << 2));
          da += load<f32>(qa + (<usize>p << 2)) * rv;
          db += load<f32>(qb + (<usize>p << 2)) * rv;
        }
        const rn = load<f32>(scratch + (<usize>j << 2));
        const sa = na + rn, sb = nb1 + rn;
        const idx = refBase + r0 + j;
        if (!(sa - <f32>2 * da - (sa * rel + slack) > thrA)) {
          const v = root ? scanValue(kind, qa, b, d, 2, thrA) : l2Diff(qa, b, d, false);
          bad = bad || v - v != 0;
          if (v <= worstA && j != skipA) {
            worstA = klistPush(lda, lia, k, v, idx);
            thrA = root ? worstA * worstA * <f32>1.000001 : worstA;
          }
        }
        if (i1 != i && !(sb - <f32>2 * db - (sb * rel + slack) > thrB)) {
          const v = root ? scanValue(kind, qb, b, d, 2, thrB) : l2Diff(qb, b, d, false);
          bad = bad || v - v != 0;
          if (v <= worstB && j != skipB) {
            worstB = klistPush(ldb, lib, k, v, idx);
            thrB = root ? worstB * worstB * <f32>1.000001 : worstB;
          }
        }
      }
    }
    if (bad) return NaN;
  }
  return 0;
}

// Re-ranks candidate lists exactly: for each query i of q [nq, d] (normalised when normP > 0),
// the references refs[cand[i, t]] for t < kc (ascending indices, so ties keep the lower one)
// are valued as in f32_topk_scan and the k smallest kept in bestD / bestI [nq, k] (filled with
// +inf / −1 by the caller), bestI holding reference indices. scratch: d floats and one norm
// when normP > 0. Only the candidate rows are read, so their values are checked here: the
// return is NaN if some value came out NaN or ±inf, else, for the raw dot product (negDot,
// normP 0), max |r| over the candidate rows, else 0 (as f32_topk_scan).
export function f32_topk_candidates(kind: i32, q: usize, nq: i32, refs: usize, d: i32, p: f32, normP: f32, cand: usize, kc: i32, k: i32, bestD: usize, bestI: usize, scratch: usize): f32 {
  const needMag = kind == ScanKind.negDot && normP == 0;
  let mag: f32 = 0;
  let bad = false;
  for (let i = 0; i < nq; i++) {
    const qi = q + ((<usize>i * d) << 2);
    const ld = bestD + ((<usize>i * k) << 2);
    const li = bestI + ((<usize>i * k) << 2);
    let worst = klistBound(ld, li, k);
    let thr2: f32 = worst * worst * <f32>1.000001;
    for (let t = 0; t < kc; t++) {
      const j = load<i32>(cand + ((<usize>(i * kc + t)) << 2));
      let row = refs + ((<usize>j * d) << 2);
      if (needMag) mag = max<f32>(mag, f32_absmax(row, d));
      if (normP > 0) {
        if (normP == 2) f32_l2normalize_fwd(row, scratch, scratch + (<usize>d << 2), 1, d, 1e-12);
        else f32_lpnormalize_fwd(row, scratch, scratch + (<usize>d << 2), 1, d, normP, 1e-12);
        row = scratch;
      }
      const v = scanValue(kind, qi, row, d, p, thr2);
      bad = bad || v - v != 0;
      if (!(v <= worst)) continue;
      worst = klistPush(ld, li, k, v, j);
      thr2 = worst * worst * <f32>1.000001;
    }
  }
  return bad ? NaN : mag;
}
