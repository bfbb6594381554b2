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
  f32_row_sqnorms(x: Ptr, out: Ptr, n: number, d: number): void;
  f32_centre_rows(x: Ptr, y: Ptr, xc: Ptr, yc: Ptr, mu: Ptr, n: number, m: number, d: number): void;
  f32_find_nonfinite(x: Ptr, n: number): number;
  f32_cdist_sqeuclid_fwd(x: Ptr, y: Ptr, xc: Ptr, yc: Ptr, mu: Ptr, xn: Ptr, yn: Ptr, out: Ptr, n: number, m: number, d: number, ws: Ptr): void;
  f32_cdist_euclid_fwd(x: Ptr, y: Ptr, xc: Ptr, yc: Ptr, mu: Ptr, xn: Ptr, yn: Ptr, out: Ptr, n: number, m: number, d: number, ws: Ptr): void;
  f32_cdist_euclid_bwd_nweights(g: Ptr, dist: Ptr, nw: Ptr, size: number): void;
  f32_cdist_l2_bwd_x(nw: Ptr, a: Ptr, b: Ptr, ga: Ptr, n: number, m: number, d: number, acc: number, ws: Ptr): void;
  f32_cdist_l2_bwd_y(nw: Ptr, a: Ptr, b: Ptr, colsum: Ptr, gb: Ptr, n: number, m: number, d: number, acc: number, ws: Ptr): void;
  f32_cdist_manhattan_fwd(x: Ptr, y: Ptr, out: Ptr, n: number, m: number, d: number): void;
  f32_cdist_lp_fwd(x: Ptr, y: Ptr, out: Ptr, n: number, m: number, d: number, p: number): void;
  f32_cdist_manhattan_bwd(a: Ptr, b: Ptr, g: Ptr, gsi: number, gsj: number, ga: Ptr, na: number, nb: number, d: number, acc: number): void;
  f32_cdist_lp_bwd(a: Ptr, b: Ptr, g: Ptr, dist: Ptr, gsi: number, gsj: number, ga: Ptr, na: number, nb: number, d: number, p: number, acc: number): void;
  f32_paired_sqeuclid_fwd(x: Ptr, y: Ptr, out: Ptr, n: number, d: number): void;
  f32_paired_euclid_fwd(x: Ptr, y: Ptr, out: Ptr, n: number, d: number): void;
  f32_paired_manhattan_fwd(x: Ptr, y: Ptr, out: Ptr, n: number, d: number): void;
  f32_paired_lp_fwd(x: Ptr, y: Ptr, out: Ptr, n: number, d: number, p: number): void;
  f32_paired_dot_fwd(x: Ptr, y: Ptr, out: Ptr, n: number, d: number): void;
  f32_paired_bwd(kind: number, a: Ptr, b: Ptr, g: Ptr, dist: Ptr, ga: Ptr, n: number, d: number, p: number, acc: number): void;
  f32_dist_pow_fwd(x: Ptr, out: Ptr, n: number, power: number): void;
  f32_dist_pow_bwd(x: Ptr, g: Ptr, gx: Ptr, n: number, power: number, acc: number): void;
  f32_dist_sqrt_fwd(x: Ptr, out: Ptr, n: number): void;
  f32_dist_sqrt_bwd(out: Ptr, g: Ptr, gx: Ptr, n: number, acc: number): void;
  f32_lpnormalize_fwd(x: Ptr, y: Ptr, norms: Ptr, n: number, d: number, p: number, eps: number): void;
  f32_lpnormalize_bwd(x: Ptr, g: Ptr, norms: Ptr, gx: Ptr, n: number, d: number, p: number, eps: number, acc: number): void;
  f32_mahalanobis_cdist_fwd(x: Ptr, y: Ptr, M: Ptr, xc: Ptr, yc: Ptr, mu: Ptr, xm: Ptr, ym: Ptr, qx: Ptr, qy: Ptr, out: Ptr, n: number, m: number, d: number, ws: Ptr): void;
  f32_mahalanobis_paired_fwd(x: Ptr, y: Ptr, M: Ptr, diff: Ptr, dm: Ptr, out: Ptr, n: number, d: number, ws: Ptr): void;
  f32_mahalanobis_paired_bwd_x(dm: Ptr, g: Ptr, ga: Ptr, n: number, d: number, scale: number, acc: number): void;
  f32_mahalanobis_paired_bwd_m(diff: Ptr, g: Ptr, gdiff: Ptr, gM: Ptr, n: number, d: number, acc: number, ws: Ptr): void;
  f32_cholesky(a: Ptr, l: Ptr, d: number, relTol: number, ws: Ptr): number;
  f32_spd_inverse(a: Ptr, out: Ptr, d: number, relTol: number, ws: Ptr): number;
  f32_topk_merge(tile: Ptr, nq: number, nb: number, ldt: number, k: number, refBase: number, selfBase: number, bestD: Ptr, bestI: Ptr): void;
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
