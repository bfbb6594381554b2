// Instantiation: from the inlined bytes (default) or from a WebAssembly.Module the caller
// compiled (Cloudflare Workers refuse to compile bytes at run time). One instance per
// process; init() is idempotent.
import type { Kernels } from './abi';
import { Allocator } from './memory';
import { decodeBase64, readBuildBeside } from './bytes';
import { checkOptions as checkOptionsOf } from '../options';

export type SimdBuild = 'baseline' | 'relaxed';

export interface InitOptions {
  /** A compiled simlearn module (either build), e.g. imported as a .wasm module on Workers. */
  module?: WebAssembly.Module;
  /** 'auto' (default) takes relaxed SIMD where the runtime validates it. */
  simd?: 'auto' | SimdBuild;
  /**
   * Threads that share the heavy kernels (GEMM, conv2d, pairwise L2), main thread included;
   * 1 (default) runs everything on the calling thread. n > 1 needs shared memory: Node (and
   * Deno, Bun) through node:worker_threads, or a cross-origin-isolated browser Worker. The
   * threads build follows `simd` as the single-threaded one does: relaxed SIMD where the
   * runtime validates it ('auto'), or as asked.
   */
  threads?: number;
}

export interface Engine {
  k: Kernels;
  alloc: Allocator;
  build: SimdBuild;
  /** Packing workspace of the GEMM kernels, allocated once. */
  gemmWorkspace: number;
  /** Threads running kernels, this one included (init's `threads`). */
  threads: number;
  /** With threads > 1: the same kernels run on this thread alone (benchmarks pair the two). */
  single?: Kernels;
}

let engine: Engine | null = null;
let pending: Promise<Engine> | null = null;
let pendingThreads = 1;

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);
// (module (func (result v128) (f32x4.relaxed_madd (v128.const ..) (v128.const ..) (v128.const ..))))
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
]);

export function hasWasmSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

export async function init(options: InitOptions = {}): Promise<void> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`simlearn: init: options must be an object, got ${options === null ? 'null' : `${typeof options} ${String(options)}`}`);
  }
  checkOptionsOf('simlearn: init', options, { module: 'object', simd: 'any', threads: 'any' });
  checkInitOptions(options);
  // The engine is process-global: a later call may repeat its build, not change it.
  const build = engine?.build;
  if (build && options.module === undefined && (options.simd === 'baseline' || options.simd === 'relaxed') && options.simd !== build) {
    throw new Error(`simlearn: init: already initialised with the ${build} build; cannot switch to simd: '${options.simd}' (the engine is process-global)`);
  }
  // The engine is process-global: a later call may repeat the thread count, not change it.
  const running = engine ? engine.threads : pending ? pendingThreads : null;
  if (running !== null && options.threads !== undefined && options.threads !== running) {
    throw new Error(`simlearn: init: already initialised with threads: ${running}; cannot change to threads: ${options.threads} (the engine is process-global)`);
  }
  if (engine) return;
  if (!pending) {
    pendingThreads = options.threads ?? 1;
    pending = instantiate(options).then(
      (e) => (engine = withKernelTrace(e)),
      (err) => {
        pending = null;
        throw err;
      },
    );
  }
  await pending;
}

// Checked on every call, so a bad option is reported even when the engine already runs.
function checkInitOptions({ module, simd = 'auto', threads = 1 }: InitOptions): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new Error(`simlearn: init: threads must be an integer from 1 to 64, got ${JSON.stringify(threads)}`);
  }
  if (threads > 1 && module !== undefined) {
    throw new Error('simlearn: init: threads > 1 uses the inlined threads build and cannot take a module');
  }
  if (simd !== 'auto' && simd !== 'baseline' && simd !== 'relaxed') {
    throw new Error(`simlearn: init: simd must be 'auto', 'baseline' or 'relaxed', got ${JSON.stringify(simd)}`);
  }
  if (module !== undefined && !(typeof WebAssembly === 'object' && module instanceof WebAssembly.Module)) {
    throw new TypeError(`simlearn: init: module must be a WebAssembly.Module, got ${module === null ? 'null' : typeof module}`);
  }
}

async function instantiate({ module, simd = 'auto', threads = 1 }: InitOptions): Promise<Engine> {
  if (typeof WebAssembly !== 'object') {
    throw new Error('simlearn: this runtime has no WebAssembly; simlearn needs WebAssembly with the SIMD (v128) proposal.');
  }
  if (!hasWasmSimd()) {
    throw new Error(
      'simlearn: this runtime supports WebAssembly but not WebAssembly SIMD (v128 / fixed-width SIMD), which simlearn ' +
        'needs. Node >= 16.4, Deno, Bun, Chrome >= 91, Firefox >= 89, Safari >= 16.4 and Cloudflare Workers have it.',
    );
  }
  const wantRelaxed = simd === 'relaxed' || (simd === 'auto' && hasRelaxedSimd());
  if (!module && simd === 'relaxed' && !hasRelaxedSimd()) {
    throw new Error("simlearn: init({ simd: 'relaxed' }): this runtime does not validate relaxed SIMD (f32x4.relaxed_madd)");
  }
  // the pool, its worker source and the split kernels are a chunk of their own, like the threads builds
  if (threads > 1) return (await import('./threaded-engine')).instantiateThreaded(threads, wantRelaxed, Allocator, decodeBase64);
  let instance: WebAssembly.Instance;
  if (module) {
    instance = await WebAssembly.instantiate(module, {});
  } else {
    // each build is a chunk of its own in the bundle: only the one chosen is downloaded and decoded
    const bytes = (readBuildBeside(wantRelaxed ? 'relaxed' : 'baseline') ??
      decodeBase64(wantRelaxed ? (await import('./relaxed-kernels.generated')).relaxedWasmBase64 : (await import('./kernels.generated')).baselineWasmBase64)) as BufferSource;
    // Compiled on this thread, which then joins the engine's compile workers instead of waiting
    // for them; a browser page keeps the asynchronous compile, as Chromium refuses synchronous
    // compiles on its main thread (over 8 MB today, over 4 KB in older builds and WebViews).
    instance =
      typeof (globalThis as { document?: unknown }).document === 'object'
        ? ((await WebAssembly.instantiate(bytes, {})) as WebAssembly.WebAssemblyInstantiatedSource).instance
        : new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  }
  const missing = ['memory', 'heap_base', 'build_is_relaxed', 'f32_gemm_workspace_bytes'].filter((name) => !(name in instance.exports));
  if (missing.length > 0) {
    throw new Error(`simlearn: init: the module is not a simlearn build (no export ${missing.join(', ')}); pass build/simlearn.wasm`);
  }
  const k = instance.exports as unknown as Kernels;
  const alloc = new Allocator(k.memory, k.heap_base());
  const gemmWorkspace = alloc.alloc(k.f32_gemm_workspace_bytes());
  return { k, alloc, build: k.build_is_relaxed() ? 'relaxed' : 'baseline', gemmWorkspace, threads: 1 };
}

/**
 * The test suite proves every wasm export is exercised: its preload puts a Set at
 * globalThis.__simlearnKernelTrace, and every kernel read through engine.k is recorded there.
 * Without that Set (every user program) this returns the engine unchanged.
 */
function withKernelTrace(e: Engine): Engine {
  const trace = (globalThis as { __simlearnKernelTrace?: unknown }).__simlearnKernelTrace;
  if (!(trace instanceof Set)) return e;
  const k = new Proxy(e.k, { get: (t, name) => (typeof name === 'string' && trace.add(name), (t as any)[name]) });
  return { ...e, k };
}

export function getEngine(): Engine {
  if (!engine) throw new Error('simlearn: not initialised: call `await sl.init()` once before using tensors');
  return engine;
}

/** Which build runs, and memory figures, for benchmarks and budgets. */
export function engineInfo(): { build: SimdBuild; threads: number; memoryBytes: number; liveBytes: number; highWaterBytes: number } {
  const e = getEngine();
  return { build: e.build, threads: e.threads, memoryBytes: e.alloc.memoryBytes, liveBytes: e.alloc.liveBytes, highWaterBytes: e.alloc.highWater };
}

// Views of linear memory are re-made whenever growth has replaced the buffer; take one at
// the point of use and never keep it across a call that can allocate.
let viewBuffer: ArrayBuffer | null = null;
let f32View: Float32Array = new Float32Array(0);
let i32View: Int32Array = new Int32Array(0);
let f64View: Float64Array = new Float64Array(0);

function refresh(): void {
  const buf = getEngine().k.memory.buffer;
  if (buf !== viewBuffer) {
    viewBuffer = buf;
    f32View = new Float32Array(buf);
    i32View = new Int32Array(buf);
    f64View = new Float64Array(buf);
  }
}

export function f32(): Float32Array {
  refresh();
  return f32View;
}

export function i32(): Int32Array {
  refresh();
  return i32View;
}

/** float64 view (the learners' dense linear algebra keeps its d × d matrices in float64). */
export function f64(): Float64Array {
  refresh();
  return f64View;
}
