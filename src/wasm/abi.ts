// TypeScript view of the wasm exports (assembly/index.ts). Pointers are byte offsets
// into linear memory; `acc` flags are 0 (overwrite) or 1 (accumulate into the output).
type Ptr = number;

export interface Kernels extends DistanceKernels, LossKernels, ConvKernels, OptimKernels {
  memory: WebAssembly.Memory;
  heap_base(): Ptr;
  build_is_relaxed(): number;
  f32_peak_madd(iters: number, seed: number): number;

  f32_add(a: Ptr, b: Ptr, out: Ptr, n: number): void;
  f32_sub(a: Ptr, b: Ptr, out: Ptr, n: number): void;
  f32_mul(a: Ptr, b: Ptr, out: Ptr, n: number): void;
  f32_div(a: Ptr, b: Ptr, out: Ptr, n: number): void;
  f32_add_scalar(a: Ptr, s: number, out: Ptr, n: number): void;
  f32_scale(a: Ptr, s: number, out: Ptr, n: number): void;
  f32_div_scalar(a: Ptr, s: number, out: Ptr, n: number): void;
  f32_binary_row(op: number, a: Ptr, row: Ptr, out: Ptr, n: number, d: number): void;
  f32_binary_col(op: number, a: Ptr, col: Ptr, out: Ptr, n: number, d: number): void;
  f32_axpy(alpha: number, x: Ptr, y: Ptr, n: number): void;
  f32_fill(out: Ptr, v: number, n: number): void;
  f32_copy(src: Ptr, dst: Ptr, n: number): void;
  f32_relu_fwd(x: Ptr, y: Ptr, n: number): void;
  f32_relu_bwd(x: Ptr, gy: Ptr, gx: Ptr, n: number, acc: number): void;
  f32_transpose(a: Ptr, out: Ptr, n: number, d: number): void;

  f32_sum(x: Ptr, n: number): number;
  f32_sum_rows(x: Ptr, out: Ptr, n: number, d: number, acc: number): void;
  f32_sum_cols(x: Ptr, out: Ptr, n: number, d: number, acc: number): void;
  f32_l2norm_rows(x: Ptr, out: Ptr, n: number, d: number): void;
  f32_l2normalize_fwd(x: Ptr, y: Ptr, norms: Ptr, n: number, d: number, eps: number): void;
  f32_l2normalize_bwd(y: Ptr, g: Ptr, norms: Ptr, gx: Ptr, n: number, d: number, eps: number, acc: number): void;

  f32_gemm_workspace_bytes(): number;
  f32_gemm_nn(a: Ptr, b: Ptr, c: Ptr, m: number, k: number, n: number, acc: number, ws: Ptr): void;
  f32_gemm_tn(a: Ptr, b: Ptr, c: Ptr, m: number, k: number, n: number, acc: number, ws: Ptr): void;
  f32_gemm_nt(a: Ptr, b: Ptr, c: Ptr, m: number, k: number, n: number, acc: number, ws: Ptr): void;
}

/** Op codes of f32_binary_row / f32_binary_col. */
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3 } as const;

// Each family's kernels, in the order of assembly/index.ts. Families add their lines to
// their own block.

/** assembly/kernels/distance.ts, mahalanobis.ts, linalg.ts */
export interface DistanceKernels {
  // distances (issue 3)
}

/** assembly/kernels/loss.ts */
export interface LossKernels {
  // losses and miners (issue 4)
}

/** assembly/kernels/conv.ts, pool.ts, norm.ts */
export interface ConvKernels {
  // conv, pool, batch norm (issue 5)
}

/** assembly/kernels/optim.ts */
export interface OptimKernels {
  // optimisers (issue 5)
}
