// init({ threads }) against single-threaded, each in its own process (the engine is
// process-global), rounds interleaved so that a change in the machine's load hits both:
//   GEMM 512³ and 1024³ (matmul); conv2d 3×3 'same' 14×14×32 → 64, batch 64: forward,
//   backward to input, backward to filter (the kernels alone, as the ops call them);
//   W4: the triplet training step of issue 7 (bench/w4-train-step.ts's network and loss).
// Prints the median ms of each (median over rounds of per-process medians) and the speedup,
// beside what the machine gave at that moment: the speedup of `threads` copies of the wasm
// SIMD peak loop run at once over one copy (2.0 on two idle cores; less when other processes
// hold a core), so a speedup can be read against what was available.
//   node --import tsx bench/threads.ts [--threads 2] [--rounds 5] [--json]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import * as sl from '../src/index';
import { getEngine } from '../src/wasm/instance';
import { baselineWasmBase64 } from '../src/wasm/kernels.generated';

type Timings = Record<string, number>;
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(reps: number, warm: number, fn: () => void): number {
  for (let i = 0; i < warm; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

function gemm(size: number, reps: number): number {
  const a = sl.randn([size, size], { seed: 1 }), b = sl.randn([size, size], { seed: 2 });
  const ms = time(reps, 2, () => sl.matmul(a, b).dispose());
  a.dispose();
  b.dispose();
  return ms;
}

function conv(): Timings {
  const [n, c, h, w, oc] = [64, 32, 14, 14, 64];
  const e = getEngine(), k = e.k;
  const x = sl.randn([n, c, h, w], { seed: 3 }), wt = sl.randn([oc, c, 3, 3], { seed: 4 }), dy = sl.randn([n, oc, h, w], { seed: 5 });
  const y = sl.zeros([n, oc, h, w]), dx = sl.zeros([n, c, h, w]), dw = sl.zeros([oc, c, 3, 3]);
  const group = Math.max(1, Math.min(n, Math.floor(512 / (h * w)))); // src/ops/conv.ts convGroup
  const scratch = sl.zeros([(c * 9 + oc) * group * h * w]);
  const geo = [n, c, h, w, oc, 3, 3, 1, 1, 1, 1, group] as const;
  const out = {
    'conv2d fwd': time(10, 2, () => k.f32_conv2d_fwd(x.ptr, wt.ptr, 0, y.ptr, scratch.ptr, ...geo, e.gemmWorkspace)),
    'conv2d bwd input': time(10, 2, () => k.f32_conv2d_bwd_input(dy.ptr, wt.ptr, dx.ptr, scratch.ptr, ...geo, 0, e.gemmWorkspace)),
    'conv2d bwd filter': time(10, 2, () => k.f32_conv2d_bwd_filter(x.ptr, dy.ptr, dw.ptr, scratch.ptr, ...geo, 0, e.gemmWorkspace)),
  };
  for (const t of [x, wt, dy, y, dx, dw, scratch]) t.dispose();
  return out;
}

function w4(steps: number): number {
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
  return time(steps, 3, () =>
    sl.tidy(() => {
      opt.zeroGrad();
      const l = loss.forward(model.forward(x), labels, tuples);
      l.backward();
      opt.step();
      l.item();
    }),
  );
}

async function child(threads: number): Promise<void> {
  await sl.init({ threads, simd: 'baseline' });
  const t: Timings = { 'GEMM 512³': gemm(512, 20), 'GEMM 1024³': gemm(1024, 7), ...conv(), 'W4 step': w4(20) };
  process.stdout.write(JSON.stringify(t));
}

/** Speedup of `copies` peak loops at once (worker threads) over one alone, median of 3. */
async function capacity(copies: number): Promise<number> {
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

function parent(): void {
  const threads = Number(arg('threads', '2'));
  const rounds = Number(arg('rounds', '5'));
  const self = fileURLToPath(import.meta.url);
  const runs: Record<number, Timings[]> = { 1: [], [threads]: [] };
  const capacities: number[] = [];
  const load0 = loadavg();
  for (let r = 0; r < rounds; r++) {
    const cap = spawnSync(process.execPath, ['--import', 'tsx', self, '--capacity', String(threads)], { encoding: 'utf8' });
    if (cap.status !== 0) throw new Error(`bench capacity child failed:\n${cap.stderr}`);
    capacities.push(Number(cap.stdout));
    for (const t of [1, threads]) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', String(t)], { encoding: 'utf8' });
      if (res.status !== 0) throw new Error(`bench child (threads ${t}) failed:\n${res.stderr}`);
      runs[t].push(JSON.parse(res.stdout));
    }
  }
  const names = Object.keys(runs[1][0]);
  const rows = names.map((name) => {
    const one = median(runs[1].map((r) => r[name])), many = median(runs[threads].map((r) => r[name]));
    return { name, singleMs: one, threadedMs: many, speedup: one / many };
  });
  const load = { before: load0, after: loadavg() };
  const available = median(capacities);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ threads, rounds, load, available, capacities, rows }, null, 2));
    return;
  }
  console.log(`threads ${threads} vs 1, median of ${rounds} interleaved rounds (baseline SIMD build); load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${load.after.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`available: ${threads} peak loops at once ran ${available.toFixed(2)}× one alone (per round: ${capacities.map((c) => c.toFixed(2)).join(', ')})`);
  console.log('workload            1 thread ms   threads ms   speedup');
  for (const r of rows) console.log(`${r.name.padEnd(20)}${r.singleMs.toFixed(2).padStart(11)}${r.threadedMs.toFixed(2).padStart(13)}${r.speedup.toFixed(2).padStart(9)}×`);
}

if (process.argv.includes('--child')) await child(Number(arg('child', '1')));
else if (process.argv.includes('--capacity')) process.stdout.write(String(await capacity(Number(arg('capacity', '2')))));
else parent();
