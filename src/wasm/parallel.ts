// The kernels of init({ threads }): the heavy exports replaced by versions that split one call
// across the main thread and the pool, with the same signatures, so ops call them unchanged.
// Every split is along independent outputs (rows or columns of a GEMM's C, images of a batch,
// rows of a distance matrix) and each output sums its terms in the same order as the whole
// call: threaded results are bitwise equal to single-threaded ones.
import type { Kernels } from './abi';
import type { Allocator } from './memory';
import type { Pool, WorkerKernel } from './threads';

// GEMM register tile (assembly/kernels/gemm.ts): shares are whole tiles.
const MR = 5;
const NR = 8;
// Form codes of f32_gemm_part.
const FORM = { nn: 0, tn: 1, nt: 2 } as const;
// Below these many multiply-adds a call stays on the main thread: waking a worker and waiting
// for it costs a few µs when it spins, tens of µs when it sleeps (measured: see the report in
// test/threads/threads.test.ts's header). 1<<20 madds take ~70 µs on one core.
export const SPLIT_MIN_MADDS = 1 << 20;

type Job = { fn: WorkerKernel; args: number[] } | null;

/** [start, end) of share s of `count` items cut into `parts`, in whole units of `unit`. */
function share(count: number, parts: number, unit: number, s: number): [number, number] {
  const per = Math.ceil(Math.ceil(count / unit) / parts) * unit;
  return [Math.min(count, s * per), Math.min(count, (s + 1) * per)];
}

export function threadedKernels(raw: Kernels, pool: Pool, alloc: Allocator, workspaces: number[]): Kernels {
  const parts = pool.workers + 1;

  /** Runs share 0 here with `own(0)` and shares 1.. on the workers; jobOf(s) null skips one. */
  const split = (jobOf: (s: number) => Job, own: () => void): void => {
    const jobs: Job[] = [];
    for (let w = 0; w < pool.workers; w++) jobs.push(jobOf(w + 1));
    pool.run(jobs, own);
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

  const gemm = (form: 0 | 1 | 2, a: number, b: number, c: number, m: number, k: number, n: number, acc: number, ws: number): void => {
    // Splitting rows repacks all of B in every share, splitting columns all of A: cut the
    // longer side, so the repeated packing is the smaller one.
    const byRows = m >= n;
    const range = (s: number) => (byRows ? [...share(m, parts, MR, s), 0, n] : [0, m, ...share(n, parts, NR, s)]);
    const args = (s: number, wsp: number) => [form, a, b, c, m, k, n, acc, wsp, ...range(s)];
    split(
      (s) => {
        const [i0, i1, j0, j1] = range(s);
        return i1 > i0 && j1 > j0 ? { fn: 'f32_gemm_part', args: args(s, workspaces[s - 1]) } : null;
      },
      () => raw.f32_gemm_part(...(args(0, ws) as Parameters<Kernels['f32_gemm_part']>)),
    );
  };
  const gemmOf = (form: 'nn' | 'tn' | 'nt') => (a: number, b: number, c: number, m: number, k: number, n: number, acc: number, ws: number) =>
    m * k * n < SPLIT_MIN_MADDS || Math.max(m, n) < 2 * MR ? raw[`f32_gemm_${form}`](a, b, c, m, k, n, acc, ws) : gemm(FORM[form], a, b, c, m, k, n, acc, ws);

  type ConvGeo = [n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, group: number];
  const convSizes = ([n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group]: ConvGeo) => {
    const oh = Math.floor((h + 2 * ph - kh) / sh) + 1, ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
    const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0;
    const ckk = c * kh * kw;
    return { ohw: oh * ow, ckk, chw: c * h * w, madds: n * oc * ckk * oh * ow, scratch: pointwise ? 0 : (ckk + (group > 1 ? oc : 0)) * group * oh * ow };
  };

  /**
   * Forward and backward-to-input: whole groups of images per share, each with its own im2col
   * scratch. Arguments are (…pointers, scratch, …geometry, [acc,] ws); pointer i advances by
   * strides[i] floats per image (0: shared, e.g. weight and bias).
   */
  const byImages = (fn: 'f32_conv2d_fwd' | 'f32_conv2d_bwd_input', nPtrs: number, strides: (z: ReturnType<typeof convSizes>, oc: number) => number[]) =>
    (...all: number[]): void => {
      const kernel = raw[fn] as (...a: number[]) => void;
      const ptrs = all.slice(0, nPtrs), scratch = all[nPtrs];
      const geo = all.slice(nPtrs + 1, nPtrs + 13) as ConvGeo;
      const tail = all.slice(nPtrs + 13); // [acc,] ws
      const z = convSizes(geo);
      const [n, , , , oc, , , , , , , group] = geo;
      if (z.madds < SPLIT_MIN_MADDS || n < 2) return kernel(...all);
      const unit = Math.max(1, Math.min(group, Math.ceil(n / parts)));
      const st = strides(z, oc);
      const args = (s: number, scr: number, ws: number) => {
        const [i0, i1] = share(n, parts, unit, s);
        return [...ptrs.map((p, i) => p + i0 * st[i] * 4), scr, i1 - i0, ...geo.slice(1, 11), unit, ...tail.slice(0, -1), ws];
      };
      withWorkerScratch(z.scratch, (scr) =>
        split(
          (s) => (share(n, parts, unit, s)[1] > share(n, parts, unit, s)[0] ? { fn, args: args(s, scr[s - 1], workspaces[s - 1]) } : null),
          () => kernel(...args(0, scratch, tail[tail.length - 1])),
        ),
      );
    };
  // (x, weight, bias, y, …): x advances by c·h·w, y by oc·oh·ow.
  const convFwd = byImages('f32_conv2d_fwd', 4, (z, oc) => [z.chw, 0, 0, oc * z.ohw]);
  // (dy, weight, dx, …): dy advances by oc·oh·ow, dx by c·h·w.
  const convBwdInput = byImages('f32_conv2d_bwd_input', 3, (z, oc) => [oc * z.ohw, 0, z.chw]);

  /** Backward to the filter: rows (output channels) of dW per share, each over the whole batch. */
  const convBwdFilter = (x: number, dy: number, dw: number, scratch: number, ...rest: number[]): void => {
    const geo = rest.slice(0, 12) as ConvGeo;
    const [acc, ws] = rest.slice(12);
    const z = convSizes(geo);
    const oc = geo[4];
    if (z.madds < SPLIT_MIN_MADDS || oc < 2 * MR) return raw.f32_conv2d_bwd_filter(x, dy, dw, scratch, ...geo, acc, ws);
    const args = (s: number, scr: number, wsp: number) => [x, dy, dw, scr, ...geo, acc, wsp, ...share(oc, parts, MR, s)];
    withWorkerScratch(z.scratch, (scr) =>
      split(
        (s) => {
          const [o0, o1] = share(oc, parts, MR, s);
          return o1 > o0 ? { fn: 'f32_conv2d_bwd_filter_rows', args: args(s, scr[s - 1], workspaces[s - 1]) } : null;
        },
        () => (raw.f32_conv2d_bwd_filter_rows as (...a: number[]) => void)(...args(0, scratch, ws)),
      ),
    );
  };

  /** Pairwise L2 forward: rows of x per share; each share centres y itself (same mean, same bits). */
  const cdistOf = (fn: 'f32_cdist_sqeuclid_fwd' | 'f32_cdist_euclid_fwd') =>
    (x: number, y: number, xc: number, yc: number, mu: number, xn: number, yn: number, out: number, n: number, m: number, d: number, ws: number): void => {
      if (n * m * d < SPLIT_MIN_MADDS || n < 2 * MR) return raw[fn](x, y, xc, yc, mu, xn, yn, out, n, m, d, ws);
      const rows = (s: number) => share(n, parts, MR, s);
      const own = rows(0);
      withWorkerScratch((n + m) * (d + 1) + d, (scr) =>
        split(
          (s) => {
            const [i0, i1] = rows(s);
            if (i1 <= i0) return null;
            const ni = i1 - i0, p = scr[s - 1];
            const pyc = p + ni * d * 4, pmu = pyc + m * d * 4, pxn = pmu + d * 4, pyn = pxn + ni * 4;
            return { fn, args: [x + i0 * d * 4, y, p, pyc, pmu, pxn, pyn, out + i0 * m * 4, ni, m, d, workspaces[s - 1]] };
          },
          () => raw[fn](x, y, xc, yc, mu, xn, yn, out, own[1] - own[0], m, d, ws),
        ),
      );
    };

  /** Pairwise L2 backward into x: rows of x (and of the weights) per share. */
  const cdistBwdX = (nw: number, a: number, b: number, ga: number, n: number, m: number, d: number, acc: number, ws: number): void => {
    if (n * m * d < SPLIT_MIN_MADDS || n < 2 * MR) return raw.f32_cdist_l2_bwd_x(nw, a, b, ga, n, m, d, acc, ws);
    const args = (s: number, wsp: number) => {
      const [i0, i1] = share(n, parts, MR, s);
      return [nw + i0 * m * 4, a + i0 * d * 4, b, ga + i0 * d * 4, i1 - i0, m, d, acc, wsp];
    };
    split(
      (s) => (share(n, parts, MR, s)[1] > share(n, parts, MR, s)[0] ? { fn: 'f32_cdist_l2_bwd_x', args: args(s, workspaces[s - 1]) } : null),
      () => (raw.f32_cdist_l2_bwd_x as (...a: number[]) => void)(...args(0, ws)),
    );
  };

  return {
    ...raw,
    f32_gemm_nn: gemmOf('nn'),
    f32_gemm_tn: gemmOf('tn'),
    f32_gemm_nt: gemmOf('nt'),
    f32_conv2d_fwd: convFwd as Kernels['f32_conv2d_fwd'],
    f32_conv2d_bwd_input: convBwdInput as Kernels['f32_conv2d_bwd_input'],
    f32_conv2d_bwd_filter: convBwdFilter as Kernels['f32_conv2d_bwd_filter'],
    f32_cdist_sqeuclid_fwd: cdistOf('f32_cdist_sqeuclid_fwd'),
    f32_cdist_euclid_fwd: cdistOf('f32_cdist_euclid_fwd'),
    f32_cdist_l2_bwd_x: cdistBwdX,
  };
}
