// Every loss against the float64 reference of its formula and reduction: over all valid
// tuples of labelled batches (odd sizes, one class, all labels distinct, one sample), over
// explicit index tuples (and their pair/triplet conversions), and gradients through the
// distance by finite differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { gradcheck } from '../helpers/gradcheck';
import {
  allPairsRef,
  allTripletsRef,
  contrastiveFormRef,
  contrastiveRef,
  cosineRef,
  euclidRef,
  multiSimilarityRef,
  ntxentRef,
  pairClassificationRef,
  regressionRef,
  toPairsRef,
  toTripletsRef,
  tripletRef,
  type Mat,
  type Pairs,
  type Triplets,
} from '../ref/loss';
import { batch, close, labelCases } from './helpers';

await sl.init();

const { losses: L, distances: D, reducers: R } = sl;

interface LossCase {
  name: string;
  make: () => sl.losses.BaseMetricLoss;
  mat: (rows: Mat) => Mat;
  /** The reference loss over the given tuples (pairs or triplets, converted as the loss needs). */
  ref: (mat: Mat, tuples: Pairs | Triplets) => number;
  tol?: number;
}

const pairs = (t: Pairs | Triplets) => toPairsRef(t);
const triplets = (t: Pairs | Triplets) => toTripletsRef(t);
const euclid = (r: Mat) => euclidRef(r);
const cosine = (r: Mat) => cosineRef(r);

/** Pair values and targets (1 positive, 0 negative), positives first. */
function pairValues(mat: Mat, [a1, p, a2, n]: Pairs): { v: number[]; y: number[] } {
  return { v: [...a1.map((a, i) => mat[a][p[i]]), ...a2.map((a, i) => mat[a][n[i]])], y: [...a1.map(() => 1), ...a2.map(() => 0)] };
}

const cases: LossCase[] = [
  { name: 'ContrastiveLoss()', make: () => new L.ContrastiveLoss(), mat: euclid, ref: (m, t) => contrastiveRef(m, pairs(t)) },
  {
    name: 'ContrastiveLoss(cosine, posMargin 0.9, negMargin 0.3, MeanReducer)',
    make: () => new L.ContrastiveLoss({ distance: new D.CosineSimilarity(), posMargin: 0.9, negMargin: 0.3, reducer: new R.MeanReducer() }),
    mat: cosine,
    ref: (m, t) => contrastiveRef(m, pairs(t), { posMargin: 0.9, negMargin: 0.3, inverted: true, reduction: 'mean' }),
  },
  {
    name: 'ContrastiveLoss(LpDistance power 2, posMargin 0.25, SumReducer)',
    make: () => new L.ContrastiveLoss({ distance: new D.LpDistance({ power: 2 }), posMargin: 0.25, reducer: new R.SumReducer() }),
    mat: (r) => euclidRef(r, { power: 2 }),
    ref: (m, t) => contrastiveRef(m, pairs(t), { posMargin: 0.25, reduction: 'sum' }),
  },
  { name: "ContrastiveLoss({ form: 'squared', margin: 1.2 })", make: () => new L.ContrastiveLoss({ form: 'squared', margin: 1.2 }), mat: euclid, ref: (m, t) => contrastiveFormRef(m, pairs(t), 'squared', 1.2) },
  { name: "ContrastiveLoss({ form: 'hadsell', margin: 1.3 })", make: () => new L.ContrastiveLoss({ form: 'hadsell', margin: 1.3 }), mat: euclid, ref: (m, t) => contrastiveFormRef(m, pairs(t), 'hadsell', 1.3) },
  { name: 'TripletMarginLoss()', make: () => new L.TripletMarginLoss(), mat: euclid, ref: (m, t) => tripletRef(m, triplets(t)) },
  { name: 'TripletMarginLoss({ margin: 0.5, swap })', make: () => new L.TripletMarginLoss({ margin: 0.5, swap: true }), mat: euclid, ref: (m, t) => tripletRef(m, triplets(t), { margin: 0.5, swap: true }) },
  { name: 'TripletMarginLoss({ smoothLoss })', make: () => new L.TripletMarginLoss({ smoothLoss: true }), mat: euclid, ref: (m, t) => tripletRef(m, triplets(t), { smooth: true }) },
  {
    name: 'TripletMarginLoss(cosine, margin 0.2, swap, MeanReducer)',
    make: () => new L.TripletMarginLoss({ distance: new D.CosineSimilarity(), margin: 0.2, swap: true, reducer: new R.MeanReducer() }),
    mat: cosine,
    ref: (m, t) => tripletRef(m, triplets(t), { margin: 0.2, swap: true, inverted: true, reduction: 'mean' }),
  },
  { name: 'NTXentLoss()', make: () => new L.NTXentLoss(), mat: cosine, ref: (m, t) => ntxentRef(m, pairs(t)) },
  {
    name: 'NTXentLoss(LpDistance, temperature 0.5)',
    make: () => new L.NTXentLoss({ distance: new D.LpDistance(), temperature: 0.5 }),
    mat: euclid,
    ref: (m, t) => ntxentRef(m, pairs(t), { temperature: 0.5, inverted: false }),
  },
  { name: 'MultiSimilarityLoss()', make: () => new L.MultiSimilarityLoss(), mat: cosine, ref: (m, t) => multiSimilarityRef(m, pairs(t)), tol: 5e-5 },
  {
    name: 'MultiSimilarityLoss(LpDistance, alpha 1, beta 10, base 0.8)',
    make: () => new L.MultiSimilarityLoss({ distance: new D.LpDistance(), alpha: 1, beta: 10, base: 0.8 }),
    mat: euclid,
    ref: (m, t) => multiSimilarityRef(m, pairs(t), { alpha: 1, beta: 10, base: 0.8, inverted: false }),
  },
  {
    name: 'SimilarityRegressionLoss()',
    make: () => new L.SimilarityRegressionLoss(),
    mat: euclid,
    ref: (m, t) => {
      const { v, y } = pairValues(m, pairs(t));
      return regressionRef(v, y, false);
    },
  },
  {
    name: 'SimilarityRegressionLoss(cosine)',
    make: () => new L.SimilarityRegressionLoss({ distance: new D.CosineSimilarity() }),
    mat: cosine,
    ref: (m, t) => {
      const { v, y } = pairValues(m, pairs(t));
      return regressionRef(v, y, true);
    },
  },
  {
    name: 'PairClassificationLoss({ margin: 0.7, scale: 3 })',
    make: () => new L.PairClassificationLoss({ margin: 0.7, scale: 3 }),
    mat: euclid,
    ref: (m, t) => {
      const { v, y } = pairValues(m, pairs(t));
      return pairClassificationRef(v, y, { margin: 0.7, scale: 3 });
    },
  },
  {
    name: 'PairClassificationLoss(cosine, margin 0.3, scale 5)',
    make: () => new L.PairClassificationLoss({ distance: new D.CosineSimilarity(), margin: 0.3, scale: 5 }),
    mat: cosine,
    ref: (m, t) => {
      const { v, y } = pairValues(m, pairs(t));
      return pairClassificationRef(v, y, { margin: 0.3, scale: 5, inverted: true });
    },
  },
];

const isTripletLoss = (loss: sl.losses.BaseMetricLoss) => loss instanceof L.TripletMarginLoss;

for (const c of cases) {
  test(`${c.name}: every valid tuple of labelled batches matches the float64 reference`, () => {
    for (const lc of labelCases) {
      sl.tidy(() => {
        const labels = lc.labels(lc.n);
        const { x, rows } = batch(lc.n, 5, 40 + lc.n);
        const loss = c.make();
        const got = loss.forward(x, labels).item();
        const all = isTripletLoss(loss) ? allTripletsRef(labels) : allPairsRef(labels);
        close(got, c.ref(c.mat(rows), all), c.tol ?? 2e-5, `${c.name}, ${lc.name}`);
        assert.ok(loss.lastStats.active <= loss.lastStats.total, 'active <= total');
      });
    }
  });

  test(`${c.name}: explicit triplet and pair tuples match the reference (with conversions)`, () => {
    sl.tidy(() => {
      const n = 9;
      const rng = new Rng(5);
      const pick = (len: number, hi = n) => Int32Array.from({ length: len }, () => Math.floor(rng.uniform() * hi));
      const { x, rows } = batch(n, 4, 77);
      const mat = c.mat(rows);
      // anchors from a small range so that pairs share anchors and convert into triplets
      const tripletTuples = [pick(11, 4), pick(11), pick(11)] as const;
      const pairTuples = [pick(7, 4), pick(7), pick(5, 4), pick(5)] as const;
      for (const tuples of [tripletTuples, pairTuples]) {
        const loss = c.make();
        const got = loss.forward(x, null, tuples).item();
        const ref = c.ref(mat, tuples.map((col) => Array.from(col)) as Pairs | Triplets);
        close(got, ref, c.tol ?? 2e-5, `${c.name}, ${tuples.length}-column tuples`);
      }
    });
  });

  test(`${c.name}: gradient through the distance matches finite differences`, () => {
    sl.tidy(() => {
      const { x } = batch(6, 3, 91);
      const labels = [0, 1, 0, 2, 1, 0];
      const loss = c.make();
      gradcheck((e) => loss.forward(e, labels), [x], { atol: 2e-3, rtol: 2e-2 });
    });
  });
}

test('no tuples at all: loss 0, backward works and gives zero gradient (graph stays connected)', () => {
  for (const c of cases) {
    sl.tidy(() => {
      const x = sl.randn([4, 3], { seed: 1, requiresGrad: true });
      const loss = c.make();
      const out = loss.forward(x, null, [new Int32Array(0), new Int32Array(0), new Int32Array(0)]);
      assert.is(out.item(), 0, c.name);
      assert.equal(loss.lastStats, { active: 0, total: 0 }, c.name);
      out.backward();
      assert.ok(x.grad === null || x.grad.data().every((v) => v === 0), `${c.name}: zero gradient`);
    });
  }
});

test('lastStats counts the non-zero tuples of the last call', () => {
  sl.tidy(() => {
    const { x, rows } = batch(11, 4, 8);
    const labels = [0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1];
    const mat = euclidRef(rows);
    const loss = new L.TripletMarginLoss({ margin: 0.1 });
    loss.forward(x, labels);
    const [a, p, n] = allTripletsRef(labels);
    const active = a.filter((ai, k) => mat[ai][p[k]] - mat[ai][n[k]] + 0.1 > 0).length;
    assert.equal(loss.lastStats, { active, total: a.length });
    const c = new L.ContrastiveLoss();
    c.forward(x, labels);
    const [a1, pp, a2, nn] = allPairsRef(labels);
    const cActive = a1.filter((ai, k) => mat[ai][pp[k]] > 0).length + a2.filter((ai, k) => mat[ai][nn[k]] < 1).length;
    assert.equal(c.lastStats, { active: cActive, total: a1.length + a2.length });
  });
});

test('PairClassificationLoss: learnable margin and scale receive gradients', () => {
  sl.tidy(() => {
    const { x } = batch(6, 3, 12);
    const labels = [0, 1, 0, 2, 1, 0];
    const margin = sl.tensor(0.8);
    const scale = sl.tensor(2.5);
    gradcheck((e, m, s) => new L.PairClassificationLoss({ margin: m, scale: s }).forward(e, labels), [x, margin, scale]);
    gradcheck((e, m, s) => new L.PairClassificationLoss({ margin: m, scale: s, distance: new D.CosineSimilarity() }).forward(e, labels), [x, margin, scale]);
  });
});

test('a training step inside tidy frees everything it allocated (loss, tuples, index buffers, gradients)', () => {
  const { x } = batch(10, 4, 5);
  x.requiresGrad = true;
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3];
  const before = sl.engineInfo().liveBytes;
  for (const c of cases) {
    for (let rep = 0; rep < 2; rep++) {
      sl.tidy(() => {
        const loss = c.make();
        loss.forward(x, labels, rep ? new sl.miners.BatchHardMiner().mine(x, labels) : null).backward();
        sl.noGrad(() => loss.forward(x, labels));
      });
      x.grad?.dispose();
      x.grad = null;
    }
  }
  assert.is(sl.engineInfo().liveBytes, before, 'live wasm bytes after the steps');
});

test('forward() with one tuple per column gives 0 for the GenericPairLoss family, as pytorch-metric-learning', () => {
  sl.tidy(() => {
    const { x, rows } = batch(4, 3, 6);
    const one = [Int32Array.of(0), Int32Array.of(1), Int32Array.of(0), Int32Array.of(2)] as const;
    for (const loss of [new L.ContrastiveLoss({ posMargin: 0, negMargin: 5 }), new L.NTXentLoss(), new L.MultiSimilarityLoss()]) {
      assert.is(loss.forward(x, null, one).item(), 0, loss.name);
    }
    // the pair and triplet data APIs and the other losses compute it
    const pair: Pairs = [[0], [1], [0], [2]];
    close(new L.TripletMarginLoss({ margin: 3 }).forward(x, null, one).item(), tripletRef(euclidRef(rows), toTripletsRef(pair), { margin: 3 }), 2e-5, 'triplet');
    assert.ok(new L.ContrastiveLoss({ negMargin: 5 }).triplets(sl.tensor([rows[0]]), sl.tensor([rows[1]]), sl.tensor([rows[2]])).item() > 0);
  });
});

test('defaults are pytorch-metric-learning\'s', () => {
  const c = new L.ContrastiveLoss();
  assert.equal([c.form, c.posMargin, c.negMargin], ['margin', 0, 1]);
  // PML wraps the reducer per sub-loss: MultipleReducers { posLoss, negLoss } of AvgNonZeroReducer
  assert.ok(c.distance instanceof D.LpDistance && c.reducer instanceof R.MultipleReducers);
  const per = (c.reducer as sl.reducers.MultipleReducers).reducers;
  assert.ok(per.posLoss instanceof R.AvgNonZeroReducer && per.negLoss instanceof R.AvgNonZeroReducer);
  const lp = c.distance as sl.distances.LpDistance;
  assert.equal([lp.p, lp.power, lp.normalizeEmbeddings], [2, 1, true]);
  const t = new L.TripletMarginLoss();
  assert.equal([t.margin, t.swap, t.smoothLoss], [0.05, false, false]);
  assert.ok(t.distance instanceof D.LpDistance && t.reducer instanceof R.AvgNonZeroReducer);
  const nt = new L.NTXentLoss();
  assert.is(nt.temperature, 0.07);
  assert.ok(nt.distance instanceof D.CosineSimilarity && nt.reducer instanceof R.MeanReducer);
  const ms = new L.MultiSimilarityLoss();
  assert.equal([ms.alpha, ms.beta, ms.base], [2, 50, 0.5]);
  assert.ok(ms.distance instanceof D.CosineSimilarity && ms.reducer instanceof R.MeanReducer);
  const pc = new L.PairClassificationLoss();
  assert.equal([pc.margin, pc.scale], [1, 1]);
  assert.ok(pc.distance instanceof D.LpDistance && new L.SimilarityRegressionLoss().distance instanceof D.LpDistance);
  assert.is(new L.ContrastiveLoss({ form: 'squared' }).margin, 1);
  const pm = new sl.miners.PairMarginMiner();
  assert.equal([pm.posMargin, pm.negMargin], [0.2, 0.8]);
  assert.ok(pm.distance instanceof D.LpDistance && new sl.miners.BatchHardMiner().distance instanceof D.LpDistance);
});

test.run();
