// Float64 objectives of the iterative learners, written from their papers / metric-learn's
// formulas, to judge what a learner reached independently of its own bookkeeping.

function softmaxRows(L: ArrayLike<number>, k: number, d: number, X: number[][]): number[][] {
  const E = X.map((x) => Array.from({ length: k }, (_, r) => x.reduce((s, v, j) => s + L[r * d + j] * v, 0)));
  return E.map((a, i) => {
    const neg = E.map((b, j) => (i === j ? -Infinity : -a.reduce((s, v, t) => s + (v - b[t]) ** 2, 0)));
    const m = Math.max(...neg);
    const e = neg.map((v) => Math.exp(v - m));
    const s = e.reduce((p, q) => p + q, 0);
    return e.map((v) => v / s);
  });
}

/** NCA: Σᵢ Σ_{j: yⱼ = yᵢ} pᵢⱼ (to maximise). */
export function ncaObjectiveRef(L: ArrayLike<number>, k: number, d: number, X: number[][], y: number[]): number {
  return softmaxRows(L, k, d, X).reduce((s, row, i) => s + row.reduce((t, p, j) => t + (y[j] === y[i] ? p : 0), 0), 0);
}

/** MLKR: Σᵢ (Σⱼ pᵢⱼ yⱼ − yᵢ)² (to minimise). */
export function mlkrObjectiveRef(L: ArrayLike<number>, k: number, d: number, X: number[][], y: number[]): number {
  return softmaxRows(L, k, d, X).reduce((s, row, i) => s + (row.reduce((t, p, j) => t + p * y[j], 0) - y[i]) ** 2, 0);
}

/** Held-out Gaussian-kernel regression error (MLKR's predictor): ŷ(x) = Σⱼ softmax(−(x − xⱼ)ᵀM(x − xⱼ)) yⱼ over the training rows; mean (ŷ − y)². */
export function kernelRegressionMseRef(M: ArrayLike<number>, d: number, Xtr: number[][], ytr: number[], Xte: number[][], yte: number[]): number {
  let se = 0;
  Xte.forEach((q, i) => {
    const neg = Xtr.map((x) => {
      const v = x.map((t, j) => t - q[j]);
      let s = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s += v[a] * M[a * d + b] * v[b];
      return -s;
    });
    const m = Math.max(...neg);
    const w = neg.map((t) => Math.exp(t - m));
    const z = w.reduce((p, q2) => p + q2, 0);
    const pred = w.reduce((p, wj, j) => p + wj * ytr[j], 0) / z;
    se += (pred - yte[i]) ** 2;
  });
  return se / yte.length;
}
