// init({ threads }) against one thread, on a machine other people load: both run in ONE
// process with the same data, alternating call by call (the engine's threaded kernels, then
// the same kernels on the calling thread alone), so that every pair sees the same load; the
// speedup is the median of the per-pair ratios.
//   GEMM 512³ and 1024³ (matmul); cdist squared Euclidean 2048 × 2048 × 128; conv2d 3×3 'same' 14×14×32 → 64, batch 64: forward,
//   backward to input, backward to filter (the kernels as the ops call them); W4: the triplet
//   training step (the network and loss of bench/w4-train-step.ts).
// Beside it, what the machine gave at that moment: `threads` copies of the wasm SIMD peak
// loop at once against one alone (2.0 on two idle cores; less when other processes hold one);
// the parallelism the threaded calls got (process CPU time over wall time: 1.0 means the
// threads took turns on one core); and their CPU overhead (threaded CPU time over one
// thread's: the work that splitting adds). On idle cores the speedup would be about
// threads / overhead.
// PyTorch (1.13, CPU) runs the same W4 step beside it with one and with two threads
// (bench/w4_torch.py through /usr/bin/python3, a server kept alive for the run): its steps
// are interleaved with simlearn's, round by round, so both see the same load. --no-torch
// leaves it out; --only w4 runs the W4 rows alone.
//   node --import tsx bench/threads.ts [--threads 2] [--reps 15] [--only w4] [--no-torch] [--json]
import { loadavg } from 'node:os';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as sl from '../src/index';
import { getEngine } from '../src/wasm/instance';
import { baselineWasmBase64 } from '../src/wasm/kernels.generated';
import type { Kernels } from '../src/wasm/abi';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const threads = Number(arg('threads', '2'));
const reps = Number(arg('reps', '15'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

await sl.init({ threads });
const engine = getEngine();
const threaded = engine.k;
const single = engine.single!;

interface Row { name: string; singleMs: number; threadedMs: number; speedup: number; available: number; parallelism: number; cpuOverhead: number; ratios: number[]; singles: number[]; threadeds: number[] }

/** Alternates fn on one thread and on all, `n` pairs after 2 of warm-up; the order flips each pair. */
function paired(name: string, n: number, fn: () => void): Row {
  const cpu = { single: [] as number[], threaded: [] as number[] };
  const run = (k: Kernels) => {
    engine.k = k;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0); // every thread of the process
    cpu[k === single ? 'single' : 'threaded'].push((c.user + c.system) / 1000);
    return ms;
  };
  for (let i = 0; i < 2; i++) run(single), run(threaded);
  cpu.single.length = cpu.threaded.length = 0;
  const one: number[] = [], many: number[] = [], ratio: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b] = i % 2 ? [run(threaded), run(single)] : [run(single), run(threaded)].reverse();
    many.push(a);
    one.push(b);
    ratio.push(b / a);
  }
  engine.k = threaded;
  const threadedMs = median(many);
  return {
    name, singleMs: median(one), threadedMs, speedup: median(ratio), available: NaN,
    parallelism: median(cpu.threaded) / threadedMs, cpuOverhead: median(cpu.threaded) / median(cpu.single),
    ratios: ratio, singles: one, threadeds: many,
  };
}

function gemm(size: number, n: number): Row {
  const a = sl.randn([size, size], { seed: 1 }), b = sl.randn([size, size], { seed: 2 });
  const row = paired(`GEMM ${size}³`, n, () => sl.matmul(a, b).dispose());
  a.dispose();
  b.dispose();
  return row;
}

function cdist(n: number): Row {
  const x = sl.randn([2048, 128], { seed: 6 }), y = sl.randn([2048, 128], { seed: 7 });
  const row = paired('cdist sq 2048²×128', n, () => sl.cdist(x, y, 'sqeuclidean').dispose());
  x.dispose();
  y.dispose();
  return row;
}

function conv(n: number): Row[] {
  const [b, c, h, w, oc] = [64, 32, 14, 14, 64];
  const ws = engine.gemmWorkspace;
  const x = sl.randn([b, c, h, w], { seed: 3 }), wt = sl.randn([oc, c, 3, 3], { seed: 4 }), dy = sl.randn([b, oc, h, w], { seed: 5 });
  const y = sl.zeros([b, oc, h, w]), dx = sl.zeros([b, c, h, w]), dw = sl.zeros([oc, c, 3, 3]);
  const group = Math.max(1, Math.min(b, Math.floor(512 / (h * w)))); // src/ops/conv.ts convGroup
  // the im2col paths' need, or the forward's direct path's (padded image) if larger
  const scratch = sl.zeros([Math.max((c * 9 + oc) * group * h * w, engine.k.f32_conv2d_fwd_direct_scratch(c, h, w, oc, 3, 3, 1, 1, 1, 1))]);
  const geo = [b, c, h, w, oc, 3, 3, 1, 1, 1, 1, group] as const;
  const rows = [
    paired('conv2d fwd', n, () => engine.k.f32_conv2d_fwd(x.ptr, wt.ptr, 0, y.ptr, scratch.ptr, ...geo, ws)),
    paired('conv2d bwd input', n, () => engine.k.f32_conv2d_bwd_input(dy.ptr, wt.ptr, dx.ptr, scratch.ptr, ...geo, 0, ws)),
    paired('conv2d bwd filter', n, () => engine.k.f32_conv2d_bwd_filter(x.ptr, dy.ptr, dw.ptr, scratch.ptr, ...geo, 0, ws)),
  ];
  for (const t of [x, wt, dy, y, dx, dw, scratch]) t.dispose();
  return rows;
}

function w4(n: number): Row {
  const B = 64, BATCH = 3 * B;
  sl.manualSeed(0);
  const { nn, optim, losses, distances } = sl;
  const model = new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(3136, 128), new nn.L2Normalize(),
  );
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const loss = new losses.TripletMarginLoss({ margin: 0.2, distance: new distances.LpDistance({ normalizeEmbeddings: false }) });
  const x = sl.rand([BATCH, 1, 28, 28], { seed: 31 });
  const idx = (off: number) => Int32Array.from({ length: B }, (_, i) => off + i);
  const tuples: [Int32Array, Int32Array, Int32Array] = [idx(0), idx(B), idx(2 * B)];
  const labels = Int32Array.from({ length: BATCH }, (_, i) => (i < 2 * B ? i % B : i));
  return paired('W4 step', n, () =>
    sl.tidy(() => {
      opt.zeroGrad();
      const l = loss.forward(model.forward(x), labels, tuples);
      l.backward();
      opt.step();
      l.item();
    }),
  );
}

/** The PyTorch W4 server (bench/w4_torch.py): run(threads, steps) resolves to its step times. */
async function torchPeer(): Promise<{ run(threads: number, steps: number): Promise<number[]>; close(): void; version: string } | null> {
  const script = fileURLToPath(new URL('./w4_torch.py', import.meta.url));
  const child = spawn('/usr/bin/python3', [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const ready = await Promise.race([next(), new Promise<string>((r) => child.once('exit', () => r('')))]);
  if (!ready) return null;
  return {
    version: JSON.parse(ready).torch,
    async run(t, steps) {
      const reply = next();
      child.stdin!.write(`${t} ${steps}\n`);
      return JSON.parse(await reply).ms;
    },
    close: () => child.stdin!.end(),
  };
}

/**
 * W4 with threads and one thread (alternating pairs), and PyTorch with one and two threads,
 * interleaved in `rounds` rounds so that every side sees the same load.
 */
async function w4WithTorch(rounds: number, pairsPerRound: number, torchSteps: number): Promise<{ rows: Row[]; torch: { version: string; ms1: number; ms2: number; vsOne: number; vsTwo: number } | null }> {
  const peer = process.argv.includes('--no-torch') ? null : await torchPeer();
  const made: Row[] = [];
  const t1: number[] = [], t2: number[] = [];
  for (let r = 0; r < rounds; r++) {
    made.push(w4(pairsPerRound));
    if (peer) {
      t1.push(...(await peer.run(1, torchSteps)));
      t2.push(...(await peer.run(2, torchSteps)));
    }
  }
  peer?.close();
  const all = made.flatMap((m) => m.ratios);
  const single = made.flatMap((m) => m.singles), many = made.flatMap((m) => m.threadeds);
  const row: Row = {
    ...made[0], singleMs: median(single), threadedMs: median(many), speedup: median(all),
    parallelism: median(made.map((m) => m.parallelism)), cpuOverhead: median(made.map((m) => m.cpuOverhead)),
  };
  const torch = peer ? { version: peer.version, ms1: median(t1), ms2: median(t2), vsOne: median(t1) / row.threadedMs, vsTwo: median(t2) / row.threadedMs } : null;
  return { rows: [row], torch };
}

/** Time of one peak loop alone × copies / time of `copies` at once (worker threads), median of 3. */
async function available(copies: number): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const module = new WebAssembly.Module(Uint8Array.from(atob(baselineWasmBase64), (ch) => ch.charCodeAt(0)));
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    const k = new WebAssembly.Instance(workerData, {}).exports;
    k.f32_peak_madd(1e6, 1);
    parentPort.on('message', (n) => { k.f32_peak_madd(n, 1); parentPort.postMessage(0); });`;
  const workers = Array.from({ length: copies }, () => new Worker(code, { eval: true, workerData: module, execArgv: [] }));
  const run = (ws: typeof workers) => {
    const t0 = performance.now();
    return Promise.all(ws.map((w) => new Promise((r) => (w.once('message', r), w.postMessage(2e7))))).then(() => performance.now() - t0);
  };
  await run(workers);
  const ratios: number[] = [];
  for (let i = 0; i < 3; i++) ratios.push((copies * (await run(workers.slice(0, 1)))) / (await run(workers)));
  await Promise.all(workers.map((w) => w.terminate()));
  return median(ratios);
}

const load0 = loadavg();
const rows: Row[] = [];
const onlyW4 = arg('only', '') === 'w4';
let torch: Awaited<ReturnType<typeof w4WithTorch>>['torch'] = null;
const makers: (() => Promise<Row[]> | Row[])[] = onlyW4 ? [] : [() => [gemm(512, 4 * reps)], () => [gemm(1024, reps)], () => [cdist(reps)], () => conv(reps)];
makers.push(async () => {
  const res = await w4WithTorch(3, Math.max(2, Math.ceil(reps / 3)), Math.max(2, Math.ceil(reps / 3)));
  torch = res.torch;
  return res.rows;
});
for (const make of makers) {
  const before = await available(threads);
  const made = await make();
  const after = await available(threads);
  for (const r of made) rows.push({ ...r, available: (before + after) / 2 });
}
const load = { before: load0, after: loadavg() };
const t = torch as Awaited<ReturnType<typeof w4WithTorch>>['torch'];
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ threads, reps, load, rows: rows.map(({ ratios, singles, threadeds, ...r }) => r), torch: t }, null, 2));
} else {
  const fmt = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  console.log(`threads ${threads} vs 1 in one process (${sl.engineInfo().build} SIMD build), ${reps} alternating pairs (GEMM 512³: ${4 * reps}); load average ${fmt(load0)} before, ${fmt(load.after)} after`);
  console.log('workload            1 thread ms  threads ms  speedup  available  parallelism  CPU overhead');
  for (const r of rows) {
    const cols = [r.singleMs.toFixed(2).padStart(11), r.threadedMs.toFixed(2).padStart(12), `${r.speedup.toFixed(2).padStart(8)}×`];
    cols.push(`${r.available.toFixed(2).padStart(10)}×`, r.parallelism.toFixed(2).padStart(13), `${r.cpuOverhead.toFixed(2).padStart(13)}×`);
    console.log(r.name.padEnd(20) + cols.join(''));
  }
  if (t) {
    console.log(`PyTorch ${t.version} W4 step, interleaved with the W4 rounds: 1 thread ${t.ms1.toFixed(1)} ms, 2 threads ${t.ms2.toFixed(1)} ms; ` +
      `simlearn with ${threads} threads is ${t.vsOne.toFixed(2)}× as fast as PyTorch with 1, ${t.vsTwo.toFixed(2)}× as fast as PyTorch with 2`);
  }
}
