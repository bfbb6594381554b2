// The worker pool of init({ threads }): workers instantiate the threads build over the main
// thread's shared memory and run kernel calls the main thread posts through a shared control
// block. Ops are synchronous, so a call is: write the job, notify the workers, claim and run
// chunks here too, then Atomics.wait until every worker is done. No message passing per call
// (a postMessage round trip is ~50 µs; this is a few µs when the worker is awake).
//
// Nothing here imports a Node module statically: node:worker_threads is loaded only when
// threads are requested, so the single-threaded bundle runs everywhere. Its specifier is
// computed, so that no bundler (esbuild, wrangler, webpack, vite) tries to resolve it: a
// bundle of simlearn, or of an app using it, needs no `external` for it.
const NODE_WORKER_THREADS = ['node', 'worker_threads'].join(':');

/** Kernels a worker can run, by index in the control block. */
export const WORKER_KERNELS = [
  'f32_gemm_part',
  'f32_conv2d_fwd',
  'f32_conv2d_bwd_input',
  'f32_conv2d_bwd_filter_rows',
  'f32_conv2d_bwd_filter_channels',
  'f32_cdist_sqeuclid_fwd',
  'f32_cdist_euclid_fwd',
  'f32_cdist_l2_bwd_x',
  'f32_relu_fwd',
  'f32_relu_bwd',
  'f32_maxpool2d_fwd',
  'f32_maxpool2d_bwd',
  'f32_conv2d_fwd_act',
  'f32_conv2d_fwd_packed',
  'f32_conv2d_relu_bwd',
  'f32_conv2d_relu_bwd_filter_small',
  'f32_cdist_l2_bwd_y_rows',
  'f32_cdist_euclid_bwd_nweights',
  'f32_mahalanobis_cdist_rows',
  'f32_mahalanobis_paired_fwd',
  'f32_mahalanobis_paired_bwd_x',
  'f32_batchnorm_stats',
  'f32_batchnorm_fwd',
  'f32_batchnorm_bwd_reduce',
  'f32_batchnorm_bwd_input',
  'f32_sgd_step',
  'f32_adam_step',
] as const;
export type WorkerKernel = (typeof WORKER_KERNELS)[number];

// Control block, Int32 words: the job every thread shares, then one slot per worker.
const COUNTER = 0; // next chunk to claim (Atomics.add)
const FN = 1; // index in WORKER_KERNELS
const NARGS = 2;
const TOTAL = 3; // items to cover (rows, columns, images)
const UNIT = 4; // items per chunk
const HEADER_INTS = 8;
const SEQ = 0; // job number posted to the worker
const DONE = 1; // job number the worker finished
const FAILED = 2; // 1 when the kernel threw (the message goes to the worker's stderr)
const SLOT_INTS = 4;
// Float64 area: per-argument coefficients s0, s1, then each thread's base arguments.
const MAX_ARGS = 24;
// Spins before sleeping: a wake-up through Atomics.notify costs tens of µs, and ops often
// come back to back; a short spin catches them without burning a core between steps.
const SPIN = 20000;

/**
 * One call split into chunks of `unit` items out of `total`: chunk [start, end) runs `fn` with
 * argument p = base(thread)[p] + s0[p]·start + s1[p]·end. Threads claim chunks from a shared
 * counter, so a thread the OS delays (a loaded machine, a busy browser) takes fewer.
 */
export interface SplitJob {
  fn: WorkerKernel;
  total: number;
  unit: number;
  s0: number[];
  s1: number[];
  /** Base arguments of thread t (0 = this thread, 1.. = workers): their own workspace and scratch. */
  base: (t: number) => number[];
}

export interface Pool {
  /** Worker threads (the main thread is one more). */
  readonly workers: number;
  /** Runs job's chunks on this thread (through `kernel`) and the workers until all are done. */
  run(job: SplitJob, kernel: (...args: number[]) => void): void;
}

/** Where shared-memory threads are missing, what is missing; null when they can run. */
export function threadsUnavailable(): string | null {
  const g = globalThis as { SharedArrayBuffer?: unknown; Atomics?: unknown; crossOriginIsolated?: boolean; process?: { versions?: { node?: string } }; Worker?: unknown; document?: unknown };
  if (typeof g.SharedArrayBuffer !== 'function' || typeof g.Atomics !== 'object') {
    return g.crossOriginIsolated === false
      ? 'SharedArrayBuffer: the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)'
      : 'SharedArrayBuffer and Atomics: this runtime does not provide shared memory';
  }
  if (g.process?.versions?.node) return null; // node:worker_threads (also Deno and Bun)
  if (typeof g.Worker !== 'function') return 'Worker: this runtime cannot start threads';
  // Atomics.wait throws on a browser's main thread, and ops wait synchronously for workers.
  if (typeof g.document === 'object') return 'Atomics.wait on this thread: a browser page cannot block; run simlearn inside a Worker';
  return null;
}

// The worker's whole program: instantiate, report ready, then serve jobs forever. `data`
// and `ready` are given by the node:worker_threads or web worker prelude below.
const WORKER_LOOP = `
function serve(data, ready) {
  const { module, memory, control, slot, names, argsOffset } = data;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((n) => instance.exports[n]);
  const ctl = new Int32Array(control);
  const f64 = new Float64Array(control, argsOffset);
  const me = ${HEADER_INTS} + slot * ${SLOT_INTS}, mine = (2 + 1 + slot) * ${MAX_ARGS};
  ready();
  let seq = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctl, me + ${SEQ}) === seq) {
      if (++spins > ${SPIN}) Atomics.wait(ctl, me + ${SEQ}, seq);
    }
    seq = Atomics.load(ctl, me + ${SEQ});
    try {
      runChunks(fns[ctl[${FN}]], ctl, f64, mine);
    } catch (err) {
      ctl[me + ${FAILED}] = 1;
      console.error('simlearn worker: ' + ((err && err.stack) || err));
    }
    Atomics.store(ctl, me + ${DONE}, seq);
    Atomics.notify(ctl, me + ${DONE});
  }
}
const runChunks = (${runChunks.toString()});
`;

/**
 * Claims and runs chunks until none is left. The same code runs on every thread: its source
 * is part of the worker program, so it names the control words by number (COUNTER 0, NARGS 2,
 * TOTAL 3, UNIT 4; s0 at Float64 0, s1 at MAX_ARGS = 24).
 */
function runChunks(fn: (...a: number[]) => void, ctl: Int32Array, f64: Float64Array, base: number): void {
  const nargs = ctl[2], total = ctl[3], unit = ctl[4];
  const chunks = Math.ceil(total / unit);
  const a = new Array<number>(nargs);
  for (let c = Atomics.add(ctl, 0, 1); c < chunks; c = Atomics.add(ctl, 0, 1)) {
    const start = c * unit, end = Math.min(total, start + unit);
    for (let p = 0; p < nargs; p++) a[p] = f64[base + p] + f64[p] * start + f64[24 + p] * end;
    fn(...a);
  }
}

const NODE_WORKER = `${WORKER_LOOP}
import('node:worker_threads').then(({ parentPort, workerData }) => serve(workerData, () => parentPort.postMessage('ready')));
`;

const WEB_WORKER = `${WORKER_LOOP}
self.onmessage = (e) => serve(e.data, () => self.postMessage('ready'));
`;

/** Starts `workers` threads over `memory`; all of them instantiate `module` (the threads build). */
/** Starts `workers` threads over `memory`; all of them instantiate `module` (the threads build). */
export async function startPool(workers: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Pool> {
  const argsOffset = (HEADER_INTS + workers * SLOT_INTS) * 4 + 8; // 8-aligned for the Float64 area
  const control = new SharedArrayBuffer(argsOffset + (3 + workers) * MAX_ARGS * 8);
  const ctl = new Int32Array(control, 0, HEADER_INTS + workers * SLOT_INTS);
  const f64 = new Float64Array(control, argsOffset);
  const names = [...WORKER_KERNELS];
  const seqs = new Array<number>(workers).fill(0);
  const data = (slot: number) => ({ module, memory, control, slot, names, argsOffset });

  const isNode = !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  const started: Promise<void>[] = [];
  // Why each worker stopped, once it has (null while it runs). A call never waits on a dead
  // worker: it would wait forever for a chunk nobody runs.
  const stopped: (string | null)[] = new Array(workers).fill(null);
  if (isNode) {
    // Typed here rather than from @types/node: the published types must not need Node's.
    const { Worker } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_WORKER_THREADS)) as { Worker: NodeWorkerConstructor };
    for (let w = 0; w < workers; w++) {
      // No execArgv: the worker needs none of the parent's loaders or flags (--input-type, tsx).
      const worker = new Worker(NODE_WORKER, { eval: true, workerData: data(w), execArgv: [] });
      // Once started, an idle worker must not keep the process alive: scripts and tests exit
      // normally without a shutdown call (before, the wait for 'ready' must keep it alive).
      started.push(
        readyOf((f) => worker.once('message', f), (f) => worker.once('error', f), (f) => worker.once('exit', f)).then(() => {
          worker.once('exit', (code) => (stopped[w] ??= `exited with code ${code}`));
          worker.once('error', (e) => (stopped[w] ??= `failed: ${(e as Error)?.message ?? e}`));
          worker.unref();
        }),
      );
    }
  } else {
    const WebWorker = (globalThis as unknown as { Worker: new (url: string) => WebWorkerLike }).Worker;
    const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
    for (let w = 0; w < workers; w++) {
      const worker = new WebWorker(url);
      started.push(
        readyOf((f) => (worker.onmessage = f), (f) => (worker.onerror = f), () => {}).then(() => {
          worker.onerror = (e) => (stopped[w] ??= `failed: ${(e as ErrorEvent)?.message ?? e}`);
        }),
      );
      worker.postMessage(data(w));
    }
  }
  await Promise.all(started);

  return {
    workers,
    run(job, kernel) {
      checkAlive(stopped);
      const nargs = job.s0.length;
      const chunks = Math.ceil(job.total / job.unit);
      ctl[FN] = WORKER_KERNELS.indexOf(job.fn);
      ctl[NARGS] = nargs;
      ctl[TOTAL] = job.total;
      ctl[UNIT] = job.unit;
      f64.set(job.s0, 0);
      f64.set(job.s1, MAX_ARGS);
      f64.set(job.base(0), 2 * MAX_ARGS);
      Atomics.store(ctl, COUNTER, 0);
      // Workers beyond the chunk count would only wake up to find nothing left.
      const used = Math.min(workers, chunks - 1);
      for (let w = 0; w < used; w++) {
        const slot = HEADER_INTS + w * SLOT_INTS;
        f64.set(job.base(w + 1), (3 + w) * MAX_ARGS);
        ctl[slot + FAILED] = 0;
        seqs[w] = (seqs[w] % 0x7ffffff0) + 1;
        Atomics.store(ctl, slot + SEQ, seqs[w]);
        Atomics.notify(ctl, slot + SEQ);
      }
      let failed = false;
      try {
        runChunks(kernel, ctl, f64, 2 * MAX_ARGS);
      } finally {
        for (let w = 0; w < used; w++) {
          const slot = HEADER_INTS + w * SLOT_INTS;
          let spins = 0;
          for (let done = Atomics.load(ctl, slot + DONE); done !== seqs[w] && stopped[w] === null; done = Atomics.load(ctl, slot + DONE)) {
            if (++spins > SPIN) Atomics.wait(ctl, slot + DONE, done, 1000);
          }
          if (ctl[slot + FAILED]) failed = true;
        }
      }
      checkAlive(stopped);
      if (failed) throw new Error('simlearn: a worker thread failed in a kernel (see its message on stderr); the engine state is unreliable');
    },
  };
}

function checkAlive(stopped: readonly (string | null)[]): void {
  const w = stopped.findIndex((s) => s !== null);
  if (w < 0) return;
  throw new Error(
    `simlearn: worker thread ${w + 1} of ${stopped.length} ${stopped[w]} after start-up; threaded kernels cannot run without it. ` +
      'Start a new process (or run with threads: 1).',
  );
}

interface NodeWorkerConstructor {
  new (code: string, options: { eval: true; workerData: unknown; execArgv: string[] }): {
    once(event: 'message' | 'error' | 'exit', listener: (e: any) => void): void;
    unref(): void;
  };
}

interface WebWorkerLike {
  onmessage: ((e: unknown) => void) | null;
  onerror: ((e: unknown) => void) | null;
  postMessage(data: unknown): void;
}

function readyOf(onMessage: (f: () => void) => void, onError: (f: (e: unknown) => void) => void, onExit: (f: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    onMessage(() => resolve());
    onError((e) => reject(new Error(`simlearn: init({ threads }): a worker failed to start: ${(e as Error)?.message ?? e}`)));
    onExit(() => reject(new Error('simlearn: init({ threads }): a worker exited while starting')));
  });
}
