// AccuracyCalculator beyond the PML fixtures: a float64 full-sort oracle (test/ref/metrics.ts)
// on odd sizes and every averaging mode, agreement with sl.metrics.retrieval, a custom label
// comparison, call-time include / exclude, and the errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { accuracyCalculatorRef, retrievalRef } from '../ref/metrics';
import { Rng } from '../../src/random';
import { exactKnn } from '../../src/metrics/exact-knn';

await sl.init();

const KNN = ['meanAveragePrecision', 'meanAveragePrecisionAtR', 'meanReciprocalRank', 'precisionAt1', 'rPrecision'] as const;

function clustered(rng: Rng, n: number, d: number, classes: number, spread: number) {
  const centres = Array.from({ length: classes * d }, () => rng.normal());
  const labels = Array.from({ length: n }, () => Math.floor(rng.uniform() * classes));
  const x = Float32Array.from({ length: n * d }, (_, t) => centres[labels[Math.floor(t / d)] * d + (t % d)] + spread * rng.normal());
  return { x, labels };
}

function closeAll(got: unknown, want: number | number[], what: string, tol = 1e-12) {
  const g = Array.isArray(want) ? (got as number[]) : [got as number];
  const w = Array.isArray(want) ? want : [want];
  assert.is(g.length, w.length, `${what}: length`);
  w.forEach((v, i) => assert.ok(Math.abs(g[i] - v) <= tol * Math.max(1, Math.abs(v)), `${what}[${i}]: ${g[i]} vs ${v}`));
}

test('k-NN metrics = float64 oracle: odd sizes, self-retrieval and a separate reference, k null / number / max_bin_count, every averaging', () => {
  const rng = new Rng(21);
  for (const [nq, nr, d, classes] of [[1, 5, 3, 2], [3, 3, 1, 2], [17, 33, 5, 4], [33, 17, 17, 5], [65, 101, 9, 7]]) {
    const Q = clustered(rng, nq, d, classes, 1.2);
    const Rf = clustered(rng, nr, d, classes, 1.2);
    const query = sl.tensor(Q.x, [nq, d]), reference = sl.tensor(Rf.x, [nr, d]);
    for (const mode of ['mean', 'avgOfAvgs', 'perClass'] as const) {
      for (const k of [null, 1, 3, 'max_bin_count'] as const) {
        const calc = new sl.metrics.AccuracyCalculator({ k, exclude: ['AMI', 'NMI'], avgOfAvgs: mode === 'avgOfAvgs', returnPerClass: mode === 'perClass' });
        const what = `nq${nq} nr${nr} d${d} ${mode} k=${k}`;
        // Separate reference.
        const counts = (lab: number[], l: number) => lab.filter((x) => x === l).length;
        const maxSep = Math.max(...[...new Set(Q.labels)].map((l) => counts(Rf.labels, l)));
        const kSep = k === null ? nr : k === 'max_bin_count' ? maxSep : k;
        if (kSep <= nr && maxSep > 0) {
          const got = calc.getAccuracy(query, Q.labels, reference, Rf.labels);
          const want = accuracyCalculatorRef(Q.x, Q.labels, Rf.x, Rf.labels, nq, nr, d, false, kSep, mode);
          for (const m of KNN) closeAll(got[m], want[m], `${what} separate ${m}`, m === 'meanReciprocalRank' ? 1e-7 : 1e-12);
        }
        // Self-retrieval (reference = query).
        const maxSelf = Math.max(...Q.labels.map((l) => counts(Q.labels, l))) - 1;
        const kSelf = k === null ? nq - 1 : k === 'max_bin_count' ? maxSelf : k;
        if (kSelf <= nq - 1 && maxSelf > 0) {
          const got = calc.getAccuracy(query, Q.labels);
          const want = accuracyCalculatorRef(Q.x, Q.labels, Q.x, Q.labels, nq, nq, d, true, kSelf, mode);
          for (const m of KNN) closeAll(got[m], want[m], `${what} self ${m}`, m === 'meanReciprocalRank' ? 1e-7 : 1e-12);
        }
      }
    }
    query.dispose();
    reference.dispose();
  }
});

test('exact k-NN: the topK path and the row path (large k) give the same order and distances, ties to the lower index', () => {
  const rng = new Rng(17);
  for (const [nq, nr, d, k] of [[3, 5, 1, 4], [5, 300, 2, 300], [17, 33, 5, 32], [9, 1500, 3, 1400], [40, 1030, 7, 7]]) {
    const r = Float32Array.from({ length: nr * d }, () => Math.round(rng.normal() * 4) / 2); // coarse grid: exact ties
    const q = Float32Array.from({ length: nq * d }, () => Math.round(rng.normal() * 4) / 2);
    for (const self of [false, true]) {
      const Q = self ? sl.tensor(r.subarray(0, nq * d), [nq, d]) : sl.tensor(q, [nq, d]);
      const R = sl.tensor(r, [nr, d]);
      const kk = self ? k - 1 : k;
      const [d1, i1] = exactKnn(Q, kk, R, self, Infinity); // every k through topK
      const [d2, i2] = exactKnn(Q, kk, R, self, 0); // every k through the rows
      assert.equal(Array.from(i2), Array.from(i1), `nq${nq} nr${nr} k${kk} self=${self}: indices`);
      assert.equal(Array.from(d2), Array.from(d1), `nq${nq} nr${nr} k${kk} self=${self}: distances`);
      Q.dispose();
      R.dispose();
    }
  }
});

test('exact k-NN = float64 brute force on continuous data (row path, several tiles)', () => {
  const rng = new Rng(19);
  const nq = 7, nr = 2100, d = 9, k = 300;
  const q = Float32Array.from({ length: nq * d }, () => rng.normal());
  const r = Float32Array.from({ length: nr * d }, () => rng.normal());
  const [dist, idx] = exactKnn(sl.tensor(q, [nq, d]), k, sl.tensor(r, [nr, d]), false);
  for (let i = 0; i < nq; i++) {
    const d64 = Array.from({ length: nr }, (_, j) => { let s = 0; for (let p = 0; p < d; p++) s += (q[i * d + p] - r[j * d + p]) ** 2; return s; });
    const order = d64.map((_, j) => j).sort((a, b) => d64[a] - d64[b] || a - b).slice(0, k);
    assert.equal(Array.from(idx.subarray(i * k, (i + 1) * k)), order, `query ${i}`);
    order.forEach((j, c) => assert.ok(Math.abs(dist[i * k + c] - d64[j]) <= 1e-5 * (1 + d64[j]), `query ${i} rank ${c}`));
  }
});

test('agrees with sl.metrics.retrieval (precision@1, R-precision, MAP@R) on self-retrieval', () => {
  const rng = new Rng(4);
  for (const [n, d, classes] of [[5, 2, 2], [33, 5, 3], [257, 17, 9]]) {
    const { x, labels } = clustered(rng, n, d, classes, 1);
    const emb = sl.tensor(x, [n, d]);
    const r = sl.metrics.retrieval(emb, labels);
    const ref = retrievalRef(x, labels, n, d, [1]);
    const a = new sl.metrics.AccuracyCalculator({ k: 'max_bin_count', include: ['precisionAt1', 'rPrecision', 'meanAveragePrecisionAtR'] }).getAccuracy(emb, labels);
    for (const [got, want, what] of [[a.precisionAt1, r.precisionAt1, 'P@1'], [a.rPrecision, r.rPrecision, 'R-precision'], [a.meanAveragePrecisionAtR, r.mapAtR, 'MAP@R']] as const) {
      closeAll(got, want, `n${n} ${what} vs retrieval`);
    }
    closeAll(a.precisionAt1, ref.precisionAt1, `n${n} P@1 vs oracle`);
    emb.dispose();
  }
});

test('labelComparisonFn: coarse classes compared by a function equal the coarse labels compared by equality', () => {
  const rng = new Rng(8);
  const { x, labels } = clustered(rng, 41, 6, 12, 1.5);
  const emb = sl.tensor(x, [41, 6]);
  const coarse = labels.map((l) => Math.floor(l / 4));
  const byFn = new sl.metrics.AccuracyCalculator({ exclude: ['AMI', 'NMI'], labelComparisonFn: (a, b) => Math.floor(a / 4) === Math.floor(b / 4) }).getAccuracy(emb, labels);
  const byLabel = new sl.metrics.AccuracyCalculator({ exclude: ['AMI', 'NMI'] }).getAccuracy(emb, coarse);
  for (const m of KNN) closeAll(byFn[m], byLabel[m] as number, `comparison ${m}`);
  emb.dispose();
});

test('include / exclude at construction and per call; meanReciprocalRank alone; key order is PML\'s', () => {
  const rng = new Rng(2);
  const { x, labels } = clustered(rng, 20, 3, 3, 0.5);
  const emb = sl.tensor(x, [20, 3]);
  const calc = new sl.metrics.AccuracyCalculator({ exclude: ['AMI'] });
  assert.equal(calc.getCurrMetrics(), ['NMI', 'meanAveragePrecision', 'meanAveragePrecisionAtR', 'meanReciprocalRank', 'precisionAt1', 'rPrecision']);
  const all = calc.getAccuracy(emb, labels);
  assert.equal(Object.keys(all), calc.getCurrMetrics());
  const some = calc.getAccuracy(emb, labels, null, null, false, ['rPrecision', 'NMI', 'AMI']);
  assert.equal(Object.keys(some), ['NMI', 'rPrecision']);
  assert.is(some.rPrecision, all.rPrecision);
  const mrr = new sl.metrics.AccuracyCalculator({ include: ['meanReciprocalRank'] }).getAccuracy(emb, labels);
  assert.equal(Object.keys(mrr), ['meanReciprocalRank']);
  assert.is(mrr.meanReciprocalRank, all.meanReciprocalRank);
  emb.dispose();
});

test('AMI / NMI from our k-means: deterministic for a seed, 1 on separated classes, in [−1, 1] otherwise', () => {
  const rng = new Rng(13);
  const sep = clustered(rng, 61, 7, 4, 0.02);
  const mixed = clustered(rng, 61, 7, 4, 2);
  const a = sl.tensor(sep.x, [61, 7]), b = sl.tensor(mixed.x, [61, 7]);
  const calc = new sl.metrics.AccuracyCalculator({ include: ['AMI', 'NMI'], seed: 5 });
  const s = calc.getAccuracy(a, sep.labels);
  assert.equal([s.AMI, s.NMI], [1, 1]);
  const m1 = calc.getAccuracy(b, mixed.labels), m2 = new sl.metrics.AccuracyCalculator({ include: ['AMI', 'NMI'], seed: 5 }).getAccuracy(b, mixed.labels);
  assert.equal(m1, m2);
  assert.ok((m1.AMI as number) < 1 && (m1.AMI as number) >= -1 && (m1.NMI as number) >= 0 && (m1.NMI as number) < 1, JSON.stringify(m1));
  a.dispose();
  b.dispose();
});

test('getAccuracy and InferenceModel leave no wasm memory behind', () => {
  const rng = new Rng(23);
  const { x, labels } = clustered(rng, 300, 5, 4, 1);
  const emb = sl.tensor(x, [300, 5]);
  const calc = new sl.metrics.AccuracyCalculator();
  calc.getAccuracy(emb, labels); // warm-up: lazily created engine state
  const before = sl.engineInfo().liveBytes;
  calc.getAccuracy(emb, labels);
  new sl.metrics.AccuracyCalculator({ k: 3 }).getAccuracy(emb, labels);
  const model = new sl.utils.InferenceModel({ trunk: (t: sl.Tensor) => t.mul(2) });
  model.trainKnn(emb);
  model.addToKnn(emb);
  model.getNearestNeighbors(emb, 400);
  model.getMatches(emb);
  model.isMatch(emb, emb);
  model.dispose();
  assert.is(sl.engineInfo().liveBytes, before);
  emb.dispose();
});

test('every query lone: NaN (one per class with returnPerClass), as PML', () => {
  const emb = sl.tensor([0, 1, 2, 3, 4, 5], [3, 2]);
  const r = new sl.metrics.AccuracyCalculator({ include: ['precisionAt1', 'rPrecision'], returnPerClass: true }).getAccuracy(emb, [4, 1, 2]);
  assert.ok((r.precisionAt1 as number[]).length === 3 && (r.precisionAt1 as number[]).every(Number.isNaN));
  const s = new sl.metrics.AccuracyCalculator({ include: ['meanAveragePrecision'] }).getAccuracy(emb, [0, 1, 2], sl.tensor([0, 0, 1, 1], [2, 2]), [5, 6]);
  assert.ok(Number.isNaN(s.meanAveragePrecision as number));
  emb.dispose();
});

test('errors name the class, the argument and the values', () => {
  const A = sl.metrics.AccuracyCalculator;
  assert.throws(() => new A({ include: ['precision_at_1' as never] }), /AccuracyCalculator: unknown metric "precision_at_1" in include; primary metrics must be one or more of: AMI, NMI/);
  assert.throws(() => new A({ kk: 3 } as never), /AccuracyCalculator: unknown option 'kk'; did you mean 'k'\?/);
  assert.throws(() => new A({ k: 2.5 }), /AccuracyCalculator: option k must be/);
  assert.throws(() => new A({ k: -1 }), /k must be an integer greater than 0, or None, or 'max_bin_count'/);
  assert.throws(() => new A({ k: 'max' as never }), /AccuracyCalculator: option k must be/);
  assert.throws(() => new A({ avgOfAvgs: true, returnPerClass: true }), /avg_of_avgs and return_per_class are mutually exclusive/);
  assert.throws(() => new A({ labelComparisonFn: (a, b) => a === b }), /Unsupported: clustering \+ custom label comparison/);
  const q = sl.tensor([0, 0, 1, 1, 2, 2], [3, 2]), r = sl.tensor([0, 0, 1, 1, 2, 2, 3, 3], [4, 2]);
  const calc = new A({ exclude: ['AMI', 'NMI'] });
  assert.throws(() => calc.getAccuracy(q, [0, 0]), /embeddings and labels must have the same length \(query \[3, 2\] with 2 labels/);
  assert.throws(() => calc.getAccuracy(q, [0, 0, 1], r, [0, 1, 1, 1], true), /when refIncludesQuery is true, the first 3 rows of reference and referenceLabels must equal query and queryLabels/);
  assert.throws(() => calc.getAccuracy(q, [0, 0, 1], sl.tensor([0, 0, 0], [1, 3]), [0]), /query is \[3, 2\] but reference is \[1, 3\]: row sizes must match/);
  assert.throws(() => new A({ k: 5, exclude: ['AMI', 'NMI'] }).getAccuracy(q, [0, 0, 1]), /k = 5 but the reference \[3, 2\] holds only 2 candidates per query \(besides the query itself\)/);
  assert.throws(() => calc.getAccuracy(q, [0, NaN, 1]), /queryLabels\[1\] is NaN; labels must be finite numbers/);
  assert.throws(() => calc.getAccuracy(q, [0, 0, 1], null, null, false, ['nmi' as never]), /unknown metric "nmi" in include/);
  q.dispose();
  r.dispose();
});

test.run();
