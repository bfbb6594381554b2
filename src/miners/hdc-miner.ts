// pytorch-metric-learning's HDCMiner (Hard-Aware Deeply Cascaded embedding, Yuan et al. 2017):
// keeps the hardest filterPercentage of the positive pairs and of the negative pairs.
import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { convertToPairs, type PairTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import { checkLabels, checkTuples, type Labels, type Tuples } from '../tuples/batch';
import { BaseMiner } from './base-miner';
import { pairValues, pairsAt, type PairValues } from './pair-values';

export interface HDCMinerOptions {
  /** Fraction of each kind of pair kept (ceil of it times the count). Default 0.5. */
  filterPercentage?: number;
  /** Default LpDistance(). */
  distance?: Distance;
}

/**
 * Pairs [a1, p, a2, n]: the ⌈f·P⌉ positive pairs with the largest distances (smallest
 * similarities) and the ⌈f·N⌉ negative pairs with the smallest distances (largest
 * similarities), from every pair of the batch or from pairs set with setIdxExternally().
 * As PML, externally set pairs are replaced by what each call keeps (cascading).
 * @example
 * const pairs = new sl.miners.HDCMiner({ filterPercentage: 0.3 }).mine(embeddings, labels);
 */
export class HDCMiner extends BaseMiner {
  readonly filterPercentage: number;
  private pairs: PairTuples | null = null;
  private wasSetExternally = false;

  constructor(options: HDCMinerOptions = {}) {
    const fn = 'HDCMiner';
    const o = checkOptions<HDCMinerOptions>(fn, options, { filterPercentage: 'number', distance: 'object' });
    super(fn, o.distance);
    this.filterPercentage = o.filterPercentage ?? 0.5;
    if (!(this.filterPercentage >= 0 && this.filterPercentage <= 1)) {
      throw new Error(`${fn}: filterPercentage must be in [0, 1], got ${this.filterPercentage}`);
    }
  }

  /** Mine from these tuples (triplets become their (a, p) and (a, n) pairs) instead of every pair. */
  setIdxExternally(tuples: Tuples, labels: Labels): void {
    const lab = checkLabels(`${this.name}.setIdxExternally`, labels, labels.length);
    this.pairs = convertToPairs(checkTuples(`${this.name}.setIdxExternally`, tuples, lab.length, Number.MAX_SAFE_INTEGER), lab);
    this.wasSetExternally = true;
  }

  /** Back to mining every pair of each batch. */
  resetIdx(): void {
    this.pairs = null;
    this.wasSetExternally = false;
  }

  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): PairTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => {
      const mat = x.mat.data();
      const inv = this.distance.isInverted;
      let pos: PairValues, neg: PairValues;
      if (this.wasSetExternally) {
        const [a1, p, a2, n] = checkTuples(`${this.name}.mine`, this.pairs!, x.n, x.m) as PairTuples;
        const valued = (rows: Int32Array, cols: Int32Array) => ({ rows, cols, vals: Float64Array.from(rows, (r, t) => mat[r * x.m + cols[t]]) });
        (pos = valued(a1, p)), (neg = valued(a2, n));
      } else {
        (pos = pairValues(mat, x, true)), (neg = pairValues(mat, x, false));
      }
      // positives: the largest distances are the hardest; negatives: the smallest
      const [ka1, kp] = pairsAt(pos, this.hardest(pos.vals, !inv));
      const [ka2, kn] = pairsAt(neg, this.hardest(neg.vals, inv));
      this.pairs = [ka1, kp, ka2, kn];
      return [ka1.slice(), kp.slice(), ka2.slice(), kn.slice()];
    });
  }

  /**
   * Positions of the ⌈f·count⌉ largest (or smallest) values, as torch.topk: the k-th value by
   * selection (O(count)), then everything beyond it and, in pair order, the ties at it.
   */
  private hardest(vals: Float64Array, largest: boolean): Int32Array {
    const k = Math.ceil(this.filterPercentage * vals.length);
    if (k === 0) return new Int32Array(0);
    const key = largest ? vals.map((v) => -v) : vals; // read only: the selection works on a copy
    const kth = kthSmallest(key.slice(), k - 1);
    // every value below the k-th, then the earliest ties up to k, in index order
    let ties = k;
    for (let t = 0; t < key.length; t++) if (key[t] < kth) ties--;
    const keep = new Int32Array(k);
    let c = 0;
    for (let t = 0; t < key.length; t++) {
      if (key[t] < kth) keep[c++] = t;
      else if (key[t] === kth && ties > 0) (keep[c++] = t), ties--;
    }
    return keep;
  }
}

/** The value of rank `rank` (0-based) in ascending order; reorders `a` (Hoare's quickselect). */
function kthSmallest(a: Float64Array, rank: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (rank <= j) hi = j;
    else if (rank >= i) lo = i;
    else return a[rank];
  }
  return a[rank];
}
