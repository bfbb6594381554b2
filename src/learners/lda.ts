// scikit-learn's LinearDiscriminantAnalysis(solver='svd').scalings_ (1.2, tol 1e-4), which
// metric-learn takes as the 'lda' initialisation of NCA and LMNN and as SCML's local bases.
// The two thin SVDs are eigendecompositions of Gram matrices (d × d, then rank × rank): their
// right singular vectors and singular values are all the solver uses.
import { symEig } from '../ops/eigen';

/** Right singular vectors (columns of V [c, c]) and singular values of A [r, c], descending. */
function svdRight(A: Float64Array, r: number, c: number, fn: string): { S: Float64Array; V: Float64Array } {
  const G = new Float64Array(c * c);
  for (let i = 0; i < r; i++)
    for (let a = 0; a < c; a++) {
      const v = A[i * c + a];
      if (v !== 0) for (let b = 0; b < c; b++) G[a * c + b] += v * A[i * c + b];
    }
  const { values, vectors } = symEig(G, c, fn);
  const S = new Float64Array(c), V = new Float64Array(c * c);
  for (let t = 0; t < c; t++) {
    const col = c - 1 - t;
    S[t] = Math.sqrt(Math.max(0, values[col]));
    for (let j = 0; j < c; j++) V[j * c + t] = vectors[j * c + col];
  }
  return { S, V };
}

/**
 * scalings_ [d, rank] of X [n, d] with class indices y (0..C−1), as LinearDiscriminantAnalysis
 * with the 'svd' solver: within-class whitening (columns scaled by the within-class std,
 * directions with singular value ≤ tol dropped), then the directions of the whitened class
 * means weighted by √(n·prior/(C − 1)), those ≤ tol·(largest) dropped. Columns by decreasing
 * between-class spread.
 */
export function ldaScalings(X: Float64Array, n: number, d: number, y: ArrayLike<number>, C: number, fn: string, tol = 1e-4): { scalings: Float64Array; rank: number } {
  if (n <= C) throw new Error(`${fn}: LDA needs more samples (${n}) than classes (${C})`);
  const counts = new Float64Array(C), means = new Float64Array(C * d);
  for (let i = 0; i < n; i++) {
    counts[y[i]]++;
    for (let j = 0; j < d; j++) means[y[i] * d + j] += X[i * d + j];
  }
  for (let c = 0; c < C; c++) for (let j = 0; j < d; j++) means[c * d + j] /= counts[c];
  const Xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xc[i * d + j] = X[i * d + j] - means[y[i] * d + j];
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let mu = 0, s = 0;
    for (let i = 0; i < n; i++) mu += Xc[i * d + j];
    mu /= n;
    for (let i = 0; i < n; i++) s += (Xc[i * d + j] - mu) ** 2;
    std[j] = Math.sqrt(s / n) || 1;
  }
  const f = Math.sqrt(1 / (n - C));
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xc[i * d + j] = (f * Xc[i * d + j]) / std[j];
  const w = svdRight(Xc, n, d, fn);
  let r1 = 0;
  while (r1 < d && w.S[r1] > tol) r1++;
  const within = new Float64Array(d * r1);
  for (let j = 0; j < d; j++) for (let t = 0; t < r1; t++) within[j * r1 + t] = w.V[j * d + t] / std[j] / w.S[t];
  // class means around the prior-weighted grand mean, into the whitened space
  const fac = C === 1 ? 1 : 1 / (C - 1);
  const xbar = new Float64Array(d);
  for (let c = 0; c < C; c++) for (let j = 0; j < d; j++) xbar[j] += (counts[c] / n) * means[c * d + j];
  const B = new Float64Array(C * r1);
  for (let c = 0; c < C; c++) {
    const s = Math.sqrt(counts[c] * fac);
    for (let t = 0; t < r1; t++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += s * (means[c * d + j] - xbar[j]) * within[j * r1 + t];
      B[c * r1 + t] = v;
    }
  }
  const b = svdRight(B, C, r1, fn);
  // at most min(C, r1) singular values exist; the Gram matrix's extra ones are rounding
  let rank = 0;
  while (rank < Math.min(C, r1) && b.S[rank] > tol * b.S[0]) rank++;
  const scalings = new Float64Array(d * rank);
  for (let j = 0; j < d; j++)
    for (let t = 0; t < rank; t++) {
      let v = 0;
      for (let u = 0; u < r1; u++) v += within[j * r1 + u] * b.V[u * r1 + t];
      scalings[j * rank + t] = v;
    }
  return { scalings, rank };
}
