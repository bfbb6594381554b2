// pytorch-metric-learning's HierarchicalSampler (a batch sampler): for every combination of
// superClassesPerBatch super-classes (outer labels), batchesPerSuperTuple batches, each made of
// one sub-batch per super-class holding samplesPerClass items of as many of its classes (inner
// labels, in random order) as fit. Hard negatives come from sibling classes of the same super-class.
import { checkCount, ownRng } from '../data/labels';
import { checkOptions } from '../options';
import { Rng } from '../random';
import { safeRandomChoice } from './index-sampler';

export interface HierarchicalSamplerOptions {
  /** One row per dataset item, [inner, outer] (or more columns, picked by innerLabel / outerLabel). Required. */
  labels: ArrayLike<ArrayLike<number>>;
  /** Items per batch (required), a multiple of superClassesPerBatch. */
  batchSize: number;
  /** Items per class in a batch, or 'all' for every item of the class (required). */
  samplesPerClass: number | 'all';
  /** Batches per combination of super-classes. Default 4. */
  batchesPerSuperTuple?: number;
  /** Super-classes per batch. Default 2. */
  superClassesPerBatch?: number;
  /** Column of the class label. Default 0. */
  innerLabel?: number;
  /** Column of the super-class label. Default 1. */
  outerLabel?: number;
  /** Seeds the sampler's generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
}

/**
 * Iterable of Int32Array batches (a new draw each pass, batches in random order). `length` is
 * the number of batches: C(super-classes, superClassesPerBatch) · batchesPerSuperTuple. A batch
 * is shorter than batchSize when a super-class's classes cannot fill their sub-batch.
 * @example
 * const sampler = new sl.samplers.HierarchicalSampler({ labels: rows, batchSize: 32, samplesPerClass: 4, seed: 1 });
 * for (const batch of sampler) { ... }
 */
export class HierarchicalSampler implements Iterable<Int32Array> {
  readonly batchSize: number;
  readonly samplesPerClass: number | 'all';
  readonly batchesPerSuperTuple: number;
  readonly superClassesPerBatch: number;
  /** Items each super-class contributes at most: batchSize / superClassesPerBatch. */
  readonly subBatchLen: number;
  /** The combinations of super-class labels, each batchesPerSuperTuple batches. */
  readonly superTuples: Int32Array[];
  /** super label -> its classes' item lists. */
  private readonly bySuper: Map<number, Int32Array[]>;
  private readonly rng: Rng;

  constructor(options: HierarchicalSamplerOptions) {
    const fn = 'HierarchicalSampler';
    const o = checkOptions<HierarchicalSamplerOptions>(fn, options, {
      labels: 'array', batchSize: 'integer', samplesPerClass: ['integer', ['all']], batchesPerSuperTuple: 'integer',
      superClassesPerBatch: 'integer', innerLabel: 'integer', outerLabel: 'integer', seed: 'number',
    });
    if (o.labels === undefined) throw new TypeError(`${fn}: option labels is required (rows [inner, outer], one per item)`);
    const batchSize = checkCount(fn, 'batchSize', o.batchSize);
    if (o.samplesPerClass === undefined) throw new TypeError(`${fn}: option samplesPerClass is required (an integer ≥ 1 or 'all')`);
    const spc = o.samplesPerClass;
    const perTuple = checkCount(fn, 'batchesPerSuperTuple', o.batchesPerSuperTuple ?? 4);
    const k = checkCount(fn, 'superClassesPerBatch', o.superClassesPerBatch ?? 2);
    const inner = checkCount(fn, 'innerLabel', o.innerLabel ?? 0, 0);
    const outer = checkCount(fn, 'outerLabel', o.outerLabel ?? 1, 0);
    if (batchSize % k !== 0) throw new Error(`${fn}: batchSize = ${batchSize} must be a multiple of superClassesPerBatch = ${k}`);
    const subBatchLen = batchSize / k;
    if (spc !== 'all') {
      checkCount(fn, 'samplesPerClass', spc);
      if (subBatchLen % spc !== 0) {
        throw new Error(`${fn}: batchSize / superClassesPerBatch = ${subBatchLen} must be a multiple of samplesPerClass = ${spc}`);
      }
    }
    this.bySuper = groupRows(fn, o.labels, inner, outer);
    this.batchSize = batchSize;
    this.samplesPerClass = spc;
    this.batchesPerSuperTuple = perTuple;
    this.superClassesPerBatch = k;
    this.subBatchLen = subBatchLen;
    this.superTuples = combinations(Int32Array.from([...this.bySuper.keys()].sort((a, b) => a - b)), k);
    this.rng = ownRng('HierarchicalSampler', o.seed);
  }

  /** Number of batches per pass. */
  get length(): number {
    return this.superTuples.length * this.batchesPerSuperTuple;
  }

  /** One pass: every batch, in random order. */
  drawBatches(): Int32Array[] {
    const { rng, subBatchLen } = this;
    const batches: Int32Array[] = [];
    for (const tuple of this.superTuples) {
      for (let b = 0; b < this.batchesPerSuperTuple; b++) {
        const batch: number[] = [];
        for (const slb of tuple) {
          const classes = this.bySuper.get(slb)!;
          const order = rng.shuffle(Int32Array.from(classes.keys()));
          let len = 0;
          for (const c of order) {
            if (len >= subBatchLen) break;
            const items = classes[c];
            const take = this.samplesPerClass === 'all' ? items.length : this.samplesPerClass;
            if (len + take > subBatchLen) continue;
            for (const i of safeRandomChoice(rng, items, take)) batch.push(i);
            len += take;
          }
        }
        batches.push(rng.shuffle(Int32Array.from(batch)));
      }
    }
    return rng.shuffle(batches);
  }

  *[Symbol.iterator](): Iterator<Int32Array> {
    yield* this.drawBatches();
  }
}

/** super label -> item lists of its classes (classes in order of first appearance). */
function groupRows(fn: string, rows: ArrayLike<ArrayLike<number>>, inner: number, outer: number): Map<number, Int32Array[]> {
  const groups = new Map<number, Map<number, number[]>>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number' || row.length <= Math.max(inner, outer)) {
      throw new Error(`${fn}: labels[${i}] must be a row with columns innerLabel = ${inner} and outerLabel = ${outer}, got ${JSON.stringify(row)}`);
    }
    const lb = row[inner], slb = row[outer];
    if (!Number.isInteger(lb) || !Number.isInteger(slb)) throw new Error(`${fn}: labels[${i}] = [${Array.from(row)}]; labels must be integers`);
    let classes = groups.get(slb);
    if (!classes) groups.set(slb, (classes = new Map()));
    const items = classes.get(lb);
    if (items) items.push(i);
    else classes.set(lb, [i]);
  }
  return new Map([...groups].map(([slb, classes]) => [slb, [...classes.values()].map((v) => Int32Array.from(v))]));
}

/** Every k-subset of xs in lexicographic order (itertools.combinations). */
function combinations(xs: Int32Array, k: number): Int32Array[] {
  const out: Int32Array[] = [];
  const pick = new Int32Array(k);
  const rec = (start: number, depth: number): void => {
    if (depth === k) {
      out.push(Int32Array.from(pick, (i) => xs[i]));
      return;
    }
    for (let i = start; i <= xs.length - (k - depth); i++) {
      pick[depth] = i;
      rec(i + 1, depth + 1);
    }
  };
  rec(0, 0);
  return out;
}
