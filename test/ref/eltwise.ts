// float64 oracles for the eltwise family. Never imported by src/.
type Arr = ArrayLike<number>;
export type BinaryName = 'add' | 'sub' | 'mul' | 'div';

export function binaryRef(op: BinaryName, x: number, y: number): number {
  switch (op) {
    case 'add': return x + y;
    case 'sub': return x - y;
    case 'mul': return x * y;
    case 'div': return x / y;
  }
}

export const mapRef = (a: Arr, f: (x: number, i: number) => number): Float64Array => Float64Array.from(a, f);

/** out[i, j] = a[i, j] op row[j]; a [n, d] */
export function binaryRowRef(op: BinaryName, a: Arr, row: Arr, n: number, d: number): Float64Array {
  return mapRef(a, (x, i) => binaryRef(op, x, row[i % d]));
}

/** out[i, j] = a[i, j] op col[i]; a [n, d] */
export function binaryColRef(op: BinaryName, a: Arr, col: Arr, n: number, d: number): Float64Array {
  return mapRef(a, (x, i) => binaryRef(op, x, col[Math.floor(i / d)]));
}

export const reluRef = (x: Arr): Float64Array => mapRef(x, (v) => Math.max(v, 0));

/** gx = gy where x > 0 (subgradient 0 at 0), plus prev when accumulating. */
export function reluBwdRef(x: Arr, gy: Arr, prev?: Arr): Float64Array {
  return mapRef(x, (v, i) => (v > 0 ? gy[i] : 0) + (prev ? prev[i] : 0));
}

/** out[j, i] = a[i, j]; a [n, d] */
export function transposeRef(a: Arr, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[j * n + i] = a[i * d + j];
  return out;
}
