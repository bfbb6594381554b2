// Covariance, LFDA and RCA against metric-learn 0.7's matrices (gen_learners.py): M within
// 1e-4 relative (max |ΔM| / max |M|), on iris, wine and a 600-digit subset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { learnerCases, relErr, split } from './fixtures';

await sl.init();
const report: string[] = [];

test('Covariance: M = pinvh(cov(X)) as metric-learn (digits: rank-deficient, constant pixels)', () => {
  for (const c of learnerCases('Covariance')) {
    const { Xtr } = split(c.data);
    const m = new sl.learners.Covariance().fit(Xtr);
    const e = relErr(m.metricF64(), c.M);
    report.push(`Covariance ${c.data}: ${e.toExponential(2)}`);
    assert.ok(e < 1e-4, `Covariance ${c.data}: relative error ${e}`);
    m.dispose();
  }
});

test('LFDA: M as metric-learn for each embedding type, k and nComponents', () => {
  for (const c of learnerCases('LFDA')) {
    const { Xtr, ytr } = split(c.data);
    const opts: any = {};
    if (c.options.k !== undefined) opts.k = c.options.k;
    if (c.options.n_components !== undefined) opts.nComponents = c.options.n_components;
    if (c.options.embedding_type !== undefined) opts.embeddingType = c.options.embedding_type;
    const m = new sl.learners.LFDA(opts).fit(Xtr, ytr);
    const e = relErr(m.metricF64(), c.M);
    report.push(`LFDA ${c.data} ${JSON.stringify(opts)}: ${e.toExponential(2)}`);
    assert.ok(e < 1e-4, `LFDA ${c.data} ${JSON.stringify(opts)}: relative error ${e}`);
  }
});

test('RCA: M as metric-learn on the same chunks, full and reduced (nComponents)', () => {
  for (const c of learnerCases('RCA')) {
    const { Xtr } = split(c.data);
    const opts: any = c.options.n_components ? { nComponents: c.options.n_components } : {};
    const m = new sl.learners.RCA(opts).fit(Xtr, c.chunks);
    const e = relErr(m.metricF64(), c.M);
    report.push(`RCA ${c.data} ${JSON.stringify(opts)}: ${e.toExponential(2)}`);
    assert.ok(e < 1e-4, `RCA ${c.data} ${JSON.stringify(opts)}: relative error ${e}`);
  }
});

test('closed-form learners: clear errors', () => {
  assert.throws(() => new sl.learners.LFDA({ embedingType: 'plain' } as any), /unknown option 'embedingType'; did you mean 'embeddingType'/);
  assert.throws(() => new sl.learners.Covariance().fit([[1, 2]]), /needs at least 2 rows/);
  assert.throws(() => new sl.learners.RCA().fit([[1, 2], [3, 4]], [-1, -1]), /the constraint set is empty/);
  assert.throws(() => new sl.learners.LFDA({ nComponents: 5 }).fit([[1, 2], [3, 4], [5, 7]], [0, 0, 1]), /nComponents must be in \[1, 2\]/);
  assert.throws(() => new sl.learners.Covariance().getMahalanobisMatrix(), /not fitted yet/);
});

test.after(() => console.log('  ' + report.join('\n  ')));
test.run();
