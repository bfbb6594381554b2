// Exact k-nearest-neighbour search that streams over blocks of queries and references: the
// memory held at once is one [queryBlock, blockSize] tile of distances plus the per-query
// candidate lists, never the full nq × nrefs matrix.
import { f32, getEngine, i32 } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, fmtShape, noGrad, tidy } from '../autograd/tensor';
import { resolveMetric, type Metric } from '../distances/metric';
import { check2d, checkPair, checkTensor } from '../distances/validate';
import { checkOptions } from '../options';
import { QuantizedRefs, quantTopK, type QuantTopKOptions } from './quantize';
import { SCAN, scanTopK } from './scan';

export interface TopKOptions {
  /** Default 'euclidean'. Similarities (cosine similarity objects, 'dot') rank largest first. */
  metric?: Metric;
  /** Query i skips reference i (default false). Query i must be reference i: refs is the queries tensor, or its first rows equal the queries; anything else throws. */
  excludeSelf?: boolean;
  /** References per block (default 1024); the tile is at most [1024, blockSize]. */
  blockSize?: number;
}

export interface TopKResult {
  /** [nq·k] row-major: the k nearest references of query q at q·k.., nearest first, ties by lower index. */
  indices: Int32Array;
  /** [nq·k] the matching distances (similarities for an inverted metric). */
  distances: Float32Array;
}

const QUERY_BLOCK = 1024;

/**
 * The k nearest rows of refs [nr, d] for each row of queries [nq, d]. refs may be a set made
 * by search.quantize: then the search runs on int8 codes (options metric 'euclidean',
 * 'sqeuclidean', 'cosine' or 'dot', excludeSelf, blockSize, and rerank with refs).
 * From its second single-query search ('euclidean', 'sqeuclidean' or 'dot') of the same large
 * refs, topK keeps int8 codes of them with refs (about 27% of their memory at d = 128, freed
 * with them, rebuilt after a write) to skip rows exactly: the results are the same.
 */
export function topK(queries: Tensor, refs: Tensor, k: number, options?: TopKOptions): TopKResult;
export function topK(queries: Tensor, refs: QuantizedRefs, k: number, options?: QuantTopKOptions): TopKResult;
export function topK(queries: Tensor, refs: Tensor | QuantizedRefs, k: number, options: TopKOptions | QuantTopKOptions = {}): TopKResult {
  if (refs instanceof QuantizedRefs) return quantTopK(queries, refs, k, options as QuantTopKOptions);
  return floatTopK(queries, refs, k, options as TopKOptions, true);
}

/**
 * topK through the GEMM route at every query count: the distances of the cdist tiles, which
 * AccuracyCalculator's row path (metrics/exact-knn.ts) computes too, so its two paths agree
 * to the bit. Not part of the public API.
 */
export function batchedTopK(queries: Tensor, refs: Tensor, k: number, options: TopKOptions = {}): TopKResult {
  return floatTopK(queries, refs, k, options, false);
}

function floatTopK(queries: Tensor, refs: Tensor, k: number, options: TopKOptions, allowScan: boolean): TopKResult {
  const fn = 'search.topK';
  const { metric = 'euclidean', excludeSelf = false, blockSize = 1024 } = checkOptions<TopKOptions>(fn, options, { metric: ['string', 'object'], excludeSelf: 'boolean', blockSize: 'integer' });
  const dist = resolveMetric(fn, metric);
  checkTensor(fn, 'queries', queries);
  checkTensor(fn, 'refs', refs);
  checkShapes(fn, queries, refs);
  const [nq] = queries.shape;
  const [nr] = refs.shape;
  // A few queries stream (scan.ts), checking the references' values inside the same pass.
  const scan = allowScan && nq >= 1 && nq <= SCAN.maxQueries;
  if (!scan) checkPair(fn, queries, refs, 'pairwise');
  if (excludeSelf) checkRefsIncludeQueries(fn, queries, refs);
  const avail = excludeSelf ? nr - 1 : nr;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be a positive integer, got ${k}`);
  if (k > avail) {
    throw new Error(`${fn}: k = ${k} but refs ${fmtShape(refs.shape)} has only ${avail} candidate${avail === 1 ? '' : 's'} per query${excludeSelf ? ' (excludeSelf)' : ''}`);
  }
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`${fn}: blockSize must be a positive integer, got ${blockSize}`);
  if (scan) {
    const got = scanTopK(fn, queries, refs, k, dist, excludeSelf);
    if (got) return got;
    checkPair(fn, queries, refs, 'pairwise'); // the scan met a value the batched path handles (or rejects)
  }

  const indices = new Int32Array(nq * k);
  const distances = new Float32Array(nq * k);
  if (nq === 0) return { indices, distances };
  const e = getEngine();
  const sign = dist.isInverted ? -1 : 1; // select the k smallest of sign·value
  const qb = Math.min(nq, QUERY_BLOCK);
  const bestD = e.alloc.alloc(qb * k * 4);
  const bestI = e.alloc.alloc(qb * k * 4);
  try {
    noGrad(() => {
      for (let q0 = 0; q0 < nq; q0 += qb) {
        const nqb = Math.min(qb, nq - q0);
        e.k.f32_fill(bestD, Infinity, nqb * k);
        i32().fill(-1, bestI >>> 2, (bestI >>> 2) + nqb * k);
        tidy(() => {
          const qBlock = rowsOf(queries, q0, nqb);
          for (let r0 = 0; r0 < nr; r0 += blockSize) {
            const nrb = Math.min(blockSize, nr - r0);
            tidy(() => {
              const tile = dist.pairwiseAs(fn, qBlock, rowsOf(refs, r0, nrb));
              if (sign < 0) e.k.f32_scale(tile.ptr, -1, tile.ptr, tile.size);
              e.k.f32_topk_merge(tile.ptr, nqb, nrb, nrb, k, r0, excludeSelf ? q0 : -1, bestD, bestI);
            });
          }
        });
        const dv = f32(), iv = i32();
        for (let t = 0; t < nqb * k; t++) {
          distances[q0 * k + t] = sign * dv[(bestD >>> 2) + t];
          indices[q0 * k + t] = iv[(bestI >>> 2) + t];
        }
      }
    });
  } finally {
    e.alloc.free(bestD);
    e.alloc.free(bestI);
  }
  return { indices, distances };
}

/**
 * excludeSelf drops reference q for query q: right only when query q is reference q
 * (pytorch-metric-learning's ref_includes_query), i.e. refs is the queries tensor or its
 * first rows equal the queries. O(nq·d), against the O(nq·nr·d) search.
 */
export function checkRefsIncludeQueries(fn: string, queries: Tensor, refs: Tensor): void {
  if (queries.ptr === refs.ptr && queries.shape[0] <= refs.shape[0]) return;
  const [nq, d] = queries.shape;
  if (nq > refs.shape[0]) {
    throw new Error(`${fn}: excludeSelf needs at least as many refs as queries, got queries ${fmtShape(queries.shape)} and refs ${fmtShape(refs.shape)}`);
  }
  const mem = f32();
  const q = queries.ptr >>> 2, r = refs.ptr >>> 2;
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < d; j++) {
      if (mem[q + i * d + j] !== mem[r + i * d + j]) {
        throw new Error(
          `${fn}: excludeSelf drops reference i for query i, so query i must be reference i (refs itself, or refs whose first rows are the queries); ` +
            `row ${i} of queries ${fmtShape(queries.shape)} differs from row ${i} of refs ${fmtShape(refs.shape)}`,
        );
      }
    }
  }
}

/** checkPair's shape checks (x = queries, y = refs) without its pass over the values. */
function checkShapes(fn: string, queries: Tensor, refs: Tensor): void {
  check2d(fn, 'x', queries);
  check2d(fn, 'y', refs);
  if (queries.shape[1] !== refs.shape[1]) {
    throw new Error(`${fn}: x is ${fmtShape(queries.shape)} but y is ${fmtShape(refs.shape)}: last dimensions must match`);
  }
}

/** Rows [r0, r0 + n) of t as a new tensor (freed by the enclosing tidy). */
export function rowsOf(t: Tensor, r0: number, n: number): Tensor {
  const d = t.shape[1];
  if (r0 === 0 && n === t.shape[0]) return t;
  const out = empty([n, d]);
  getEngine().k.f32_copy(t.ptr + r0 * d * 4, out.ptr, n * d);
  return out;
}
