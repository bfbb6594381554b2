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

/**
 * metric-learn's weights of NCA (`weighted_p_ij`) and MLKR (`W`) from squared distances
 * D [n, n]: p = softmax over j ≠ i of −D (logsumexp form), then the weights, their column sums
 * and the objective (NCA Σ pᵢ, MLKR Σ δ²).
 */
export function neighbourWeightsRef(D: ArrayLike<number>, t: ArrayLike<number>, n: number, kind: 'nca' | 'mlkr'): { W: Float64Array; colsum: Float64Array; loss: number } {
  const W = new Float64Array(n * n), colsum = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < n; j++) if (j !== i) m = Math.max(m, -D[i * n + j]);
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i) s += Math.exp(-D[i * n + j] - m);
    const lse = m + Math.log(s);
    const p = Array.from({ length: n }, (_, j) => (j === i ? 0 : Math.exp(-D[i * n + j] - lse)));
    if (kind === 'nca') {
      const pi = p.reduce((a, v, j) => a + (t[j] === t[i] ? v : 0), 0);
      loss += pi;
      for (let j = 0; j < n; j++) W[i * n + j] = (t[j] === t[i] ? p[j] : 0) - p[j] * pi;
    } else {
      const yhat = p.reduce((a, v, j) => a + v * t[j], 0);
      const delta = yhat - t[i];
      loss += delta * delta;
      for (let j = 0; j < n; j++) W[i * n + j] = p[j] * delta * (t[j] - yhat);
    }
    for (let j = 0; j < n; j++) colsum[j] += W[i * n + j];
  }
  return { W, colsum, loss };
}
