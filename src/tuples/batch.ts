// Labels and index tuples (pytorch-metric-learning layout, int32 columns): validation,
// every valid pair/triplet of a labelled batch (generated in wasm, no n³ mask), and the
// conversions between pairs and triplets (lmu.convert_to_pairs / convert_to_triplets).
import { Tensor, fmtShape } from '../autograd/tensor';
import { getEngine, i32 } from '../wasm/instance';
import { TripletType } from '../wasm/abi';
import { col, int32Buffer, int32From, int32Read, type Index } from '../ops/loss';

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
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor [n, d]`);
  x.ptr;
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

/** Number of positive ordered pairs (same label, i ≠ j) and of valid triplets of a labelled batch. */
function classCounts(labels: Int32Array): { pos: number; triplets: number } {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const n = labels.length;
  let pos = 0, triplets = 0;
  for (const c of counts.values()) {
    pos += c * (c - 1);
    triplets += c * (c - 1) * (n - c);
  }
  return { pos, triplets };
}

/**
 * Pairs in wasm buffers, positives first: rows/cols [pos + neg], so the positive pairs are
 * (rows, cols) at 0 and the negatives at offset `pos`. The caller disposes rows and cols.
 */
export interface PairSet {
  rows: Tensor;
  cols: Tensor;
  pos: number;
  neg: number;
}

export interface TripletSet {
  a: Tensor;
  p: Tensor;
  n: Tensor;
  count: number;
}

export const posIndex = (s: PairSet): [Index, Index] => [col(s.rows), col(s.cols)];
export const negIndex = (s: PairSet): [Index, Index] => [col(s.rows, s.pos), col(s.cols, s.pos)];

export function disposePairs(s: PairSet): void {
  s.rows.dispose();
  s.cols.dispose();
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

/** Every ordered pair i ≠ j of a labelled batch, row-major (lmu.get_all_pairs_indices). */
export function allPairs(labels: Int32Array): PairSet {
  const n = labels.length;
  const { pos } = classCounts(labels);
  const total = n * (n - 1);
  const rows = int32Buffer(total);
  const cols = int32Buffer(total);
  withLabels(labels, (lp) => withCounts((c) => getEngine().k.i32_all_pairs(lp, n, rows.ptr, cols.ptr, rows.ptr + pos * 4, cols.ptr + pos * 4, c)));
  return { rows, cols, pos, neg: total - pos };
}

/** Every valid triplet (a, p, n) of a labelled batch, a-p-n order (lmu.get_all_triplets_indices). */
export function allTriplets(labels: Int32Array): TripletSet {
  const n = labels.length;
  const { triplets } = classCounts(labels);
  const a = int32Buffer(triplets), p = int32Buffer(triplets), ng = int32Buffer(triplets);
  withLabels(labels, (lp) => getEngine().k.f32_triplet_margin_mine(0, lp, n, 0, TripletType.every, 0, a.ptr, p.ptr, ng.ptr));
  return { a, p, n: ng, count: triplets };
}

/** Upper bound of the triplets a miner can return: every valid triplet. */
export function tripletCapacity(labels: Int32Array): number {
  return classCounts(labels).triplets;
}

/** Pairs given as tuples: [a1, p, a2, n] as is, triplets [a, p, n] as (a, p) and (a, n) (convert_to_pairs). */
export function pairsFromTuples(t: TripletTuples | PairTuples): PairSet {
  const [a1, p, a2, n] = t.length === 3 ? [t[0], t[1], t[0], t[2]] : t;
  const rows = new Int32Array(a1.length + a2.length);
  const cols = new Int32Array(rows.length);
  rows.set(a1);
  rows.set(a2, a1.length);
  cols.set(p);
  cols.set(n, p.length);
  return { rows: int32From(rows), cols: int32From(cols), pos: a1.length, neg: a2.length };
}

/**
 * Triplets given as tuples: as is, or from pairs by joining each positive pair with every
 * negative pair of the same anchor, in positive-then-negative order (convert_to_triplets).
 */
export function tripletsFromTuples(t: TripletTuples | PairTuples): TripletSet {
  if (t.length === 3) return { a: int32From(t[0]), p: int32From(t[1]), n: int32From(t[2]), count: t[0].length };
  const [a1, p, a2, n] = t;
  const negsOf = new Map<number, number[]>();
  a2.forEach((a, j) => {
    const l = negsOf.get(a);
    if (l) l.push(n[j]);
    else negsOf.set(a, [n[j]]);
  });
  const A: number[] = [], P: number[] = [], N: number[] = [];
  a1.forEach((a, i) => {
    for (const q of negsOf.get(a) ?? []) {
      A.push(a);
      P.push(p[i]);
      N.push(q);
    }
  });
  return { a: int32From(A), p: int32From(P), n: int32From(N), count: A.length };
}

/** Reads a triplet set back into Int32Array columns. */
export function readTriplets(s: TripletSet): TripletTuples {
  return [int32Read(col(s.a), s.count), int32Read(col(s.p), s.count), int32Read(col(s.n), s.count)];
}

/** Reads a pair set back into [a1, p, a2, n] columns. */
export function readPairs(s: PairSet): PairTuples {
  const [pr, pc] = posIndex(s);
  const [nr, nc] = negIndex(s);
  return [int32Read(pr, s.pos), int32Read(pc, s.pos), int32Read(nr, s.neg), int32Read(nc, s.neg)];
}
