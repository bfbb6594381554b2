// Instantiation: from the inlined bytes (default) or from a WebAssembly.Module the caller
// compiled (Cloudflare Workers refuse to compile bytes at run time). One instance per
// process; init() is idempotent.
import type { Kernels } from './abi';
import { Allocator } from './memory';
import { baselineWasmBase64, relaxedWasmBase64 } from './kernels.generated';

export type SimdBuild = 'baseline' | 'relaxed';

export interface InitOptions {
  /** A compiled simlearn module (either build), e.g. imported as a .wasm module on Workers. */
  module?: WebAssembly.Module;
  /** 'auto' (default) takes relaxed SIMD where the runtime validates it. */
  simd?: 'auto' | SimdBuild;
}

export interface Engine {
  k: Kernels;
  alloc: Allocator;
  build: SimdBuild;
  /** Packing workspace of the GEMM kernels, allocated once. */
  gemmWorkspace: number;
}

let engine: Engine | null = null;
let pending: Promise<Engine> | null = null;

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

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function init(options: InitOptions = {}): Promise<void> {
  checkOptions(options);
  if (engine) return;
  if (!pending) {
    pending = instantiate(options).then(
      (e) => (engine = e),
      (err) => {
        pending = null;
        throw err;
      },
    );
  }
  await pending;
}

// Checked on every call, so a bad option is reported even when the engine already runs.
function checkOptions({ module, simd = 'auto' }: InitOptions): void {
  if (simd !== 'auto' && simd !== 'baseline' && simd !== 'relaxed') {
    throw new Error(`simlearn: init: simd must be 'auto', 'baseline' or 'relaxed', got ${JSON.stringify(simd)}`);
  }
  if (module !== undefined && !(typeof WebAssembly === 'object' && module instanceof WebAssembly.Module)) {
    throw new TypeError(`simlearn: init: module must be a WebAssembly.Module, got ${module === null ? 'null' : typeof module}`);
  }
}

async function instantiate({ module, simd = 'auto' }: InitOptions): Promise<Engine> {
  if (typeof WebAssembly !== 'object') {
    throw new Error('simlearn: this runtime has no WebAssembly; simlearn needs WebAssembly with the SIMD (v128) proposal.');
  }
  if (!hasWasmSimd()) {
    throw new Error(
      'simlearn: this runtime supports WebAssembly but not WebAssembly SIMD (v128 / fixed-width SIMD), which simlearn ' +
        'needs. Node >= 16.4, Deno, Bun, Chrome >= 91, Firefox >= 89, Safari >= 16.4 and Cloudflare Workers have it.',
    );
  }
  let instance: WebAssembly.Instance;
  if (module) {
    instance = await WebAssembly.instantiate(module, {});
  } else {
    const wantRelaxed = simd === 'relaxed' || (simd === 'auto' && hasRelaxedSimd());
    if (simd === 'relaxed' && !hasRelaxedSimd()) {
      throw new Error("simlearn: init({ simd: 'relaxed' }): this runtime does not validate relaxed SIMD (f32x4.relaxed_madd)");
    }
    const bytes = decodeBase64(wantRelaxed ? relaxedWasmBase64 : baselineWasmBase64);
    instance = ((await WebAssembly.instantiate(bytes as BufferSource, {})) as WebAssembly.WebAssemblyInstantiatedSource).instance;
  }
  const missing = ['memory', 'heap_base', 'build_is_relaxed', 'f32_gemm_workspace_bytes'].filter((name) => !(name in instance.exports));
  if (missing.length > 0) {
    throw new Error(`simlearn: init: the module is not a simlearn build (no export ${missing.join(', ')}); pass build/simlearn.wasm`);
  }
  const k = instance.exports as unknown as Kernels;
  const alloc = new Allocator(k.memory, k.heap_base());
  const gemmWorkspace = alloc.alloc(k.f32_gemm_workspace_bytes());
  return { k, alloc, build: k.build_is_relaxed() ? 'relaxed' : 'baseline', gemmWorkspace };
}

export function getEngine(): Engine {
  if (!engine) throw new Error('simlearn: not initialised: call `await sl.init()` once before using tensors');
  return engine;
}

/** Which build runs, and memory figures, for benchmarks and budgets. */
export function engineInfo(): { build: SimdBuild; memoryBytes: number; liveBytes: number; highWaterBytes: number } {
  const e = getEngine();
  return { build: e.build, memoryBytes: e.alloc.memoryBytes, liveBytes: e.alloc.liveBytes, highWaterBytes: e.alloc.highWater };
}

// Views of linear memory are re-made whenever growth has replaced the buffer; take one at
// the point of use and never keep it across a call that can allocate.
let viewBuffer: ArrayBuffer | null = null;
let f32View: Float32Array = new Float32Array(0);
let i32View: Int32Array = new Int32Array(0);

function refresh(): void {
  const buf = getEngine().k.memory.buffer;
  if (buf !== viewBuffer) {
    viewBuffer = buf;
    f32View = new Float32Array(buf);
    i32View = new Int32Array(buf);
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
