// init({ threads }) beyond 1: the threads build over one shared memory, this thread and a pool
// of workers. A chunk of its own in the bundle, imported only when threads are asked for, so a
// single-threaded program neither downloads nor parses it.
import type { Kernels } from './abi';
import type { Engine } from './instance';
import type { decodeBase64 } from './bytes';
import type { Allocator } from './memory';
import { threadedKernels } from './parallel';
import { startPool, threadsUnavailable } from './threads';

// Pages of the threads build's imported memory, as declared in asconfig.json: a shared memory
// must declare its maximum, and grows in place up to it, so the whole maximum is reserved up
// front. Where 4 GiB of address space cannot be reserved (32-bit hosts, some phones), a
// smaller maximum is taken: the allocator then reports running out of memory at that size.
const THREADS_INITIAL_PAGES = 16;
const THREADS_MAXIMUM_PAGES = [65536, 16384, 4096];

function sharedMemory(): { memory: WebAssembly.Memory; maximum: number } {
  for (const maximum of THREADS_MAXIMUM_PAGES) {
    try {
      return { memory: new WebAssembly.Memory({ initial: THREADS_INITIAL_PAGES, maximum, shared: true }), maximum };
    } catch {
      // try a smaller reservation
    }
  }
  const mib = THREADS_MAXIMUM_PAGES.map((p) => `${p / 16} MiB`).join(', ');
  throw new Error(`simlearn: init({ threads }): this runtime cannot reserve a shared WebAssembly.Memory of ${mib}`);
}

/**
 * A threads build (relaxed or baseline SIMD, each a chunk of its own) over one shared memory,
 * for this thread and threads − 1 workers. The allocator and the decoder come from the caller:
 * imported here, the bundler would move them into one more chunk shared with the bundle, a
 * module more for every import of simlearn to load.
 */
export async function instantiateThreaded(threads: number, relaxed: boolean, Alloc: typeof Allocator, decode: typeof decodeBase64): Promise<Engine> {
  const missing = threadsUnavailable();
  if (missing) throw new Error(`simlearn: init({ threads: ${threads} }): shared-memory threads are unavailable here; missing ${missing}`);
  const { memory, maximum } = sharedMemory();
  const b64 = relaxed
    ? (await import('./relaxed-threads-kernels.generated')).relaxedThreadsWasmBase64
    : (await import('./threads-kernels.generated')).threadsWasmBase64;
  const module = await WebAssembly.compile(decode(b64) as BufferSource);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const raw = { ...(instance.exports as unknown as Kernels), memory };
  const alloc = new Alloc(memory, raw.heap_base());
  alloc.setLimit(maximum * 65536);
  const wsBytes = raw.f32_gemm_workspace_bytes();
  const gemmWorkspace = alloc.alloc(wsBytes);
  // Each worker packs into its own workspace, carved here: the main thread owns the heap.
  const workspaces = Array.from({ length: threads - 1 }, () => alloc.alloc(wsBytes));
  const pool = await startPool(threads - 1, module, memory);
  return { k: threadedKernels(raw, pool, alloc, workspaces), alloc, build: raw.build_is_relaxed() ? 'relaxed' : 'baseline', gemmWorkspace, threads, single: raw };
}
