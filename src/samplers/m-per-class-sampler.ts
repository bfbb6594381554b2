// pytorch-metric-learning's MPerClassSampler with its options object: every pass shuffles the
// classes and takes m samples of each (of batchSize / m of them when batchSize is set), so
// that every batch of a DataLoader with that batchSize holds m samples of each of its classes.
import { checkCount, checkLabels, indicesByLabel, ownRng } from '../data/labels';
import { checkOptions } from '../options';
import { Rng } from '../random';
import { IndexSampler, safeRandomChoice } from './index-sampler';

export interface MPerClassSamplerOptions {
  /** The label of every dataset item (required). */
  labels: ArrayLike<number>;
  /** Samples per class (required); drawn with replacement only for a class with fewer members. */
  m: number;
  /** The batch size the indices will be cut into, or null (default): then each pass covers every class. */
  batchSize?: number | null;
  /** Indices per epoch, before rounding down to a multiple of the pass length. Default 100000. */
  lengthBeforeNewIter?: number;
  /** Seeds the sampler's generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
}

/**
 * Indices in passes of m per class, as PML: with batchSize, each consecutive run of batchSize
 * indices holds batchSize / m distinct classes, m samples each (batchSize a multiple of m,
 * m · classes ≥ batchSize ≤ lengthBeforeNewIter); without, each run of m · classes indices holds
 * every class m times. `length` is lengthBeforeNewIter rounded down to a multiple of batchSize
 * (or of m · classes when that is smaller); as in PML, when m · classes exceeds
 * lengthBeforeNewIter without a batchSize, an epoch is one whole pass, longer than `length`.
 * @example
 * const sampler = new sl.samplers.MPerClassSampler({ labels, m: 4, batchSize: 64, lengthBeforeNewIter: 8000, seed: 1 });
 * await sl.train.fit({ ..., data: { dataset, sampler: sampler.batches(64) } });
 */
export class MPerClassSampler extends IndexSampler {
  readonly name = 'MPerClassSampler';
  readonly m: number;
  readonly batchSize: number | null;
  readonly length: number;
  /** The distinct labels, in order of first appearance. */
  readonly labels: Int32Array;
  private readonly byLabel: Int32Array[];
  private readonly rng: Rng;

  constructor(options: MPerClassSamplerOptions) {
    const fn = 'MPerClassSampler';
    const o = checkOptions<MPerClassSamplerOptions>(fn, options, {
      labels: 'array', m: 'integer', batchSize: ['integer', 'null'], lengthBeforeNewIter: 'integer', seed: 'number',
    });
    if (o.labels === undefined) throw new TypeError(`${fn}: option labels is required (the label of every dataset item)`);
    const byLabel = indicesByLabel(checkLabels(fn, o.labels, 'labels'));
    const m = checkCount(fn, 'm', o.m);
    const batchSize = o.batchSize ?? null;
    let listSize = checkCount(fn, 'lengthBeforeNewIter', o.lengthBeforeNewIter ?? 100000);
    const singlePass = m * byLabel.size;
    if (batchSize === null) {
      if (singlePass < listSize) listSize -= listSize % singlePass;
    } else {
      checkCount(fn, 'batchSize', batchSize);
      if (listSize < batchSize) throw new Error(`${fn}: lengthBeforeNewIter = ${listSize} must be ≥ batchSize = ${batchSize}`);
      if (singlePass < batchSize) {
        throw new Error(`${fn}: m · (number of classes) = ${m} · ${byLabel.size} = ${singlePass} must be ≥ batchSize = ${batchSize}`);
      }
      if (batchSize % m !== 0) throw new Error(`${fn}: m = ${m} must divide batchSize = ${batchSize} without remainder`);
      listSize -= listSize % batchSize;
    }
    super();
    this.m = m;
    this.batchSize = batchSize;
    this.length = listSize;
    this.labels = Int32Array.from(byLabel.keys());
    this.byLabel = [...byLabel.values()];
    this.rng = ownRng('MPerClassSampler', o.seed);
  }

  /** Passes of the epoch: length / (batchSize or m · classes), at least 1. */
  private get numIters(): number {
    const divisor = this.batchSize ?? this.m * this.byLabel.length;
    return divisor < this.length ? Math.floor(this.length / divisor) : 1;
  }

  indices(): Int32Array {
    const { m, rng } = this;
    const classesPerPass = this.batchSize === null ? this.byLabel.length : this.batchSize / m;
    const order = Int32Array.from(this.byLabel.keys());
    const out = new Int32Array(this.numIters * classesPerPass * m);
    let i = 0;
    for (let it = 0; it < this.numIters; it++) {
      rng.shuffle(order);
      for (let c = 0; c < classesPerPass; c++, i += m) out.set(safeRandomChoice(rng, this.byLabel[order[c]], m), i);
    }
    return out;
  }

  /** Batches of batchSize (default: the batchSize option) indices of a new epoch per pass. */
  batches(batchSize?: number, dropLast = false): Iterable<Int32Array> {
    const size = batchSize ?? this.batchSize;
    if (size === null) throw new Error(`${this.name}.batches: pass a batchSize (the sampler was made with batchSize null)`);
    return super.batches(size, dropLast);
  }
}
