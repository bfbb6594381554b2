// pytorch-metric-learning's BatchedDistance: the distance matrix of a large query set one
// block of query rows at a time, handed to a callback, so that only a [batchSize, m] block
// is ever held (k-NN over a big reference, mining over a memory bank).
import { Tensor, composite, tidy } from '../autograd/tensor';
import { narrowRows } from '../ops/narrow';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';
import { checkPair, describe } from './validate';

/** Receives one block: rows start..end−1 of the query against every reference row. */
export type BatchedDistanceIterFn = (mat: Tensor, start: number, end: number) => void;

export interface BatchedDistanceOptions {
  /** The distance computed per block (required). */
  distance: BaseDistance;
  /** Called with each block; the block tensor is disposed when the call returns. */
  iterFn?: BatchedDistanceIterFn | null;
  /** Query rows per block. Default 32. */
  batchSize?: number;
}

/**
 * Calls `iterFn(mat, start, end)` for start = 0, batchSize, 2·batchSize, … < n, with
 * mat = distance.pairwise(query[start:end], ref) and end = start + batchSize (not clipped to n,
 * as in pytorch-metric-learning: the last block may have fewer than end − start rows).
 * Reading other properties (isInverted, margin, …) goes to the wrapped distance.
 * @example
 * // nearest reference row of every query row, 64 query rows at a time
 * const nearest = new Int32Array(query.shape[0]);
 * const iterFn = (mat: sl.Tensor, start: number) => {
 *   const d = mat.data(), m = mat.shape[1];
 *   for (let i = 0; i < mat.shape[0]; i++) {
 *     let best = 0;
 *     for (let j = 1; j < m; j++) if (d[i * m + j] < d[i * m + best]) best = j;
 *     nearest[start + i] = best;
 *   }
 * };
 * new sl.distances.BatchedDistance({ distance: new sl.distances.LpDistance(), iterFn, batchSize: 64 }).forward(query, ref);
 */
export class BatchedDistance {
  readonly distance: BaseDistance;
  iterFn: BatchedDistanceIterFn | null;
  readonly batchSize: number;

  constructor(options: BatchedDistanceOptions) {
    const fn = 'BatchedDistance';
    const o = checkOptions<BatchedDistanceOptions>(fn, options, { distance: 'object', iterFn: ['function', 'null'], batchSize: 'integer' });
    if (!(o.distance instanceof BaseDistance)) throw new TypeError(`${fn}: option distance must be a distance object (sl.distances.*), got ${describe(o.distance)}`);
    const batchSize = o.batchSize ?? 32;
    if (batchSize < 1) throw new RangeError(`${fn}: option batchSize must be a positive integer, got ${batchSize}`);
    this.distance = o.distance;
    this.iterFn = o.iterFn ?? null;
    this.batchSize = batchSize;
  }

  get isInverted(): boolean {
    return this.distance.isInverted;
  }

  get normalizeEmbeddings(): boolean {
    return this.distance.normalizeEmbeddings;
  }

  get power(): number {
    return this.distance.power;
  }

  get p(): number {
    return this.distance.p;
  }

  get name(): string {
    return 'BatchedDistance';
  }

  /** Blocks of query [n, d] against ref [m, d] (default: query itself), in order. */
  forward(query: Tensor, ref?: Tensor | null): void {
    const fn = 'BatchedDistance.forward';
    const iterFn = this.iterFn;
    if (iterFn === null) throw new Error(`${fn}: no iterFn was given to the constructor (set iterFn to receive the blocks)`);
    const r = ref ?? query;
    checkPair(fn, query, r, 'pairwise');
    const n = query.shape[0];
    for (let s = 0; s < n; s += this.batchSize) {
      const e = s + this.batchSize;
      // The block (and whatever iterFn makes) is freed when iterFn returns; sl.keep() what
      // should outlive it.
      tidy(() => {
        const mat = composite(() => this.distance.pairwiseAs(fn, narrowRows(query, s, Math.min(e, n)), r));
        iterFn(mat, s, e);
      });
    }
  }

  margin(a: Tensor | number, b: Tensor | number): Tensor | number {
    return this.distance.margin(a, b);
  }

  moreSimilar(a: number, b: number, orEqual = false): boolean {
    return this.distance.moreSimilar(a, b, orEqual);
  }

  smallestDist(values: ArrayLike<number>): number {
    return this.distance.smallestDist(values);
  }

  largestDist(values: ArrayLike<number>): number {
    return this.distance.largestDist(values);
  }

  normalize(x: Tensor): Tensor {
    return this.distance.normalize(x);
  }
}
