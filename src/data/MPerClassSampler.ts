// pytorch-metric-learning's MPerClassSampler: each batch holds batchSize / m classes drawn
// at random, with m samples of each (drawn with replacement only when a class has fewer than
// m members, as pml's safe_random_choice).
import { Rng } from '../random';
import { checkCount, checkLabels, indicesByLabel, ownRng } from './labels';
import { checkOptions } from '../options';

export interface MPerClassSamplerOptions {
  /** Seeds the sampler's own generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
  /** Samples per epoch before it is cut to a multiple of batchSize (pml's default 100000). */
  lengthBeforeNewIter?: number;
}

/**
 * Iterable of Int32Array batches of indices into `labels`; every iteration is a new epoch of
 * `length / batchSize` batches. Rules as pml: batchSize a multiple of m, m · (number of
 * classes) ≥ batchSize, lengthBeforeNewIter ≥ batchSize; `length` (pml's __len__) is the
 * number of samples per epoch, lengthBeforeNewIter rounded down to a multiple of batchSize.
 * @example for (const idx of new sl.data.MPerClassSampler(labels, 4, 64, { seed: 1 })) { … }
 */
export class MPerClassSampler implements Iterable<Int32Array> {
  readonly m: number;
  readonly batchSize: number;
  /** Samples per epoch (pml's len(sampler)). */
  readonly length: number;
  private readonly byLabel: Int32Array[];
  private readonly rng: Rng;

  constructor(labels: ArrayLike<number>, m: number, batchSize: number, options: MPerClassSamplerOptions = {}) {
    const fn = 'MPerClassSampler';
    checkOptions(fn, options, { seed: 'any', lengthBeforeNewIter: 'any' });
    const lab = checkLabels(fn, labels);
    this.m = checkCount(fn, 'm', m);
    this.batchSize = checkCount(fn, 'batchSize', batchSize);
    const listSize = checkCount(fn, 'lengthBeforeNewIter', options.lengthBeforeNewIter ?? 100000);
    this.byLabel = [...indicesByLabel(lab).values()];
    if (batchSize % m !== 0) throw new Error(`${fn}: m = ${m} must divide batchSize = ${batchSize} without remainder`);
    if (m * this.byLabel.length < batchSize) {
      throw new Error(
        `${fn}: m · (number of classes) = ${m} · ${this.byLabel.length} = ${m * this.byLabel.length} must be ≥ batchSize = ${batchSize} (a batch needs ${batchSize / m} classes)`,
      );
    }
    if (listSize < batchSize) throw new Error(`${fn}: lengthBeforeNewIter = ${listSize} must be ≥ batchSize = ${batchSize}`);
    this.length = listSize - (listSize % batchSize);
    this.rng = ownRng('MPerClassSampler', options.seed);
  }

  get batchesPerEpoch(): number {
    return this.length / this.batchSize;
  }

  *[Symbol.iterator](): Iterator<Int32Array> {
    const { m, batchSize, rng } = this;
    const classesPerBatch = batchSize / m;
    const order = Int32Array.from(this.byLabel.keys());
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      rng.shuffle(order);
      const batch = new Int32Array(batchSize);
      for (let c = 0; c < classesPerBatch; c++) {
        const members = this.byLabel[order[c]];
        if (members.length < m) {
          for (let t = 0; t < m; t++) batch[c * m + t] = members[rng.int(members.length)];
        } else {
          // m distinct members: a partial Fisher–Yates over a copy.
          const pool = members.slice();
          for (let t = 0; t < m; t++) {
            const j = t + rng.int(pool.length - t);
            const x = pool[j]; pool[j] = pool[t]; pool[t] = x;
            batch[c * m + t] = pool[t];
          }
        }
      }
      yield batch;
    }
  }
}
