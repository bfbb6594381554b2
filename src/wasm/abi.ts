// TypeScript view of the wasm exports (assembly/index.ts). Pointers are byte offsets
// into linear memory; `acc` flags are 0 (overwrite) or 1 (accumulate into the output).
type Ptr = number;

export interface Kernels extends DistanceKernels, LossKernels, ConvKernels, OptimKernels, ThreadKernels {
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
  f32_pair_loss_fwd(kind: number, buf: Ptr, ld: number, rows: Ptr, cols: Ptr, count: number, margin: number, targets: Ptr, out: Ptr): void;
  f32_pair_loss_bwd(kind: number, buf: Ptr, ld: number, rows: Ptr, cols: Ptr, count: number, margin: number, targets: Ptr, g: Ptr, dbuf: Ptr): void;
  f32_triplet_margin_fwd(apBuf: Ptr, anBuf: Ptr, pnBuf: Ptr, ld: number, a: Ptr, p: Ptr, n: Ptr, t: number, margin: number, flags: number, out: Ptr): void;
  f32_triplet_margin_bwd(apBuf: Ptr, anBuf: Ptr, pnBuf: Ptr, ld: number, a: Ptr, p: Ptr, n: Ptr, t: number, margin: number, flags: number, g: Ptr, dAp: Ptr, dAn: Ptr, dPn: Ptr): void;
  f32_ntxent_fwd(mat: Ptr, ld: number, n: number, a1: Ptr, p: Ptr, count: number, negStart: Ptr, negCols: Ptr, invTemp: number, inverted: number, negLse: Ptr, out: Ptr): void;
  f32_ntxent_bwd(mat: Ptr, ld: number, n: number, a1: Ptr, p: Ptr, count: number, negStart: Ptr, negCols: Ptr, invTemp: number, inverted: number, negLse: Ptr, w: Ptr, g: Ptr, dmat: Ptr): void;
  f32_multi_similarity_fwd(mat: Ptr, n: number, posMask: Ptr, negMask: Ptr, alpha: number, beta: number, base: number, inverted: number, lse: Ptr, out: Ptr): void;
  f32_multi_similarity_bwd(mat: Ptr, n: number, posMask: Ptr, negMask: Ptr, alpha: number, beta: number, base: number, inverted: number, lse: Ptr, g: Ptr, dmat: Ptr): void;
  f32_bce_logits_fwd(z: Ptr, y: Ptr, out: Ptr, n: number): void;
  f32_bce_logits_bwd(z: Ptr, y: Ptr, g: Ptr, gz: Ptr, n: number, acc: number): void;
  f32_count_positive(x: Ptr, n: number): number;
  f32_sum_positive(x: Ptr, n: number): number;
  f32_positive_mask_scale(x: Ptr, s: number, gx: Ptr, n: number, acc: number): void;
  i32_all_pairs(labels: Ptr, n: number, a1: Ptr, p: Ptr, a2: Ptr, nn: Ptr, counts: Ptr): void;
  f32_triplet_margin_mine(mat: Ptr, labels: Ptr, n: number, inverted: number, type: number, margin: number, a: Ptr, p: Ptr, nn: Ptr): number;
  f32_batch_hard_mine(mat: Ptr, labels: Ptr, n: number, inverted: number, a: Ptr, p: Ptr, nn: Ptr): number;
  f32_pair_margin_mine(mat: Ptr, labels: Ptr, n: number, inverted: number, posMargin: number, negMargin: number, a1: Ptr, p: Ptr, a2: Ptr, nn: Ptr, counts: Ptr): void;
  i32_group_by_anchor(anchors: Ptr, cols: Ptr, count: number, n: number, start: Ptr, outCols: Ptr): void;
  u8_pair_mask(rows: Ptr, cols: Ptr, count: number, n: number, mask: Ptr): void;
}

/** assembly/kernels/conv.ts, pool.ts, norm.ts */
export interface ConvKernels {
  // conv, pool, batch norm, dropout (issue 5)
  f32_conv2d_fwd(x: Ptr, weight: Ptr, bias: Ptr, y: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, group: number, ws: Ptr): void;
  f32_conv2d_fwd_direct_scratch(c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number): number;
  f32_conv2d_bwd_input(dy: Ptr, weight: Ptr, dx: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, group: number, acc: number, ws: Ptr): void;
  f32_conv2d_bwd_filter(x: Ptr, dy: Ptr, dweight: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, group: number, acc: number, ws: Ptr): void;
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

/** Shares of one call, run by init({ threads }) workers (assembly/kernels/gemm.ts, conv.ts) */
export interface ThreadKernels {
  // threads (issue 7)
  f32_gemm_part(form: number, a: Ptr, b: Ptr, c: Ptr, m: number, k: number, n: number, acc: number, ws: Ptr, i0: number, i1: number, j0: number, j1: number): void;
  f32_conv2d_bwd_filter_rows(x: Ptr, dy: Ptr, dweight: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, group: number, acc: number, ws: Ptr, o0: number, o1: number): void;
  f32_conv2d_bwd_filter_channels(x: Ptr, dy: Ptr, dweight: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, group: number, acc: number, ws: Ptr, c0: number, c1: number): void;
}
