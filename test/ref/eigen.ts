// Float64 checks for the learners' linear algebra that need no solver of their own: the
// residual of an eigen-decomposition, orthonormality (or B-orthonormality) of its vectors,
// and plain products. Never imported by src/.

/** C = A·B for row-major A [m, k], B [k, n]. */
export function matmulRef(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * k + p] * B[p * n + j];
  return C;
}

/** max_j ‖A v_j − λ_j B v_j‖ / (‖A‖_F + |λ_j|‖B‖_F) (B = I when omitted): the backward error of each pair. */
export function eigResidualRef(A: ArrayLike<number>, w: ArrayLike<number>, V: ArrayLike<number>, d: number, B?: ArrayLike<number>): number {
  const fro = (M: ArrayLike<number>) => Math.sqrt(Array.from(M).reduce((s, x) => s + x * x, 0));
  const nA = fro(A), nB = B ? fro(B) : Math.sqrt(d);
  let worst = 0;
  for (let j = 0; j < d; j++) {
    let r = 0;
    for (let i = 0; i < d; i++) {
      let av = 0, bv = 0;
      for (let k = 0; k < d; k++) {
        av += A[i * d + k] * V[k * d + j];
        bv += (B ? B[i * d + k] : i === k ? 1 : 0) * V[k * d + j];
      }
      r += (av - w[j] * bv) ** 2;
    }
    worst = Math.max(worst, Math.sqrt(r) / (nA + Math.abs(w[j]) * nB || 1));
  }
  return worst;
}

/** max |Vᵀ B V − I| (B = I when omitted). */
export function orthonormalityRef(V: ArrayLike<number>, d: number, B?: ArrayLike<number>): number {
  let worst = 0;
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) s += V[i * d + a] * (B ? B[i * d + k] : i === k ? 1 : 0) * V[k * d + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  return worst;
}
