// pytorch-metric-learning's HDCMiner (Hard-Aware Deeply Cascaded embedding, Yuan et al. 2017):
// keeps the hardest filterPercentage of the positive pairs and of the negative pairs.
import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { f32 } from '../wasm/instance';
import { convertToPairs, type PairTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import { checkLabels, checkTuples, type Labels, type Tuples } from '../tuples/batch';
import { BaseMiner } from './base-miner';
import { SCRATCH_PAIRS, pairValues, pairsAt, type PairValues } from './pair-values';

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
      // a view, not a copy: nothing below calls into wasm, so its memory cannot grow and detach it
      const mat = f32().subarray(x.mat.ptr >>> 2, (x.mat.ptr >>> 2) + x.mat.size);
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
   * a radix selection (O(count)), then everything beyond it and, in pair order, the ties at it.
   */
  private hardest(vals: Float64Array, largest: boolean): Int32Array {
    const k = Math.ceil(this.filterPercentage * vals.length);
    if (k === 0) return new Int32Array(0);
    // the k-th largest is the (count − k)-th smallest: no negated copy; s·v < s·kth is "beyond
    // it" either way (negation is exact)
    const kth = kthSmallest(vals, largest ? vals.length - k : k - 1);
    const s = largest ? -1 : 1, lim = s * kth;
    // every value beyond the k-th, then the earliest ties up to k, in index order
    let ties = k;
    for (let t = 0; t < vals.length; t++) if (s * vals[t] < lim) ties--;
    const keep = new Int32Array(k);
    let c = 0;
    for (let t = 0; t < vals.length; t++) {
      const v = s * vals[t];
      if (v < lim) keep[c++] = t;
      else if (v === lim && ties > 0) (keep[c++] = t), ties--;
    }
    return keep;
  }
}

/** Float32 keys of the selection, in a buffer kept between calls up to SCRATCH_PAIRS values (as pairValues' arrays). */
let keyBuf = new Uint32Array(0);
const bitsOf = new Uint32Array(1), floatOf = new Float32Array(bitsOf.buffer);

/**
 * The value of rank `rank` (0-based) in ascending order of vals (float32 values: the matrix's
 * entries), by a radix selection on their bits mapped to unsigned order (negative floats
 * flipped, positive ones with the sign bit set): three passes of 11, 11 and 10 bits, each
 * counting only the values that share the digits found so far. O(count), no data-dependent
 * pivot, and no reordering of vals.
 */
function kthSmallest(vals: Float64Array, rank: number): number {
  const n = vals.length;
  if (n <= SCRATCH_PAIRS && keyBuf.length < n) keyBuf = new Uint32Array(n);
  const keys = n > SCRATCH_PAIRS ? new Uint32Array(n) : keyBuf.subarray(0, n);
  new Float32Array(keys.buffer, keys.byteOffset, n).set(vals);
  for (let t = 0; t < n; t++) {
    const b = keys[t];
    keys[t] = b & 0x80000000 ? ~b : b | 0x80000000;
  }
  let prefix = 0, mask = 0;
  for (const [shift, bits] of [[21, 11], [10, 11], [0, 10]]) {
    const hist = new Int32Array(1 << bits), digit = (1 << bits) - 1;
    for (let t = 0; t < n; t++) {
      const key = keys[t];
      if ((key & mask) === prefix) hist[(key >>> shift) & digit]++;
    }
    let b = 0;
    while (rank >= hist[b]) rank -= hist[b++];
    prefix |= b << shift;
    mask |= digit << shift;
  }
  bitsOf[0] = prefix & 0x80000000 ? prefix & 0x7fffffff : ~prefix;
  return floatOf[0];
}
