// Float64 products on assembly/kernels/f64-linalg.ts for the classic learners' n-sized work
// (LMNN, LFDA, MMC). An F64Scope owns buffers in wasm memory for the length of one fit, so
// data that every iteration reads (X, its transpose) is copied in once; views of memory are
// taken at the point of use (an allocation can grow memory and detach older views).
import { f32, f64, getEngine, i32 } from '../wasm/instance';

export type GemmForm = 'nn' | 'tn';

export class F64Scope {
  private readonly ptrs: number[] = [];

  /** A float64 buffer of `src.length` entries holding src, or of `src` entries zeroed. */
  f64(src: ArrayLike<number> | number): number {
    return this.filled(src, 8, f64);
  }

  /** A float64 buffer of n entries, not zeroed: for outputs a kernel writes in full. */
  out64(n: number): number {
    return this.alloc(n * 8);
  }

  /** An int32 buffer holding src (indices), or of `src` entries zeroed. */
  i32(src: ArrayLike<number> | number): number {
    return this.filled(src, 4, i32);
  }

  /** A buffer of `bytes`-wide entries holding src, or of `src` entries zeroed, through `view`. */
  private filled(src: ArrayLike<number> | number, bytes: 4 | 8, view: () => Float64Array | Int32Array): number {
    const n = typeof src === 'number' ? src : src.length;
    const p = this.alloc(n * bytes);
    const at = p / bytes;
    if (typeof src === 'number') view().fill(0, at, at + n);
    else view().set(src, at);
    return p;
  }

  /** A float32 buffer of n entries (not zeroed). */
  f32(n: number): number {
    return this.alloc(n * 4);
  }

  /** A view of n doubles at p: valid until the next allocation. */
  view(p: number, n: number): Float64Array {
    return f64().subarray(p >>> 3, (p >>> 3) + n);
  }

  /** A copy of n doubles at p. */
  read(p: number, n: number): Float64Array {
    return f64().slice(p >>> 3, (p >>> 3) + n);
  }

  write(p: number, src: ArrayLike<number>): void {
    f64().set(src, p >>> 3);
  }

  /** A view of n floats at p: valid until the next allocation. */
  viewF32(p: number, n: number): Float32Array {
    return f32().subarray(p >>> 2, (p >>> 2) + n);
  }

  /** A view of n int32 entries at p: valid until the next allocation. */
  viewI32(p: number, n: number): Int32Array {
    return i32().subarray(p >>> 2, (p >>> 2) + n);
  }

  /** Writes int32 entries at p. */
  writeI32(p: number, src: ArrayLike<number>): void {
    i32().set(src, p >>> 2);
  }

  /**
   * c [m, n] = a·b ('nn': a [m, k], b [k, n]) or aᵀ·b ('tn': a [k, m], b [k, n]), plus c when
   * accumulate. Each entry sums over k in order, as the naive float64 loop does.
   */
  gemm(form: GemmForm, a: number, b: number, c: number, m: number, k: number, n: number, accumulate = false): void {
    const kk = getEngine().k;
    if (form === 'nn') kk.f64_gemm_nn(a, b, c, m, k, n, accumulate ? 1 : 0);
    else kk.f64_gemm_tn(a, b, c, m, k, n, accumulate ? 1 : 0);
  }

  /** c [m, n] = a·bᵀ in float32 (a [m, k], b [n, k]): the blocked f32 GEMM, for screening. */
  gemmF32Nt(a: number, b: number, c: number, m: number, k: number, n: number): void {
    const e = getEngine();
    e.k.f32_gemm_nt(a, b, c, m, k, n, 0, e.gemmWorkspace);
  }

  /** LMNN's impostor screen, step one (f32_impostor_bound): the float32 Gram block b [nOut, nIn] becomes, in place, lower bounds on the pairs' distances. */
  impostorBound(b: number, nOut: number, nIn: number, sqOut: number, sqIn: number, slack: number): void {
    getEngine().k.f32_impostor_bound(b, nOut, nIn, sqOut, sqIn, slack);
  }

  /** LMNN's impostor screen, step two (f32_impostor_screen): the pairs that may be inside a margin into ia, ib (at most cap); their count. */
  impostorScreen(bound: number, nOut: number, nIn: number, pOut: number, dOut: number, pIn: number, dIn: number, i0: number, i1: number, ia: number, ib: number, cap: number): number {
    return getEngine().k.f32_impostor_screen(bound, nOut, nIn, pOut, dOut, pIn, dIn, i0, i1, ia, ib, cap);
  }

  /** out[p] = ‖x[ia[p]] − x[ib[p]]‖² for m index pairs (i32 buffers) into x [·, d]. */
  sqdistPairs(x: number, ia: number, ib: number, out: number, m: number, d: number): void {
    getEngine().k.f64_sqdist_pairs(x, ia, ib, out, m, d);
  }

  /** out [·, d] += S·x, S the Laplacian of the pair graph (ia[p], ib[p]) with weights w[p]. */
  pairLaplacianMul(x: number, ia: number, ib: number, w: number, out: number, m: number, d: number): void {
    getEngine().k.f64_pair_laplacian_mul(x, ia, ib, w, out, m, d);
  }

  dispose(): void {
    const a = getEngine().alloc;
    while (this.ptrs.length) a.free(this.ptrs.pop()!);
  }

  private alloc(bytes: number): number {
    const p = getEngine().alloc.alloc(Math.max(8, bytes));
    this.ptrs.push(p);
    return p;
  }
}

/** Runs fn with a scope whose buffers are freed when it returns or throws. */
export function withF64Scope<T>(fn: (s: F64Scope) => T): T {
  const s = new F64Scope();
  try {
    return fn(s);
  } finally {
    s.dispose();
  }
}
