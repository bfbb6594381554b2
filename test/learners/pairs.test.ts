// ITML, MMC, SDML (pairs), LSML (quadruplets) and SCML (triplets) on the constraints
// metric-learn 0.7 used (exported by gen_learners.py): held-out pair / tuple accuracy and k-NN
// accuracy at least metric-learn's; ITML and MMC are deterministic given the pairs, so their M
// is compared too. Threshold calibration against metric-learn's four strategies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { cases, find, knnAccuracy, learnerCases, relErr, split } from './fixtures';

await sl.init();
// (fixture figures are stored to 10 significant digits: comparisons allow 1e-9)
const report: string[] = [];
const pick = (X: number[][], idx: number[][]) => idx.map((t) => t.map((i) => X[i]));

function pairCase(c: any) {
  const { Xtr, ytr, Xte, yte } = split(c.data);
  const P = find('pairs', c.data);
  return { Xtr, ytr, Xte, yte, pairs: pick(Xtr, P.pairs), y: P.y, testPairs: pick(Xte, P.testPairs), testY: P.testY };
}

function checkPairLearner(name: string, make: (c: any) => any, mTol: number | null, only: (c: any) => boolean) {
  for (const c of learnerCases(name).filter(only)) {
    const s = pairCase(c);
    const m = make(c).fit(s.pairs, s.y);
    const d = s.Xtr[0].length;
    const acc = m.score(s.testPairs, s.testY);
    const knn = knnAccuracy(m.componentsF64(), d, d, s.Xtr, s.ytr, s.Xte, s.yte);
    const e = relErr(m.metricF64(), c.M);
    report.push(`${name} ${c.data} ${JSON.stringify(c.options)}: pair accuracy ${acc.toFixed(3)} (metric-learn ${c.pairAccuracy.toFixed(3)}), knn ${knn.toFixed(3)} (metric-learn ${c.knn.toFixed(3)}), M rel. diff ${e.toExponential(1)}, threshold ${m.threshold!.toPrecision(5)} (metric-learn ${c.threshold.toPrecision(5)})`);
    assert.ok(acc >= c.pairAccuracy - 1e-9, `${name} ${c.data}: pair accuracy ${acc} < ${c.pairAccuracy}`);
    assert.ok(knn >= c.knn - 1e-9, `${name} ${c.data}: knn ${knn} < ${c.knn}`);
    if (mTol !== null) assert.ok(e < mTol, `${name} ${c.data}: M differs from metric-learn's by ${e}`);
    m.dispose();
  }
}

test('ITML: same pairs, same M (deterministic Bregman projections), pair and k-NN accuracy', () => {
  // digits (2000 pairs, 64 features) is left to the example: minutes on a shared machine
  checkPairLearner('ITML', () => new sl.learners.ITML(), 1e-6, (c) => c.data !== 'digits');
});

test('MMC: full and diagonal, same pairs; accuracy at least metric-learn’s', () => {
  checkPairLearner('MMC', (c) => new sl.learners.MMC(c.options), 1e-6, (c) => c.data === 'iris' || (c.data === 'wine' && c.options.diagonal));
});

test('SDML: same pairs (prior covariance, balanceParam 1e-5): accuracy at least metric-learn’s', () => {
  checkPairLearner('SDML', () => new sl.learners.SDML({ prior: 'covariance', balanceParam: 1e-5, sparsityParam: 0.01 }), 1e-4, () => true);
});

test('LSML (quadruplets) and SCML (triplets): held-out tuple accuracy and k-NN at least metric-learn’s (SCML: within its seed spread)', () => {
  for (const name of ['LSML', 'SCML']) {
    for (const c of learnerCases(name).filter((c) => c.data !== 'digits')) {
      const { Xtr, ytr, Xte, yte } = split(c.data);
      const train = name === 'LSML' ? pick(Xtr, c.quadruplets) : pick(Xtr, c.triplets);
      const held = name === 'LSML' ? pick(Xte, c.testQuadruplets) : pick(Xte, c.testTriplets);
      const m = name === 'LSML' ? new sl.learners.LSML().fit(train) : new sl.learners.SCML({ randomState: 0 }).fit(train);
      const d = Xtr[0].length;
      const acc = m.score(held);
      const knn = knnAccuracy(m.componentsF64(), d, d, Xtr, ytr, Xte, yte);
      const extra = name === 'LSML' ? `, objective ${(m as any).objective.toFixed(3)} (metric-learn ${c.objective.toFixed(3)}), M rel. diff ${relErr(m.metricF64(), c.M).toExponential(1)}` : '';
      report.push(`${name} ${c.data}: tuple accuracy ${acc.toFixed(3)} (metric-learn ${c.tupleAccuracy.toFixed(3)}), knn ${knn.toFixed(3)} (metric-learn ${c.knn.toFixed(3)})${extra}`);
      if (name === 'SCML') {
        // SCML is stochastic (random basis groups, mini-batches) and its bases are rows of
        // eigenvector matrices, which depend on the eigensolver's signs: metric-learn's own
        // seed-0 result on wine is 0.973 with OpenBLAS threads and 0.951 on one thread, and
        // seeds 0–9 (one thread, scmlSeeds) span 0.951–0.993 (wine) and 0.989–1 (iris). Our
        // median over seeds 0–2 is held to metric-learn's lowest seed; k-NN (45 held-out
        // points) to within 0.05 of its seed 0.
        const spread = find('scmlSeeds', c.data).tupleAccuracy as number[];
        const accs = [acc, ...[1, 2].map((seed) => new sl.learners.SCML({ randomState: seed }).fit(train).score(held))].sort((a, b) => a - b);
        report.push(`SCML ${c.data}: tuple accuracy over seeds 0–2 ${accs.map((a) => a.toFixed(3)).join(', ')} (metric-learn seeds 0–9: ${Math.min(...spread).toFixed(3)}–${Math.max(...spread).toFixed(3)})`);
        assert.ok(accs[1] >= Math.min(...spread) - 1e-9, `SCML ${c.data}: median tuple accuracy ${accs[1]} < metric-learn's lowest seed ${Math.min(...spread)}`);
        assert.ok(knn >= c.knn - 0.05, `SCML ${c.data}: knn ${knn} < ${c.knn} − 0.05`);
        continue;
      }
      assert.ok(acc >= c.tupleAccuracy, `${name} ${c.data}: tuple accuracy ${acc} < ${c.tupleAccuracy}`);
      assert.ok(knn >= c.knn, `${name} ${c.data}: knn ${knn} < ${c.knn}`);
      if (name === 'LSML') assert.ok((m as any).objective <= c.objective * (1 + 1e-6), `LSML ${c.data}: objective`);
    }
  }
});

test('calibrateThreshold: metric-learn’s thresholds for accuracy, f_beta, max_tpr, max_tnr', () => {
  // the scores metric-learn computed are replayed through a learner whose distances are them
  for (const c of cases.filter((c) => c.kind === 'calibration')) {
    const m = new sl.learners.Covariance().fit([[0], [1], [3]]);
    // one-feature learner: pairDistance of [[0], [s]] is |s|·√M; feed pairs at the distances −score
    const scale = Math.sqrt(m.metricF64()[0]);
    const pairs = c.scores.map((s: number) => [[0], [-s / scale]]);
    const learner = Object.assign(Object.create(sl.learners.ITML.prototype), m, { typeName: 'ITML', threshold: null });
    const o: any = { strategy: c.strategy };
    if (c.options.minRate !== null) o.minRate = c.options.minRate;
    if (c.strategy === 'f_beta') o.beta = c.options.beta;
    learner.calibrateThreshold(pairs, c.y, o);
    assert.ok(Math.abs(learner.threshold - c.threshold) <= 1e-9 * Math.max(1, Math.abs(c.threshold)), `${c.data} ${c.strategy} ${JSON.stringify(o)}: ${learner.threshold} vs ${c.threshold}`);
  }
  const m = new sl.learners.ITML();
  assert.throws(() => m.calibrateThreshold([[[0], [1]]], [1], { strategy: 'max_tpr' }), /not fitted yet|needs minRate/);
});

test('pair learners: clear errors', () => {
  assert.throws(() => new sl.learners.ITML().fit([[[0, 1], [1, 1]]], [2]), /pair labels must be \+1 \(similar\) or −1/);
  assert.throws(() => new sl.learners.ITML().fit([], []), /the constraint set needs at least one of pairs/);
  assert.throws(() => new sl.learners.MMC({ maxiter: 3 } as any), /unknown option 'maxiter'; did you mean 'maxIter'/);
  assert.throws(() => new sl.learners.ITMLSupervised().fit([[0], [1]], [0, 0]), /no dissimilar pairs: the constraint set would be empty/);
});

test.after(() => console.log('  ' + report.join('\n  ')));
test.run();
