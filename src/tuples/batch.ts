// Labels, embeddings and index tuples (pytorch-metric-learning layout, int32 columns):
// validation, every valid triplet of a labelled batch against a reference set (streamed by
// the mining kernel, no n³ mask), and the wasm buffers losses and miners share.
import { Tensor, assertLive, fmtShape } from '../autograd/tensor';
import { getEngine, i32 } from '../wasm/instance';
import { TripletType } from '../wasm/abi';
import { col, int32Buffer, int32From, int32Read } from '../ops/loss';

export type Labels = Int32Array | readonly number[] | ArrayLike<number>;
/** Triplets [anchors, positives, negatives] or pairs [a1, p, a2, n] (positive pairs (a1, p), negative pairs (a2, n)). */
export type Tuples = readonly [Int32Array, Int32Array, Int32Array] | readonly [Int32Array, Int32Array, Int32Array, Int32Array];
export type TripletTuples = [Int32Array, Int32Array, Int32Array];
export type PairTuples = [Int32Array, Int32Array, Int32Array, Int32Array];

/** Validates labels of a batch of n: n integers in the int32 range. */
export function checkLabels(fn: string, labels: Labels, n: number): Int32Array {
  if (labels === null || typeof labels !== 'object' || typeof (labels as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: labels must be an Int32Array or an array of integers, got ${labels === null ? 'null' : typeof labels}`);
  }
  if (labels.length !== n) throw new Error(`${fn}: labels has ${labels.length} entries but the batch has ${n} embeddings: one label per embedding`);
  // an Int32Array holds int32 values only: nothing to check, a copy
  if (labels instanceof Int32Array) return labels.slice();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new Error(`${fn}: labels[${i}] is ${String(v)}: labels must be integers (int32), not NaN or fractions`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Validates index tuples for a batch of n: 3 or 4 integer columns, matching lengths; anchors
 * (a, a1, a2) in [0, n), the others (p, n) in [0, m) — m the reference set's size, n by default.
 */
export function checkTuples(fn: string, tuples: Tuples, n: number, m = n): TripletTuples | PairTuples {
  if (!Array.isArray(tuples) || (tuples.length !== 3 && tuples.length !== 4)) {
    throw new Error(`${fn}: tuples must be [anchors, positives, negatives] or [a1, p, a2, n] (int32 columns), got ${Array.isArray(tuples) ? `${tuples.length} columns` : typeof tuples}`);
  }
  const cols4 = tuples.length === 4;
  const names = tuples.length === 3 ? ['anchors', 'positives', 'negatives'] : ['a1', 'p', 'a2', 'n'];
  const cols = tuples.map((c, ci) => {
    if (c === null || typeof c !== 'object' || typeof (c as ArrayLike<number>).length !== 'number') {
      throw new TypeError(`${fn}: tuple column ${names[ci]} must be an Int32Array or an array of integers`);
    }
    const out = new Int32Array(c.length);
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      const anchor = ci === 0 || (cols4 && ci === 2);
      const bound = anchor ? n : m;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= bound) {
        const of = anchor || m === n ? `a batch of ${n}` : `a reference set of ${m}`;
        throw new Error(`${fn}: tuple column ${names[ci]}[${i}] is ${String(v)}: indices must be integers in [0, ${bound}) for ${of}`);
      }
      out[i] = v;
    }
    return out;
  });
  const same = (x: number, y: number) => {
    if (cols[x].length !== cols[y].length) {
      throw new Error(`${fn}: tuple columns ${names[x]} (${cols[x].length}) and ${names[y]} (${cols[y].length}) must have the same length`);
    }
  };
  if (cols.length === 3) {
    same(0, 1);
    same(0, 2);
    return cols as TripletTuples;
  }
  same(0, 1);
  same(2, 3);
  return cols as PairTuples;
}

/** Validates a 2-D embedding batch. */
export function checkEmbeddings(fn: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor [n, d], got ${x === null ? 'null' : typeof x}`);
  assertLive(fn, name, x);
  if (x.shape.length !== 2) throw new Error(`${fn}: ${name} is ${fmtShape(x.shape)}: expected a 2-D batch [n, d]`);
  return x;
}

/** Checks that every named tensor is a 2-D batch of the same shape. */
export function sameBatch(fn: string, xs: Record<string, Tensor>): void {
  const entries = Object.entries(xs);
  for (const [name, x] of entries) checkEmbeddings(fn, name, x);
  const [n0, x0] = entries[0];
  for (const [name, x] of entries.slice(1)) {
    if (x.shape[0] !== x0.shape[0] || x.shape[1] !== x0.shape[1]) {
      throw new Error(`${fn}: ${n0} is ${fmtShape(x0.shape)} but ${name} is ${fmtShape(x.shape)}: shapes must match`);
    }
  }
}

/** Checks per-pair targets: n entries, each 0 or 1 (or, for scores, finite in [0, 1]). */
export function checkTargets(fn: string, y: ArrayLike<number>, n: number, scores: boolean): Float32Array {
  if (y === null || typeof y !== 'object' || typeof y.length !== 'number') throw new TypeError(`${fn}: y must be an array of ${n} targets`);
  if (y.length !== n) throw new Error(`${fn}: y has ${y.length} entries but there are ${n} pairs: one target per pair`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i];
    const ok = typeof v === 'number' && (scores ? v >= 0 && v <= 1 : v === 0 || v === 1);
    if (!ok) throw new Error(`${fn}: y[${i}] is ${String(v)}: ${scores ? 'targets must be scores in [0, 1]' : 'targets must be 1 (similar) or 0 (dissimilar)'}`);
    out[i] = v;
  }
  return out;
}

export interface TripletSet {
  a: Tensor;
  p: Tensor;
  n: Tensor;
  count: number;
}

export function disposeTriplets(s: TripletSet): void {
  s.a.dispose();
  s.p.dispose();
  s.n.dispose();
}

/** Runs fn with the labels in a temporary wasm int32 buffer. */
export function withLabels<T>(labels: Int32Array, fn: (ptr: number) => T): T {
  const buf = int32From(labels);
  try {
    return fn(buf.ptr);
  } finally {
    buf.dispose();
  }
}

/** Runs fn with a temporary 2-int32 buffer, returning fn's result and the two ints. */
export function withCounts<T>(fn: (ptr: number) => T): [T, number, number] {
  const buf = int32Buffer(2);
  try {
    const r = fn(buf.ptr);
    const v = i32();
    return [r, v[buf.ptr >>> 2], v[(buf.ptr >>> 2) + 1]];
  } finally {
    buf.dispose();
  }
}

/** How many times each label occurs. */
export function labelCounts(labels: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  return counts;
}

/**
 * The number of valid triplets (a, p, n): anchors from labels, p and n from refLabels (the
 * batch itself when null, p ≠ a) — every triplet, the most a miner can return.
 */
export function tripletCapacity(labels: Int32Array, refLabels: Int32Array | null = null): number {
  const ref = refLabels ?? labels;
  const counts = labelCounts(ref);
  let t = 0;
  for (const l of labels) {
    const same = counts.get(l) ?? 0;
    t += (refLabels ? same : same - 1) * (ref.length - same);
  }
  return t;
}

/**
 * Wasm int32 columns for every valid triplet of labels against refLabels (tripletCapacity),
 * filled by fill (a mining kernel, given the columns' pointers; it returns how many it wrote);
 * the caller disposes the set (disposeTriplets).
 */
export function fillTriplets(labels: Int32Array, refLabels: Int32Array | null, fill: (a: number, p: number, n: number) => number): TripletSet {
  const cap = tripletCapacity(labels, refLabels);
  const set = { a: int32Buffer(cap), p: int32Buffer(cap), n: int32Buffer(cap), count: 0 };
  try {
    set.count = fill(set.a.ptr, set.p.ptr, set.n.ptr);
  } catch (e) {
    disposeTriplets(set);
    throw e;
  }
  return set;
}

/** fillTriplets' triplets as Int32Array columns, the wasm set freed. */
export function mineTriplets(labels: Int32Array, refLabels: Int32Array | null, fill: (a: number, p: number, n: number) => number): TripletTuples {
  const set = fillTriplets(labels, refLabels, fill);
  try {
    return readTriplets(set);
  } finally {
    disposeTriplets(set);
  }
}

/** Every valid triplet, in a-p-n order, as f32_triplet_margin_mine streams them into fillTriplets' columns. */
function everyTriplet(labels: Int32Array, refLabels: Int32Array | null): (a: number, p: number, n: number) => number {
  const ref = refLabels ?? labels;
  return (a, p, n) => withLabels(labels, (lp) => withLabels(ref, (rp) => getEngine().k.f32_triplet_margin_mine(0, lp, labels.length, rp, ref.length, refLabels ? 0 : 1, 0, TripletType.every, 0, a, p, n)));
}

/**
 * Every valid triplet in a-p-n order in wasm int32 columns (lmu.get_all_triplets_indices);
 * the caller disposes the set (disposeTriplets).
 */
export function allTripletsSet(labels: Int32Array, refLabels: Int32Array | null = null): TripletSet {
  return fillTriplets(labels, refLabels, everyTriplet(labels, refLabels));
}

/** Every valid triplet in a-p-n order as Int32Array columns. */
export function allTripletsIndices(labels: Int32Array, refLabels: Int32Array | null = null): TripletTuples {
  return mineTriplets(labels, refLabels, everyTriplet(labels, refLabels));
}

/** Pair columns in wasm: a1, p [pos] and a2, n [neg]; the caller disposes them (disposePairSet). */
export interface PairSet {
  cols: [Tensor, Tensor, Tensor, Tensor];
  pos: number;
  neg: number;
}

export function disposePairSet(s: PairSet): void {
  for (const c of s.cols) c.dispose();
}

/** How many positive and negative pairs allPairsSet lists, counted from the labels alone (O(n + m)). */
export function allPairsCounts(labels: Int32Array, refLabels: Int32Array | null = null): { pos: number; neg: number } {
  const ref = refLabels ?? labels;
  const counts = labelCounts(ref);
  let pos = 0;
  for (const l of labels) pos += (counts.get(l) ?? 0) - (refLabels ? 0 : 1);
  return { pos, neg: labels.length * ref.length - (refLabels ? 0 : labels.length) - pos };
}

/** Every pair of labels against refLabels (the batch itself when null, i ≠ j), row-major, streamed in wasm (lmu.get_all_pairs_indices). */
export function allPairsSet(labels: Int32Array, refLabels: Int32Array | null = null): PairSet {
  const ref = refLabels ?? labels;
  const { pos, neg } = allPairsCounts(labels, refLabels);
  const cols = [pos, pos, neg, neg].map((c) => int32Buffer(c)) as PairSet['cols'];
  withLabels(labels, (lp) =>
    withLabels(ref, (rp) =>
      withCounts((c) => getEngine().k.i32_all_pairs(lp, labels.length, rp, ref.length, refLabels ? 0 : 1, cols[0].ptr, cols[1].ptr, cols[2].ptr, cols[3].ptr, c)),
    ),
  );
  return { cols, pos, neg };
}

/** Every pair as Int32Array columns [a1, p, a2, n]. */
export function allPairsIndices(labels: Int32Array, refLabels: Int32Array | null = null): PairTuples {
  const set = allPairsSet(labels, refLabels);
  try {
    return set.cols.map((c, k) => int32Read(col(c), k < 2 ? set.pos : set.neg)) as PairTuples;
  } finally {
    disposePairSet(set);
  }
}

/** A pair set of given columns, uploaded to wasm. */
export function pairSetOf([a1, p, a2, n]: PairTuples): PairSet {
  return { cols: [int32From(a1), int32From(p), int32From(a2), int32From(n)], pos: a1.length, neg: a2.length };
}

/** Reads a triplet set back into Int32Array columns. */
export function readTriplets(s: TripletSet): TripletTuples {
  return [int32Read(col(s.a), s.count), int32Read(col(s.p), s.count), int32Read(col(s.n), s.count)];
}
