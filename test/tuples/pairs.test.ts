// PML's tuple bookkeeping (src/tuples/pairs.ts) against PML's own output: the pair and
// triplet columns PML's lmu functions wrote into the reducer fixtures, and brute-force
// references for the conversions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { convertToPairs, convertToPosPairsWithUniqueLabels, convertToTriplets, convertToWeights, getAllPairsIndices, getAllTripletsIndices, getRandomTripletIndices } from '../../src/tuples/pairs';
import { Rng } from '../../src/random';
import { pmlCases } from '../helpers/pml-fixtures';

await sl.init();

const cols = (t: Int32Array[]) => t.map((c) => Array.from(c));

test('getAllPairsIndices / getAllTripletsIndices: the columns, in order, that PML wrote for the fixture labels', () => {
  let checked = 0;
  for (const c of pmlCases('reducers', { class: 'MeanReducer', kind: 'reducer' })) {
    const e = Object.values(c.inputs.lossDict)[0];
    if (Object.keys(c.inputs.lossDict).length !== 1 || !/\/(pos_pair|neg_pair|triplet)\//.test(c.id)) continue;
    const labels = Int32Array.from(c.inputs.labels);
    const [a1, p, a2, n] = getAllPairsIndices(labels);
    if (e.reductionType === 'pos_pair') assert.equal(cols([a1, p]), e.indices, c.id);
    if (e.reductionType === 'neg_pair') assert.equal(cols([a2, n]), e.indices, c.id);
    if (e.reductionType === 'triplet') assert.equal(cols(getAllTripletsIndices(labels)), e.indices, c.id);
    checked++;
  }
  assert.ok(checked >= 4, `${checked} cases`);
});

test('pairs and triplets against a reference set keep i == j (PML excludes the diagonal only for the batch itself)', () => {
  const labels = Int32Array.from([0, 1, 0]), ref = Int32Array.from([0, 0, 1, 2]);
  assert.equal(cols(getAllPairsIndices(labels, ref)), [[0, 0, 1, 2, 2], [0, 1, 2, 0, 1], [0, 0, 1, 1, 1, 2, 2], [2, 3, 0, 1, 3, 2, 3]]);
  assert.equal(cols(getAllPairsIndices(labels)), [[0, 2], [2, 0], [0, 1, 1, 2], [1, 0, 2, 1]]);
  const [a, p, n] = getAllTripletsIndices(labels, ref);
  assert.is(a.length, 2 * 2 + 1 * 3 + 2 * 2);
  assert.equal([a[0], p[0], n[0]], [0, 0, 2]);
});

test('convertToPairs / convertToTriplets: pairs as given, triplets split, pairs joined per anchor in PML order', () => {
  const a1 = Int32Array.from([0, 1, 0]), p = Int32Array.from([2, 3, 4]), a2 = Int32Array.from([1, 0, 0]), n = Int32Array.from([5, 6, 7]);
  assert.equal(cols(convertToPairs([a1, p, a2, n], null)), cols([a1, p, a2, n]));
  const t = [Int32Array.from([0, 1]), Int32Array.from([2, 3]), Int32Array.from([4, 5])];
  assert.equal(cols(convertToPairs(t, null)), [[0, 1], [2, 3], [0, 1], [4, 5]]);
  // PML: torch.where(a1.unsqueeze(1) == a2) → (i, j) row-major
  assert.equal(cols(convertToTriplets([a1, p, a2, n], null)), [[0, 0, 1, 0, 0], [2, 2, 3, 4, 4], [6, 7, 5, 6, 7]]);
  assert.equal(cols(convertToTriplets(t, null)), cols(t));
  assert.throws(() => convertToPairs(null, null), /labels are needed/);
});

test('random triplets: seeded, valid, tPerAnchor per anchor that has a positive and a negative', () => {
  const labels = Int32Array.from([0, 0, 0, 1, 1, 2]);
  const [a, p, n] = getRandomTripletIndices(labels, null, 3, new Rng(5));
  assert.is(a.length, 5 * 3, 'class 2 (a singleton) has no positive');
  for (let i = 0; i < a.length; i++) {
    assert.ok(labels[a[i]] === labels[p[i]] && a[i] !== p[i] && labels[n[i]] !== labels[a[i]]);
  }
  assert.equal(cols(getRandomTripletIndices(labels, null, 3, new Rng(5))), cols([a, p, n]), 'same seed, same draw');
});

test('convertToWeights: counts over the largest count, ones without tuples; convertToPosPairsWithUniqueLabels', () => {
  assert.equal(Array.from(convertToWeights(null, 3)), [1, 1, 1]);
  const t = [Int32Array.from([0, 0]), Int32Array.from([1, 2]), Int32Array.from([3, 3])];
  assert.equal(Array.from(convertToWeights(t, 5)), [1, 0.5, 0.5, 1, 0]);
  assert.equal(Array.from(convertToWeights(t, 5, true)), [1, 0, 0, 0, 0]);
  const labels = Int32Array.from([1, 0, 1, 0, 2]);
  assert.equal(cols(convertToPosPairsWithUniqueLabels(null, labels)), [[1, 0], [3, 2]]);
});

test('convertToPosPairsWithUniqueLabels without tuples = the first pair per label among all pairs (odd sizes, singleton and absent classes)', () => {
  for (const [n, classes, seed] of [[1, 1, 1], [5, 3, 2], [17, 4, 3], [33, 9, 4]]) {
    const rng = new Rng(seed);
    const labels = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * classes) * 3 - 2);
    const all = getAllPairsIndices(labels);
    assert.equal(cols(convertToPosPairsWithUniqueLabels(null, labels)), cols(convertToPosPairsWithUniqueLabels(all, labels)), `n ${n}`);
  }
});

test('getAllTripletsIndices sizes its columns exactly (counted before writing), with and without a reference set', () => {
  const labels = Int32Array.of(0, 1, 0, 2, 1, 0, 3), ref = Int32Array.of(1, 0, 0, 4, 1);
  // class 0: 3 anchors × 2 positives × 4 negatives; class 1: 2 × 1 × 5; singletons none
  const t = getAllTripletsIndices(labels);
  assert.ok(t.every((c) => c.length === 3 * 2 * 4 + 2 * 1 * 5), `${t[0].length}`);
  const r = getAllTripletsIndices(labels, ref);
  let want = 0;
  for (const l of labels) {
    const s = ref.filter((x) => x === l).length;
    want += s * (ref.length - s);
  }
  assert.is(r[0].length, want);
  assert.ok(r[1].every((j, k) => ref[j] === labels[r[0][k]]) && r[2].every((j, k) => ref[j] !== labels[r[0][k]]));
});

test('miners do not import from src/losses', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  for (const f of readdirSync(new URL('../../src/miners/', import.meta.url))) {
    const src = readFileSync(new URL(`../../src/miners/${f}`, import.meta.url), 'utf8');
    assert.not.match(src, /from '\.\.\/losses/, f);
  }
});

test.run();
