// pytorch-metric-learning's UniformHistogramMiner: the positive (and negative) pair distances
// are split into numBins equal-width bins between their min and max, and posPerBin (negPerBin)
// pairs are drawn uniformly with replacement from every non-empty bin, so the mined pairs
// cover the range of distances evenly. Draws come from the miner's own seeded generator.
import { Tensor } from '../autograd/tensor';
import { ownRng } from '../data/labels';
import { checkOptions } from '../options';
import { Rng } from '../random';
import type { PairTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import type { Labels } from '../tuples/batch';
import { BaseMiner } from './base-miner';
import { pairValues, pairsAt } from './pair-values';

export interface UniformHistogramMinerOptions {
  /** Default 100. */
  numBins?: number;
  /** Positive pairs drawn per non-empty bin. Default 10. */
  posPerBin?: number;
  /** Negative pairs drawn per non-empty bin. Default 10. */
  negPerBin?: number;
  /** Default LpDistance(). */
  distance?: Distance;
  /** Seeds the miner's generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
}

/**
 * Pairs [a1, p, a2, n], bin by bin in ascending order of distance. Bin i holds the values v
 * with e_i ≤ v < e_(i+1) (≤ for the last bin), e = linspace(min, max, numBins + 1) as torch.
 * @example
 * const pairs = new sl.miners.UniformHistogramMiner({ numBins: 50, posPerBin: 5, negPerBin: 5, seed: 0 }).mine(embeddings, labels);
 */
export class UniformHistogramMiner extends BaseMiner {
  readonly numBins: number;
  readonly posPerBin: number;
  readonly negPerBin: number;
  private readonly rng: Rng;

  constructor(options: UniformHistogramMinerOptions = {}) {
    const fn = 'UniformHistogramMiner';
    const o = checkOptions<UniformHistogramMinerOptions>(fn, options, {
      numBins: 'integer', posPerBin: 'integer', negPerBin: 'integer', distance: 'object', seed: 'number',
    });
    super(fn, o.distance);
    this.numBins = o.numBins ?? 100;
    this.posPerBin = o.posPerBin ?? 10;
    this.negPerBin = o.negPerBin ?? 10;
    for (const key of ['numBins', 'posPerBin', 'negPerBin'] as const) {
      if (this[key] < 1) throw new Error(`${fn}: ${key} must be an integer ≥ 1, got ${this[key]}`);
    }
    this.rng = ownRng('UniformHistogramMiner', o.seed);
  }

  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): PairTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => {
      const mat = x.mat.data();
      const pos = pairValues(mat, x, true), neg = pairValues(mat, x, false);
      const [ka1, kp] = pairsAt(pos, this.uniformPicks(pos.vals, this.posPerBin));
      const [ka2, kn] = pairsAt(neg, this.uniformPicks(neg.vals, this.negPerBin));
      return [ka1, kp, ka2, kn];
    });
  }

  /** Positions of the drawn values: perBin uniform draws with replacement from each non-empty bin. */
  private uniformPicks(vals: Float64Array, perBin: number): Int32Array {
    if (vals.length === 0) return new Int32Array(0);
    let lo = Infinity, hi = -Infinity;
    for (const v of vals) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const nb = this.numBins;
    const edges = linspace(lo, hi, nb + 1);
    // One pass: each value's bin from its offset, corrected against the edges themselves so
    // that e_b ≤ v < e_(b+1) (≤ in the last bin) holds exactly as PML's comparisons.
    const bin = new Int32Array(vals.length);
    const size = new Int32Array(nb);
    const width = (hi - lo) / nb;
    vals.forEach((v, t) => {
      let b = width > 0 ? Math.min(nb - 1, Math.max(0, Math.floor((v - lo) / width))) : nb - 1;
      while (b > 0 && v < edges[b]) b--;
      while (b < nb - 1 && v >= edges[b + 1]) b++;
      bin[t] = b;
      size[b]++;
    });
    const start = new Int32Array(nb + 1);
    for (let b = 0; b < nb; b++) start[b + 1] = start[b] + size[b];
    const members = new Int32Array(vals.length), fill = start.slice(0, nb);
    bin.forEach((b, t) => (members[fill[b]++] = t));
    const picked: number[] = [];
    for (let b = 0; b < nb; b++) {
      const count = size[b];
      if (count === 0) continue;
      for (let k = 0; k < perBin; k++) picked.push(members[start[b] + this.rng.int(count)]);
    }
    return Int32Array.from(picked);
  }
}

/** torch.linspace: the first half counted up from start, the second half down from end. */
export function linspace(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return out;
}
