// LEARNERS: fit time of the classic Mahalanobis learners on scikit-learn's digits (1797 × 64;
// ITML and MMC on the 2000 training pairs of test/fixtures/metric-learn/learners.jsonl),
// beside metric-learn 0.7 (numpy/scipy, one BLAS thread) run by bench/learners_metric_learn.py
// through /usr/bin/python3 with the same options. The full digits come from scikit-learn
// through that script; without it the 600-digit subset of the fixture is used (said in the
// log and the notes). Iteration caps keep the run short (both sides use the same caps); LFDA
// drops the constant pixels (its within-class scatter must be positive definite).
// The two sides alternate task by task, so a change in the machine's load hits both. Each side
// fits once untimed first (simlearn for at least 0.5 s and up to 3 fits within 2 s: its JIT tiers settle over the
// first fits); a fit under a second is then timed 5 times on each side (median), a longer one once.
//   --learner LMNN,LFDA   only the tasks whose name starts with one of these (case-insensitive)
// The metric-learn column is skipped, with a note, when /usr/bin/python3 lacks numpy/scipy/
// scikit-learn or no metric-learn checkout is found (METRIC_LEARN_PATH, default /tmp/ml).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeRow, median, type Ctx, type Row, type Workload } from './lib/harness';
import { sl } from './lib/simlearn';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/metric-learn/learners.jsonl', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./learners_metric_learn.py', import.meta.url));
const ML_PATH = process.env.METRIC_LEARN_PATH ?? '/tmp/ml';
const PY = '/usr/bin/python3';

function python(args: string[]): { ok: true; out: string } | { ok: false; why: string } {
  if (!existsSync(PY)) return { ok: false, why: `${PY} not found` };
  const env = { ...process.env, PYTHONPATH: ML_PATH, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync(PY, [SCRIPT, FIXTURE, ...args], { env, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) return { ok: false, why: `${(r.stderr || '').trim().split('\n').pop()?.slice(0, 120)}` };
  return { ok: true, out: r.stdout.trim().split('\n').pop()! };
}

function load(ctx: Ctx) {
  const cases = readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const D = cases.find((c) => c.kind === 'dataset' && c.name === 'digits');
  const P = cases.find((c) => c.kind === 'pairs' && c.data === 'digits');
  const Xtr = D.train.map((i: number) => D.X[i]);
  const pairs = P.pairs.map(([a, b]: number[]) => [Xtr[a], Xtr[b]]);
  let X: number[][] = D.X, y: number[] = D.y, data = 'fixture';
  const full = python(['--dump-digits']);
  if (full.ok) {
    ({ X, y } = JSON.parse(full.out));
    data = 'full';
  } else ctx.log(`  LEARNERS: scikit-learn's digits unavailable (${full.why}); using the fixture's 600-digit subset`);
  const d = X[0].length;
  const varying = Array.from({ length: d }, (_, j) => X.some((r) => r[j] !== X[0][j]));
  const Xv = X.map((r) => r.filter((_, j) => varying[j]));
  return { X, y, pairs, py: P.y as number[], Xv, data };
}

function timeFits(fn: () => unknown, reps: number): { medianMs: number; calls: number; samples: number } {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return { medianMs: median(ts), calls: reps, samples: reps };
}

function metricLearn(data: string, task: string, reps: number): number | string {
  if (!existsSync(`${ML_PATH}/metric_learn/__init__.py`)) return `skipped: no metric-learn checkout at ${ML_PATH} (set METRIC_LEARN_PATH)`;
  const r = python([data, String(reps), task]);
  if (!r.ok) return `skipped: metric-learn did not run (${r.why})`;
  return JSON.parse(r.out)[task] * 1000;
}

const learnerArg = process.argv.find((a, i) => process.argv[i - 1] === '--learner' || a.startsWith('--learner='));
const learnerFilter = learnerArg ? learnerArg.replace('--learner=', '').split(',').map((s) => s.trim().toLowerCase()) : null;

export const learners: Workload = {
  id: 'LEARNERS',
  title: 'Classic Mahalanobis learners: fit time on digits (1797 × 64) beside metric-learn',
  async run(ctx: Ctx): Promise<Row[]> {
    const { X, y, pairs, py, Xv, data } = load(ctx);
    const n = X.length;
    const L = sl.learners;
    const tasks: [string, () => unknown][] = [
      ['NCA maxIter 20', () => new L.NCA({ maxIter: 20 }).fit(X, y)],
      ['LMNN maxIter 30', () => new L.LMNN({ maxIter: 30 }).fit(X, y)],
      ['ITML maxIter 10, 2000 pairs', () => new L.ITML({ maxIter: 10 }).fit(pairs, py)],
      ['MMC maxIter 3, 2000 pairs', () => new L.MMC({ maxIter: 3 }).fit(pairs, py)],
      ['MLKR maxIter 20', () => new L.MLKR({ maxIter: 20 }).fit(X, y)],
      ['LFDA', () => new L.LFDA().fit(Xv, y)],
    ];
    const rows: Row[] = [];
    const note = data === 'full' ? `n = ${n}` : `n = ${n} (fixture subset: scikit-learn unavailable)`;
    for (const [task, fn] of tasks) {
      if (learnerFilter && !learnerFilter.some((f) => task.toLowerCase().startsWith(f))) continue;
      // warm-up: JIT tiers (JS and wasm) settle over the first fits, and a fit of a few ms
      // needs tens of them (V8 optimises in the background), so at least half a second of fits
      const t0 = performance.now();
      let warm = 0;
      do {
        fn();
        warm++;
      } while ((warm < 3 && performance.now() - t0 < 2000) || performance.now() - t0 < 500);
      const reps = ctx.quick || (performance.now() - t0) / warm > 1000 ? 1 : 5;
      const mine = makeRow('LEARNERS', task, 'simlearn', null, timeFits(fn, reps), note);
      ctx.log(`  LEARNERS ${task} simlearn: ${mine.medianMs!.toFixed(0)} ms`);
      rows.push(mine);
      if (ctx.peers === false) continue;
      const ml = metricLearn(data, task, reps);
      const row = typeof ml === 'string' ? makeRow('LEARNERS', task, 'metric-learn', null, ml) : makeRow('LEARNERS', task, 'metric-learn', null, { medianMs: ml, calls: reps, samples: reps }, 'numpy/scipy, 1 BLAS thread');
      if (row.medianMs && mine.medianMs) row.simlearnSpeedup = row.medianMs / mine.medianMs;
      ctx.log(`  LEARNERS ${task} metric-learn: ${row.medianMs?.toFixed(0) ?? row.note}${row.simlearnSpeedup ? ` (simlearn ×${row.simlearnSpeedup.toFixed(2)})` : ''}`);
      rows.push(row);
    }
    return rows;
  },
};
