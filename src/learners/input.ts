// Input checks and conversions shared by the learners: data matrices, tuples (pairs,
// triplets, quadruplets) and labels become float64 arrays, with errors that name the
// learner, the argument and the shapes.
import { Tensor, fmtShape } from '../autograd/tensor';
import type { F64Scope } from '../ops/f64-linalg';

export interface Matrix {
  data: Float64Array;
  n: number;
  d: number;
}
export interface Tuples {
  data: Float64Array;
  m: number;
  size: number;
  d: number;
}

/** X [n, d] from a Tensor or nested arrays, finite. */
export function toMatrix(fn: string, name: string, X: unknown, minRows = 1): Matrix {
  const m = readMatrix(fn, name, X, minRows, (size) => new Float64Array(size));
  checkFinite(fn, name, m.data);
  return m;
}

/**
 * toMatrix without the check for non-finite values, into the n·d entries `into` supplies (a
 * view of wasm memory, which a kernel then checks: no fresh pages to fault in, no JS pass).
 */
export function readMatrix(fn: string, name: string, X: unknown, minRows: number, into: (size: number) => Float64Array): Matrix {
  let data: Float64Array, n: number, d: number;
  if (X instanceof Tensor) {
    if (X.isDisposed) throw new Error(`${fn}: ${name} was disposed`);
    if (X.shape.length !== 2) throw new Error(`${fn}: ${name} must be 2-D [n, d], got ${fmtShape(X.shape)}`);
    [n, d] = X.shape;
    data = into(n * d);
    data.set(X.data());
  } else if (Array.isArray(X) && X.every((r) => Array.isArray(r) || ArrayBuffer.isView(r))) {
    n = X.length;
    d = n ? (X[0] as ArrayLike<number>).length : 0;
    data = into(n * d);
    const rows = X as ArrayLike<number>[];
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (r.length !== d) throw new Error(`${fn}: ${name} row ${i} has ${r.length} values but row 0 has ${d}`);
      // one builtin call per row: fast before the JIT has seen the loop (a learner fits a few times at most)
      data.set(r, i * d);
    }
  } else throw new TypeError(`${fn}: ${name} must be a Tensor [n, d] or an array of rows`);
  if (n < minRows) throw new Error(`${fn}: ${name} is [${n}, ${d}]: needs at least ${minRows} row${minRows > 1 ? 's' : ''}`);
  if (d < 1) throw new Error(`${fn}: ${name} is [${n}, ${d}]: needs at least one feature`);
  return { data, n, d };
}

/** Tuples [m, size, d] from a Tensor or nested arrays. */
export function toTuples(fn: string, name: string, T: unknown, size: number, what: string): Tuples {
  let data: Float64Array, m: number, d: number;
  if (T instanceof Tensor) {
    if (T.isDisposed) throw new Error(`${fn}: ${name} was disposed`);
    if (T.shape.length !== 3 || T.shape[1] !== size) throw new Error(`${fn}: ${name} must be ${what} [m, ${size}, d], got ${fmtShape(T.shape)}`);
    [m, , d] = T.shape;
    data = Float64Array.from(T.data());
  } else if (Array.isArray(T)) {
    m = T.length;
    const first = T[0] as ArrayLike<ArrayLike<number>> | undefined;
    d = first && first.length ? first[0].length : 0;
    data = new Float64Array(m * size * d);
    T.forEach((t: ArrayLike<ArrayLike<number>>, i) => {
      if (!t || t.length !== size) throw new Error(`${fn}: ${name}[${i}] has ${t?.length} points but ${what} have ${size} (shape [m, ${size}, d])`);
      for (let s = 0; s < size; s++) {
        if (t[s].length !== d) throw new Error(`${fn}: ${name}[${i}][${s}] has ${t[s].length} values but ${name}[0][0] has ${d}`);
        data.set(t[s], (i * size + s) * d);
      }
    });
  } else throw new TypeError(`${fn}: ${name} must be a Tensor [m, ${size}, d] or nested arrays (${what})`);
  if (m < 1) throw new Error(`${fn}: ${name} is empty: the constraint set needs at least one of ${what}`);
  if (d < 1) throw new Error(`${fn}: ${name} has no features`);
  checkFinite(fn, name, data);
  return { data, m, size, d };
}

/** Labels as numbers, one per row. */
export function toLabels(fn: string, name: string, y: unknown, n: number, integer: boolean): Float64Array {
  if (!(Array.isArray(y) || ArrayBuffer.isView(y))) throw new TypeError(`${fn}: ${name} must be an array of ${integer ? 'labels' : 'numbers'}`);
  const a = Float64Array.from(y as ArrayLike<number>);
  if (a.length !== n) throw new Error(`${fn}: ${name} has ${a.length} entries but there are ${n} rows`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || (integer && !Number.isInteger(a[i]))) throw new Error(`${fn}: ${name}[${i}] is ${a[i]}: ${integer ? 'labels must be integers' : 'targets must be finite'}`);
  }
  return a;
}

/** Pair labels: +1 similar, −1 dissimilar. */
export function toPairLabels(fn: string, y: unknown, m: number): Int8Array {
  const a = toLabels(fn, 'y', y, m, true);
  const out = new Int8Array(m);
  for (let i = 0; i < m; i++) {
    if (a[i] !== 1 && a[i] !== -1) throw new Error(`${fn}: y[${i}] is ${a[i]}: pair labels must be +1 (similar) or −1 (dissimilar)`);
    out[i] = a[i];
  }
  return out;
}

export function checkFinite(fn: string, name: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) nonFinite(fn, name, a, i);
}

/** The error for the non-finite a[i]. */
export function nonFinite(fn: string, name: string, a: ArrayLike<number>, i: number): never {
  throw new Error(`${fn}: ${name} has a non-finite value (${a[i]}) at flat index ${i}`);
}

/**
 * Row differences of tuples: t[:, a] − t[:, b] as [m, d], or of the tuples `rows` alone as
 * [rows, d]; into out when given (a view of wasm memory spares a fresh array's first touch).
 */
export function tupleDiff(t: Tuples, a: number, b: number, rows?: ArrayLike<number>, out?: Float64Array): Float64Array {
  const { size, d, data } = t;
  const m = rows ? rows.length : t.m;
  const o = out ?? new Float64Array(m * d);
  for (let r = 0; r < m; r++) {
    const i = rows ? rows[r] : r;
    const pa = (i * size + a) * d, pb = (i * size + b) * d;
    for (let j = 0; j < d; j++) o[r * d + j] = data[pa + j] - data[pb + j];
  }
  return o;
}

/** tupleDiff into a buffer of the scope s (wasm memory), for a kernel to read: its pointer. */
export function tupleDiffIn(s: F64Scope, t: Tuples, a: number, b: number, rows?: ArrayLike<number>): number {
  const n = (rows ? rows.length : t.m) * t.d;
  const p = s.out64(n);
  tupleDiff(t, a, b, rows, s.view(p, n));
  return p;
}

/** The rows of X picked by index tuples: X[idx] as tuples [m, size, d]. */
export function gatherTuples(X: Matrix, idx: ArrayLike<number>, size: number): Tuples {
  const m = idx.length / size;
  const data = new Float64Array(idx.length * X.d);
  for (let r = 0; r < idx.length; r++) data.set(X.data.subarray(idx[r] * X.d, (idx[r] + 1) * X.d), r * X.d);
  return { data, m, size, d: X.d };
}

/** Distinct label values, ascending, and each row's index into them (np.unique(y, return_inverse=True)). */
export function uniqueInverse(y: ArrayLike<number>): { classes: number[]; inverse: Int32Array } {
  // plain loops over typed arrays: InstanceLoss runs this on every batch
  const n = y.length;
  const inverse = new Int32Array(n);
  const classes: number[] = [];
  let lo = Infinity, hi = -Infinity, ints = true;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (!Number.isInteger(v)) ints = false;
  }
  if (n > 0 && ints && hi - lo <= 4 * n + 64) {
    // integer labels in a short range (the usual class ids): ranks from a table over the range
    const rank = new Int32Array(hi - lo + 1);
    for (let i = 0; i < n; i++) rank[y[i] - lo] = 1;
    for (let k = 0; k < rank.length; k++) if (rank[k]) rank[k] = classes.push(lo + k) - 1;
    for (let i = 0; i < n; i++) inverse[i] = rank[y[i] - lo];
    return { classes, inverse };
  }
  const sorted = new Float64Array(y).sort();
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) classes.push(sorted[i]);
  // each label's rank by binary search over the sorted classes (faster than a Map of numbers)
  for (let i = 0; i < n; i++) {
    const v = y[i];
    let a = 0, b = classes.length - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (classes[mid] < v) a = mid + 1;
      else b = mid;
    }
    inverse[i] = a;
  }
  return { classes, inverse };
}
