// The positional form of pytorch-metric-learning's MPerClassSampler that sl.train.fit's
// examples use: (labels, m, batchSize, { seed, lengthBeforeNewIter }), iterated as batches.
// The draws are sl.samplers.MPerClassSampler's, with batchSize set.
import { checkCount, checkLabels } from './labels';
import { checkOptions } from '../options';
import { checkSeed } from '../random';
import { MPerClassSampler as PmlMPerClassSampler } from '../samplers/m-per-class-sampler';

export interface MPerClassSamplerOptions {
  /** Seeds the sampler's own generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
  /** Samples per epoch before it is cut to a multiple of batchSize (pml's default 100000). */
  lengthBeforeNewIter?: number;
}

/**
 * Iterable of Int32Array batches of indices into `labels`; every iteration is a new epoch of
 * `length / batchSize` batches, each of batchSize / m classes drawn at random with m samples of
 * each (with replacement only when a class has fewer than m members, as pml's
 * safe_random_choice). Rules as pml: batchSize a multiple of m, m · (number of classes) ≥
 * batchSize, lengthBeforeNewIter ≥ batchSize; `length` (pml's __len__) is the number of samples
 * per epoch, lengthBeforeNewIter rounded down to a multiple of batchSize.
 * @example for (const idx of new sl.data.MPerClassSampler(labels, 4, 64, { seed: 1 })) { … }
 */
export class MPerClassSampler implements Iterable<Int32Array> {
  readonly m: number;
  readonly batchSize: number;
  /** Samples per epoch (pml's len(sampler)). */
  readonly length: number;
  private readonly sampler: PmlMPerClassSampler;

  constructor(labels: ArrayLike<number>, m: number, batchSize: number, options: MPerClassSamplerOptions = {}) {
    const fn = 'MPerClassSampler';
    const o = checkOptions<MPerClassSamplerOptions>(fn, options, { seed: 'any', lengthBeforeNewIter: 'any' });
    const lab = checkLabels(fn, labels);
    // this form's errors name the positional arguments and the seed as sl.randn's do
    if (o.seed !== undefined) checkSeed(fn, o.seed);
    if (o.lengthBeforeNewIter !== undefined) checkCount(fn, 'lengthBeforeNewIter', o.lengthBeforeNewIter);
    this.batchSize = checkCount(fn, 'batchSize', batchSize);
    this.sampler = new PmlMPerClassSampler({ labels: lab, m, batchSize, ...o });
    this.m = this.sampler.m;
    this.length = this.sampler.length;
  }

  get batchesPerEpoch(): number {
    return this.length / this.batchSize;
  }

  [Symbol.iterator](): Iterator<Int32Array> {
    return this.sampler.batches(this.batchSize)[Symbol.iterator]();
  }
}
