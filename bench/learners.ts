// LEARNERS: fit time of the classic Mahalanobis learners on the 600-image digits subset of
// test/fixtures/metric-learn/learners.jsonl (600 × 64; ITML and MMC on its 2000 training
// pairs), beside metric-learn 0.7 (numpy/scipy, one BLAS thread) run by
// bench/learners_metric_learn.py through /usr/bin/python3 with the same options. Iteration
// caps keep the run short (both sides use the same caps); LFDA drops the constant pixels
// (its within-class scatter must be positive definite). One fit each (each takes seconds).
// The metric-learn column is skipped, with a note, when /usr/bin/python3 lacks numpy/scipy/
// scikit-learn or no metric-learn checkout is found (METRIC_LEARN_PATH, default /tmp/ml).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeRow, median, type Ctx, type Row, type Workload } from './lib/harness';
import { sl } from './lib/simlearn';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/metric-learn/learners.jsonl', import.meta.url));

function load() {
  const cases = readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const D = cases.find((c) => c.kind === 'dataset' && c.name === 'digits');
  const P = cases.find((c) => c.kind === 'pairs' && c.data === 'digits');
  const X: number[][] = D.X, y: number[] = D.y;
  const Xtr = D.train.map((i: number) => X[i]);
  const pairs = P.pairs.map(([a, b]: number[]) => [Xtr[a], Xtr[b]]);
  const d = X[0].length;
  const varying = Array.from({ length: d }, (_, j) => X.some((r) => r[j] !== X[0][j]));
  const Xv = X.map((r) => r.filter((_, j) => varying[j]));
  return { X, y, pairs, py: P.y as number[], Xv };
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

function metricLearn(reps: number): Record<string, number> | string {
  const path = process.env.METRIC_LEARN_PATH ?? '/tmp/ml';
  if (!existsSync('/usr/bin/python3')) return 'skipped: /usr/bin/python3 not found';
  if (!existsSync(`${path}/metric_learn/__init__.py`)) return `skipped: no metric-learn checkout at ${path} (set METRIC_LEARN_PATH)`;
  const env = { ...process.env, PYTHONPATH: path, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const script = fileURLToPath(new URL('./learners_metric_learn.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, FIXTURE, String(reps)], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `skipped: metric-learn did not run (${(r.stderr || '').trim().split('\n').pop()?.slice(0, 120)})`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export const learners: Workload = {
  id: 'LEARNERS',
  title: 'Classic Mahalanobis learners: fit time on 600 digits (64 features) beside metric-learn',
  async run(ctx: Ctx): Promise<Row[]> {
    const reps = 1;
    const { X, y, pairs, py, Xv } = load();
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
    for (const [task, fn] of tasks) {
      const row = makeRow('LEARNERS', task, 'simlearn', null, timeFits(fn, reps));
      ctx.log(`  LEARNERS ${task} simlearn: ${row.medianMs!.toFixed(0)} ms`);
      rows.push(row);
    }
    if (ctx.peers !== false) {
      const ml = metricLearn(reps);
      for (const [task] of tasks) {
        const row = typeof ml === 'string' ? makeRow('LEARNERS', task, 'metric-learn', null, ml) : makeRow('LEARNERS', task, 'metric-learn', null, { medianMs: ml[task] * 1000, calls: reps, samples: reps }, 'numpy/scipy, 1 BLAS thread');
        const base = rows.find((r) => r.task === task && r.impl === 'simlearn');
        if (row.medianMs && base?.medianMs) row.simlearnSpeedup = row.medianMs / base.medianMs;
        ctx.log(`  LEARNERS ${task} metric-learn: ${row.medianMs?.toFixed(0) ?? row.note}`);
        rows.push(row);
      }
    }
    return rows;
  },
};
