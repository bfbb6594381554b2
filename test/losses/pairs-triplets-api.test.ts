// Siamese pairs (a, b, y) and triplets (a, p, n) given as data, compared through
// distance.paired, against the float64 references.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { contrastiveFormRef, cosineRef, multiSimilarityRef, ntxentRef, pairClassificationRef, pairedEuclidRef, reduceRef, regressionRef, type Pairs } from '../ref/loss';
import { batch, close } from './helpers';

await sl.init();

const { losses: L } = sl;

test('ContrastiveLoss.pairs: positives and negatives split by y, each part reduced (odd sizes)', () => {
  for (const n of [1, 3, 7, 17]) {
    sl.tidy(() => {
      const { x: a, rows: ra } = batch(n, 5, n);
      const { x: b, rows: rb } = batch(n, 5, 100 + n);
      const y = Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
      const d = pairedEuclidRef(ra, rb);
      const pos = d.filter((_, i) => y[i] === 1).map((v) => Math.max(v - 0.2, 0));
      const neg = d.filter((_, i) => y[i] === 0).map((v) => Math.max(1.1 - v, 0));
      const loss = new L.ContrastiveLoss({ posMargin: 0.2, negMargin: 1.1 });
      close(loss.pairs(a, b, y).item(), reduceRef(pos, 'avgNonZero') + reduceRef(neg, 'avgNonZero'), 2e-5, `n=${n}`);
      assert.is(loss.lastStats.total, n);
      const idx = d.map((_, i) => i);
      const sq = new L.ContrastiveLoss({ form: 'squared', margin: 1.5 });
      const pairs: [number[], number[], number[], number[]] = [idx.filter((i) => y[i]), idx.filter((i) => y[i]), idx.filter((i) => !y[i]), idx.filter((i) => !y[i])];
      // with the paired distances on the diagonal of a matrix
      const diag = d.map((v, i) => d.map((_, j) => (i === j ? v : NaN)));
      close(sq.pairs(a, b, y).item(), contrastiveFormRef(diag, pairs, 'squared', 1.5), 2e-5, `squared n=${n}`);
      gradcheck((p, q) => loss.pairs(p, q, y), [a, b], { atol: 2e-3, rtol: 2e-2 });
    });
  }
});

test('TripletMarginLoss.triplets: paired distances, swap, smooth; gradients reach a, p and n', () => {
  for (const [n, opts] of [[1, {}], [5, { margin: 0.4 }], [17, { margin: 0.6, swap: true }], [9, { smoothLoss: true }]] as const) {
    sl.tidy(() => {
      const { x: a, rows: ra } = batch(n, 4, 1 + n);
      const { x: p, rows: rp } = batch(n, 4, 2 + n);
      const { x: q, rows: rq } = batch(n, 4, 3 + n);
      const dap = pairedEuclidRef(ra, rp), dan = pairedEuclidRef(ra, rq), dpn = pairedEuclidRef(rp, rq);
      const margin = (opts as any).margin ?? 0.05;
      const losses = dap.map((v, i) => {
        const an = (opts as any).swap ? Math.min(dan[i], dpn[i]) : dan[i];
        const viol = v - an + margin;
        return (opts as any).smoothLoss ? Math.log1p(Math.exp(viol)) : Math.max(viol, 0);
      });
      const loss = new L.TripletMarginLoss(opts);
      close(loss.triplets(a, p, q).item(), reduceRef(losses, 'avgNonZero'), 2e-5, `n=${n} ${JSON.stringify(opts)}`);
      assert.equal(loss.lastStats, { active: losses.filter((v) => v > 0).length, total: n });
      gradcheck((x, y, z) => loss.triplets(x, y, z), [a, p, q], { atol: 2e-3, rtol: 2e-2 });
    });
  }
});

test('SimilarityRegressionLoss.pairs: mean (exp(−d) − score)² with scores in [0, 1]', () => {
  sl.tidy(() => {
    const n = 13;
    const { x: a, rows: ra } = batch(n, 6, 21);
    const { x: b, rows: rb } = batch(n, 6, 22);
    const y = Array.from({ length: n }, (_, i) => (i % 5) / 4);
    const loss = new L.SimilarityRegressionLoss();
    close(loss.pairs(a, b, y).item(), regressionRef(pairedEuclidRef(ra, rb), y, false), 2e-5, 'regression');
    gradcheck((p, q) => loss.pairs(p, q, y), [a, b]);
  });
});

test('PairClassificationLoss.pairs and .triplets: mean BCE with logits scale·(margin − d)', () => {
  sl.tidy(() => {
    const n = 11;
    const { x: a, rows: ra } = batch(n, 3, 31);
    const { x: b, rows: rb } = batch(n, 3, 32);
    const y = Array.from({ length: n }, (_, i) => i % 2);
    const loss = new L.PairClassificationLoss({ margin: 0.9, scale: 4 });
    close(loss.pairs(a, b, y).item(), pairClassificationRef(pairedEuclidRef(ra, rb), y, { margin: 0.9, scale: 4 }), 2e-5, 'pairs');
    // triplets: (a, p) similar and (a, n) dissimilar
    const dap = pairedEuclidRef(ra, rb), dan = pairedEuclidRef(ra, ra.map((r) => r.map((v) => -v)));
    const neg = sl.mul(a, -1);
    const want = pairClassificationRef([...dap, ...dan], [...dap.map(() => 1), ...dan.map(() => 0)], { margin: 0.9, scale: 4 });
    close(loss.triplets(a, b, neg).item(), want, 2e-5, 'triplets');
    gradcheck((p, q) => loss.pairs(p, q, y), [a, b]);
  });
});

test('NTXentLoss and MultiSimilarityLoss take triplets (and MultiSimilarity pairs) as index tuples over the stacked batch', () => {
  sl.tidy(() => {
    const t = 7;
    const { x: a, rows: ra } = batch(t, 4, 41);
    const { x: p, rows: rp } = batch(t, 4, 42);
    const { x: n, rows: rn } = batch(t, 4, 43);
    const range = (from: number) => Array.from({ length: t }, (_, i) => from + i);
    const m3 = cosineRef([...ra, ...rp, ...rn]);
    const asPairs: Pairs = [range(0), range(t), range(0), range(2 * t)];
    close(new L.NTXentLoss({ temperature: 0.3 }).triplets(a, p, n).item(), ntxentRef(m3, asPairs, { temperature: 0.3 }), 2e-5, 'NTXent triplets');
    close(new L.MultiSimilarityLoss().triplets(a, p, n).item(), multiSimilarityRef(m3, asPairs), 5e-5, 'MultiSimilarity triplets');
    const y = range(0).map((i) => i % 2);
    const m2 = cosineRef([...ra, ...rp]);
    const idx = range(0);
    const pairs: Pairs = [idx.filter((i) => y[i]), idx.filter((i) => y[i]).map((i) => i + t), idx.filter((i) => !y[i]), idx.filter((i) => !y[i]).map((i) => i + t)];
    close(new L.MultiSimilarityLoss().pairs(a, p, y).item(), multiSimilarityRef(m2, pairs), 5e-5, 'MultiSimilarity pairs');
    gradcheck((x, q, z) => new L.NTXentLoss({ temperature: 0.5 }).triplets(x, q, z), [a, p, n], { atol: 2e-3, rtol: 2e-2 });
  });
});

test('pairs that a loss cannot take give a clear error', () => {
  sl.tidy(() => {
    const { x } = batch(3, 2, 1);
    assert.throws(() => new L.TripletMarginLoss().pairs(x, x, [1, 0, 1]), /TripletMarginLoss\.pairs: .*triplets\(a, p, n\)/);
    assert.throws(() => new L.NTXentLoss().pairs(x, x, [1, 0, 1]), /NTXentLoss\.pairs: each pair's anchor has a positive or a negative, never both/);
  });
});

test.run();
