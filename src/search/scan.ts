// The streaming path of search.topK for one or a few queries: a GEMV-shaped search, where the
// batched path's GEMM (which packs both operands) and its [queries, refs] tile cost more than
// the arithmetic. One kernel call reads each reference once, computes its value against every
// query and offers it to the query's k-list (threshold rejection: most references cost one
// compare). The references' values are checked inside the same pass (f32_topk_scan); when it
// meets one the ordinary path treats specially (NaN, ±inf, a dot product at a magnitude that
// needs rescaling) the caller discards the result and takes the batched path, which validates
// and rescales as every distance does. A single query against large references that are
// searched again prunes with int8 codes of them instead (codesOf, f32_topk_scan_codes): the same
// results, reading about a quarter of the bytes.
import { f32, getEngine, i32 } from '../wasm/instance';
import { ScanKind } from '../wasm/abi';
import { Tensor, derivedOf, noGrad, peekDerived, tidy } from '../autograd/tensor';
import { BaseDistance } from '../distances/base-distance';
import { CosineDistance } from '../distances/cosine-distance';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { DotProductSimilarity } from '../distances/dot-product-similarity';
import { LpDistance } from '../distances/lp-distance';
import { checkFinite } from '../distances/validate';
import type { TopKResult } from './topk';

/**
 * Query counts up to which search.topK streams: at 100,000 × 128 one pass per call beats the
 * GEMM route up to about this many queries (bench/latency.ts measures both sides; a mutable
 * object so that the bench can move the crossover, never part of the public API).
 */
export const SCAN = { maxQueries: 8 };

/**
 * When a single-query scan prunes with int8 codes of the references (f32_topk_codes: d rounded
 * up to 16, plus 12 bytes a row; 27% more memory at d = 128): references of at least minFloats
 * (nr·d; smaller ones stay in the caches and reading them is cheap) whose codes take at most
 * maxShare of their bytes (not at small d, where the padding would cost more than it saves).
 * Built on the second such search of the same unwritten references, kept with their storage
 * (derivedOf) until they are written (markWritten) or freed. A mutable object for bench and
 * tests, not public API.
 */
export const CODES = { minFloats: 1 << 20, maxShare: 0.4 };

// Same as the distances' range rule (base-distance.ts): inside it no rescaling happens.
const SAFE = 2 ** 50;

interface ScanPlan { kind: ScanKind; p: number; normP: number; sign: 1 | -1 }

/** The kernel form of a distance, or null for distances only the batched path computes. */
function planOf(dist: BaseDistance): ScanPlan | null {
  const normP = dist.normalizeEmbeddings ? dist.p : 0;
  const ctor = dist.constructor;
  if (ctor === LpDistance) {
    const p = dist.p;
    if (p === 2 && dist.power === 2) return { kind: ScanKind.sqeuclidean, p, normP, sign: 1 };
    if (dist.power !== 1) return null;
    const kind = p === 2 ? ScanKind.euclidean : p === 1 ? ScanKind.manhattan : ScanKind.lp;
    return { kind, p, normP, sign: 1 };
  }
  if (dist.power !== 1) return null;
  if (ctor === CosineDistance) return { kind: ScanKind.cosineDistance, p: 2, normP: 2, sign: 1 };
  if (ctor === CosineSimilarity || ctor === DotProductSimilarity) return { kind: ScanKind.negDot, p: 2, normP, sign: -1 };
  return null;
}

/** The references' codes for a single-query scan of this kind, or null (not built, or not yet). */
function codesOf(refs: Tensor, plan: ScanPlan): Tensor | null {
  const [nr, d] = refs.shape;
  if (nr * d < CODES.minFloats || plan.normP > 0) return null;
  if (plan.kind !== ScanKind.sqeuclidean && plan.kind !== ScanKind.euclidean && plan.kind !== ScanKind.negDot) return null;
  const k = getEngine().k;
  const floats = k.f32_topk_codes_floats(nr, d);
  if (floats < 0 || floats > CODES.maxShare * nr * d) return null;
  const key = `search codes ${nr}x${d}`, seen = `search seen ${nr}x${d}`;
  const have = peekDerived(refs, key);
  if (have) return have;
  // The first search only marks the references: a one-off search would not repay the build.
  if (!peekDerived(refs, seen)) {
    derivedOf(refs, seen, 1, () => {});
    return null;
  }
  return derivedOf(refs, key, floats, (p) => k.f32_topk_codes(refs.ptr, nr, d, p));
}

/**
 * topK by one streaming pass, or null when the batched path must answer (a distance without a
 * kernel form, or references outside the plain range). Shapes, k and the queries' values are
 * validated by the caller; the references' values are checked here, inside the pass.
 */
export function scanTopK(fn: string, queries: Tensor, refs: Tensor, k: number, dist: BaseDistance, excludeSelf: boolean): TopKResult | null {
  const plan = planOf(dist);
  if (!plan) return null;
  const [nq, d] = queries.shape;
  const nr = refs.shape[0];
  const qMag = checkFinite(fn, 'x', queries);
  const codes = nq === 1 ? codesOf(refs, plan) : null;
  const e = getEngine();
  const bestD = e.alloc.alloc(nq * k * 4), bestI = e.alloc.alloc(nq * k * 4);
  // the codes' scan falls back to the plain one when it declines: room for either
  const scratchBytes = codes ? Math.max(e.k.f32_topk_scan_scratch_bytes(d), e.k.f32_topk_scan_codes_scratch_bytes(d)) : plan.normP > 0 || nq > 1 ? e.k.f32_topk_scan_scratch_bytes(d) : 0;
  const scratch = scratchBytes > 0 ? e.alloc.alloc(scratchBytes) : 0;
  try {
    const mag = noGrad(() => tidy(() => {
      const q = plan.normP > 0 ? dist.normalize(queries) : queries;
      e.k.f32_fill(bestD, Infinity, nq * k);
      i32().fill(-1, bestI >>> 2, (bestI >>> 2) + nq * k);
      const self = excludeSelf ? 0 : -1;
      // −1: the codes declined (unusable, or a query beyond their range), nothing was done
      const m = codes ? e.k.f32_topk_scan_codes(plan.kind, q.ptr, d, refs.ptr, nr, codes.ptr, k, self, bestD, bestI, scratch) : -1;
      if (m >= 0) return m;
      return e.k.f32_topk_scan(plan.kind, q.ptr, nq, refs.ptr, nr, d, plan.p, plan.normP, k, 0, self, bestD, bestI, scratch);
    }));
    if (Number.isNaN(mag)) return null;
    // Only the raw dot product reports a magnitude (see f32_topk_scan); the rule is the distances'.
    const m = Math.max(qMag, mag);
    if (plan.kind === ScanKind.negDot && plan.normP === 0 && !(m === 0 || (m >= 1 / SAFE && m <= SAFE))) return null;
    const indices = Int32Array.from(i32().subarray(bestI >>> 2, (bestI >>> 2) + nq * k));
    const distances = f32().slice(bestD >>> 2, (bestD >>> 2) + nq * k);
    if (plan.sign < 0) for (let t = 0; t < distances.length; t++) distances[t] = -distances[t];
    return { indices, distances };
  } finally {
    e.alloc.free(bestD);
    e.alloc.free(bestI);
    if (scratch) e.alloc.free(scratch);
  }
}
