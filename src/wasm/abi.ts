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
  // conv, pool, batch norm, dropout (issue 5)
  f32_conv2d_fwd(x: Ptr, weight: Ptr, bias: Ptr, y: Ptr, col: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, ws: Ptr): void;
  f32_conv2d_bwd_input(dy: Ptr, weight: Ptr, dx: Ptr, col: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, acc: number, ws: Ptr): void;
  f32_conv2d_bwd_filter(x: Ptr, dy: Ptr, dweight: Ptr, col: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, acc: number, ws: Ptr): void;
  f32_conv2d_bwd_bias(dy: Ptr, dbias: Ptr, n: number, oc: number, hw: number, acc: number): void;
  f32_maxpool2d_fwd(x: Ptr, y: Ptr, idx: Ptr, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number): void;
  f32_maxpool2d_bwd(dy: Ptr, idx: Ptr, dx: Ptr, planes: number, h: number, w: number, oh: number, ow: number, acc: number): void;
  f32_batchnorm_stats(x: Ptr, mean: Ptr, invstd: Ptr, n: number, c: number, l: number, eps: number, rmean: Ptr, rvar: Ptr, momentum: number): void;
  f32_batchnorm_invstd(variance: Ptr, invstd: Ptr, c: number, eps: number): void;
  f32_batchnorm_fwd(x: Ptr, mean: Ptr, invstd: Ptr, gamma: Ptr, beta: Ptr, y: Ptr, n: number, c: number, l: number): void;
  f32_batchnorm_bwd_reduce(x: Ptr, dy: Ptr, mean: Ptr, invstd: Ptr, sumDy: Ptr, sumDyXhat: Ptr, n: number, c: number, l: number): void;
  f32_batchnorm_bwd_input(x: Ptr, dy: Ptr, mean: Ptr, invstd: Ptr, gamma: Ptr, sumDy: Ptr, sumDyXhat: Ptr, dx: Ptr, n: number, c: number, l: number, training: number, acc: number): void;
  f32_dropout_fwd(x: Ptr, y: Ptr, mask: Ptr, n: number, p: number, seed: number): void;
  f32_dropout_bwd(dy: Ptr, mask: Ptr, dx: Ptr, n: number, acc: number): void;
}

/** assembly/kernels/optim.ts */
export interface OptimKernels {
  // optimisers (issue 5)
  f32_sgd_step(p: Ptr, g: Ptr, buf: Ptr, n: number, lr: number, momentum: number, oneMinusDampening: number, wd: number, nesterov: number, first: number): void;
  f32_adam_step(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, stepSize: number, bc2Sqrt: number, eps: number, l2: number, decay: number): void;
}
