// What pytorch-metric-learning's index samplers (MPerClassSampler, FixedSetOfTriplets,
// TuplesToWeightsSampler) share: each iteration is a new epoch of dataset indices, drawn
// with the sampler's own seeded generator, read one by one (a torch Sampler) or cut into
// batches the way a DataLoader with `batch_size` does, for sl.train.fit's { dataset, sampler }.
import { Rng } from '../random';
import { checkCount } from '../data/labels';

export abstract class IndexSampler implements Iterable<number> {
  /** Class name used in error messages. */
  abstract readonly name: string;
  /** PML's len(sampler): the number of indices of one epoch. */
  abstract readonly length: number;

  /** A new epoch of indices (a fresh draw on every call). */
  abstract indices(): Int32Array;

  *[Symbol.iterator](): Iterator<number> {
    yield* this.indices();
  }

  /**
   * Re-iterable batches of `batchSize` consecutive indices of a new epoch on every pass (the
   * last one shorter unless dropLast), as DataLoader(sampler=…, batch_size=…).
   */
  batches(batchSize: number, dropLast = false): Iterable<Int32Array> {
    const size = checkCount(`${this.name}.batches`, 'batchSize', batchSize);
    const self = this;
    return {
      *[Symbol.iterator]() {
        const idx = self.indices();
        for (let s = 0; s < idx.length; s += size) {
          if (dropLast && s + size > idx.length) break;
          yield idx.slice(s, s + size);
        }
      },
    };
  }
}

/**
 * `size` members of `pool` drawn at random: distinct when the pool has that many, with
 * replacement when it has fewer (PML's safe_random_choice).
 */
export function safeRandomChoice(rng: Rng, pool: ArrayLike<number>, size: number): Int32Array {
  const out = new Int32Array(size);
  if (pool.length < size) {
    for (let t = 0; t < size; t++) out[t] = pool[rng.int(pool.length)];
    return out;
  }
  // partial Fisher–Yates over a copy
  const copy = Int32Array.from(pool);
  for (let t = 0; t < size; t++) {
    const j = t + rng.int(copy.length - t);
    const x = copy[j];
    copy[j] = copy[t];
    copy[t] = x;
    out[t] = x;
  }
  return out;
}
