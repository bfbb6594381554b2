// The worker pool of init({ threads }): workers instantiate the threads build over the main
// thread's shared memory and run kernel calls the main thread posts through a shared control
// block. Ops are synchronous, so a call is: write each worker's job, notify, run the main
// thread's own share, then Atomics.wait until every worker is done. No message passing per
// call (a postMessage round trip is ~50 µs; this is a few µs when the worker is awake).
//
// Nothing here imports a Node module statically: node:worker_threads is loaded only when
// threads are requested, so the single-threaded bundle runs everywhere.

/** Kernels a worker can run, by index in the control block. */
export const WORKER_KERNELS = [
  'f32_gemm_part',
  'f32_conv2d_fwd',
  'f32_conv2d_bwd_input',
  'f32_conv2d_bwd_filter_rows',
  'f32_cdist_sqeuclid_fwd',
  'f32_cdist_euclid_fwd',
  'f32_cdist_l2_bwd_x',
] as const;
export type WorkerKernel = (typeof WORKER_KERNELS)[number];

// Per-worker slot in the control block (Int32 words), then MAX_ARGS float64 arguments.
const SEQ = 0; // job number posted by the main thread; -1 asks the worker to stop
const DONE = 1; // job number the worker finished
const FN = 2; // index in WORKER_KERNELS
const NARGS = 3;
const FAILED = 4; // 1 when the kernel threw (the message goes to stderr of the worker)
const SLOT_INTS = 8;
const MAX_ARGS = 24;
// Spins before sleeping: a wake-up through Atomics.notify costs tens of µs, and ops often
// come back to back; a short spin catches them without burning a core between steps.
const SPIN = 20000;

export interface Pool {
  /** Worker threads (the main thread is one more). */
  readonly workers: number;
  /** Runs jobs[w] on worker w (null: nothing for it), then `own` here, then waits for all. */
  run(jobs: ReadonlyArray<{ fn: WorkerKernel; args: number[] } | null>, own: () => void): void;
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
  const { module, memory, control, slot, names } = data;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((n) => instance.exports[n]);
  const ctl = new Int32Array(control);
  const args = new Float64Array(control, data.argsOffset);
  const base = slot * ${SLOT_INTS}, abase = slot * ${MAX_ARGS};
  ready();
  let seq = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctl, base + ${SEQ}) === seq) {
      if (++spins > ${SPIN}) Atomics.wait(ctl, base + ${SEQ}, seq);
    }
    seq = Atomics.load(ctl, base + ${SEQ});
    if (seq < 0) return;
    const a = Array.from(args.subarray(abase, abase + ctl[base + ${NARGS}]));
    try {
      fns[ctl[base + ${FN}]](...a);
    } catch (err) {
      ctl[base + ${FAILED}] = 1;
      console.error('simlearn worker: ' + (err && err.stack || err));
    }
    Atomics.store(ctl, base + ${DONE}, seq);
    Atomics.notify(ctl, base + ${DONE});
  }
}
`;

const NODE_WORKER = `${WORKER_LOOP}
import('node:worker_threads').then(({ parentPort, workerData }) => serve(workerData, () => parentPort.postMessage('ready')));
`;

const WEB_WORKER = `${WORKER_LOOP}
self.onmessage = (e) => serve(e.data, () => self.postMessage('ready'));
`;

/** Starts `workers` threads over `memory`; all of them instantiate `module` (the threads build). */
export async function startPool(workers: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Pool> {
  const argsOffset = workers * SLOT_INTS * 4 + ((8 - ((workers * SLOT_INTS * 4) % 8)) % 8);
  const control = new SharedArrayBuffer(argsOffset + workers * MAX_ARGS * 8);
  const ctl = new Int32Array(control, 0, workers * SLOT_INTS);
  const args = new Float64Array(control, argsOffset);
  const names = [...WORKER_KERNELS];
  const seqs = new Array<number>(workers).fill(0);
  const data = (slot: number) => ({ module, memory, control, slot, names, argsOffset });

  const isNode = !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  const started: Promise<void>[] = [];
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    for (let w = 0; w < workers; w++) {
      // No execArgv: the worker needs none of the parent's loaders or flags (--input-type, tsx).
      const worker = new Worker(NODE_WORKER, { eval: true, workerData: data(w), execArgv: [] });
      // Once started, an idle worker must not keep the process alive: scripts and tests exit
      // normally without a shutdown call (before, the wait for 'ready' must keep it alive).
      started.push(readyOf((f) => worker.once('message', f), (f) => worker.once('error', f), (f) => worker.once('exit', f)).then(() => void worker.unref()));
    }
  } else {
    const WebWorker = (globalThis as unknown as { Worker: new (url: string) => WebWorkerLike }).Worker;
    const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
    for (let w = 0; w < workers; w++) {
      const worker = new WebWorker(url);
      started.push(readyOf((f) => (worker.onmessage = f), (f) => (worker.onerror = f), () => {}));
      worker.postMessage(data(w));
    }
  }
  await Promise.all(started);

  return {
    workers,
    run(jobs, own) {
      for (let w = 0; w < jobs.length; w++) {
        const job = jobs[w];
        if (!job) continue;
        const base = w * SLOT_INTS;
        ctl[base + FN] = WORKER_KERNELS.indexOf(job.fn);
        ctl[base + NARGS] = job.args.length;
        ctl[base + FAILED] = 0;
        args.set(job.args, w * MAX_ARGS);
        seqs[w] = (seqs[w] % 0x7ffffff0) + 1;
        Atomics.store(ctl, base + SEQ, seqs[w]);
        Atomics.notify(ctl, base + SEQ);
      }
      let failed = false;
      try {
        own();
      } finally {
        for (let w = 0; w < jobs.length; w++) {
          if (!jobs[w]) continue;
          const base = w * SLOT_INTS;
          let spins = 0;
          for (let done = Atomics.load(ctl, base + DONE); done !== seqs[w]; done = Atomics.load(ctl, base + DONE)) {
            if (++spins > SPIN) Atomics.wait(ctl, base + DONE, done, 1000);
          }
          if (ctl[base + FAILED]) failed = true;
        }
      }
      if (failed) throw new Error('simlearn: a worker thread failed in a kernel (see its message on stderr); the engine state is unreliable');
    },
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
