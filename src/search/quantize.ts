// Quantised references for approximate k-nearest-neighbour search: int8 codes with symmetric
// scales per dimension (d floats for the whole set: 4× smaller than float32) or per row (one
// float a row, projecting the codes onto the row), searched with an integer dot-product kernel,
// optionally re-ranked in float32. Either scale factors out of every dot product (the query
// folds the dimension scales into its own codes), so the kernel's inner loop is pure integer
// work; the search values are those of the reconstruction, whose squared norm comes from the
// codes, so the ranking error shrinks with the query's distance to the row
// (assembly/kernels/quant.ts).
import { f32, getEngine, i32 } from '../wasm/instance';
import { QuantKind, ScanKind } from '../wasm/abi';
import { l2Normalize } from '../ops/reduce';
import { empty } from '../autograd/create';
import { Tensor, fmtShape, noGrad, tidy } from '../autograd/tensor';
import { resolveMetric } from '../distances/metric';
import { checkFinite, checkPair, checkTensor } from '../distances/validate';
import { checkOptions } from '../options';
import { checkRefsIncludeQueries, rowsOf } from './topk';

/** Where a quantised set keeps its scales: one per dimension (the default) or one per row. */
export type QuantScales = 'dimension' | 'row';

export interface QuantizeOptions {
  /** Bits per code: 8 (the only width so far). */
  bits?: number;
  /**
   * 'dimension' (default): s_j = max |x_ij| / 127 over the set, d floats in all (size·dim + 4·dim
   * bytes, 4× smaller than float32). 'row': one float a row (size·(dim + 4) bytes), the scale
   * that projects the codes onto the row, finer where rows differ in spread.
   */
  scales?: QuantScales;
}

/** Int8 codes [size, dim] in wasm memory and their scales (per dimension or per row). Free with dispose(). */
export class QuantizedRefs {
  /** @internal */ codesPtr: number;
  /** @internal */ scalesPtr: number;
  private live = true;

  /** @internal */
  constructor(readonly size: number, readonly dim: number, readonly scaling: QuantScales) {
    const a = getEngine().alloc;
    this.codesPtr = a.alloc(size * dim);
    this.scalesPtr = a.alloc(this.scaleCount * 4);
  }

  private get scaleCount(): number { return this.scaling === 'row' ? this.size : this.dim; }
  /** Bytes held: size·dim codes plus a float32 scale per dimension (or per row). */
  get bytes(): number { return this.size * this.dim + 4 * this.scaleCount; }
  get isDisposed(): boolean { return !this.live; }
  /**
   * The scales, a copy: [dim] for 'dimension' (row i is about scales ∘ codes[i]), [size] for
   * 'row' (row i is about scales[i] · codes[i]).
   */
  get scales(): Float32Array { this.check('scales'); return f32().slice(this.scalesPtr >>> 2, (this.scalesPtr >>> 2) + this.scaleCount); }
  /** The int8 codes [size·dim], row-major. A copy. */
  get codes(): Int8Array { this.check('codes'); return new Int8Array(f32().buffer, this.codesPtr, this.size * this.dim).slice(); }

  dispose(): void {
    if (!this.live) return;
    this.live = false;
    const a = getEngine().alloc;
    for (const p of [this.codesPtr, this.scalesPtr]) if (p) a.free(p);
  }

  /** @internal */
  check(fn: string): void {
    if (!this.live) throw new Error(`${fn}: the quantised set [${this.size}, ${this.dim}] was disposed and cannot be used`);
  }
}

/**
 * Quantises refs [n, d] to symmetric int8 codes. scales 'dimension' (default): q = round(x / s)
 * with s_j = max_i |x_ij| / 127, one float a dimension. scales 'row': q = round(127·x / max|x|)
 * with one scale a row, s = ‖x‖² / (x·q), so that s·q projects onto x (its error is orthogonal
 * to x). @example const set = sl.search.quantize(refs); sl.search.topK(queries, set, 10);
 */
export function quantize(refs: Tensor, options: QuantizeOptions = {}): QuantizedRefs {
  const fn = 'search.quantize';
  const { bits = 8, scales = 'dimension' } = checkOptions<QuantizeOptions>(fn, options, { bits: 'integer', scales: [['dimension', 'row']] });
  if (bits !== 8) throw new Error(`${fn}: bits must be 8 (int8 codes), got ${bits}`);
  checkTensor(fn, 'refs', refs);
  if (refs.shape.length !== 2) throw new Error(`${fn}: refs must be 2-D [n, d], got ${fmtShape(refs.shape)}`);
  const [n, d] = refs.shape;
  const out = new QuantizedRefs(n, d, scales);
  const k = getEngine().k;
  if (scales === 'row') k.i8_quantize_rows(refs.ptr, n, d, out.codesPtr, out.scalesPtr);
  else {
    k.i8_dim_scales(refs.ptr, n, d, out.scalesPtr);
    k.i8_quantize_dims(refs.ptr, n, d, out.scalesPtr, out.codesPtr);
  }
  return out;
}

export type QuantMetric = 'euclidean' | 'sqeuclidean' | 'cosine' | 'dot';
const QUANT_METRICS: readonly QuantMetric[] = ['euclidean', 'sqeuclidean', 'cosine', 'dot'];

export interface QuantTopKOptions {
  /** Default 'euclidean'; 'dot' ranks largest first. */
  metric?: QuantMetric;
  /** Query i skips reference i (default false); query i must be reference i. */
  excludeSelf?: boolean;
  /** References per block (default 1024). */
  blockSize?: number;
  /** Re-rank the best `rerank` (≥ k) quantised candidates in float32 against `refs`. */
  rerank?: number;
  /** The float32 references [size, dim] the set was made from; needed by rerank. */
  refs?: Tensor;
}

const QUERY_BLOCK = 256;

/** search.topK over a quantised set: approximate distances, or exact float32 ones with rerank. */
export function quantTopK(queries: Tensor, set: QuantizedRefs, k: number, options: QuantTopKOptions = {}): { indices: Int32Array; distances: Float32Array } {
  const fn = 'search.topK';
  const { metric = 'euclidean', excludeSelf = false, blockSize = 1024, rerank, refs } = checkOptions<QuantTopKOptions>(fn, options, {
    metric: 'any', excludeSelf: 'boolean', blockSize: 'integer', rerank: 'integer', refs: 'tensor',
  });
  if (!QUANT_METRICS.includes(metric as QuantMetric)) {
    throw new Error(`${fn}: a quantised set supports metric ${QUANT_METRICS.map((m) => `'${m}'`).join(', ')}, got ${typeof metric === 'string' ? `'${metric}'` : 'an object'}`);
  }
  set.check(fn);
  checkTensor(fn, 'queries', queries);
  if (queries.shape.length !== 2 || queries.shape[1] !== set.dim) {
    throw new Error(`${fn}: queries must be [n, ${set.dim}] to match the quantised set [${set.size}, ${set.dim}], got ${fmtShape(queries.shape)}`);
  }
  if (rerank !== undefined && refs === undefined) throw new Error(`${fn}: rerank needs the float32 refs: pass { rerank, refs } with refs [${set.size}, ${set.dim}]`);
  let qMag = 0; // max |query value|, for the rerank's range rule
  if (refs !== undefined) {
    checkTensor(fn, 'refs', refs);
    if (refs.shape.length !== 2 || refs.shape[0] !== set.size || refs.shape[1] !== set.dim) {
      throw new Error(`${fn}: refs must be the [${set.size}, ${set.dim}] float32 rows the quantised set was made from, got ${fmtShape(refs.shape)}`);
    }
    // The float32 rows are read only where re-ranked, and checked there (f32_topk_candidates):
    // a pass over all of them would read four times the bytes of the int8 search.
    qMag = checkFinite(fn, 'x', queries);
  }
  const [nq, d] = queries.shape;
  const nr = set.size;
  const avail = excludeSelf ? nr - 1 : nr;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be a positive integer, got ${k}`);
  if (k > avail) {
    throw new Error(`${fn}: k = ${k} but the quantised set [${nr}, ${d}] has only ${avail} candidate${avail === 1 ? '' : 's'} per query${excludeSelf ? ' (excludeSelf)' : ''}`);
  }
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`${fn}: blockSize must be a positive integer, got ${blockSize}`);
  if (rerank !== undefined && rerank < k) throw new Error(`${fn}: rerank must be at least k = ${k}, got ${rerank}`);
  const e = getEngine();
  if (excludeSelf) {
    if (refs) checkRefsIncludeQueries(fn, queries, refs);
    else checkCodesIncludeQueries(fn, queries, set);
  }

  const kc = rerank === undefined ? k : Math.min(rerank, avail); // candidates kept per query
  const kind = metric === 'dot' ? QuantKind.negDot : metric === 'cosine' ? QuantKind.cosine : QuantKind.sqeuclidean;
  const indices = new Int32Array(nq * k);
  const distances = new Float32Array(nq * k);
  if (nq === 0) return { indices, distances };
  const qb = Math.min(nq, QUERY_BLOCK);
  const nb = Math.min(blockSize, nr);
  const dp = (d + 15) & ~15; // 16-bit query codes, rows padded to 16
  const bufs = [qb * dp * 2, qb * 4, qb * 4, qb * kc * 4, qb * kc * 4, e.k.i8_topk_scan_scratch_bytes(d)].map((b) => e.alloc.alloc(b));
  const [qWide, qScales, qNorms, bestD, bestI, scratch] = bufs;
  const rowScales = set.scaling === 'row' ? set.scalesPtr : 0, dimScales = set.scaling === 'row' ? 0 : set.scalesPtr;
  try {
    for (let q0 = 0; q0 < nq; q0 += qb) {
      const nqb = Math.min(qb, nq - q0);
      e.k.i16_quantize_rows(queries.ptr + q0 * d * 4, nqb, d, dimScales, qWide, qScales, qNorms);
      e.k.f32_fill(bestD, Infinity, nqb * kc);
      i32().fill(-1, bestI >>> 2, (bestI >>> 2) + nqb * kc);
      for (let r0 = 0; r0 < nr; r0 += nb) {
        const nrb = Math.min(nb, nr - r0);
        e.k.i8_topk_scan(qWide, qScales, qNorms, nqb, set.codesPtr + r0 * d, rowScales && rowScales + r0 * 4, dimScales, nrb, d, kind, kc, r0, excludeSelf ? q0 : -1, bestD, bestI, scratch);
      }
      if (rerank === undefined) {
        const dv = f32(), iv = i32();
        for (let t = 0; t < nqb * k; t++) {
          const v = dv[(bestD >>> 2) + t];
          distances[q0 * k + t] = metric === 'dot' ? -v : metric === 'euclidean' ? Math.sqrt(v) : v;
          indices[q0 * k + t] = iv[(bestI >>> 2) + t];
        }
      } else if (!(rerankExact(queries, refs as Tensor, metric as QuantMetric, qMag, q0, nqb, k, kc, bestI, indices, distances))) {
        checkPair(fn, queries, refs as Tensor, 'pairwise'); // names a non-finite value of refs
        rerankBlock(fn, queries, refs as Tensor, metric as QuantMetric, q0, nqb, k, kc, bestI, indices, distances);
      }
    }
  } finally {
    for (const p of bufs) e.alloc.free(p);
  }
  return { indices, distances };
}

// Same as the distances' range rule (base-distance.ts): inside it no rescaling happens.
const SAFE = 2 ** 50;

// Exact float32 values of each query of the block against its kc candidates, straight from
// refs by index (f32_topk_candidates, the scan's row kernels: no gathered copies), the k best
// kept. Each query's candidates are sorted by index first so that ties keep the lower index.
// False when the batched fallback must answer: a non-finite candidate row or value, or a raw
// dot product at a magnitude the distances rescale.
function rerankExact(queries: Tensor, refs: Tensor, metric: QuantMetric, qMag: number, q0: number, nqb: number, k: number, kc: number, candI: number, indices: Int32Array, distances: Float32Array): boolean {
  const e = getEngine();
  const d = refs.shape[1];
  const kind = metric === 'dot' ? ScanKind.negDot : metric === 'cosine' ? ScanKind.cosineDistance : metric === 'euclidean' ? ScanKind.euclidean : ScanKind.sqeuclidean;
  const normP = metric === 'cosine' ? 2 : 0;
  const iv = i32();
  for (let q = 0; q < nqb; q++) iv.subarray((candI >>> 2) + q * kc, (candI >>> 2) + (q + 1) * kc).sort();
  const bestD = e.alloc.alloc(nqb * k * 4), bestI = e.alloc.alloc(nqb * k * 4), scratch = e.alloc.alloc(d * 4 + 4);
  try {
    const ok = noGrad(() => tidy(() => {
      const qBlock = rowsOf(queries, q0, nqb);
      const q = normP ? l2Normalize(qBlock) : qBlock;
      e.k.f32_fill(bestD, Infinity, nqb * k);
      i32().fill(-1, bestI >>> 2, (bestI >>> 2) + nqb * k);
      const rMag = e.k.f32_topk_candidates(kind, q.ptr, nqb, refs.ptr, d, 2, normP, candI, kc, k, bestD, bestI, scratch);
      const mag = Math.max(qMag, rMag); // NaN when a candidate's value was not finite
      return metric === 'dot' ? mag === 0 || (mag >= 1 / SAFE && mag <= SAFE) : !Number.isNaN(mag);
    }));
    if (!ok) return false;
    const dv = f32(), bv = i32();
    for (let t = 0; t < nqb * k; t++) {
      const v = dv[(bestD >>> 2) + t];
      distances[q0 * k + t] = metric === 'dot' ? -v : v;
      indices[q0 * k + t] = bv[(bestI >>> 2) + t];
    }
    return true;
  } finally {
    for (const p of [bestD, bestI, scratch]) e.alloc.free(p);
  }
}

// Exact float32 distances from each query of the block to its kc candidates (one paired
// distance call over [nqb·kc] pairs), the k best of them kept. Each query's candidates are
// sorted by index first so that ties keep the lower index, as in the float32 search.
function rerankBlock(fn: string, queries: Tensor, refs: Tensor, metric: QuantMetric, q0: number, nqb: number, k: number, kc: number, candI: number, indices: Int32Array, distances: Float32Array): void {
  const e = getEngine();
  const dist = resolveMetric(fn, metric);
  const sign = dist.isInverted ? -1 : 1;
  const d = refs.shape[1];
  const cand = Int32Array.from(i32().subarray(candI >>> 2, (candI >>> 2) + nqb * kc));
  for (let q = 0; q < nqb; q++) cand.subarray(q * kc, (q + 1) * kc).sort();
  const bestD = e.alloc.alloc(nqb * k * 4), bestI = e.alloc.alloc(nqb * k * 4);
  try {
    noGrad(() => tidy(() => {
      const m = nqb * kc;
      const qRep = empty([m, d]), rows = empty([m, d]);
      const idx = e.alloc.alloc(m * 8);
      const iv = i32();
      iv.set(cand, idx >>> 2);
      for (let t = 0; t < m; t++) iv[(idx >>> 2) + m + t] = q0 + Math.floor(t / kc);
      e.k.f32_gather_rows(refs.ptr, idx, rows.ptr, m, d);
      e.k.f32_gather_rows(queries.ptr, idx + m * 4, qRep.ptr, m, d);
      e.alloc.free(idx);
      const tile = dist.pairedAs(fn, qRep, rows);
      if (sign < 0) e.k.f32_scale(tile.ptr, -1, tile.ptr, tile.size);
      e.k.f32_fill(bestD, Infinity, nqb * k);
      i32().fill(-1, bestI >>> 2, (bestI >>> 2) + nqb * k);
      e.k.f32_topk_merge(tile.ptr, nqb, kc, kc, k, 0, -1, bestD, bestI);
    }));
    const dv = f32(), iv = i32();
    for (let t = 0; t < nqb * k; t++) {
      distances[q0 * k + t] = sign * dv[(bestD >>> 2) + t];
      indices[q0 * k + t] = cand[Math.floor(t / k) * kc + iv[(bestI >>> 2) + t]];
    }
  } finally {
    e.alloc.free(bestD);
    e.alloc.free(bestI);
  }
}

// excludeSelf without the float32 refs: query i must quantise to row i's codes (and scale,
// for row scales), under the set's dimension scales for those (the same kernel made both, so
// reference i itself always does).
function checkCodesIncludeQueries(fn: string, queries: Tensor, set: QuantizedRefs): void {
  const [nq, d] = queries.shape;
  if (nq > set.size) throw new Error(`${fn}: excludeSelf needs at least as many refs as queries, got queries ${fmtShape(queries.shape)} and a quantised set [${set.size}, ${d}]`);
  const e = getEngine();
  const row = set.scaling === 'row';
  const codesP = e.alloc.alloc(nq * d), scalesP = row ? e.alloc.alloc(nq * 4) : 0;
  try {
    if (row) e.k.i8_quantize_rows(queries.ptr, nq, d, codesP, scalesP);
    else e.k.i8_quantize_dims(queries.ptr, nq, d, set.scalesPtr, codesP);
    const a = new Int8Array(f32().buffer, codesP, nq * d), b = new Int8Array(f32().buffer, set.codesPtr, nq * d);
    const sa = f32().subarray(scalesP >>> 2, (scalesP >>> 2) + nq), sb = f32().subarray(set.scalesPtr >>> 2, (set.scalesPtr >>> 2) + nq);
    for (let i = 0; i < nq; i++) {
      let same = !row || sa[i] === sb[i];
      for (let j = 0; same && j < d; j++) same = a[i * d + j] === b[i * d + j];
      if (!same) {
        throw new Error(`${fn}: excludeSelf drops reference i for query i, so query i must be reference i; row ${i} of queries ${fmtShape(queries.shape)} differs from row ${i} of the quantised set`);
      }
    }
  } finally {
    e.alloc.free(codesP);
    if (scalesP) e.alloc.free(scalesP);
  }
}
