// NCA, MLKR and LMNN beside metric-learn 0.7 on the same training split (gen_learners.py):
// held-out k-NN accuracy (MLKR: k-NN regression error) at least metric-learn's, and the
// objective, recomputed in float64 by test/ref/learners.ts, no worse than metric-learn's
// (MLKR, on metric-learn's own optimiser: its M, to rounding).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { kernelRegressionMseRef, mlkrObjectiveRef, ncaObjectiveRef } from '../ref/learners';
import { knnAccuracy, learnerCases, split } from './fixtures';

await sl.init();
const report: string[] = [];
const isPsd = (m: sl.learners.MahalanobisLearner) => {
  const M = m.metricF64();
  const d = Math.round(Math.sqrt(M.length));
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (Math.abs(M[i * d + j] - M[j * d + i]) > 1e-9 * Math.abs(M[i * d + j]) + 1e-12) return false;
  return true; // M = LᵀL is PSD by construction; symmetry is what rounding could break
};

test('NCA: k-NN accuracy and Σp at least metric-learn’s (iris, wine)', () => {
  for (const c of learnerCases('NCA').filter((c) => c.data !== 'digits')) {
    const { Xtr, ytr, Xte, yte } = split(c.data);
    const m = new sl.learners.NCA({ maxIter: c.options.maxIter }).fit(Xtr, ytr);
    const d = Xtr[0].length;
    const acc = knnAccuracy(m.componentsF64(), d, d, Xtr, ytr, Xte, yte);
    const obj = ncaObjectiveRef(m.componentsF64(), d, d, Xtr, ytr);
    report.push(`NCA ${c.data}: knn ${acc.toFixed(3)} (metric-learn ${c.knn.toFixed(3)}), Σp ${obj.toFixed(3)} (metric-learn ${c.objective.toFixed(3)}), ${m.nIter} iterations`);
    assert.ok(acc >= c.knn - 1e-9, `NCA ${c.data}: knn ${acc} < ${c.knn}`);
    assert.ok(obj >= c.objective - 1e-3 * Math.abs(c.objective), `NCA ${c.data}: objective ${obj} < ${c.objective}`);
    assert.ok(isPsd(m));
  }
});

test('MLKR: k-NN regression error and objective no worse than metric-learn’s (diabetes)', () => {
  for (const c of learnerCases('MLKR')) {
    const { Xtr, ytr, Xte, yte } = split(c.data);
    const m = new sl.learners.MLKR({ maxIter: c.options.maxIter }).fit(Xtr, ytr);
    const d = Xtr[0].length;
    // held out: MLKR's own predictor (Gaussian-kernel regression), ours and metric-learn's M
    const mse = kernelRegressionMseRef(m.metricF64(), d, Xtr, ytr, Xte, yte);
    const mlMse = kernelRegressionMseRef(c.M.flat(), d, Xtr, ytr, Xte, yte);
    const euMse = kernelRegressionMseRef(Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)), d, Xtr, ytr, Xte, yte);
    const obj = mlkrObjectiveRef(m.componentsF64(), d, d, Xtr, ytr);
    report.push(`MLKR ${c.data}: kernel-regression MSE ${mse.toFixed(1)} (metric-learn ${mlMse.toFixed(1)}, Euclidean ${euMse.toFixed(1)}), objective ${obj.toFixed(6)} (metric-learn ${c.objective.toFixed(6)}), ${m.nIter} iterations (metric-learn: ${c.nIter} evaluations)`);
    // the same optimiser as metric-learn's (scipy's L-BFGS-B, src/optim/lbfgsb.ts) walks the
    // same path: M agrees to rounding, so the error and objective may exceed its by rounding only
    const M = m.metricF64(), Mml = c.M.flat();
    const scale = Math.max(...Mml.map(Math.abs));
    for (let i = 0; i < M.length; i++) assert.ok(Math.abs(M[i] - Mml[i]) <= 1e-6 * scale, `MLKR: M[${i}] ${M[i]} vs metric-learn's ${Mml[i]}`);
    assert.ok(mse <= mlMse * (1 + 1e-9), `MLKR: held-out error ${mse} > metric-learn's ${mlMse}`);
    assert.ok(obj <= c.objective * (1 + 1e-9), `MLKR: objective ${obj} > ${c.objective}`);
  }
});

test('LMNN: k-NN accuracy at least metric-learn’s, objective no worse (iris, wine)', () => {
  for (const c of learnerCases('LMNN').filter((c) => c.data !== 'digits')) {
    const { Xtr, ytr, Xte, yte } = split(c.data);
    const m = new sl.learners.LMNN().fit(Xtr, ytr);
    const d = Xtr[0].length;
    const acc = knnAccuracy(m.componentsF64(), d, d, Xtr, ytr, Xte, yte);
    report.push(`LMNN ${c.data}: knn ${acc.toFixed(3)} (metric-learn ${c.knn.toFixed(3)}), objective ${m.objective.toFixed(2)} (metric-learn ${c.objective.toFixed(2)}), ${m.nIter} iterations (metric-learn ${c.nIter})`);
    assert.ok(acc >= c.knn - 1e-9, `LMNN ${c.data}: knn ${acc} < ${c.knn}`);
    assert.ok(m.objective <= c.objective * (1 + 1e-3), `LMNN ${c.data}: objective ${m.objective} > ${c.objective}`);
    assert.ok(isPsd(m));
  }
});

test.after(() => console.log('  ' + report.join('\n  ')));
test.run();
