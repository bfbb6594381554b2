// The classic Mahalanobis learners (sl.learners, metric-learn 0.7's algorithms) on the
// scikit-learn datasets, in the three flavours of similarity learning:
//   regression     MLKR   on iris (petal width from the other three measurements)
//   pairs          ITML, MMC, SDML   on similar / dissimilar pairs drawn from the labels
//   ranking        SCML (triplets), LSML (quadruplets)
// plus the supervised learners (NCA, LMNN, LFDA, RCA, Covariance). Every learner is fitted
// on the training split, with the very constraints metric-learn used, and judged on the
// held-out split: 3-NN accuracy (MLKR: kernel-regression mean squared error), beside
// Euclidean and beside metric-learn's own figure on the same split (computed by
// test/fixtures/metric-learn/gen_learners.py and stored in learners.jsonl).
// Data: iris (150×4) and wine (178×13) whole, digits a stratified 600-image subset (600×64),
// each split 75/25 stratified with scikit-learn's random_state 0.
//   node --import tsx examples/classic-metric-learning.ts [--quick]   (--quick: iris and wine only)
import { readFileSync } from 'node:fs';
import * as sl from '../src/index';

await sl.init();
const quick = process.argv.includes('--quick');
const cases: any[] = readFileSync(new URL('../test/fixtures/metric-learn/learners.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const dataset = (name: string) => {
  const D = cases.find((c) => c.kind === 'dataset' && c.name === name);
  return { Xtr: D.train.map((i: number) => D.X[i]) as number[][], ytr: D.train.map((i: number) => D.y[i]) as number[], Xte: D.test.map((i: number) => D.X[i]) as number[][], yte: D.test.map((i: number) => D.y[i]) as number[] };
};
const ml = (learner: string, data: string, pred: (c: any) => boolean = () => true) => cases.find((c) => c.kind === 'learner' && c.learner === learner && c.data === data && pred(c));

/** 3-NN accuracy in the space x ↦ Lx (ties: the smallest label, as scikit-learn). */
function knn(L: Float64Array, d: number, s: ReturnType<typeof dataset>): number {
  const k = L.length / d;
  const map = (x: number[]) => Array.from({ length: k }, (_, r) => x.reduce((t, v, j) => t + L[r * d + j] * v, 0));
  const tr = s.Xtr.map(map);
  let ok = 0;
  s.Xte.forEach((x, i) => {
    const q = map(x);
    const nn = tr.map((p, j) => [p.reduce((t, v, a) => t + (v - q[a]) ** 2, 0), j]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, 3);
    const votes = new Map<number, number>();
    for (const [, j] of nn) votes.set(s.ytr[j], (votes.get(s.ytr[j]) ?? 0) + 1);
    if ([...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0] === s.yte[i]) ok++;
  });
  return ok / s.yte.length;
}

/** Held-out Gaussian-kernel regression MSE with metric M (MLKR's own predictor). */
function kernelMse(M: ArrayLike<number>, d: number, s: ReturnType<typeof dataset>): number {
  let se = 0;
  s.Xte.forEach((q, i) => {
    const neg = s.Xtr.map((x) => {
      const v = x.map((t, j) => t - q[j]);
      let r = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) r -= v[a] * M[a * d + b] * v[b];
      return r;
    });
    const m = Math.max(...neg);
    const w = neg.map((t) => Math.exp(t - m));
    se += (w.reduce((p, wj, j) => p + wj * s.ytr[j], 0) / w.reduce((p, q2) => p + q2, 0) - s.yte[i]) ** 2;
  });
  return se / s.yte.length;
}

const pick = (X: number[][], idx: number[][]) => idx.map((t) => t.map((i) => X[i]));
const rows: string[][] = [];
const timed = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const r = fn();
  return [r, (performance.now() - t) / 1000];
};
const f3 = (v: number) => v.toFixed(3);
const sec = (v: number | undefined) => (v === undefined ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(0));

function add(flavour: string, data: string, learner: string, measure: string, euclid: number, ours: number, theirs: number, t: number, mlT: number | undefined): void {
  rows.push([flavour, data, learner, measure, f3(euclid), f3(ours), f3(theirs), `${sec(t)} / ${sec(mlT)}`]);
  console.log(rows[rows.length - 1].join(' | '));
}

// regression: MLKR
{
  const s = dataset('irisreg');
  const c = ml('MLKR', 'irisreg');
  const [m, t] = timed(() => new sl.learners.MLKR().fit(s.Xtr, s.ytr));
  const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  add('regression', 'iris (petal width)', 'MLKR', 'kernel-regression MSE', kernelMse(eye, 3, s), kernelMse(m.metricF64(), 3, s), c.mse, t, c.seconds);
}

for (const data of quick ? ['iris', 'wine'] : ['iris', 'wine', 'digits']) {
  const s = dataset(data);
  const d = s.Xtr[0].length;
  const eu = cases.find((c) => c.kind === 'euclidean' && c.data === data).knn;
  const P = cases.find((c) => c.kind === 'pairs' && c.data === data);
  const pairs = pick(s.Xtr, P.pairs);
  // pair classification
  for (const [name, make, pred] of [
    ['ITML', () => new sl.learners.ITML(), () => true],
    ['MMC', () => new sl.learners.MMC(), (c: any) => !c.options.diagonal],
    ['MMC (diagonal)', () => new sl.learners.MMC({ diagonal: true }), (c: any) => c.options.diagonal],
    ['SDML', () => new sl.learners.SDML({ prior: 'covariance', balanceParam: 1e-5, sparsityParam: 0.01 }), () => true],
  ] as const) {
    const c = ml(name.split(' ')[0], data, pred as any);
    if (!c) continue;
    const [m, t] = timed(() => (make as () => sl.learners.PairsLearner & { fit: (p: unknown, y: unknown) => unknown })().fit(pairs, P.y) as sl.learners.PairsLearner);
    add('pairs', data, name, '3-NN accuracy', eu, knn(m.componentsF64(), d, s), c.knn, t, c.seconds);
  }
  // ranking
  {
    const c = ml('SCML', data);
    const trip = c.triplets ?? Array.from(sl.learners.knnTriplets('example', Float64Array.from(s.Xtr.flat()), d, s.ytr, 3, 10)).reduce((a: number[][], v, i) => (i % 3 ? a[a.length - 1].push(v) : a.push([v]), a), []);
    const [m, t] = timed(() => new sl.learners.SCML({ randomState: 0 }).fit(pick(s.Xtr, trip)));
    add('ranking (triplets)', data, 'SCML', '3-NN accuracy', eu, knn(m.componentsF64(), d, s), c.knn, t, c.seconds);
    const q = ml('LSML', data);
    const [m2, t2] = timed(() => new sl.learners.LSML().fit(pick(s.Xtr, q.quadruplets)));
    add('ranking (quadruplets)', data, 'LSML', '3-NN accuracy', eu, knn(m2.componentsF64(), d, s), q.knn, t2, q.seconds);
  }
  // supervised
  for (const [name, make] of [
    ['NCA', () => new sl.learners.NCA({ maxIter: 100 })],
    ['LMNN', () => new sl.learners.LMNN()],
    ['LFDA', () => new sl.learners.LFDA()],
  ] as const) {
    const c = ml(name, data, (c) => Object.keys(c.options).length === 0 || name === 'NCA');
    if (!c || c.knn === undefined) continue;
    const [m, t] = timed(() => (make() as any).fit(s.Xtr, s.ytr) as sl.learners.MahalanobisLearner);
    add('labels', data, name, '3-NN accuracy', eu, knn(m.componentsF64(), d, s), c.knn, t, c.seconds);
  }
}

console.log('\n| flavour | data | learner | measure | Euclidean | simlearn | metric-learn | fit s (simlearn / metric-learn) |\n|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
