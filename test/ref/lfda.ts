// LFDA in plain float64 loops, line for line as metric-learn 0.7's fit forms the scatter
// matrices (uncentred classes, G = Xᵀ diag(colsum A) X − XᵀAX), and the metric its weighted
// full-rank embedding gives without an eigensolver: the B-orthonormal eigenvectors V of
// Sb v = λ Sw v satisfy V Vᵀ = Sw⁻¹, so M = V Λ Vᵀ = Sw⁻¹ Sb Sw⁻¹.
import { introselect } from '../../src/learners/partition';
import { sklearnSqDistancesRef } from './f64-linalg';

/** metric-learn's tSb and tSw (symmetrised) for X [n, d] and labels y, with its k (shrunk by small classes, and kept shrunk). */
export function lfdaScattersRef(X: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, k0: number): { Sb: Float64Array; Sw: Float64Array } {
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  const Sb = new Float64Array(d * d), Sw = new Float64Array(d * d);
  const sumOuter = (rows: number[]) => {
    const s = new Float64Array(d);
    for (const i of rows) for (let t = 0; t < d; t++) s[t] += X[i * d + t];
    return (a: number, b: number) => s[a] * s[b];
  };
  let k = k0;
  for (const c of classes) {
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => y[i] === c);
    const nc = rows.length;
    const Xc = new Float64Array(nc * d);
    rows.forEach((i, r) => {
      for (let t = 0; t < d; t++) Xc[r * d + t] = X[i * d + t];
    });
    const dist = sklearnSqDistancesRef(Xc, nc, d);
    k = Math.min(k, nc - 1);
    const col = Float64Array.from({ length: nc }, (_, i) => dist[i * nc + k]);
    introselect(col, k);
    const sigma = col.map(Math.sqrt);
    const A = new Float64Array(nc * nc), colSum = new Float64Array(nc);
    for (let i = 0; i < nc; i++)
      for (let j = 0; j < nc; j++) {
        const s = sigma[i] * sigma[j];
        A[i * nc + j] = s === 0 ? 0 : Math.exp(-dist[i * nc + j] / s);
        colSum[j] += A[i * nc + j];
      }
    const so = sumOuter(rows);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) {
        let g = 0, xx = 0;
        for (let i = 0; i < nc; i++) {
          g += Xc[i * d + a] * colSum[i] * Xc[i * d + b];
          xx += Xc[i * d + a] * Xc[i * d + b];
          for (let j = 0; j < nc; j++) g -= Xc[i * d + a] * A[i * nc + j] * Xc[j * d + b];
        }
        Sb[a * d + b] += g / n + (1 - nc / n) * xx + so(a, b) / n;
        Sw[a * d + b] += g / nc;
      }
  }
  const all = sumOuter(Array.from({ length: n }, (_, i) => i));
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) Sb[a * d + b] -= all(a, b) / n - Sw[a * d + b];
  for (const S of [Sb, Sw])
    for (let a = 0; a < d; a++)
      for (let b = 0; b < a; b++) S[a * d + b] = S[b * d + a] = (S[a * d + b] + S[b * d + a]) / 2;
  return { Sb, Sw };
}

/** B⁻¹·C for B [d, d] invertible and C [d, m] (Gauss–Jordan with partial pivoting). */
function solve(B: ArrayLike<number>, C: ArrayLike<number>, d: number, m: number): Float64Array {
  const a = Float64Array.from(B), x = Float64Array.from(C);
  for (let p = 0; p < d; p++) {
    let r = p;
    for (let i = p + 1; i < d; i++) if (Math.abs(a[i * d + p]) > Math.abs(a[r * d + p])) r = i;
    for (let j = 0; j < d; j++) [a[p * d + j], a[r * d + j]] = [a[r * d + j], a[p * d + j]];
    for (let j = 0; j < m; j++) [x[p * m + j], x[r * m + j]] = [x[r * m + j], x[p * m + j]];
    for (let i = 0; i < d; i++) {
      if (i === p) continue;
      const f = a[i * d + p] / a[p * d + p];
      for (let j = 0; j < d; j++) a[i * d + j] -= f * a[p * d + j];
      for (let j = 0; j < m; j++) x[i * m + j] -= f * x[p * m + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < m; j++) x[i * m + j] /= a[i * d + i];
  return x;
}

/** LFDA's metric for the weighted embedding of full rank: Sw⁻¹ Sb Sw⁻¹. */
export function lfdaMetricRef(X: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, k: number): Float64Array {
  const { Sb, Sw } = lfdaScattersRef(X, y, n, d, k);
  const T = solve(Sw, Sb, d, d); // Sw⁻¹ Sb
  const Tt = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Tt[i * d + j] = T[j * d + i];
  return solve(Sw, Tt, d, d); // Sw⁻¹ (Sw⁻¹ Sb)ᵀ = Sw⁻¹ Sb Sw⁻¹
}
