// The kernels of init({ threads }): the heavy exports replaced by versions that split one call
// across the main thread and the pool, with the same signatures, so ops call them unchanged.
// Every split is along independent outputs (rows or columns of a GEMM's C, images of a batch,
// rows of a distance matrix) and each output sums its terms in the same order as the whole
// call: threaded results are bitwise equal to single-threaded ones.
import type { Kernels } from './abi';
import type { Allocator } from './memory';
import type { Pool, WorkerKernel } from './threads';

// GEMM register tile (assembly/kernels/gemm.ts): chunks are whole tiles.
const MR = 5;
const NR = 8;
// Form codes of f32_gemm_part.
const FORM = { nn: 0, tn: 1, nt: 2 } as const;
/**
 * Below these many multiply-adds a call stays on the calling thread. Measured here (2 threads,
 * quiet machine, threaded / one-thread time of a GEMM): 64³ (0.26 M madds) breaks even, 80³
 * (0.5 M) 0.93×, 96³ (0.9 M) 1.24×, 128³ (2.1 M) 1.41×; posting a job and waiting costs a
 * few µs when the workers spin, tens of µs when they sleep.
 */
export const SPLIT_MIN_MADDS = 3 << 18;
/** The same for memory-bound elementwise kernels (ReLU: 32 K elements break even, 64 K 1.32×). */
export const SPLIT_MIN_ELEMENTS = 1 << 16;
/** Chunks per thread where a chunk costs nothing extra (GEMM rows): a delayed thread takes fewer. */
const CHUNKS_PER_THREAD = 3;

const roundUp = (x: number, a: number) => Math.ceil(x / a) * a;

type ConvGeo = [n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, group: number];
function convSizes([n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group]: ConvGeo) {
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1, ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0;
  const ckk = c * kh * kw;
  return { ohw: oh * ow, chw: c * h * w, madds: n * oc * ckk * oh * ow, scratch: pointwise ? 0 : (ckk + (group > 1 ? oc : 0)) * group * oh * ow };
}

export function threadedKernels(raw: Kernels, pool: Pool, alloc: Allocator, workspaces: number[]): Kernels {
  const threads = pool.workers + 1;
  const kernel = (fn: WorkerKernel) => raw[fn] as (...a: number[]) => void;

  /**
   * Runs fn over [0, total) in chunks of `unit`; `base` are this thread's arguments (its
   * workspace and scratch), `workerBase(w)` worker w's; argument p of chunk [start, end) is
   * base[p] + s0[p]·start + s1[p]·end (`moves` lists the non-zero s0, s1 by position).
   */
  const split = (fn: WorkerKernel, total: number, unit: number, base: number[], workerBase: (w: number) => number[], moves: Record<number, [number, number]>): void => {
    const s0 = base.map((_, p) => moves[p]?.[0] ?? 0), s1 = base.map((_, p) => moves[p]?.[1] ?? 0);
    pool.run({ fn, total, unit, s0, s1, base: (t) => (t === 0 ? base : workerBase(t - 1)) }, kernel(fn));
  };

  /** Scratch blocks of `floats` floats for the workers, freed after fn. */
  const withWorkerScratch = (floats: number, fn: (scratch: number[]) => void): void => {
    const blocks = workspaces.map(() => alloc.alloc(floats * 4));
    try {
      fn(blocks);
    } finally {
      for (const b of blocks) alloc.free(b);
    }
  };

  /** Arguments with position `at` replaced by `value`. */
  const withArg = (args: number[], at: number, value: number) => args.map((v, p) => (p === at ? value : v));

  const gemmOf = (form: 'nn' | 'tn' | 'nt') => (a: number, b: number, c: number, m: number, k: number, n: number, acc: number, ws: number): void => {
    if (m * k * n < SPLIT_MIN_MADDS || Math.max(m, n) < 2 * MR) return raw[`f32_gemm_${form}`](a, b, c, m, k, n, acc, ws);
    // Splitting rows repacks all of B in every chunk, splitting columns all of A: cut the
    // longer side, so the repeated packing is the smaller one.
    const byRows = m >= n;
    const base = [FORM[form], a, b, c, m, k, n, acc, ws, 0, byRows ? 0 : m, 0, byRows ? n : 0];
    const unit = roundUp(Math.ceil((byRows ? m : n) / (CHUNKS_PER_THREAD * threads)), byRows ? MR : NR);
    const moves: Record<number, [number, number]> = byRows ? { 9: [1, 0], 10: [0, 1] } : { 11: [1, 0], 12: [0, 1] };
    split('f32_gemm_part', byRows ? m : n, unit, base, (w) => withArg(base, 8, workspaces[w]), moves);
  };

  /**
   * Forward and backward-to-input: whole groups of images per chunk, each thread with its own
   * im2col scratch. Arguments are (…pointers, scratch, …geometry, [acc,] ws); pointer i
   * advances by strides[i] floats per image (0: shared, e.g. weight and bias).
   */
  const byImages = (fn: 'f32_conv2d_fwd' | 'f32_conv2d_fwd_act' | 'f32_conv2d_fwd_packed' | 'f32_conv2d_bwd_input', nPtrs: number, strides: (z: ReturnType<typeof convSizes>, oc: number) => number[]) =>
    (...all: number[]): void => {
      const geo = all.slice(nPtrs + 1, nPtrs + 13) as ConvGeo;
      const z = convSizes(geo);
      const [n, , , , oc, , , , , , , group] = geo;
      if (z.madds < SPLIT_MIN_MADDS || n < 2) return kernel(fn)(...all);
      const unit = roundUp(Math.ceil(n / (CHUNKS_PER_THREAD * threads)), group);
      const moves: Record<number, [number, number]> = { [nPtrs + 1]: [-1, 1] }; // n = end − start
      strides(z, oc).forEach((st, i) => st && all[i] !== 0 && (moves[i] = [st * 4, 0])); // pointer 0: none (no residual)
      const wsAt = fn === 'f32_conv2d_fwd_act' || fn === 'f32_conv2d_fwd_packed' ? all.length - 2 : all.length - 1; // these end (…, ws, act)
      const [, c, h, w, , kh, kw, sh, sw, ph, pw] = geo;
      const scratch = fn === 'f32_conv2d_fwd_packed' ? raw.f32_conv2d_fwd_packed_scratch(c, h, w, oc, kh, kw, sh, sw, ph, pw, group)
        : fn !== 'f32_conv2d_bwd_input' ? Math.max(z.scratch, raw.f32_conv2d_fwd_direct_scratch(c, h, w, oc, kh, kw, sh, sw, ph, pw)) : z.scratch;
      withWorkerScratch(scratch, (scr) =>
        split(fn, n, unit, withArg(all, nPtrs + 1, 0), (w) => withArg(withArg(withArg(all, nPtrs + 1, 0), nPtrs, scr[w]), wsAt, workspaces[w]), moves),
      );
    };
  // (x, weight, bias, y, …): x advances by c·h·w, y by oc·oh·ow.
  const convFwd = byImages('f32_conv2d_fwd', 4, (z, oc) => [z.chw, 0, 0, oc * z.ohw]);
  const convActFwd = byImages('f32_conv2d_fwd_act', 4, (z, oc) => [z.chw, 0, 0, oc * z.ohw]);
  // (x, packed, bias, res, y, …): res and y advance by oc·oh·ow.
  const convPackedFwd = byImages('f32_conv2d_fwd_packed', 5, (z, oc) => [z.chw, 0, 0, oc * z.ohw, oc * z.ohw]);
  // (dy, weight, dx, …): dy advances by oc·oh·ow, dx by c·h·w.
  const convBwdInput = byImages('f32_conv2d_bwd_input', 3, (z, oc) => [oc * z.ohw, 0, z.chw]);

  /**
   * Backward to the filter, one chunk per thread over the whole batch: columns of dW (input
   * channels, each thread building only its channels' col) when there are enough channels,
   * else rows (output channels, each thread building the whole col: cheap with few channels).
   */
  const convBwdFilter = (x: number, dy: number, dw: number, scratch: number, ...rest: number[]): void => {
    const geo = rest.slice(0, 12) as ConvGeo;
    const [acc, ws] = rest.slice(12);
    const z = convSizes(geo);
    const [, c, , , oc] = geo;
    const byChannels = c >= threads;
    if (z.madds < SPLIT_MIN_MADDS || (!byChannels && oc < 2 * MR)) return raw.f32_conv2d_bwd_filter(x, dy, dw, scratch, ...geo, acc, ws);
    const base = [x, dy, dw, scratch, ...geo, acc, ws, 0, 0];
    const [fn, total, unit] = byChannels
      ? (['f32_conv2d_bwd_filter_channels', c, Math.ceil(c / threads)] as const)
      : (['f32_conv2d_bwd_filter_rows', oc, roundUp(Math.ceil(oc / threads), MR)] as const);
    withWorkerScratch(z.scratch, (scr) =>
      split(fn, total, unit, base, (w) => withArg(withArg(base, 3, scr[w]), 17, workspaces[w]), { 18: [1, 0], 19: [0, 1] }),
    );
  };

  /**
   * The fused ReLU, bias and filter gradient of a narrow first layer: output channels per
   * chunk, one chunk per thread (each builds the whole col, cheap for one input channel), each
   * with its own scratch (col, masked rows, the bias's running sums).
   */
  const convReluBwdFilterSmall = (...all: number[]): void => {
    const geo = all.slice(6, 18) as ConvGeo;
    const z = convSizes(geo);
    const [, c, , , oc, kh, kw, , , , , group] = geo;
    if (z.madds < SPLIT_MIN_MADDS || oc < 2) return raw.f32_conv2d_relu_bwd_filter_small(...(all as Parameters<Kernels['f32_conv2d_relu_bwd_filter_small']>));
    const [o0, o1] = all.slice(20);
    const base = withArg(all, 21, o0);
    withWorkerScratch(raw.f32_conv2d_relu_bwd_filter_small_scratch(c, kh, kw, oc, z.ohw, group), (scr) =>
      split('f32_conv2d_relu_bwd_filter_small', o1 - o0, Math.ceil((o1 - o0) / threads), base, (w) => withArg(base, 5, scr[w]), { 20: [1, 0], 21: [0, 1] }),
    );
  };

  /** Pairwise L2 forward: rows of x per chunk; each chunk centres y itself (same mean, same bits). */
  const cdistOf = (fn: 'f32_cdist_sqeuclid_fwd' | 'f32_cdist_euclid_fwd') =>
    (x: number, y: number, xc: number, yc: number, mu: number, xn: number, yn: number, out: number, n: number, m: number, d: number, ws: number): void => {
      if (n * m * d < SPLIT_MIN_MADDS || n < 2 * MR) return raw[fn](x, y, xc, yc, mu, xn, yn, out, n, m, d, ws);
      const unit = roundUp(Math.ceil(n / (CHUNKS_PER_THREAD * threads)), MR);
      const base = [x, y, xc, yc, mu, xn, yn, out, 0, m, d, ws];
      // A worker's scratch: xc [unit, d], yc [m, d], mu [d], xn [unit], yn [m].
      withWorkerScratch(unit * d + m * d + d + unit + m, (scr) =>
        split(fn, n, unit, base, (w) => {
          const xcw = scr[w], ycw = xcw + unit * d * 4, muw = ycw + m * d * 4, xnw = muw + d * 4, ynw = xnw + unit * 4;
          return [x, y, xcw, ycw, muw, xnw, ynw, out, 0, m, d, workspaces[w]];
        }, { 0: [d * 4, 0], 7: [m * 4, 0], 8: [-1, 1] }),
      );
    };

  /** Pairwise L2 backward into x: rows of x (and of the weights) per chunk. */
  const cdistBwdX = (nw: number, a: number, b: number, ga: number, n: number, m: number, d: number, acc: number, ws: number): void => {
    if (n * m * d < SPLIT_MIN_MADDS || n < 2 * MR) return raw.f32_cdist_l2_bwd_x(nw, a, b, ga, n, m, d, acc, ws);
    const base = [nw, a, b, ga, 0, m, d, acc, ws];
    const unit = roundUp(Math.ceil(n / (CHUNKS_PER_THREAD * threads)), MR);
    split('f32_cdist_l2_bwd_x', n, unit, base, (w) => withArg(base, 8, workspaces[w]), { 0: [m * 4, 0], 1: [d * 4, 0], 3: [d * 4, 0], 4: [-1, 1] });
  };

  /** Pairwise L2 backward into y: rows of gb per chunk, each thread on its own workspace. */
  const yRows = (nw: number, a: number, b: number, colsum: number, gb: number, n: number, m: number, d: number, acc: number, ws: number, j0: number, j1: number): void => {
    if (n * (j1 - j0) * d < SPLIT_MIN_MADDS || j1 - j0 < 2 * MR) return raw.f32_cdist_l2_bwd_y_rows(nw, a, b, colsum, gb, n, m, d, acc, ws, j0, j1);
    const base = [nw, a, b, colsum, gb, n, m, d, acc, ws, j0, j0];
    split('f32_cdist_l2_bwd_y_rows', j1 - j0, rowsOfTiles(j1 - j0), base, (w) => withArg(base, 9, workspaces[w]), { 10: [1, 0], 11: [0, 1] });
  };

  /**
   * Memory-bound kernels over independent elements or planes (ReLU, max pooling): `ptrs`
   * pointer arguments advance by `stride(args)` floats per item, argument `countAt` is the
   * item count; `elements(args)` is the work the threshold is measured in.
   */
  const byItems = <F extends WorkerKernel>(fn: F, countAt: number, strides: (args: number[]) => number[], elements: (args: number[]) => number, multiple = 1) =>
    ((...all: number[]): void => {
      const total = all[countAt];
      if (elements(all) < SPLIT_MIN_ELEMENTS || total < 2) return kernel(fn)(...all);
      const moves: Record<number, [number, number]> = { [countAt]: [-1, 1] };
      strides(all).forEach((st, i) => st && (moves[i] = [st * 4, 0]));
      const base = withArg(all, countAt, 0);
      split(fn, total, roundUp(Math.max(1, Math.ceil(total / (CHUNKS_PER_THREAD * threads))), multiple), base, () => base, moves);
    }) as unknown as Kernels[F];
  /**
   * Kernels that take a range [r0, r1) of independent rows or channels as their last two
   * arguments (every pointer stays whole): chunks of `unit` rows of the range, each thread with
   * its own GEMM workspace at argument `wsAt` (−1: none).
   */
  const byRange = <F extends WorkerKernel>(fn: F, elements: (a: number[]) => number, unitOf: (total: number) => number, wsAt = -1) =>
    ((...all: number[]): void => {
      const at = all.length - 2, r0 = all[at], total = all[at + 1] - r0;
      if (elements(all) < SPLIT_MIN_ELEMENTS || total < 2) return kernel(fn)(...all);
      const base = withArg(all, at + 1, r0);
      split(fn, total, unitOf(total), base, (w) => (wsAt < 0 ? base : withArg(base, wsAt, workspaces[w])), { [at]: [1, 0], [at + 1]: [0, 1] });
    }) as unknown as Kernels[F];
  const perThread = (t: number) => Math.ceil(t / (CHUNKS_PER_THREAD * threads));
  const rowsOfTiles = (t: number) => roundUp(perThread(t), MR);

  /** Mahalanobis pairwise forward: the y side on this thread, then rows of x across threads. */
  const mahalanobisCdist = (x: number, y: number, M: number, xc: number, yc: number, mu: number, xm: number, ym: number, qx: number, qy: number, out: number, n: number, m: number, d: number, ws: number): void => {
    if ((n + m) * d * d + n * m * d < SPLIT_MIN_MADDS || n < 2 * MR) return raw.f32_mahalanobis_cdist_fwd(x, y, M, xc, yc, mu, xm, ym, qx, qy, out, n, m, d, ws);
    raw.f32_mahalanobis_cdist_prep(y, M, yc, mu, ym, qy, m, d, ws);
    const base = [x, y, M, xc, yc, mu, xm, ym, qx, qy, out, n, m, d, ws, 0, 0];
    split('f32_mahalanobis_cdist_rows', n, rowsOfTiles(n), base, (w) => withArg(base, 14, workspaces[w]), { 15: [1, 0], 16: [0, 1] });
  };

  /** Mahalanobis paired backward to M: g ⊙ diff (split by rows), then the threaded GEMM diffᵀ·(g ⊙ diff). */
  const mahalanobisPairedBwdM = (diff: number, g: number, gdiff: number, gM: number, n: number, d: number, acc: number, ws: number): void => {
    if (n * d * d < SPLIT_MIN_MADDS) return raw.f32_mahalanobis_paired_bwd_m(diff, g, gdiff, gM, n, d, acc, ws);
    pairedBwdX(diff, g, gdiff, n, d, 1, 0);
    gemmOf('tn')(diff, gdiff, gM, d, n, d, acc, ws);
  };

  /** Mahalanobis paired forward: rows (x, y, diff, dm by d floats, out by one), each thread on its own workspace. */
  const mahalanobisPairedFwd = (x: number, y: number, M: number, diff: number, dm: number, out: number, n: number, d: number, ws: number): void => {
    if (n * d * d < SPLIT_MIN_MADDS || n < 2 * MR) return raw.f32_mahalanobis_paired_fwd(x, y, M, diff, dm, out, n, d, ws);
    const base = [x, y, M, diff, dm, out, 0, d, ws];
    split('f32_mahalanobis_paired_fwd', n, rowsOfTiles(n), base, (w) => withArg(base, 8, workspaces[w]), {
      0: [d * 4, 0], 1: [d * 4, 0], 3: [d * 4, 0], 4: [d * 4, 0], 5: [4, 0], 6: [-1, 1],
    });
  };
  // (dm, g, ga, n, d, scale, acc): dm and ga by a row of d, g by one float.
  const pairedBwdX = byItems('f32_mahalanobis_paired_bwd_x', 3, (a) => [a[4], 1, a[4]], (a) => a[3] * a[4]);

  const plane = (a: number[]) => a[4] * a[5]; // h·w
  const pooledFwd = (a: number[]) => (Math.floor((a[4] - a[6]) / a[8]) + 1) * (Math.floor((a[5] - a[7]) / a[9]) + 1);
  const pooledBwd = (a: number[]) => a[6] * a[7];

  return {
    ...raw,
    // (x, y, n) and (x, gy, gx, n, acc): every pointer advances by one float per element.
    f32_relu_fwd: byItems('f32_relu_fwd', 2, () => [1, 1], (a) => a[2]),
    f32_relu_bwd: byItems('f32_relu_bwd', 3, () => [1, 1, 1], (a) => a[3]),
    // (x, y, idx, planes, h, w, kh, kw, sh, sw): x by a plane, y and idx by an output plane
    // (idx is the offset inside its plane, so a split keeps it).
    f32_maxpool2d_fwd: byItems('f32_maxpool2d_fwd', 3, (a) => [plane(a), pooledFwd(a), pooledFwd(a)], (a) => a[3] * plane(a)),
    // (dy, idx, dx, planes, h, w, oh, ow, acc): dy and idx by an output plane, dx by a plane.
    f32_maxpool2d_bwd: byItems('f32_maxpool2d_bwd', 3, (a) => [pooledBwd(a), pooledBwd(a), plane(a)], (a) => a[3] * plane(a)),
    f32_gemm_nn: gemmOf('nn'),
    f32_gemm_tn: gemmOf('tn'),
    f32_gemm_nt: gemmOf('nt'),
    f32_conv2d_fwd: convFwd as Kernels['f32_conv2d_fwd'],
    f32_conv2d_bwd_input: convBwdInput as Kernels['f32_conv2d_bwd_input'],
    f32_conv2d_bwd_filter: convBwdFilter as Kernels['f32_conv2d_bwd_filter'],
    f32_cdist_sqeuclid_fwd: cdistOf('f32_cdist_sqeuclid_fwd'),
    f32_cdist_euclid_fwd: cdistOf('f32_cdist_euclid_fwd'),
    f32_cdist_l2_bwd_x: cdistBwdX,
    // (nw, a, b, colsum, gb, n, m, d, acc, ws, j0, j1): rows of gb.
    f32_cdist_l2_bwd_y: (nw, a, b, colsum, gb, n, m, d, acc, ws) => yRows(nw, a, b, colsum, gb, n, m, d, acc, ws, 0, m),
    f32_cdist_l2_bwd_y_rows: yRows,
    // (g, dist, nw, size): elementwise.
    f32_cdist_euclid_bwd_nweights: byItems('f32_cdist_euclid_bwd_nweights', 3, () => [1, 1, 1], (a) => a[3]),
    f32_conv2d_fwd_act: convActFwd as Kernels['f32_conv2d_fwd_act'],
    f32_conv2d_fwd_packed: convPackedFwd as Kernels['f32_conv2d_fwd_packed'],
    // (y, g, dbias, n, oc, hw, acc, o0, o1): channels.
    f32_conv2d_relu_bwd: byRange('f32_conv2d_relu_bwd', (a) => a[3] * a[4] * a[5], perThread),
    f32_conv2d_relu_bwd_filter_small: convReluBwdFilterSmall as Kernels['f32_conv2d_relu_bwd_filter_small'],
    f32_mahalanobis_cdist_fwd: mahalanobisCdist,
    f32_mahalanobis_paired_fwd: mahalanobisPairedFwd,
    f32_mahalanobis_paired_bwd_x: pairedBwdX,
    f32_mahalanobis_paired_bwd_m: mahalanobisPairedBwdM,
    // (…, n, c, l, …, c0, c1): channels; the work is n·c·l elements.
    f32_batchnorm_stats: byRange('f32_batchnorm_stats', (a) => a[3] * a[4] * a[5], perThread),
    f32_batchnorm_fwd: byRange('f32_batchnorm_fwd', (a) => a[6] * a[7] * a[8], perThread),
    f32_batchnorm_bwd_reduce: byRange('f32_batchnorm_bwd_reduce', (a) => a[6] * a[7] * a[8], perThread),
    f32_batchnorm_bwd_input: byRange('f32_batchnorm_bwd_input', (a) => a[8] * a[9] * a[10], perThread),
    // (p, g, buf, n, …) and (p, g, m, v, n, …): elementwise, in whole vectors of 4.
    f32_sgd_step: byItems('f32_sgd_step', 3, () => [1, 1, 1], (a) => a[3], 4),
    f32_adam_step: byItems('f32_adam_step', 4, () => [1, 1, 1, 1], (a) => a[4], 4),
  };
}
