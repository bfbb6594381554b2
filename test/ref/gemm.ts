// float64 oracles for the gemm family. Never imported by src/.
export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      for (let j = 0; j < m; j++) c[i * m + j] += av * b[p * m + j];
    }
  return c;
}
