// Shared by the pair learners: their inputs (pairs [m, 2, d] and labels ±1, or class labels
// turned into pairs by positiveNegativePairs) and their option specs.
import type { Rng } from '../random';
import { positiveNegativePairs } from './constraints';
import { gatherTuples, toLabels, toMatrix, toPairLabels, toTuples, type Tuples } from './input';

/** Pairs and their labels for a weakly supervised fit. */
export function pairsInput(fn: string, pairs: unknown, y: unknown): { t: Tuples; y: Int8Array } {
  const t = toTuples(fn, 'pairs', pairs, 2, 'pairs');
  return { t, y: toPairLabels(fn, y, t.m) };
}

/** Pairs drawn from class labels (metric-learn's *_Supervised): nConstraints default 20·C². */
export function pairsFromLabels(fn: string, X: unknown, y: unknown, nConstraints: number | null, rng: Rng, sameLength = false): { t: Tuples; y: Int8Array; quadruplets: Int32Array } {
  const x = toMatrix(fn, 'X', X, 2);
  const labels = toLabels(fn, 'y', y, x.n, true);
  const C = new Set(Array.from(labels)).size;
  const n = nConstraints ?? 20 * C * C;
  const { a, b, c, d } = positiveNegativePairs(fn, labels, n, rng, sameLength);
  const idx = new Int32Array(2 * (a.length + c.length));
  for (let i = 0; i < a.length; i++) {
    idx[2 * i] = a[i];
    idx[2 * i + 1] = b[i];
  }
  for (let i = 0; i < c.length; i++) {
    idx[2 * (a.length + i)] = c[i];
    idx[2 * (a.length + i) + 1] = d[i];
  }
  const yy = new Int8Array(a.length + c.length).fill(1);
  yy.fill(-1, a.length);
  const quadruplets = new Int32Array(4 * Math.min(a.length, c.length));
  for (let i = 0; i < quadruplets.length / 4; i++) quadruplets.set([a[i], b[i], c[i], d[i]], 4 * i);
  return { t: gatherTuples(x, idx, 2), y: yy, quadruplets };
}

/** The rows of the pairs, stacked: (np.vstack(pairs)) [2m, d]. */
export function pairPoints(t: Tuples): Float64Array {
  return t.data;
}
