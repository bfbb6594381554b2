// The exact k-NN of AccuracyCalculator: squared Euclidean distances (faiss IndexFlatL2's),
// nearest first, ties to the lower index. Small k goes through search.topK's GEMM route. Large k
// (AccuracyCalculator's default k is every reference) would make topK's sorted-insertion merge
// O(nr·k) per query, so there each query's whole row of distances — the same tiles topK
// computes, reference blocks of TILE_REFS from index 0 — is sorted once by a native typed-array
// sort of packed (distance, index) keys, after a quickselect of the k smallest: O(nr + k log k)
// per query.
import { Tensor, noGrad, tidy } from '../autograd/tensor';
import { empty } from '../autograd/create';
import { resolveMetric } from '../distances/metric';
import { getEngine } from '../wasm/instance';
import { batchedTopK } from '../search/topk';

/** [distances, indices], each [nq·k] row-major: the k nearest references of each query, nearest first. */
export type KnnResult = [distances: Float32Array, indices: Int32Array];

/** Above this k, rows are selected and sorted instead of merged by topK. */
export const TOPK_MAX_K = 256;
/** topK's default reference block: the tiles, and so every distance, are the same as topK's. */
const TILE_REFS = 1024;
/** Sort keys hold the index below this (2^22 references; 2^31 · 2^22 stays within a double's 2^53). */
const INDEX_SPAN = 2 ** 22;
/** Distances held at once in the row path (floats). */
const ROW_BUDGET = 1 << 22;

/**
 * The k nearest rows of reference for each query row (k ≤ nr). With refIncludesQuery, k + 1 are
 * found and the query itself removed, or the last one when the query is not among them
 * (PML's return_results).
 */
export function exactKnn(query: Tensor, k: number, reference: Tensor, refIncludesQuery: boolean, maxTopK = TOPK_MAX_K): KnnResult {
  const kk = k + (refIncludesQuery ? 1 : 0);
  if (kk > maxTopK && reference.shape[0] < INDEX_SPAN) return viaRows(query, reference, k, refIncludesQuery);
  const [distances, indices] = viaTopK(query, reference, kk);
  if (!refIncludesQuery) return [distances, indices];
  const nq = query.shape[0];
  const I = new Int32Array(nq * k), D = new Float32Array(nq * k);
  for (let i = 0; i < nq; i++) {
    let skip = kk - 1;
    for (let c = 0; c < kk; c++) if (indices[i * kk + c] === i) { skip = c; break; }
    for (let c = 0, o = 0; c < kk; c++) {
      if (c === skip) continue;
      I[i * k + o] = indices[i * kk + c];
      D[i * k + o++] = distances[i * kk + c];
    }
  }
  return [D, I];
}

function viaTopK(query: Tensor, reference: Tensor, k: number): KnnResult {
  const { indices, distances } = noGrad(() => batchedTopK(query, reference, k, { metric: 'sqeuclidean', blockSize: TILE_REFS }));
  return [distances, indices];
}

/** The row path, the query's own row (query i is reference i) skipped as exactKnn does. */
function viaRows(query: Tensor, reference: Tensor, k: number, skipSelf: boolean): KnnResult {
  const fn = 'AccuracyCalculator.getAccuracy';
  const dist = resolveMetric(fn, 'sqeuclidean');
  const [nq, d] = query.shape, nr = reference.shape[0];
  const qb = Math.max(1, Math.min(nq, Math.floor(ROW_BUDGET / nr)));
  const D = new Float32Array(nq * k), I = new Int32Array(nq * k);
  const keys = new Float64Array(nr);
  const kk = k + (skipSelf ? 1 : 0);
  noGrad(() => {
    for (let q0 = 0; q0 < nq; q0 += qb) {
      const nqb = Math.min(qb, nq - q0);
      const rows = tidy(() => {
        const qBlock = slice(query, q0, nqb, d);
        const out = new Float32Array(nqb * nr);
        for (let r0 = 0; r0 < nr; r0 += TILE_REFS) {
          const nrb = Math.min(TILE_REFS, nr - r0);
          const tile = dist.pairwiseAs(fn, qBlock, slice(reference, r0, nrb, d)).data();
          for (let i = 0; i < nqb; i++) out.set(tile.subarray(i * nrb, (i + 1) * nrb), i * nr + r0);
        }
        return out;
      });
      const bits = new Uint32Array(rows.buffer);
      for (let i = 0; i < nqb; i++) {
        // Key = the distance's float32 bits (monotonic for values ≥ 0; −0 counts as 0) then the
        // index: one native numeric sort orders by distance with ties to the lower index.
        for (let j = 0; j < nr; j++) {
          const b = bits[i * nr + j];
          keys[j] = (b >= 0x80000000 ? 0 : b) * INDEX_SPAN + j;
        }
        if (kk < nr) selectSmallest(keys, kk);
        keys.subarray(0, kk).sort();
        const self = skipSelf ? q0 + i : -1;
        // Skipping the query among the first k + 1, or else taking the first k, is PML's
        // return_results (which drops the last of k + 1 when the query is not among them).
        for (let c = 0, o = (q0 + i) * k, end = o + k; o < end; c++) {
          const j = keys[c] % INDEX_SPAN;
          if (j === self) continue;
          I[o] = j;
          D[o++] = rows[i * nr + j];
        }
      }
    }
  });
  return [D, I];
}

/** Puts the m smallest of a (distinct values) first, in any order: quickselect, O(a.length). */
function selectSmallest(a: Float64Array, m: number): void {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    // Median of three keeps sorted rows from going quadratic.
    const mid = (lo + hi) >>> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (m - 1 <= j) hi = j;
    else if (m - 1 >= i) lo = i;
    else return;
  }
}

/** Rows [r0, r0 + n) of t [*, d] as a tensor (t itself when that is all of it). */
function slice(t: Tensor, r0: number, n: number, d: number): Tensor {
  if (r0 === 0 && n === t.shape[0]) return t;
  const out = empty([n, d]);
  getEngine().k.f32_copy(t.ptr + r0 * d * 4, out.ptr, n * d);
  return out;
}
