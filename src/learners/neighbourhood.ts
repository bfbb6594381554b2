// The stochastic-neighbour objectives of NCA and MLKR. Both put a softmax over −‖Lxᵢ − Lxⱼ‖²
// (j ≠ i) on every row and have the gradient c·(XLᵀ)ᵀ·W_sym·X for a weight matrix W built from
// that softmax. The embedding and its pairwise distances are float64 (unscaled data such as
// wine's, features near 10³, would leave float32 distances a quantum of 0.1 inside exp(−d));
// the two n-sized products of the gradient (W_sym·X, then Eᵀ·that) run on the wasm GEMM.
import { tensor } from '../autograd/create';
import { Tensor, noGrad, tidy } from '../autograd/tensor';
import { matmul, transpose } from '../ops/gemm';

/** Row-wise weights from the softmax: fills W (row i, length n) given P's row i; returns the loss term of row i. */
export type RowWeights = (i: number, P: Float64Array, W: Float64Array) => number;

/**
 * loss = Σᵢ rowWeights(i, ·) and grad [k·d] = scale · Eᵀ W_sym X with E = X Aᵀ,
 * W_sym = W + Wᵀ, diag(W_sym) = −colsum(W) (metric-learn's form). X is an f32 tensor [n, d].
 */
export function neighbourObjective(X: Tensor, Xf: Float64Array, A: Float64Array, k: number, rowWeights: RowWeights, scale: number, grad: Float64Array): number {
  const [n, d] = X.shape;
  return noGrad(() =>
    tidy(() => {
      const Ef = embed(Xf, A, n, d, k);
      const D = sqDistances(Ef, n, k);
      const E = tensor(Float32Array.from(Ef), [n, k]);
      const P = new Float64Array(n);
      const Wrow = new Float64Array(n);
      const W = new Float32Array(n * n);
      const colSum = new Float64Array(n);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let mx = -Infinity;
        for (let j = 0; j < n; j++) if (j !== i && -D[i * n + j] > mx) mx = -D[i * n + j];
        let s = 0;
        for (let j = 0; j < n; j++) {
          const p = j === i ? 0 : Math.exp(-D[i * n + j] - mx);
          P[j] = p;
          s += p;
        }
        for (let j = 0; j < n; j++) P[j] /= s;
        Wrow.fill(0);
        loss += rowWeights(i, P, Wrow);
        for (let j = 0; j < n; j++) {
          W[i * n + j] += Wrow[j];
          W[j * n + i] += Wrow[j];
          colSum[j] += Wrow[j];
        }
      }
      for (let i = 0; i < n; i++) W[i * n + i] = -colSum[i];
      const G = matmul(transpose(E), matmul(tensor(W, [n, n]), X)).data();
      for (let i = 0; i < k * d; i++) grad[i] = scale * G[i];
      return loss;
    }),
  );
}

/** E = X Aᵀ [n, k] in float64. */
function embed(X: Float64Array, A: Float64Array, n: number, d: number, k: number): Float64Array {
  const E = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < k; r++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += X[i * d + j] * A[r * d + j];
      E[i * k + r] = s;
    }
  return E;
}

/** ‖eᵢ − eⱼ‖² [n, n] in float64 (differences, not the Gram trick, so near pairs keep their digits). */
function sqDistances(E: Float64Array, n: number, k: number): Float64Array {
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let r = 0; r < k; r++) {
        const v = E[i * k + r] - E[j * k + r];
        s += v * v;
      }
      D[i * n + j] = D[j * n + i] = s;
    }
  return D;
}
