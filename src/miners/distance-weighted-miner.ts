// pytorch-metric-learning's DistanceWeightedMiner (Wu et al. 2017, "Sampling matters in deep
// embedding learning"): negatives drawn with probability ∝ 1 / q(d), the inverse density of
// distances between points uniform on the unit sphere of dimension d,
//   log q(d) = (d − 2)·log(dist) + ((d − 3)/2)·log(1 − dist²/4),
// with distances clamped below at `cutoff` and negatives at or beyond `nonzeroLossCutoff` never
// drawn. Draws come from the miner's own seeded generator (PML's torch stream cannot be replayed).
import { Tensor } from '../autograd/tensor';
import { ownRng } from '../data/labels';
import { checkOptions } from '../options';
import { Rng } from '../random';
import type { TripletTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import type { Labels } from '../tuples/batch';
import { BaseMiner, type MineInputs } from './base-miner';
import { requireUnitL2 } from './require-distance';

export interface DistanceWeightedMinerOptions {
  /** Distances below this are raised to it (limits the variance). Default 0.5. */
  cutoff?: number;
  /** Negatives at this distance or beyond get weight 0. Default 1.4. */
  nonzeroLossCutoff?: number;
  /** Must be LpDistance() with PML's defaults (p 2, power 1, normalised), as PML asserts. */
  distance?: Distance;
  /** Seeds the miner's generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
}

/**
 * Triplets [a, p, n]: per label (ascending) with ≥ 2 members (≥ 1 in the reference) and a
 * negative, each of its anchors gets as many triplets as the label has reference members, each
 * a uniform positive (not the anchor itself) and a negative drawn by the anchor's row of
 * samplingWeights(); anchors whose row is all zero are skipped.
 * @example
 * const triplets = new sl.miners.DistanceWeightedMiner({ cutoff: 0.5, nonzeroLossCutoff: 1.4, seed: 0 }).mine(embeddings, labels);
 */
export class DistanceWeightedMiner extends BaseMiner {
  readonly cutoff: number;
  readonly nonzeroLossCutoff: number;
  private readonly rng: Rng;

  constructor(options: DistanceWeightedMinerOptions = {}) {
    const fn = 'DistanceWeightedMiner';
    const o = checkOptions<DistanceWeightedMinerOptions>(fn, options, { cutoff: 'number', nonzeroLossCutoff: 'number', distance: 'object', seed: 'number' });
    super(fn, o.distance);
    requireUnitL2(fn, this.distance);
    this.cutoff = o.cutoff ?? 0.5;
    this.nonzeroLossCutoff = o.nonzeroLossCutoff ?? 1.4;
    this.rng = ownRng('DistanceWeightedMiner', o.seed);
  }

  /**
   * The sampling weights [n, m], row-normalised: 0 for same-label pairs, distances ≥
   * nonzeroLossCutoff and non-finite log-weights; NaN rows where nothing is left (0/0, as PML).
   */
  samplingWeights(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): Float64Array {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => this.weightsOf(x, embeddings.shape[1]));
  }

  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): TripletTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => weightedTriplets(x, this.weightsOf(x, embeddings.shape[1]), this.rng));
  }

  private weightsOf(x: MineInputs, d: number): Float64Array {
    const mat = x.mat.data();
    const size = x.n * x.m;
    const logW = new Float64Array(size);
    const bad = new Uint8Array(size);
    let top = -Infinity;
    for (let t = 0; t < size; t++) {
      const dist = Math.max(mat[t], this.cutoff);
      const lw = (2 - d) * Math.log(dist) - ((d - 3) / 2) * Math.log(1 - 0.25 * dist * dist);
      if (!Number.isFinite(lw)) bad[t] = 1;
      // same-label weights are multiplied by 0 before the max, as in PML
      const i = (t / x.m) | 0, j = t - i * x.m;
      logW[t] = x.labels[i] === x.refLabels[j] ? lw * 0 : lw;
      if (!bad[t] && logW[t] > top) top = logW[t];
    }
    const w = new Float64Array(size);
    for (let i = 0; i < x.n; i++) {
      let sum = 0;
      for (let j = 0, o = i * x.m; j < x.m; j++) {
        const t = o + j;
        const keep = !bad[t] && x.labels[i] !== x.refLabels[j] && Math.max(mat[t], this.cutoff) < this.nonzeroLossCutoff;
        w[t] = keep ? Math.exp(logW[t] - top) : 0;
        sum += w[t];
      }
      for (let j = 0, o = i * x.m; j < x.m; j++) w[o + j] /= sum;
    }
    return w;
  }
}

/** PML's get_random_triplet_indices with weights: the negatives drawn by each anchor's weight row. */
function weightedTriplets(x: MineInputs, w: Float64Array, rng: Rng): TripletTuples {
  const A: number[] = [], P: number[] = [], N: number[] = [];
  for (const label of [...new Set(x.labels)].sort((u, v) => u - v)) {
    const pos: number[] = [], neg: number[] = [], anchors: number[] = [];
    x.refLabels.forEach((l, j) => (l === label ? pos : neg).push(j));
    x.labels.forEach((l, i) => l === label && anchors.push(i));
    if (pos.length < (x.self ? 2 : 1) || neg.length === 0) continue;
    for (const a of anchors) {
      const row = w.subarray(a * x.m, (a + 1) * x.m);
      let total = 0;
      for (const j of neg) total += row[j];
      if (!(total > 0)) continue; // NaN rows too
      const others = x.self ? pos.filter((j) => j !== a) : pos;
      for (let t = 0; t < pos.length; t++) {
        A.push(a);
        P.push(others[rng.int(others.length)]);
        N.push(drawOne(rng, row, neg, total));
      }
    }
  }
  return [Int32Array.from(A), Int32Array.from(P), Int32Array.from(N)];
}

/** One of `items` drawn with probability row[item] / total. */
function drawOne(rng: Rng, row: Float64Array, items: number[], total: number): number {
  let u = rng.uniform() * total;
  let last = items[0];
  for (const j of items) {
    if (row[j] <= 0) continue;
    last = j;
    u -= row[j];
    if (u < 0) return j;
  }
  return last;
}
