// Pairs and triplets of indices drawn from class labels, for Siamese (x₁, x₂, same) and
// Triplet (anchor, positive, negative) training without a miner.
import { checkCount, checkLabels, indicesByLabel, ownRng } from './labels';
import { checkOptions } from '../options';

export interface PairOptions {
  seed?: number;
  /** Fraction of same-class pairs (default 0.5, rounded to the nearest count). */
  positiveFraction?: number;
}

export interface Pairs {
  a: Int32Array;
  b: Int32Array;
  /** 1 when labels[a[i]] === labels[b[i]], else 0. */
  same: Int32Array;
}

export interface Triplets {
  anchors: Int32Array;
  positives: Int32Array;
  negatives: Int32Array;
}

function pools(fn: string, labels: ArrayLike<number>) {
  const lab = checkLabels(fn, labels);
  const byLabel = [...indicesByLabel(lab).values()];
  const withPartner = byLabel.filter((m) => m.length >= 2);
  if (withPartner.length === 0) throw new Error(`${fn}: no class has two members, so no same-class pair exists`);
  if (byLabel.length < 2) throw new Error(`${fn}: all ${lab.length} labels are one class, so no different-class pair exists`);
  return { byLabel, withPartner };
}

/**
 * `count` random pairs: the positives from one class (two distinct members), the negatives
 * from two different classes, shuffled together. Classes are drawn uniformly, then members.
 * @example const { a, b, same } = sl.data.makePairs(labels, 1000, { seed: 1 })
 */
export function makePairs(labels: ArrayLike<number>, count: number, options: PairOptions = {}): Pairs {
  const fn = 'makePairs';
  checkOptions(fn, options, { seed: 'any', positiveFraction: 'number' });
  const { byLabel, withPartner } = pools(fn, labels);
  checkCount(fn, 'count', count);
  const frac = options.positiveFraction ?? 0.5;
  if (!(frac >= 0 && frac <= 1)) throw new Error(`${fn}: positiveFraction must be in [0, 1], got ${frac}`);
  const rng = ownRng(fn, options.seed);
  const nPos = Math.round(count * frac);
  const same = new Int32Array(count);
  for (let i = 0; i < nPos; i++) same[i] = 1;
  rng.shuffle(same);
  const a = new Int32Array(count), b = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (same[i]) {
      const m = withPartner[rng.int(withPartner.length)];
      const s = rng.int(m.length);
      const t = (s + 1 + rng.int(m.length - 1)) % m.length;
      a[i] = m[s];
      b[i] = m[t];
    } else {
      const c1 = rng.int(byLabel.length);
      const c2 = (c1 + 1 + rng.int(byLabel.length - 1)) % byLabel.length;
      a[i] = byLabel[c1][rng.int(byLabel[c1].length)];
      b[i] = byLabel[c2][rng.int(byLabel[c2].length)];
    }
  }
  return { a, b, same };
}

/**
 * `count` random triplets: anchor and positive two distinct members of one class (among the
 * classes with two or more), negative from another class.
 * @example const { anchors, positives, negatives } = sl.data.makeTriplets(labels, 500, { seed: 2 })
 */
export function makeTriplets(labels: ArrayLike<number>, count: number, options: { seed?: number } = {}): Triplets {
  const fn = 'makeTriplets';
  checkOptions(fn, options, { seed: 'any' });
  const { byLabel, withPartner } = pools(fn, labels);
  checkCount(fn, 'count', count);
  const rng = ownRng(fn, options.seed);
  const classOf = new Map(byLabel.map((m, c) => [m, c]));
  const anchors = new Int32Array(count), positives = new Int32Array(count), negatives = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const m = withPartner[rng.int(withPartner.length)];
    const s = rng.int(m.length);
    anchors[i] = m[s];
    positives[i] = m[(s + 1 + rng.int(m.length - 1)) % m.length];
    const c2 = (classOf.get(m)! + 1 + rng.int(byLabel.length - 1)) % byLabel.length;
    negatives[i] = byLabel[c2][rng.int(byLabel[c2].length)];
  }
  return { anchors, positives, negatives };
}
