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

/** NumPy/PyTorch broadcasting of a op b, by strides (independent of the kernels' layouts). */
export function broadcastRef(op: BinaryName, a: Arr, as: number[], b: Arr, bs: number[]): { shape: number[]; data: Float64Array } {
  const nd = Math.max(as.length, bs.length);
  const pa = [...Array(nd - as.length).fill(1), ...as], pb = [...Array(nd - bs.length).fill(1), ...bs];
  const shape = pa.map((x, i) => {
    if (x !== pb[i] && x !== 1 && pb[i] !== 1) throw new Error(`broadcastRef: [${as}] and [${bs}] do not broadcast`);
    return x === 1 ? pb[i] : x;
  });
  const strides = (s: number[]) => s.map((_, i) => (s[i] === 1 ? 0 : s.slice(i + 1).reduce((p, q) => p * q, 1)));
  const sa = strides(pa), sb = strides(pb);
  const size = shape.reduce((p, q) => p * q, 1);
  const data = new Float64Array(size);
  for (let flat = 0; flat < size; flat++) {
    let rem = flat, ia = 0, ib = 0;
    for (let i = nd - 1; i >= 0; i--) {
      const idx = rem % shape[i];
      rem = Math.floor(rem / shape[i]);
      ia += idx * sa[i];
      ib += idx * sb[i];
    }
    data[flat] = binaryRef(op, a[ia], b[ib]);
  }
  return { shape, data };
}
