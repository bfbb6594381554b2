// Every options object of the distances goes through checkOptions: unknown keys are errors
// naming the nearest known key, values of the wrong kind are errors naming the option.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

const D = sl.distances;
const M = sl.tensor([[2, 0], [0, 1]]);
const X = sl.randn([6, 2], { seed: 3 });

const misspelt: [string, () => unknown, RegExp][] = [
  ['LpDistance', () => new D.LpDistance({ normalizeEmbedings: false } as any), /LpDistance: unknown option 'normalizeEmbedings'; did you mean 'normalizeEmbeddings'\?/],
  ['CosineSimilarity', () => new D.CosineSimilarity({ pwer: 2 } as any), /CosineSimilarity: unknown option 'pwer'; did you mean 'power'\?/],
  ['DotProductSimilarity', () => new D.DotProductSimilarity({ normalise: false } as any), /DotProductSimilarity: unknown option 'normalise'/],
  ['CosineDistance', () => new (D as any).CosineDistance({ powr: 2 }), /CosineDistance: unknown option 'powr'; did you mean 'power'\?/],
  ['Mahalanobis', () => new D.Mahalanobis({ M, sqaured: false } as any), /Mahalanobis: unknown option 'sqaured'; did you mean 'squared'\?/],
  ['Mahalanobis.fromData', () => D.Mahalanobis.fromData(X, { rigde: 1e-3 } as any), /Mahalanobis\.fromData: unknown option 'rigde'; did you mean 'ridge'\?/],
  ['LearnedMahalanobis', () => new D.LearnedMahalanobis(3, { rnk: 2 } as any), /LearnedMahalanobis: unknown option 'rnk'; did you mean 'rank'\?/],
  ['checkMetricAxioms', () => sl.checkMetricAxioms('euclidean', X, { tolerance: 1e-3 } as any), /checkMetricAxioms: unknown option 'tolerance'/],
  ['cdist { p }', () => sl.cdist(X, X, { P: 3 } as any), /cdist: unknown option 'P'; did you mean 'p'\?/],
  ['pairedDistance { p }', () => sl.pairedDistance(X, X, { p: 3, power: 2 } as any), /pairedDistance: unknown option 'power'/],
];

test('unknown option keys are errors with the nearest known key', () => {
  for (const [name, make, re] of misspelt) assert.throws(make, (e: Error) => e instanceof TypeError && re.test(e.message), name);
});

test('options of the wrong kind are errors naming the option', () => {
  assert.throws(() => new D.LpDistance({ normalizeEmbeddings: 'no' } as any), /LpDistance: option normalizeEmbeddings must be true or false, got "no"/);
  assert.throws(() => new D.LpDistance({ p: '2' } as any), /LpDistance: option p must be a finite number/);
  assert.throws(() => new D.DotProductSimilarity({ power: NaN }), /DotProductSimilarity: option power must be a finite number/);
  assert.throws(() => new D.Mahalanobis({ M, squared: 1 } as any), /Mahalanobis: option squared must be true or false/);
  assert.throws(() => D.Mahalanobis.fromData(X, { ridge: -1 }), /Mahalanobis\.fromData: ridge must be a finite number >= 0/);
  assert.throws(() => D.Mahalanobis.fromData(X, { ridge: '1' } as any), /option ridge must be a finite number/);
  assert.throws(() => new D.LearnedMahalanobis(3, { rank: 1.5 }), /LearnedMahalanobis: option rank must be an integer/);
  assert.throws(() => sl.checkMetricAxioms('euclidean', X, { maxTriples: 'all' } as any), /checkMetricAxioms: option maxTriples must be an integer/);
  assert.throws(() => new D.LpDistance(5 as any), /LpDistance: options must be an object of named options, got number 5/);
  assert.throws(() => new D.Mahalanobis(undefined as any), /Mahalanobis: options \{ M \} are required/);
});

test('valid options still work and give the documented values', () => {
  const x = sl.tensor([[3, 4]]), y = sl.tensor([[0, 0]]);
  assert.is(new D.LpDistance({ normalizeEmbeddings: false, power: 2, p: 2 }).pairwise(x, y).item(), 25);
  assert.is(sl.cdist(x, y, { p: 1 }).item(), 7);
  assert.is(new D.Mahalanobis({ M, squared: false }).paired(x, y).item(), Math.fround(Math.sqrt(2 * 9 + 16)));
  assert.is(new D.LearnedMahalanobis(2, { rank: 1 }).L.shape.join(), '1,2');
});

test.run();
