// LEARNERS: fit time of the classic Mahalanobis learners on scikit-learn's digits (1797 × 64;
// ITML and MMC on the 2000 training pairs of test/fixtures/metric-learn/learners.jsonl),
// beside metric-learn 0.7 (numpy/scipy, one BLAS thread) run by bench/learners_metric_learn.py
// through /usr/bin/python3 with the same options. The full digits come from scikit-learn
// through that script; without it the 600-digit subset of the fixture is used (said in the
// log and the notes). Iteration caps keep the run short (both sides use the same caps); LFDA
// drops the constant pixels (its within-class scatter must be positive definite).
// Timing: per task, simlearn fits untimed for at least 0.5 s and 3 fits (its JIT tiers settle
// over the first fits) and metric-learn once untimed, in a server kept running for the workload
// (bench/timing_server.py); then ROUNDS rounds alternate a batch of simlearn fits and a batch of
// metric-learn fits, each about ROUND_MS long (at least one fit), so a phase of the shared
// host's load reaches both sides; the medians are over every fit of a side.
//   --learner LMNN,LFDA   only the tasks whose name starts with one of these (case-insensitive)
// The metric-learn column is skipped, with a note, when /usr/bin/python3 lacks numpy/scipy/
// scikit-learn or no metric-learn checkout is found (METRIC_LEARN_PATH, default /tmp/ml).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeRow, median, type Ctx, type Row, type Workload } from './lib/harness';
import { PYTHON, peerServer, timedCalls, type PeerServer } from './lib/py-server';
import { sl } from './lib/simlearn';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/metric-learn/learners.jsonl', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./learners_metric_learn.py', import.meta.url));
const ML_PATH = process.env.METRIC_LEARN_PATH ?? '/tmp/ml';
const ML_ENV = { PYTHONPATH: ML_PATH, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
const ROUND_MS = 300, ROUNDS = 5, MAX_FITS = 200;

function python(args: string[]): { ok: true; out: string } | { ok: false; why: string } {
  if (!existsSync(PYTHON)) return { ok: false, why: `${PYTHON} not found` };
  const r = spawnSync(PYTHON, [SCRIPT, FIXTURE, ...args], { env: { ...process.env, ...ML_ENV }, encoding: 'utf8', maxBuffer: 16 << 20 });
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

const ms = (t: number) => t.toFixed(t < 10 ? 2 : t < 100 ? 1 : 0);

/** The metric-learn server, or why its column is skipped. */
async function metricLearn(data: string): Promise<PeerServer | string> {
  if (!existsSync(`${ML_PATH}/metric_learn/__init__.py`)) return `skipped: no metric-learn checkout at ${ML_PATH} (set METRIC_LEARN_PATH)`;
  return peerServer(SCRIPT, [FIXTURE, '--serve', data], ML_ENV, 'metric-learn');
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
    const peer = ctx.peers === false ? null : await metricLearn(data);
    try {
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
        const [rounds, budget] = ctx.quick ? [1, 0] : [ROUNDS, ROUND_MS];
        let peerError: string | null = typeof peer === 'string' ? peer : null;
        if (peer && typeof peer !== 'string') {
          const warmed = await peer.run(task, 1, 0);
          if (warmed.error) peerError = `error: ${warmed.error}`;
        }
        const ours: number[] = [], theirs: number[] = [];
        for (let r = 0; r < rounds; r++) {
          timedCalls(fn, budget, MAX_FITS, ours);
          if (!peer || typeof peer === 'string' || peerError) continue;
          const got = await peer.run(task, MAX_FITS, budget);
          if (got.error) peerError = `error: ${got.error}`;
          else theirs.push(...got.ms!);
        }
        const mine = makeRow('LEARNERS', task, 'simlearn', null, { medianMs: median(ours), calls: ours.length, samples: ours.length }, note);
        ctx.log(`  LEARNERS ${task} simlearn: ${ms(mine.medianMs!)} ms (${ours.length} fits)`);
        rows.push(mine);
        if (peer === null) continue;
        const row = peerError || !theirs.length
          ? makeRow('LEARNERS', task, 'metric-learn', null, peerError ?? 'not run')
          : makeRow('LEARNERS', task, 'metric-learn', null, { medianMs: median(theirs), calls: theirs.length, samples: theirs.length }, 'numpy/scipy, 1 BLAS thread');
        if (row.medianMs && mine.medianMs) row.simlearnSpeedup = row.medianMs / mine.medianMs;
        ctx.log(`  LEARNERS ${task} metric-learn: ${row.medianMs ? ms(row.medianMs) : row.note}${row.simlearnSpeedup ? ` ms, ${theirs.length} fits (simlearn ×${row.simlearnSpeedup.toFixed(2)})` : ''}`);
        rows.push(row);
      }
    } finally {
      if (peer && typeof peer !== 'string') peer.close();
    }
    return rows;
  },
};
