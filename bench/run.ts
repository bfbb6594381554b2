// npm run bench [-- --quick] [--json] [--only W1,W2,topk] [--cpu]
// Runs every workload beside its peers in this one process and prints one table: median ms,
// GFLOP/s, % of the wasm SIMD peak measured in the same run (W5, always run first), and
// "simlearn ×" = peer median / simlearn median on each peer row.
//   --quick  2 samples per measurement: a smoke run, figures not meaningful
//   --json   the rows and the machine as JSON on stdout (progress goes to stderr)
//   --only   a comma list of workload ids (W1..W5, TOPK, LATENCY, TRIPLET, TRUNKS, LEARNERS, LOSSES); W5 runs regardless
//   --learner with LEARNERS: a comma list of learner names (NCA, LMNN, ITML, MMC, MLKR, LFDA)
//   --cases  LOSSES only: a comma list of loss and miner class names to run (default all)
//   --cpu    tfjs-backend-cpu at every size and in W4 (minutes per step), not only small sizes
//   --profile W4 also prints its step's time per op, forward and backward (ms per step, share)
//   --save P also writes the table to P.md and the JSON to P.json (docs/benchmarks.md's source)
// W4 and W3's simlearn rows are also measured on the relaxed-SIMD build, in a child started
// with --experimental-wasm-relaxed-simd (this script again, with --relaxed-child).
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyPeak, type Ctx, type Row, type Workload } from './lib/harness';
import { markdownTable } from './lib/table';
import { checkTargets, targetsTable } from './lib/targets';
import { sl } from './lib/simlearn';
import { w1 } from './w1-gemm';
import { w2 } from './w2-cdist';
import { w3 } from './w3-conv';
import { w4 } from './w4-train-step';
import { w5, measurePeak } from './w5-peak';
import { topk } from './topk';
import { latency } from './latency';
import { tripletLossStep } from './triplet-loss-step';
import { trunks } from './trunks';
import { learners } from './learners';
import { lossesMiners } from './losses-miners';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const onlyArg = argv.find((a, i) => argv[i - 1] === '--only' || a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.replace('--only=', '').split(',').map((s) => s.trim().toUpperCase())) : null;
const json = flag('--json');
const save = flag('--save') ? argv[argv.indexOf('--save') + 1] : undefined;
if (flag('--save') && (!save || save.startsWith('--'))) {
  console.error('bench: --save needs a path prefix, e.g. --save out/bench');
  process.exit(2);
}
const relaxedChild = flag('--relaxed-child');
/** Workloads whose simlearn rows the relaxed child repeats. */
const RELAXED_WORKLOADS = ['W4', 'W3'];

// W4 first after W5: the wasm heap high-water mark it reports is per process, so no
// earlier workload may have raised it.
const all: Workload[] = [w4, w1, w2, w3, topk, latency, tripletLossStep, trunks, learners, lossesMiners];
if (only) {
  const known = new Set([w5, ...all].map((w) => w.id));
  const unknown = [...only].filter((id) => !known.has(id));
  if (unknown.length) {
    console.error(`bench: unknown workload ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
    process.exit(2);
  }
}

const ctx: Ctx = {
  quick: flag('--quick'),
  cpu: flag('--cpu'),
  peers: !relaxedChild,
  profile: flag('--profile'),
  sections: [],
  log: (msg) => process.stderr.write(`${msg}\n`),
};

await sl.init();
if (relaxedChild) {
  if (sl.engineInfo().build !== 'relaxed') {
    console.error('bench: --relaxed-child needs node --experimental-wasm-relaxed-simd');
    process.exit(1);
  }
  const out: Row[] = [];
  for (const w of all) if (!only || only.has(w.id)) out.push(...(await w.run(ctx)));
  const mine = out.filter((r) => r.impl === 'simlearn');
  for (const r of mine) r.impl = 'simlearn relaxed';
  process.stdout.write(`${JSON.stringify(mine)}\n`);
  process.exit(0);
}
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  simlearnBuild: sl.engineInfo().build,
  quick: ctx.quick,
};
ctx.log(`simlearn bench: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.simlearnBuild} build${ctx.quick ? ', --quick' : ''}`);

const rows: Row[] = [];
for (const w of [w5, ...all]) {
  if (w !== w5 && only && !only.has(w.id)) continue;
  ctx.log(`${w.id} ${w.title}`);
  rows.push(...(await w.run(ctx)));
}
// The relaxed build's rows of the heavy workloads, each placed after its baseline row.
const relaxedIds = RELAXED_WORKLOADS.filter((id) => !only || only.has(id));
if (relaxedIds.length) {
  ctx.log(`relaxed SIMD child: ${relaxedIds.join(', ')}`);
  const args = ['--experimental-wasm-relaxed-simd', '--import', 'tsx', fileURLToPath(import.meta.url), '--relaxed-child', '--only', relaxedIds.join(',')];
  const res = spawnSync(process.execPath, ctx.quick ? [...args, '--quick'] : args, { encoding: 'utf8', timeout: 900_000, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = res.status === 0 ? res.stdout.trim().split('\n').pop() : undefined;
  if (!line) ctx.log(`  relaxed child failed (status ${res.status})`);
  for (const r of line ? (JSON.parse(line) as Row[]) : []) {
    const at = rows.findIndex((b) => b.task === r.task && b.impl === 'simlearn');
    rows.splice(at < 0 ? rows.length : at + 1, 0, r);
  }
}
// The peak again, so drift in the machine's load during the run shows.
const endPeak = measurePeak(ctx, 'end of run');
rows.splice(1, 0, endPeak);
const gf = (task: string) => rows.find((r) => r.workload === 'W5' && r.task.startsWith(task))?.gflops ?? null;
const peak = Math.max(gf('f32x4 mul+add peak, start') ?? 0, endPeak.gflops ?? 0) || null;
const relaxedPeak = gf('f32x4 relaxed_madd');
applyPeak(rows, peak, relaxedPeak);
const w4Row = rows.find((r) => r.workload === 'W4' && r.impl === 'simlearn');
const targets = checkTargets(rows, w4Row?.extra?.wasmHighWaterBytes ?? null);

const report = { machine, peakGflops: peak, relaxedPeakGflops: relaxedPeak, rows, targets };
const text = [
  `simlearn benchmarks — ${machine.date}, node ${machine.node}, ${machine.cpu} (${machine.cores} cores), single thread`,
  `% peak: of ${peak?.toFixed(2) ?? '?'} GFLOP/s, the higher W5 peak (start/end of run); relaxed rows of ${relaxedPeak?.toFixed(2) ?? 'n/a'}. ` +
    '"simlearn ×" = peer median / simlearn median (> 1: simlearn faster)',
  '',
  markdownTable(rows),
  '',
  'Targets, this run:',
  '',
  targetsTable(targets),
  ...(ctx.sections ?? []).flatMap((t) => ['', t]),
].join('\n');
if (save) {
  writeFileSync(`${save}.md`, `${text}\n`);
  writeFileSync(`${save}.json`, `${JSON.stringify(report, null, 2)}\n`);
}
if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else console.log(`\n${text}`);
if (rows.some((r) => r.status === 'error')) process.exitCode = 1;
