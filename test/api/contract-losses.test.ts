// Public API contract, losses / reducers / miners: every loss's defaults, forward(embeddings,
// labels, tuples?) with labels as Int32Array and number[], both tuple layouts, loss.pairs,
// loss.triplets and lastStats, against pytorch-metric-learning's formulas written out in
// torch float64 (test/fixtures/gen_contract.py); miners against float64 brute force.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as SL from '../../src/index';
import { sl, f32, fixture, gradOf, near, randn, thrown } from './helpers';

await sl.init();

const fx = fixture.losses;
const sx = fixture.siamese;
const LOSS_TOL = { atol: 2e-5, rtol: 2e-5 };
const cols = (c: number[][]) => c.map((v) => Int32Array.from(v));

/** forward() on the fixture batch; value and gradient against the torch case `name`. */
function check(name: string, loss: SL.losses.BaseMetricLoss, labels: Int32Array | number[], tuples?: Int32Array[]): void {
  const e = f32(fx.embeddings, fx.shape, true);
  const v = loss.forward(e, labels, tuples as any);
  assert.equal(v.shape, [], `${name}: a scalar`);
  near([v.item()], [fx[name].value], LOSS_TOL, `${name} value`);
  v.backward();
  near(gradOf(e), fx[name].grad, LOSS_TOL, `${name} gradient`);
  if (fx[name].active !== undefined) assert.equal(loss.lastStats, { active: fx[name].active, total: fx[name].total }, `${name} lastStats`);
}

test('ContrastiveLoss defaults: posMargin 0, negMargin 1, form margin, LpDistance, AvgNonZero per part', () => {
  const loss = new sl.losses.ContrastiveLoss();
  assert.is(loss.posMargin, 0);
  assert.is(loss.negMargin, 1);
  assert.is(loss.form, 'margin');
  assert.ok(loss.distance instanceof sl.distances.LpDistance);
  // PML's set_reducer: one AvgNonZeroReducer per sub-loss (posLoss, negLoss) in MultipleReducers
  assert.ok(loss.reducer instanceof sl.reducers.MultipleReducers);
  assert.ok((loss.reducer as any).reducers.posLoss instanceof sl.reducers.AvgNonZeroReducer);
  check('contrastive', loss, fx.labels);
  check('contrastive', new sl.losses.ContrastiveLoss(), Int32Array.from(fx.labels));
  check('contrastiveMargins', new sl.losses.ContrastiveLoss({ posMargin: 0.3, negMargin: 0.9 }), fx.labels);
  // a given reducer is applied to each part separately, the two added
  check('contrastiveMean', new sl.losses.ContrastiveLoss({ posMargin: 0.2, negMargin: 0.9, reducer: new sl.reducers.MeanReducer() }), fx.labels);
});

test('ContrastiveLoss with tuples: pairs [a1, p, a2, n] as given, triplets [a, p, n] as pairs (a, p), (a, n)', () => {
  check('contrastivePairs', new sl.losses.ContrastiveLoss(), fx.labels, cols(fx.pairs));
  check('contrastiveTriplets', new sl.losses.ContrastiveLoss(), fx.labels, cols(fx.triplets));
});

test("ContrastiveLoss forms 'squared' y·d² + (1−y)·[m² − d²]₊ and 'hadsell' y·d² + (1−y)·[m − d]₊², mean over pairs", () => {
  const sq = new sl.losses.ContrastiveLoss({ form: 'squared' });
  assert.is(sq.margin, 1);
  check('contrastiveSquared', sq, fx.labels);
  check('contrastiveHadsell', new sl.losses.ContrastiveLoss({ form: 'hadsell', margin: 1.2 }), fx.labels);
});

test('TripletMarginLoss defaults margin 0.05, swap false, smoothLoss false, AvgNonZero; swap, smooth, tuples, reducers', () => {
  const loss = new sl.losses.TripletMarginLoss();
  assert.is(loss.margin, 0.05);
  assert.is(loss.swap, false);
  assert.is(loss.smoothLoss, false);
  assert.ok(loss.reducer instanceof sl.reducers.AvgNonZeroReducer);
  assert.ok(loss.distance instanceof sl.distances.LpDistance);
  check('triplet', loss, fx.labels);
  check('tripletSwap', new sl.losses.TripletMarginLoss({ margin: 0.3, swap: true }), fx.labels);
  check('tripletSmooth', new sl.losses.TripletMarginLoss({ smoothLoss: true }), fx.labels);
  check('tripletTuples', new sl.losses.TripletMarginLoss({ margin: 0.5 }), Int32Array.from(fx.labels), cols(fx.triplets));
  check('tripletMean', new sl.losses.TripletMarginLoss({ margin: 0.5, reducer: new sl.reducers.MeanReducer() }), fx.labels);
  check('tripletSum', new sl.losses.TripletMarginLoss({ margin: 0.5, reducer: new sl.reducers.SumReducer() }), fx.labels);
});

test('NTXentLoss temperature 0.07 and MultiSimilarityLoss alpha 2, beta 50, base 0.5 (cosine similarity)', () => {
  const nt = new sl.losses.NTXentLoss();
  assert.is(nt.temperature, 0.07);
  assert.ok(nt.distance instanceof sl.distances.CosineSimilarity);
  check('ntxent', nt, fx.labels);
  check('ntxentT05', new sl.losses.NTXentLoss({ temperature: 0.5 }), Int32Array.from(fx.labels));
  const ms = new sl.losses.MultiSimilarityLoss();
  assert.equal([ms.alpha, ms.beta, ms.base], [2, 50, 0.5]);
  assert.ok(ms.distance instanceof sl.distances.CosineSimilarity);
  check('multiSimilarity', ms, fx.labels);
  check('multiSimilarityOpts', new sl.losses.MultiSimilarityLoss({ alpha: 1, beta: 10, base: 0.2 }), fx.labels);
});

test('losses take an injected distance: similarities flip the margins (pytorch-metric-learning semantics)', () => {
  const cos = () => new sl.distances.CosineSimilarity();
  check('contrastiveCosine', new sl.losses.ContrastiveLoss({ distance: cos(), posMargin: 0.9, negMargin: 0.3 }), fx.labels);
  check('tripletCosine', new sl.losses.TripletMarginLoss({ distance: cos(), margin: 0.1 }), fx.labels);
  check('tripletCosineSwap', new sl.losses.TripletMarginLoss({ distance: cos(), margin: 0.1, swap: true }), fx.labels);
  check('ntxentLp', new sl.losses.NTXentLoss({ distance: new sl.distances.LpDistance(), temperature: 0.5 }), fx.labels);
  check('multiSimilarityLp', new sl.losses.MultiSimilarityLoss({ distance: new sl.distances.LpDistance(), base: 0.8 }), fx.labels);
});

test('SimilarityRegressionLoss (exp(−d), or the similarity) and PairClassificationLoss (margin 1, scale 1) over labelled pairs', () => {
  check('regressionLabels', new sl.losses.SimilarityRegressionLoss(), fx.labels);
  const pc = new sl.losses.PairClassificationLoss();
  assert.is(pc.margin, 1);
  assert.is(pc.scale, 1);
  check('classificationLabels', pc, fx.labels);
});

test('loss.pairs(a, b, y): y 1 similar / 0 dissimilar, or a score for regression', () => {
  const cases: [string, SL.losses.BaseMetricLoss, number[]][] = [
    ['contrastive', new sl.losses.ContrastiveLoss(), sx.y],
    ['regression', new sl.losses.SimilarityRegressionLoss(), sx.scores],
    ['regressionCosine', new sl.losses.SimilarityRegressionLoss({ distance: new sl.distances.CosineSimilarity() }), sx.scores],
    ['classification', new sl.losses.PairClassificationLoss(), sx.y],
    ['classificationOpts', new sl.losses.PairClassificationLoss({ margin: 0.7, scale: 3 }), sx.y],
  ];
  for (const [name, loss, y] of cases) {
    const a = f32(sx.a, sx.shape, true), b = f32(sx.b, sx.shape, true);
    const v = loss.pairs(a, b, y);
    assert.equal(v.shape, []);
    near([v.item()], [sx[name].value], LOSS_TOL, `${name}.pairs value`);
    v.backward();
    near(gradOf(a), sx[name].gradA, LOSS_TOL, `${name}.pairs da`);
    near(gradOf(b), sx[name].gradB, LOSS_TOL, `${name}.pairs db`);
  }
});

test('loss.triplets(a, p, n) and lastStats { active, total }', () => {
  for (const [name, margin] of [['triplet', undefined], ['tripletMargin', 0.8]] as const) {
    const a = f32(sx.ta, sx.tShape, true), p = f32(sx.tp, sx.tShape, true), n = f32(sx.tn, sx.tShape, true);
    const loss = new sl.losses.TripletMarginLoss(margin === undefined ? {} : { margin });
    const v = loss.triplets(a, p, n);
    near([v.item()], [sx[name].value], LOSS_TOL, `${name} value`);
    assert.equal(loss.lastStats, { active: sx[name].active, total: sx.tShape[0] });
    v.backward();
    near(gradOf(a), sx[name].gradA, LOSS_TOL, `${name} da`);
    near(gradOf(p), sx[name].gradP, LOSS_TOL, `${name} dp`);
    near(gradOf(n), sx[name].gradN, LOSS_TOL, `${name} dn`);
  }
});

test('reducers: MeanReducer, SumReducer, AvgNonZeroReducer (0 for no non-zero entry)', () => {
  const x = f32([0, 1.5, 0, 3, 0.5], [5], true);
  near([new sl.reducers.MeanReducer().reduce(x).item()], [1], { atol: 1e-7 }, 'mean');
  near([new sl.reducers.SumReducer().reduce(x).item()], [5], { atol: 1e-7 }, 'sum');
  const avg = new sl.reducers.AvgNonZeroReducer().reduce(x);
  near([avg.item()], [5 / 3], { atol: 1e-7 }, 'avg non-zero');
  avg.backward();
  near(gradOf(x), [0, 1 / 3, 0, 1 / 3, 1 / 3], { atol: 1e-7 }, 'avg non-zero gradient');
  assert.is(new sl.reducers.AvgNonZeroReducer().reduce(f32([0, 0, 0], [3])).item(), 0);
});

// ---- miners: float64 brute force on L2-normalised rows (LpDistance's default)

const MINE_LABELS = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1];

function minerBatch() {
  const e = randn([MINE_LABELS.length, 4], 17);
  const v = Array.from(e.data());
  const rows = MINE_LABELS.map((_, i) => {
    const r = v.slice(i * 4, i * 4 + 4);
    const norm = Math.hypot(...r);
    return r.map((x) => x / norm);
  });
  const dist = (i: number, j: number) => Math.hypot(...rows[i].map((x, k) => x - rows[j][k]));
  return { e, dist, n: MINE_LABELS.length };
}

test('TripletMarginMiner defaults margin 0.2, type all; mine() -> [anchors, positives, negatives] in a-p-n order', () => {
  const { e, dist, n } = minerBatch();
  const miner = new sl.miners.TripletMarginMiner();
  assert.is(miner.margin, 0.2);
  assert.is(miner.type, 'all');
  for (const type of ['all', 'hard', 'semihard', 'easy'] as const) {
    const want: number[][] = [[], [], []];
    for (let a = 0; a < n; a++)
      for (let p = 0; p < n; p++)
        for (let q = 0; q < n; q++) {
          if (a === p || MINE_LABELS[a] !== MINE_LABELS[p] || MINE_LABELS[a] === MINE_LABELS[q]) continue;
          const tm = dist(a, q) - dist(a, p);
          assert.ok(Math.abs(tm) > 1e-4 && Math.abs(tm - 0.2) > 1e-4, 'no triplet sits on a threshold');
          const keep = type === 'all' ? tm <= 0.2 : type === 'hard' ? tm <= 0 : type === 'semihard' ? tm > 0 && tm <= 0.2 : tm > 0.2;
          if (keep) [a, p, q].forEach((x, c) => want[c].push(x));
        }
    const got = new sl.miners.TripletMarginMiner({ type, margin: 0.2 }).mine(e, MINE_LABELS);
    assert.is(got.length, 3);
    got.forEach((c) => assert.ok(c instanceof Int32Array));
    assert.equal(got.map((c) => Array.from(c)), want, type);
  }
});

test('BatchHardMiner: per anchor the farthest positive and the closest negative', () => {
  const { e, dist, n } = minerBatch();
  const want: number[][] = [[], [], []];
  for (let a = 0; a < n; a++) {
    let p = -1, q = -1;
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      if (MINE_LABELS[j] === MINE_LABELS[a]) { if (p < 0 || dist(a, j) > dist(a, p)) p = j; }
      else if (q < 0 || dist(a, j) < dist(a, q)) q = j;
    }
    [a, p, q].forEach((x, c) => want[c].push(x));
  }
  const got = new sl.miners.BatchHardMiner().mine(e, Int32Array.from(MINE_LABELS));
  assert.equal(got.map((c) => Array.from(c)), want);
});

test('PairMarginMiner defaults posMargin 0.2, negMargin 0.8; mine() -> [a1, p, a2, n] row-major', () => {
  const { e, dist, n } = minerBatch();
  const miner = new sl.miners.PairMarginMiner();
  assert.equal([miner.posMargin, miner.negMargin], [0.2, 0.8]);
  const want: number[][] = [[], [], [], []];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      if (MINE_LABELS[i] === MINE_LABELS[j] && dist(i, j) > 0.2) { want[0].push(i); want[1].push(j); }
      if (MINE_LABELS[i] !== MINE_LABELS[j] && dist(i, j) < 0.8) { want[2].push(i); want[3].push(j); }
    }
  const got = miner.mine(e, MINE_LABELS);
  assert.equal(got.map((c) => Array.from(c)), want);
  // mined tuples feed a loss directly
  const v = new sl.losses.ContrastiveLoss().forward(e, MINE_LABELS, got);
  assert.ok(Number.isFinite(v.item()));
});

test('miners take an injected similarity: margins compare similarities (larger is closer)', () => {
  const e = randn([MINE_LABELS.length, 4], 17);
  const v = Array.from(e.data());
  const rows = MINE_LABELS.map((_, i) => v.slice(i * 4, i * 4 + 4));
  const sim = (i: number, j: number) => rows[i].reduce((s, x, k) => s + x * rows[j][k], 0) / (Math.hypot(...rows[i]) * Math.hypot(...rows[j]));
  const n = MINE_LABELS.length;
  const same = (i: number, j: number) => MINE_LABELS[i] === MINE_LABELS[j];
  const trip: number[][] = [[], [], []];
  for (let a = 0; a < n; a++)
    for (let p = 0; p < n; p++)
      for (let q = 0; q < n; q++) {
        if (a === p || !same(a, p) || same(a, q)) continue;
        const tm = sim(a, p) - sim(a, q);
        assert.ok(Math.abs(tm) > 1e-4 && Math.abs(tm - 0.3) > 1e-4, 'no triplet sits on a threshold');
        if (tm > 0 && tm <= 0.3) [a, p, q].forEach((x, c) => trip[c].push(x));
      }
  const cos = new sl.distances.CosineSimilarity();
  const mined = new sl.miners.TripletMarginMiner({ margin: 0.3, type: 'semihard', distance: cos }).mine(e, MINE_LABELS);
  assert.equal(mined.map((c) => Array.from(c)), trip);
  const pairs: number[][] = [[], [], [], []];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      if (same(i, j) && sim(i, j) < 0.6) { pairs[0].push(i); pairs[1].push(j); }
      if (!same(i, j) && sim(i, j) > 0.1) { pairs[2].push(i); pairs[3].push(j); }
    }
  const got = new sl.miners.PairMarginMiner({ posMargin: 0.6, negMargin: 0.1, distance: cos }).mine(e, MINE_LABELS);
  assert.equal(got.map((c) => Array.from(c)), pairs);
});

test('errors: NaN labels have their own message (losses and miners), before any kernel runs', () => {
  const e = f32(fx.embeddings, fx.shape);
  const bad = [0, 1, NaN, 2, 1, 0, 2];
  assert.match(thrown(() => new sl.losses.ContrastiveLoss().forward(e, bad)), /ContrastiveLoss\.forward: labels\[2\] is NaN/);
  assert.match(thrown(() => new sl.losses.TripletMarginLoss().forward(e, bad)), /labels\[2\] is NaN/);
  assert.match(thrown(() => new sl.miners.BatchHardMiner().mine(e, bad)), /BatchHardMiner\.mine: labels\[2\] is NaN/);
  assert.match(thrown(() => new sl.losses.ContrastiveLoss().forward(e, [0, 1, 2])), /3.*7|7.*3/);
});

test.run();
