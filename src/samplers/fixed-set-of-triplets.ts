// pytorch-metric-learning's FixedSetOfTriplets: numTriplets (anchor, positive, negative)
// triplets drawn once, at construction; every epoch is the same triplets in a new order,
// flattened, so batches of a multiple of 3 hold whole triplets. For training from triplet
// ground truth alone.
import { checkCount, checkLabels, indicesByLabel, ownRng } from '../data/labels';
import { checkOptions } from '../options';
import { Rng } from '../random';
import { IndexSampler, safeRandomChoice } from './index-sampler';

export interface FixedSetOfTripletsOptions {
  /** The label of every dataset item (required; at least two distinct labels). */
  labels: ArrayLike<number>;
  /** How many triplets (required, ≥ 1). */
  numTriplets: number;
  /** Seeds the sampler's generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
}

/**
 * Each triplet: two distinct classes at random, anchor and positive from the first (the same
 * item only when the class has one member), the negative from the second.
 * @example
 * const sampler = new sl.samplers.FixedSetOfTriplets({ labels, numTriplets: 1000, seed: 0 });
 * for (const batch of sampler.batches(96)) { ... } // 32 whole triplets per batch
 */
export class FixedSetOfTriplets extends IndexSampler {
  readonly name = 'FixedSetOfTriplets';
  readonly numTriplets: number;
  /** The triplets, row-major [numTriplets, 3] (a, p, n); each epoch shuffles the rows in place, as PML. */
  readonly fixedSetOfTriplets: Int32Array;
  private readonly rng: Rng;

  constructor(options: FixedSetOfTripletsOptions) {
    const fn = 'FixedSetOfTriplets';
    const o = checkOptions<FixedSetOfTripletsOptions>(fn, options, { labels: 'array', numTriplets: 'integer', seed: 'number' });
    if (o.labels === undefined) throw new TypeError(`${fn}: option labels is required (the label of every dataset item)`);
    const byLabel = [...indicesByLabel(checkLabels(fn, o.labels, 'labels')).values()];
    const num = checkCount(fn, 'numTriplets', o.numTriplets);
    if (byLabel.length < 2) throw new Error(`${fn}: labels hold ${byLabel.length} distinct label(s); a triplet needs two`);
    super();
    this.numTriplets = num;
    this.rng = ownRng('FixedSetOfTriplets', o.seed);
    const rng = this.rng;
    const t = new Int32Array(num * 3);
    for (let i = 0; i < num; i++) {
      const [ca, cn] = safeRandomChoice(rng, Int32Array.from(byLabel.keys()), 2);
      const [a, p] = safeRandomChoice(rng, byLabel[ca], 2);
      t[3 * i] = a;
      t[3 * i + 1] = p;
      t[3 * i + 2] = byLabel[cn][rng.int(byLabel[cn].length)];
    }
    this.fixedSetOfTriplets = t;
  }

  get length(): number {
    return this.numTriplets * 3;
  }

  indices(): Int32Array {
    const t = this.fixedSetOfTriplets;
    for (let i = this.numTriplets - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      for (let c = 0; c < 3; c++) {
        const x = t[3 * i + c];
        t[3 * i + c] = t[3 * j + c];
        t[3 * j + c] = x;
      }
    }
    return t.slice();
  }
}
