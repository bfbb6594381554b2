// The *Supervised learners: constraints drawn from labels by our seeded generator (metric-learn
// draws them with numpy's, so the constraint sets differ): held-out k-NN accuracy beside
// metric-learn's *_Supervised(random_state=0) on the same split, within 0.05 (three test points
// of iris' 38), and reproducible for a seed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { cases, find, knnAccuracy, learnerCases, split } from './fixtures';

await sl.init();
const report: string[] = [];
const make: Record<string, () => any> = {
  ITMLSupervised: () => new sl.learners.ITMLSupervised({ randomState: 0 }),
  MMCSupervised: () => new sl.learners.MMCSupervised({ randomState: 0, maxIter: 30 }),
  LSMLSupervised: () => new sl.learners.LSMLSupervised({ randomState: 0 }),
  RCASupervised: () => new sl.learners.RCASupervised({ nChunks: 30, chunkSize: 3, randomState: 0 }),
  SCMLSupervised: () => new sl.learners.SCMLSupervised({ basis: 'triplet_diffs', randomState: 0 }),
};

test('*Supervised: k-NN accuracy beside metric-learn’s (iris, wine)', () => {
  for (const name of Object.keys(make)) {
    for (const c of learnerCases(name)) {
      const { Xtr, ytr, Xte, yte } = split(c.data);
      const m = make[name]().fit(Xtr, ytr);
      const d = Xtr[0].length;
      const knn = knnAccuracy(m.componentsF64(), d, d, Xtr, ytr, Xte, yte);
      report.push(`${name} ${c.data}: knn ${knn.toFixed(3)} (metric-learn ${c.knn.toFixed(3)}, Euclidean ${find('euclidean', c.data).knn.toFixed(3)})`);
      assert.ok(knn >= c.knn - 0.05 - 1e-9, `${name} ${c.data}: knn ${knn} < ${c.knn} − 0.05`);
    }
  }
});

test("SCMLSupervised basis 'lda' (its default): k-means + local LDA bases, k-NN at least metric-learn's median over seeds 0–4", () => {
  for (const c of cases.filter((c) => c.kind === 'ldaBasis')) {
    const { Xtr, ytr, Xte, yte } = split(c.data);
    const d = Xtr[0].length;
    const m = new sl.learners.SCMLSupervised({ randomState: 0 });
    assert.is(m.basis, 'lda');
    const knn = knnAccuracy(m.fit(Xtr, ytr).componentsF64(), d, d, Xtr, ytr, Xte, yte);
    const sorted = [...(c.knn as number[])].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    report.push(`SCMLSupervised lda ${c.data}: knn ${knn.toFixed(3)} (metric-learn seeds 0–4: ${sorted.map((v) => v.toFixed(3)).join(', ')})`);
    assert.ok(knn >= median - 1e-9, `${c.data}: knn ${knn} < metric-learn's median ${median}`);
  }
  const { Xtr, ytr } = split('iris');
  assert.throws(() => new sl.learners.SCMLSupervised({ nBasis: 10000 }).fit(Xtr, ytr), /SCMLSupervised\.fit: not enough samples to generate 10000 LDA bases/);
  assert.throws(() => new sl.learners.SCMLSupervised().fit(Xtr, ytr.map(() => 0)), /basis 'lda' needs at least two classes/);
});

test('SDMLSupervised fits (prior covariance) and every *Supervised form is reproducible for a seed', () => {
  const { Xtr, ytr } = split('iris');
  const a = new sl.learners.SDMLSupervised({ prior: 'covariance', balanceParam: 1e-5, randomState: 3 }).fit(Xtr, ytr).metricF64();
  const b = new sl.learners.SDMLSupervised({ prior: 'covariance', balanceParam: 1e-5, randomState: 3 }).fit(Xtr, ytr).metricF64();
  assert.equal(Array.from(a), Array.from(b));
  const c1 = new sl.learners.ITMLSupervised({ randomState: 1, maxIter: 5 }).fit(Xtr, ytr).metricF64();
  const c2 = new sl.learners.ITMLSupervised({ randomState: 2, maxIter: 5 }).fit(Xtr, ytr).metricF64();
  assert.not.equal(Array.from(c1), Array.from(c2));
});

test('toDistance: the learned metric as sl.distances.Mahalanobis (squared: false) agrees with pairDistance', () => {
  const { Xtr, ytr } = split('iris');
  const m = new sl.learners.LFDA().fit(Xtr, ytr);
  const dist = m.toDistance();
  const x = sl.tensor(Xtr.slice(0, 5)), y = sl.tensor(Xtr.slice(5, 10));
  const viaDistance = dist.paired(x, y).data();
  const viaLearner = m.pairDistance(Xtr.slice(0, 5).map((r, i) => [r, Xtr[5 + i]]));
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(viaDistance[i] - viaLearner[i]) <= 1e-4 * (1 + viaLearner[i]), `pair ${i}: ${viaDistance[i]} vs ${viaLearner[i]}`);
  const T = m.transform(Xtr.slice(0, 2)).data();
  const ref = Xtr.slice(0, 2).flatMap((r) => Array.from({ length: 4 }, (_, k) => r.reduce((s, v, j) => s + m.componentsF64()[k * 4 + j] * v, 0)));
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(T[i] - ref[i]) <= 1e-4 * (1 + Math.abs(ref[i])));
  assert.equal(m.components.shape, [4, 4]);
  assert.equal(m.getMahalanobisMatrix().shape, [4, 4]);
  x.dispose();
  y.dispose();
  m.dispose();
});

test.after(() => console.log('  ' + report.join('\n  ')));
test.run();
