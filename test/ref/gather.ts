// float64 oracles for the gather family. Never imported by src/.
type Arr = ArrayLike<number>;

/** out[k, :] = x[idx[k], :]; x [*, d] */
export function gatherRowsRef(x: Arr, idx: Arr, d: number): Float64Array {
  const out = new Float64Array(idx.length * d);
  for (let k = 0; k < idx.length; k++) for (let j = 0; j < d; j++) out[k * d + j] = x[idx[k] * d + j];
  return out;
}

/** out [rows, d] zero, then out[idx[k], :] += src[k, :] */
export function scatterAddRowsRef(src: Arr, idx: Arr, rows: number, d: number): Float64Array {
  const out = new Float64Array(rows * d);
  for (let k = 0; k < idx.length; k++) for (let j = 0; j < d; j++) out[idx[k] * d + j] += src[k * d + j];
  return out;
}

/** out[k] = mat[r[k]·m + c[k]] */
export function gatherElementsRef(mat: Arr, m: number, r: Arr, c: Arr): Float64Array {
  return Float64Array.from(r, (ri, k) => mat[ri * m + c[k]]);
}

/** out [n, m] zero, then out[r[k], c[k]] += src[k] */
export function scatterAddElementsRef(src: Arr, r: Arr, c: Arr, n: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let k = 0; k < r.length; k++) out[r[k] * m + c[k]] += src[k];
  return out;
}
