// sl.utils.InferenceModel and MatchFinder against pytorch-metric-learning's own
// (test/fixtures/pml/inference.jsonl) and a float64 brute force.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlCases, flat, type InferenceCase, type LinearState, type Matrix, type SpecJson } from '../helpers/pml-fixtures';
import { Rng } from '../../src/random';

await sl.init();

const mat = (m: Matrix) => {
  const f = flat(m);
  return sl.tensor(Float32Array.from(f.data), f.shape);
};

function linearFrom(s: LinearState): sl.nn.Linear {
  const layer = new sl.nn.Linear(s.weight[0].length, s.weight.length);
  layer.loadStateDict({ weight: mat(s.weight), bias: sl.tensor(s.bias, [s.bias.length]) });
  return layer;
}

function distanceFrom(spec: SpecJson): sl.distances.BaseDistance {
  const Cls = (sl.distances as unknown as Record<string, new (o: object) => sl.distances.BaseDistance>)[spec.class];
  return new Cls(spec.options);
}

function matchFinderFrom(opts: Record<string, unknown>): sl.utils.MatchFinder {
  return new sl.utils.MatchFinder({ distance: distanceFrom(opts.distance as SpecJson), threshold: opts.threshold as number });
}

function checkMatches(c: InferenceCase, matches: boolean[][], selfMatches: boolean[][], isMatch: boolean[]) {
  assert.equal(matches, c.expected.matches, `${c.id}: matches`);
  assert.equal(selfMatches, c.expected.selfMatches, `${c.id}: selfMatches`);
  assert.equal(isMatch, c.expected.isMatch, `${c.id}: isMatch`);
}

for (const c of pmlCases('inference', { kind: 'inference' })) {
  test(`${c.id} = PML`, () => {
    const i = c.inputs;
    if (c.class === 'MatchFinder') {
      const mf = matchFinderFrom(c.options);
      const q = mat(i.query), r = mat(i.ref);
      checkMatches(c, mf.getMatchingPairs(q, r), mf.getMatchingPairs(q), mf.isMatch(mat(i.x), mat(i.y)));
      return;
    }
    const o = c.options as { normalizeEmbeddings?: boolean; matchFinder?: SpecJson };
    const model = new sl.utils.InferenceModel({
      trunk: linearFrom(c.state!.trunk),
      embedder: c.state!.embedder ? linearFrom(c.state!.embedder) : null,
      matchFinder: o.matchFinder ? matchFinderFrom(o.matchFinder.options) : undefined,
      normalizeEmbeddings: o.normalizeEmbeddings,
    });
    model.trainKnn(mat(i.train!), 4); // batches of 4 rows: batching must not matter
    if (i.add) model.addToKnn(mat(i.add));
    const [dist, idx] = model.getNearestNeighbors(mat(i.query), i.k!);
    assert.equal(Array.from(idx), c.expected.indices!.flat(), `${c.id}: indices`);
    c.expected.distances!.flat().forEach((v, t) => assert.ok(Math.abs(dist[t] - v) <= 1e-5 * Math.max(1, v), `${c.id}: distance ${t}: ${dist[t]} vs ${v}`));
    checkMatches(c, model.getMatches(mat(i.query), mat(i.ref)), model.getMatches(mat(i.query)), model.isMatch(mat(i.x), mat(i.y)));
    model.dispose();
  });
}

/** Float64 embeddings of a Linear trunk: x·Wᵀ + b, L2-normalised when asked. */
function embed64(x: Float32Array, n: number, din: number, layer: sl.nn.Linear, normalize: boolean): Float64Array[] {
  const w = layer.weight.data(), b = layer.bias!.data(), dout = layer.outFeatures;
  return Array.from({ length: n }, (_, i) => {
    const e = Float64Array.from({ length: dout }, (_, o) => {
      let s = b[o];
      for (let p = 0; p < din; p++) s += x[i * din + p] * w[o * din + p];
      return s;
    });
    const norm = Math.max(Math.hypot(...e), 1e-12);
    return normalize ? e.map((v) => v / norm) : e;
  });
}

const sq = (a: Float64Array, b: Float64Array) => a.reduce((s, v, t) => s + (v - b[t]) ** 2, 0);

test('getNearestNeighbors = float64 brute force on odd sizes; rows numbered trainKnn then addToKnn; trainKnn resets', () => {
  const rng = new Rng(3);
  for (const [n1, n2, nq, din, dout, k] of [[1, 0, 1, 3, 1, 1], [5, 3, 3, 5, 3, 8], [17, 16, 5, 7, 5, 9], [33, 1, 17, 17, 9, 33]]) {
    for (const normalize of [true, false]) {
      const trunk = new sl.nn.Linear(din, dout);
      const model = new sl.utils.InferenceModel({ trunk, normalizeEmbeddings: normalize });
      const a = Float32Array.from({ length: n1 * din }, () => rng.normal());
      const b = Float32Array.from({ length: n2 * din }, () => rng.normal());
      const q = Float32Array.from({ length: nq * din }, () => rng.normal());
      model.trainKnn(sl.tensor(Float32Array.from({ length: 4 * din }, () => rng.normal()), [4, din]));
      model.trainKnn(sl.tensor(a, [n1, din]), 3); // replaces the first index
      if (n2 > 0) model.addToKnn(sl.tensor(b, [n2, din]), 2);
      assert.is(model.indexSize, n1 + n2);
      const [dist, idx] = model.getNearestNeighbors(sl.tensor(q, [nq, din]), k);
      const ref = [...embed64(a, n1, din, trunk, normalize), ...embed64(b, n2, din, trunk, normalize)];
      const qe = embed64(q, nq, din, trunk, normalize);
      for (let i = 0; i < nq; i++) {
        const d = ref.map((r) => sq(qe[i], r));
        const order = d.map((_, j) => j).sort((s, t) => d[s] - d[t] || s - t).slice(0, k);
        assert.equal(Array.from(idx.subarray(i * k, i * k + k)), order, `n${n1}+${n2} q${i} normalize=${normalize}: indices`);
        order.forEach((j, c) => assert.ok(Math.abs(dist[i * k + c] - d[j]) <= 1e-5 * (1 + d[j]), `q${i} c${c}: ${dist[i * k + c]} vs ${d[j]}`));
      }
      model.dispose();
    }
  }
});

test('MatchFinder = float64 brute force: ≤ threshold for distances, ≥ for similarities; returnTuples; per-call threshold', () => {
  const rng = new Rng(7);
  const nq = 9, nr = 13, d = 5;
  const q = Float32Array.from({ length: nq * d }, () => rng.normal());
  const r = Float32Array.from({ length: nr * d }, () => rng.normal());
  const row = (x: Float32Array, i: number) => Float64Array.from(x.subarray(i * d, i * d + d));
  const unit = (v: Float64Array) => v.map((x) => x / Math.hypot(...v));
  const cos = (a: Float64Array, b: Float64Array) => unit(a).reduce((s, x, t) => s + x * unit(b)[t], 0);
  const cases: [sl.distances.BaseDistance, number, (a: Float64Array, b: Float64Array) => boolean][] = [
    [new sl.distances.CosineSimilarity(), 0.2, (a, b) => cos(a, b) >= 0.2],
    [new sl.distances.LpDistance(), 1.1, (a, b) => Math.sqrt(sq(unit(a), unit(b))) <= 1.1],
    [new sl.distances.LpDistance({ normalizeEmbeddings: false, power: 2 }), 6, (a, b) => sq(a, b) <= 6],
  ];
  const Q = sl.tensor(q, [nq, d]), R = sl.tensor(r, [nr, d]);
  for (const [distance, threshold, want] of cases) {
    const mf = new sl.utils.MatchFinder({ distance, threshold });
    const pairs = mf.getMatchingPairs(Q, R);
    const expected = Array.from({ length: nq }, (_, i) => Array.from({ length: nr }, (_, j) => want(row(q, i), row(r, j))));
    assert.equal(pairs, expected, `${distance.name}: pairs`);
    const tuples = mf.getMatchingPairs(Q, R, null, true);
    assert.equal(tuples, expected.flatMap((rw, i) => rw.flatMap((m, j) => (m ? [[i, j]] : []))), `${distance.name}: tuples`);
    const X = sl.tensor(q.subarray(0, 9 * d), [9, d]), Y = sl.tensor(r.subarray(0, 9 * d), [9, d]);
    assert.equal(mf.isMatch(X, Y), expected.map((rw, i) => rw[i]), `${distance.name}: isMatch is the diagonal`);
    const loose = distance.isInverted ? -2 : 1e9;
    assert.ok(mf.isMatch(X, Y, loose).every(Boolean), `${distance.name}: per-call threshold`);
  }
  const mf = new sl.utils.MatchFinder({ distance: new sl.distances.CosineSimilarity() });
  assert.throws(() => mf.isMatch(Q, Q), /MatchFinder.isMatch: no threshold: pass one here or to the MatchFinder constructor/);
});

test('MatchFinder: a distance equal to the threshold matches (≤), a similarity equal to it matches (≥)', () => {
  const x = sl.tensor([0, 0, 1, 1], [2, 2]), y = sl.tensor([2, 0, 1, 3], [2, 2]);
  // squared L2: 4 and 4; dot: 0 and 4
  const sqL2 = new sl.utils.MatchFinder({ distance: new sl.distances.LpDistance({ normalizeEmbeddings: false, power: 2 }), threshold: 4 });
  assert.equal(sqL2.isMatch(x, y), [true, true]);
  assert.equal(sqL2.isMatch(x, y, 3.999), [false, false]);
  const dot = new sl.utils.MatchFinder({ distance: new sl.distances.DotProductSimilarity({ normalizeEmbeddings: false }), threshold: 4 });
  assert.equal(dot.isMatch(x, y), [false, true]);
  assert.equal(dot.getMatchingPairs(x, y), [[false, false], [false, true]]); // dots 0 0 / 2 4
});

test('InferenceModel: default MatchFinder (CosineSimilarity ≥ 0.9), function trunks, errors', () => {
  const trunk = (x: sl.Tensor) => sl.reshape(x, [x.shape[0], x.size / x.shape[0]]);
  const model = new sl.utils.InferenceModel({ trunk });
  const x = sl.tensor([1, 0, 0, 1, 1, 0.1, 1, 1], [4, 2]);
  const y = sl.tensor([1, 0.5, 0, 1, 1, 0.1, -1, 1], [4, 2]);
  // cos: (1,0)·(1,.5) = .894; (0,1)·(0,1) = 1; same rows = 1; (1,1)·(−1,1) = 0.
  assert.equal(model.isMatch(x, y), [false, true, true, false]);
  assert.throws(() => model.getNearestNeighbors(x, 1), /InferenceModel.getNearestNeighbors: the index is empty: call trainKnn first/);
  assert.throws(() => model.addToKnn(x), /InferenceModel.addToKnn: the index is empty: call trainKnn first/);
  model.trainKnn(x);
  assert.throws(() => model.getNearestNeighbors(x, 5), /k must be an integer in \[1, 4\] \(the indexed rows\), got 5/);
  assert.throws(() => model.addToKnn(sl.tensor([1, 2, 3], [1, 3])), /x embeds to \[1, 3\] but the index holds \[4, 2\]: embedding sizes must match/);
  assert.is(model.indexSize, 4);
  assert.throws(() => new sl.utils.InferenceModel({ trunk, normalise: true } as never), /InferenceModel: unknown option 'normalise'.*\(known: trunk, embedder, matchFinder, normalizeEmbeddings\)/);
  assert.throws(() => new sl.utils.InferenceModel({} as never), /InferenceModel: trunk must be a module \(with forward\) or a function, got nothing/);
  assert.throws(() => new sl.utils.MatchFinder({ distance: 'cosine' as never }), /MatchFinder: option distance must be/);
  assert.throws(() => new sl.utils.MatchFinder({ distance: {} as never }), /MatchFinder: distance must be a sl.distances object/);
  assert.throws(() => model.getEmbeddings(sl.tensor([], [0, 2])), /InferenceModel.getEmbeddings: x is empty \[0, 2\]/);
  model.dispose();
});

test.run();
