// float64 oracles for the gemm family. Never imported by src/.
type Arr = ArrayLike<number>;

/** C [n, m] = A [n, k] · B [k, m] */
export function matmulRef(a: Arr, b: Arr, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      for (let j = 0; j < m; j++) c[i * m + j] += av * b[p * m + j];
    }
  return c;
}

/** The stored [r, c] matrix transposed to [c, r]. */
export function transposed(a: Arr, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/**
 * C [m, n] (+)= op(A) · op(B) as the three GEMM forms store their operands:
 * nn A [m, k] B [k, n]; tn A [k, m] B [k, n]; nt A [m, k] B [n, k].
 */
export function gemmRef(form: 'nn' | 'tn' | 'nt', a: Arr, b: Arr, m: number, k: number, n: number, c0?: Arr): Float64Array {
  const A = form === 'tn' ? transposed(a, k, m) : a;
  const B = form === 'nt' ? transposed(b, n, k) : b;
  const c = matmulRef(A, B, m, k, n);
  if (c0) for (let i = 0; i < c.length; i++) c[i] += c0[i];
  return c;
}

/** y [n, out] = x [n, in] · Wᵀ + bias, W [out, in] */
export function linearRef(x: Arr, w: Arr, bias: Arr | null, n: number, inF: number, outF: number): Float64Array {
  const y = gemmRef('nt', x, w, n, inF, outF);
  if (bias) for (let i = 0; i < y.length; i++) y[i] += bias[i % outF];
  return y;
}
