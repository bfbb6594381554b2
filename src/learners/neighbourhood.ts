// The stochastic-neighbour objectives of NCA and MLKR. Both put a softmax over −‖Lxᵢ − Lxⱼ‖²
// (j ≠ i) on every row and have the gradient c·(XLᵀ)ᵀ·W_sym·X for a weight matrix W built from
// that softmax. All of it is float64 in wasm, as metric-learn's numpy (a float32 Gram only
// picks the pairs whose exp can be non-zero; their distances are float64): unscaled data such as
// wine's, features near 10³, would leave float32 distances a quantum of 0.1 inside exp(−d),
// and a float32 gradient sends L-BFGS down a different path in the baseline and relaxed
// builds on these saturated softmaxes. Every buffer lives in wasm memory for the whole fit.
import { getEngine } from '../wasm/instance';
import { F64Scope } from '../ops/f64-linalg';
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
  const scope = new F64Scope();
  let p: Record<'x' | 'a' | 'emb' | 'emb32' | 'gram' | 'diag' | 't' | 'colsum' | 'wx' | 'g' | 'idx' | 'vals', number>;
  try {
    p = {
      x: scope.f64(X), t: scope.f64(t), a: scope.out64(k * d), emb: scope.out64(n * k), emb32: scope.f32(n * k), gram: scope.f32(n * n),
      diag: scope.f32(n), colsum: scope.out64(n), wx: scope.out64(n * d), g: scope.out64(k * d), idx: scope.i32(n), vals: scope.out64(n),
    };
  } catch (err) {
    scope.dispose();
    throw err;
  }
  return {
    evaluate(A, grad) {
      const k_ = e.k;
      scope.write(p.a, A);
      k_.f64_gemm_nt(p.x, p.a, p.emb, n, d, k);
      // the f32 Gram of E only screens the pairs whose exp can be non-zero (f64_neighbour_grad)
      const s = k_.f64_to_f32_pow2(p.emb, p.emb32, n * k);
      k_.f32_gemm_nt_self(p.emb32, p.gram, n, k, e.gemmWorkspace);
      const loss = k_.f64_neighbour_grad(p.gram, p.diag, s, p.emb, k, p.t, p.x, p.wx, p.colsum, p.idx, p.vals, n, d, kind);
      k_.f64_gemm_tn(p.emb, p.wx, p.g, k, n, d, 0);
      const G = scope.view(p.g, k * d);
      for (let i = 0; i < k * d; i++) grad[i] = scale * G[i];
      return loss;
    },
    dispose() {
      scope.dispose();
    },
  };
}
