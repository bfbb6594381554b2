// The stochastic-neighbour objectives of NCA and MLKR. Both put a softmax over −‖Lxᵢ − Lxⱼ‖²
// (j ≠ i) on every row and have the gradient c·(XLᵀ)ᵀ·W_sym·X for a weight matrix W built from
// that softmax. All of it is float64 in wasm, as metric-learn's numpy: unscaled data such as
// wine's, features near 10³, would leave float32 distances a quantum of 0.1 inside exp(−d),
// and a float32 gradient sends L-BFGS down a different path in the baseline and relaxed
// builds on these saturated softmaxes. Every buffer lives in wasm memory for the whole fit.
import { f64, getEngine } from '../wasm/instance';
import { NeighbourObjective } from '../wasm/abi';

export { NeighbourObjective };

export interface NeighbourProblem {
  /** loss, and grad [k·d] = scale · Eᵀ W_sym X with E = X Aᵀ, W_sym = W + Wᵀ, diag(W_sym) = −colsum(W). */
  evaluate(A: Float64Array, grad: Float64Array): number;
  dispose(): void;
}

/** X [n, d] float64, t [n] (class ids for NCA, targets for MLKR), k output dimensions. */
export function neighbourProblem(X: Float64Array, n: number, d: number, k: number, t: ArrayLike<number>, kind: NeighbourObjective, scale: number): NeighbourProblem {
  const e = getEngine();
  const sizes = { x: 8 * n * d, a: 8 * k * d, emb: 8 * n * k, dist: 8 * n * n, t: 8 * n, colsum: 8 * n, wx: 8 * n * d, g: 8 * k * d };
  const p = {} as Record<keyof typeof sizes, number>;
  try {
    for (const key of Object.keys(sizes) as (keyof typeof sizes)[]) p[key] = e.alloc.alloc(sizes[key]);
  } catch (err) {
    for (const ptr of Object.values(p)) e.alloc.free(ptr);
    throw err;
  }
  f64().set(X, p.x >>> 3);
  f64().set(Float64Array.from(t), p.t >>> 3);
  return {
    evaluate(A, grad) {
      const k_ = e.k;
      f64().set(A, p.a >>> 3);
      k_.f64_gemm_nt(p.x, p.a, p.emb, n, d, k);
      k_.f64_pdist_sqeuclid(p.emb, p.dist, n, k);
      const loss = k_.f64_neighbour_weights(p.dist, p.t, p.colsum, n, kind);
      k_.f64_sym_add_transpose(p.dist, p.colsum, n);
      k_.f64_gemm_nn(p.dist, p.x, p.wx, n, n, d, 0);
      k_.f64_gemm_tn(p.emb, p.wx, p.g, k, n, d, 0);
      const G = f64().subarray(p.g >>> 3, (p.g >>> 3) + k * d);
      for (let i = 0; i < k * d; i++) grad[i] = scale * G[i];
      return loss;
    },
    dispose() {
      for (const ptr of Object.values(p)) e.alloc.free(ptr);
    },
  };
}
