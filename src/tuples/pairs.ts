// PML's tuple bookkeeping (utils/loss_and_miner_utils.py) over plain Int32Array columns, in
// PML's order, so losses and miners built on it index the same pairs and triplets as PML:
// every pair / triplet of a batch (against a reference set or the batch itself), the
// conversions between pairs and triplets, and per-sample weights from tuples.
// Layouts: pairs [a1, p, a2, n] (positive pairs (a1, p), negative pairs (a2, n)),
// triplets [a, p, n]; anchors index the batch, the others index the reference set.
import { Rng } from '../random';
import { allPairsIndices } from './batch';

import type { PairTuples, TripletTuples } from './batch';

export type { PairTuples, TripletTuples };

/**
 * Every positive pair (same label) and negative pair (different label) between labels [n]
 * and refLabels [m], row-major (torch.where order); without refLabels the batch against
 * itself with i ≠ j for positives (lmu.get_all_pairs_indices).
 */
export function getAllPairsIndices(labels: Int32Array, refLabels: Int32Array | null = null): PairTuples {
  return allPairsIndices(labels, refLabels);
}

/** Every triplet (a, p, n): p shares a's label (p ≠ a for the batch itself), n does not; a-p-n order (lmu.get_all_triplets_indices). */
export function getAllTripletsIndices(labels: Int32Array, refLabels: Int32Array | null = null): TripletTuples {
  const ref = refLabels ?? labels;
  const self = refLabels === null;
  // per label, how many references share it: anchor i has (same − self) positives and (m − same) negatives
  const same = new Map<number, number>();
  for (const l of ref) same.set(l, (same.get(l) ?? 0) + 1);
  let total = 0;
  for (const l of labels) {
    const s = same.get(l) ?? 0;
    total += Math.max(0, s - (self ? 1 : 0)) * (ref.length - s);
  }
  const A = new Int32Array(total), P = new Int32Array(total), N = new Int32Array(total);
  let t = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < ref.length; j++) {
      if (ref[j] !== labels[i] || (self && i === j)) continue;
      for (let k = 0; k < ref.length; k++) {
        if (ref[k] !== labels[i]) (A[t] = i, P[t] = j, N[t++] = k);
      }
    }
  }
  return [A, P, N];
}

/** Pairs from tuples: [a1, p, a2, n] as is, triplets as (a, p) and (a, n), none: every pair (lmu.convert_to_pairs). */
export function convertToPairs(tuples: readonly Int32Array[] | null, labels: Int32Array | null, refLabels: Int32Array | null = null): PairTuples {
  if (tuples === null) return getAllPairsIndices(requireLabels('convertToPairs', labels), refLabels);
  if (tuples.length === 4) return tuples.slice() as PairTuples;
  const [a, p, n] = tuples;
  return [a, p, a, n];
}

/**
 * Triplets from tuples: triplets as is; pairs joined as each positive pair (a1[i], p[i]) with
 * every negative pair of the same anchor, in (i, j) order (lmu.convert_to_triplets); none:
 * every triplet (tPerAnchor 'all') or tPerAnchor random triplets per anchor (seeded).
 */
export function convertToTriplets(
  tuples: readonly Int32Array[] | null,
  labels: Int32Array | null,
  refLabels: Int32Array | null = null,
  tPerAnchor: 'all' | number = 'all',
  rng: Rng = new Rng(0),
): TripletTuples {
  if (tuples === null) {
    const lab = requireLabels('convertToTriplets', labels);
    return tPerAnchor === 'all' ? getAllTripletsIndices(lab, refLabels) : getRandomTripletIndices(lab, refLabels, tPerAnchor, rng);
  }
  if (tuples.length === 3) return tuples.slice() as TripletTuples;
  const [a1, p, a2, n] = tuples;
  const A: number[] = [], P: number[] = [], N: number[] = [];
  for (let i = 0; i < a1.length; i++) {
    for (let j = 0; j < a2.length; j++) if (a1[i] === a2[j]) (A.push(a1[i]), P.push(p[i]), N.push(n[j]));
  }
  return [Int32Array.from(A), Int32Array.from(P), Int32Array.from(N)];
}

/**
 * Random triplets, per class in ascending label order: each anchor draws `tPerAnchor`
 * positives (not itself, for the batch) and as many negatives, uniformly with replacement
 * (lmu.get_random_triplet_indices; the draws come from `rng`, not torch's generator).
 */
export function getRandomTripletIndices(labels: Int32Array, refLabels: Int32Array | null, tPerAnchor: number, rng: Rng): TripletTuples {
  const ref = refLabels ?? labels;
  const self = refLabels === null;
  const A: number[] = [], P: number[] = [], N: number[] = [];
  for (const label of [...new Set(labels)].sort((x, y) => x - y)) {
    const pos: number[] = [], neg: number[] = [], anchors: number[] = [];
    ref.forEach((l, j) => (l === label ? pos : neg).push(j));
    labels.forEach((l, i) => l === label && anchors.push(i));
    if (pos.length < (self ? 2 : 1) || neg.length < 1) continue;
    for (const a of anchors) {
      const candidates = self ? pos.filter((j) => j !== a) : pos;
      for (let t = 0; t < tPerAnchor; t++) {
        A.push(a);
        P.push(candidates[Math.floor(rng.uniform() * candidates.length)]);
        N.push(neg[Math.floor(rng.uniform() * neg.length)]);
      }
    }
  }
  return [Int32Array.from(A), Int32Array.from(P), Int32Array.from(N)];
}

/**
 * A weight per batch sample from how often it appears in the tuples, divided by the largest
 * count (lmu.convert_to_weights); all ones without tuples or with empty ones. With usingRef
 * only the anchors count (the others index the reference set).
 */
export function convertToWeights(tuples: readonly Int32Array[] | null, n: number, usingRef = false): Float32Array {
  const w = new Float32Array(n);
  if (tuples === null || tuples.every((c) => c.length === 0)) return w.fill(1);
  const cols = usingRef ? getAnchors(tuples) : tuples;
  const counts = new Map<number, number>();
  for (const c of cols) for (const i of c) counts.set(i, (counts.get(i) ?? 0) + 1);
  let top = 0;
  for (const v of counts.values()) top = Math.max(top, v);
  for (const [i, v] of counts) w[i] = v / top;
  return w;
}

/** The anchors of tuples: a of triplets, a1 then a2 of pairs (lmu.get_anchors). */
export function getAnchors(tuples: readonly Int32Array[]): Int32Array[] {
  return tuples.length === 3 ? [tuples[0]] : [tuples[0], tuples[2]];
}

/** One positive pair per label, the first in anchor-label order (lmu.convert_to_pos_pairs_with_unique_labels). */
export function convertToPosPairsWithUniqueLabels(tuples: readonly Int32Array[] | null, labels: Int32Array): [Int32Array, Int32Array] {
  if (tuples === null) return firstPosPairPerLabel(labels);
  const [a, p] = convertToPairs(tuples, labels);
  const firstOf = new Map<number, number>();
  a.forEach((ai, k) => {
    if (!firstOf.has(labels[ai])) firstOf.set(labels[ai], k);
  });
  const order = [...firstOf.keys()].sort((x, y) => x - y).map((l) => firstOf.get(l)!);
  return [Int32Array.from(order, (k) => a[k]), Int32Array.from(order, (k) => p[k])];
}

// Without tuples the first positive pair of a label in row-major order is (its first
// occurrence, its second): found directly instead of listing every pair of the batch.
function firstPosPairPerLabel(labels: Int32Array): [Int32Array, Int32Array] {
  const first = new Map<number, number>(), second = new Map<number, number>();
  labels.forEach((l, i) => {
    if (!first.has(l)) first.set(l, i);
    else if (!second.has(l)) second.set(l, i);
  });
  const order = [...second.keys()].sort((x, y) => x - y);
  return [Int32Array.from(order, (l) => first.get(l)!), Int32Array.from(order, (l) => second.get(l)!)];
}

function requireLabels(fn: string, labels: Int32Array | null): Int32Array {
  if (labels === null) throw new Error(`${fn}: labels are needed when no tuples are given`);
  return labels;
}
