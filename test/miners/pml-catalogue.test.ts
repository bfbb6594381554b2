// The PML catalogue miners (AngularMiner, BatchEasyHardMiner, DistanceWeightedMiner,
// EmbeddingsAlreadyPackagedAsTriplets, HDCMiner, MultiSimilarityMiner, UniformHistogramMiner)
// against pytorch-metric-learning 2.8's own outputs in test/fixtures/pml/miners.jsonl: tuples
// compared as sets (positive and negative pairs separately); the two random miners by the
// properties recorded from PML (sampling weights, tuple counts, bin edges and per-bin counts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertClose } from '../helpers/close';
import { type Matrix, type MinerCase, flat, pmlCases, tupleSet } from '../helpers/pml-fixtures';

await sl.init();

const t = (m: Matrix) => {
  const { data, shape } = flat(m);
  return sl.tensor(Float32Array.from(data), shape);
};

function build(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    const spec = v as { class?: string; options?: Record<string, unknown> };
    out[k] = spec && typeof spec === 'object' && typeof spec.class === 'string'
      ? new (sl.distances as any)[spec.class](spec.options)
      : v;
  }
  return out;
}

function makeMiner(c: MinerCase, extra: Record<string, unknown> = {}): any {
  return new (sl.miners as any)[c.class]({ ...build(c.options), ...extra });
}

function run(c: MinerCase, miner: any): Int32Array[] {
  const i = c.inputs!;
  const emb = t(i.embeddings);
  const ref = i.refEmb ? t(i.refEmb) : null;
  try {
    return ref ? miner.mine(emb, i.labels, ref, i.refLabels) : miner.mine(emb, i.labels);
  } finally {
    emb.dispose();
    ref?.dispose();
  }
}

function sameTuples(got: ArrayLike<number>[], want: number[][], id: string): void {
  assert.is(got.length, want.length, `${id}: ${want.length} columns`);
  const groups = want.length === 4 ? [[0, 1], [2, 3]] : [[0, 1, 2]];
  for (const g of groups) {
    const gs = tupleSet(g.map((k) => got[k])), ws = tupleSet(g.map((k) => want[k]));
    assert.is(g.map((k) => got[k].length).join(), g.map((k) => want[k].length).join(), `${id}: column lengths`);
    // A pair and its mirror (i, j) / (j, i) of the batch have the same distance; where such a
    // tie straddles HDCMiner's top-k cut, torch.topk keeps either: the two may trade places.
    const mirror = (k: string) => k.split(',').reverse().join();
    const onlyGot = [...gs].filter((k) => !ws.has(k)), onlyWant = [...ws].filter((k) => !gs.has(k));
    const tradedMirrors = g.length === 2 && onlyGot.every((k) => ws.has(mirror(k)) || onlyWant.includes(mirror(k))) && onlyWant.every((k) => gs.has(mirror(k)));
    if (!tradedMirrors || !id.startsWith('HDCMiner')) assert.equal([...gs].sort(), [...ws].sort(), `${id}: tuples (columns ${g})`);
    else assert.ok(onlyGot.length <= 1, `${id}: more than one tie traded at the cut`);
  }
}

const DETERMINISTIC = ['AngularMiner', 'BatchEasyHardMiner', 'EmbeddingsAlreadyPackagedAsTriplets', 'HDCMiner', 'MultiSimilarityMiner'];

for (const cls of DETERMINISTIC) {
  test(`${cls} matches PML's tuples on every fixture case (as sets), and PML's rejections`, () => {
    const cases = pmlCases('miners', { class: cls, kind: 'miner' }) as MinerCase[];
    assert.ok(cases.length >= 3, `${cls}: ${cases.length} cases`);
    for (const c of cases) {
      if (c.expected.error) {
        assert.throws(() => makeMiner(c), /semihard/, `${c.id} rejected`);
        continue;
      }
      sameTuples(run(c, makeMiner(c)), c.expected.tuples!, c.id);
    }
  });
}

test('DistanceWeightedMiner: PML sampling weights; PML triplet counts; every triplet valid and drawn where the weight is > 0', () => {
  const cases = pmlCases('miners', { class: 'DistanceWeightedMiner', kind: 'miner' }) as MinerCase[];
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    const miner = makeMiner(c, { seed: 3 });
    const i = c.inputs!;
    const emb = t(i.embeddings), ref = i.refEmb ? t(i.refEmb) : null;
    const w = ref ? miner.samplingWeights(emb, i.labels, ref, i.refLabels) : miner.samplingWeights(emb, i.labels);
    emb.dispose();
    ref?.dispose();
    assertClose(w, c.expected.weights!.flat(), { rtol: 1e-4, atol: 1e-6 }, `${c.id} weights`);
    const [a, p, n] = run(c, miner);
    assert.is(a.length, c.expected.numTuples, `${c.id} number of triplets`);
    const refLabels = i.refLabels ?? i.labels, m = refLabels.length;
    for (let k = 0; k < a.length; k++) {
      assert.is(i.labels[a[k]], refLabels[p[k]], `${c.id}: positive shares the anchor's label`);
      if (!i.refEmb) assert.is.not(a[k], p[k], `${c.id}: positive is not the anchor`);
      assert.ok(w[a[k] * m + n[k]] > 0, `${c.id}: negative ${n[k]} of anchor ${a[k]} has weight > 0`);
    }
  }
});

test('DistanceWeightedMiner: negatives follow the weights (frequencies over 400 seeded calls); same seed, same draw', () => {
  const c = (pmlCases('miners', { class: 'DistanceWeightedMiner', kind: 'miner' }) as MinerCase[]).find((x) => x.id === 'DistanceWeightedMiner/default/n7d5')!;
  const miner = makeMiner(c, { seed: 11 });
  const w = c.expected.weights!;
  const counts = w.map((row) => row.map(() => 0));
  const perAnchor = w.map(() => 0);
  for (let r = 0; r < 400; r++) {
    const [a, , n] = run(c, miner);
    a.forEach((ai, k) => (counts[ai][n[k]]++, perAnchor[ai]++));
  }
  w.forEach((row, ai) => row.forEach((wt, j) => {
    if (perAnchor[ai] === 0) return;
    assertClose([counts[ai][j] / perAnchor[ai]], [wt], { atol: 0.05 }, `anchor ${ai} negative ${j}`);
  }));
  assert.equal(run(c, makeMiner(c, { seed: 5 })).map((x) => Array.from(x)), run(c, makeMiner(c, { seed: 5 })).map((x) => Array.from(x)));
});

function binCounts(values: number[], edges: number[]): number[] {
  const nb = edges.length - 1;
  return Array.from({ length: nb }, (_, b) => values.filter((v) => edges[b] <= v && (b === nb - 1 ? v <= edges[b + 1] : v < edges[b + 1])).length);
}

test('UniformHistogramMiner: PML bin edges and per-bin counts, valid pairs, seeded', () => {
  const cases = pmlCases('miners', { class: 'UniformHistogramMiner', kind: 'miner' }) as MinerCase[];
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    const miner = makeMiner(c, { seed: 7 });
    const i = c.inputs!;
    const out = run(c, miner);
    const e = c.expected;
    assert.is(out[0].length, e.numPos, `${c.id} positives`);
    assert.is(out[2].length, e.numNeg, `${c.id} negatives`);
    // the pair distances, recomputed from the distance on the fixture inputs
    const emb = t(i.embeddings), ref = i.refEmb ? t(i.refEmb) : emb;
    const mat = miner.distance.pairwise(emb, ref).data();
    const refLabels = i.refLabels ?? i.labels, m = refLabels.length;
    for (const [side, [rows, cols], edgesWant, perBinWant] of [
      ['pos', [out[0], out[1]], e.posBinEdges!, e.posPerBin!],
      ['neg', [out[2], out[3]], e.negBinEdges!, e.negPerBin!],
    ] as const) {
      const all: number[] = [];
      i.labels.forEach((l, r) => refLabels.forEach((rl, q) => {
        if (side === 'pos' ? l === rl && (i.refEmb || r !== q) : l !== rl) all.push(mat[r * m + q]);
      }));
      if (all.length === 0) {
        assert.is(rows.length, 0);
        continue;
      }
      const lo = Math.min(...all), hi = Math.max(...all);
      const edges = Array.from({ length: c.options.numBins as number + 1 }, (_, b) => lo + ((hi - lo) * b) / (c.options.numBins as number));
      assertClose(edges, edgesWant, { rtol: 1e-5, atol: 1e-6 }, `${c.id} ${side} edges`);
      for (let k = 0; k < rows.length; k++) {
        const same = i.labels[rows[k]] === refLabels[cols[k]];
        assert.is(same, side === 'pos', `${c.id} ${side} pair ${k} label relation`);
      }
      const mined = Array.from(rows, (r, k) => mat[r * m + cols[k]]);
      assert.equal(binCounts(mined, edges), perBinWant, `${c.id} ${side} pairs per bin`);
    }
    emb.dispose();
    if (ref !== emb) ref.dispose();
  }
});

test('EmbeddingsAlreadyPackagedAsTriplets: a batch not of whole triples is an error, as PML', () => {
  const miner = new sl.miners.EmbeddingsAlreadyPackagedAsTriplets();
  assert.throws(() => miner.mine(sl.zeros([7, 2])), /EmbeddingsAlreadyPackagedAsTriplets.mine: the batch has 7 embeddings, not a multiple of 3/);
  assert.equal(miner.mine(sl.zeros([0, 2])).map((c) => c.length), [0, 0, 0]);
});

test('options: PML defaults, unknown keys, distance requirements, bad ranges, refLabels without refEmb', () => {
  assert.is(new sl.miners.AngularMiner().angle, 20);
  const beh = new sl.miners.BatchEasyHardMiner();
  assert.equal([beh.posStrategy, beh.negStrategy, beh.allowedPosRange, beh.allowedNegRange], ['easy', 'semihard', null, null]);
  assert.is(new sl.miners.HDCMiner().filterPercentage, 0.5);
  const ms = new sl.miners.MultiSimilarityMiner();
  assert.is(ms.epsilon, 0.1);
  assert.ok(ms.distance instanceof sl.distances.CosineSimilarity, 'MultiSimilarityMiner defaults to CosineSimilarity');
  const dw = new sl.miners.DistanceWeightedMiner();
  assert.equal([dw.cutoff, dw.nonzeroLossCutoff], [0.5, 1.4]);
  const uh = new sl.miners.UniformHistogramMiner();
  assert.equal([uh.numBins, uh.posPerBin, uh.negPerBin], [100, 10, 10]);
  assert.throws(() => new sl.miners.BatchEasyHardMiner({ posStrategy: 'medium' as any }), /BatchEasyHardMiner: option posStrategy must be one of 'hard', 'semihard', 'easy', 'all'/);
  assert.throws(() => new sl.miners.BatchEasyHardMiner({ pos_strategy: 'easy' } as any), /unknown option 'pos_strategy'; did you mean 'posStrategy'/);
  assert.throws(() => new sl.miners.BatchEasyHardMiner({ allowedPosRange: [1, 0] }), /allowedPosRange must be \[lo, hi\] with lo ≤ hi/);
  assert.throws(() => new sl.miners.AngularMiner({ distance: new sl.distances.CosineSimilarity() }), /AngularMiner: requires the distance to be LpDistance/);
  assert.throws(() => new sl.miners.DistanceWeightedMiner({ distance: new sl.distances.LpDistance({ power: 2 }) }), /DistanceWeightedMiner: requires distance.power to be 1/);
  assert.throws(() => new sl.miners.HDCMiner({ filterPercentage: 1.5 }), /filterPercentage must be in \[0, 1\]/);
  assert.throws(() => new sl.miners.UniformHistogramMiner({ numBins: 0 }), /numBins must be an integer ≥ 1/);
  const e = sl.randn([4, 3], { seed: 1 });
  assert.throws(() => ms.mine(e, [0, 0, 1, 1], null, [0, 1]), /MultiSimilarityMiner.mine: refLabels were given without refEmb/);
  assert.throws(() => ms.mine(e, [0, 0, 1, 1], sl.randn([2, 3], { seed: 2 })), /MultiSimilarityMiner.mine: refEmb needs refLabels/);
  assert.throws(() => ms.mine(e, [0, 0, 1]), /labels has 3 entries but the batch has 4/);
  assert.throws(() => ms.mine(e, [0, 0, 1, 1], sl.randn([2, 5], { seed: 2 }), [0, 1]), /embedding sizes must match/);
});

test('every catalogue miner: 50 mining steps (batch and reference set) keep live bytes flat', () => {
  const labels = [0, 1, 0, 2, 1, 0, 2, 1, 0];
  const e = sl.randn([9, 4], { seed: 8 }), r = sl.randn([6, 4], { seed: 9 });
  const miners: any[] = [new sl.miners.AngularMiner(), new sl.miners.BatchEasyHardMiner(), new sl.miners.DistanceWeightedMiner({ seed: 1 }),
    new sl.miners.HDCMiner(), new sl.miners.MultiSimilarityMiner(), new sl.miners.UniformHistogramMiner({ seed: 1 })];
  for (const miner of miners) {
    miner.mine(e, labels);
    const live = sl.engineInfo().liveBytes;
    for (let k = 0; k < 50; k++) {
      miner.mine(e, labels);
      miner.mine(e, labels, r, [0, 1, 2, 0, 1, 2]);
    }
    assert.is(sl.engineInfo().liveBytes, live, miner.name);
  }
  new sl.miners.EmbeddingsAlreadyPackagedAsTriplets().mine(e);
});

test('HDCMiner and UniformHistogramMiner at n 33 (odd, SIMD tails) against brute force: sorted top-k, per-bin counts', () => {
  const n = 33, labels = Array.from({ length: n }, (_, i) => (i * 7) % 5);
  const e = sl.randn([n, 17], { seed: 12 });
  const mat = new sl.distances.LpDistance().pairwise(e).data();
  const pos: number[][] = [], neg: number[][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (labels[i] === labels[j] ? (i !== j ? pos : null) : neg)?.push([i, j, mat[i * n + j]]);
  for (const f of [0.1, 0.37, 1]) {
    const [a1, p, a2, ng] = new sl.miners.HDCMiner({ filterPercentage: f }).mine(e, labels);
    const top = (xs: number[][], largest: boolean) => xs.slice().sort((u, v) => (largest ? v[2] - u[2] : u[2] - v[2])).slice(0, Math.ceil(f * xs.length)).map((x) => `${x[0]},${x[1]}`).sort();
    assert.equal([...tupleSet([a1, p])].sort(), top(pos, true), `f ${f} positives`);
    assert.equal([...tupleSet([a2, ng])].sort(), top(neg, false), `f ${f} negatives`);
  }
  const numBins = 7;
  const [b1, bp, b2, bn] = new sl.miners.UniformHistogramMiner({ numBins, posPerBin: 3, negPerBin: 2, seed: 1 }).mine(e, labels);
  for (const [rows, cols, all, per] of [[b1, bp, pos, 3], [b2, bn, neg, 2]] as const) {
    const v = all.map((x) => x[2]);
    const lo = Math.min(...v), hi = Math.max(...v);
    const edges = Array.from({ length: numBins + 1 }, (_, b) => lo + ((hi - lo) * b) / numBins);
    const want = binCounts(v, edges).map((c) => (c > 0 ? per : 0));
    assert.equal(binCounts(Array.from(rows, (r, k) => mat[r * n + cols[k]]), edges), want);
  }
});

test('HDCMiner with CosineSimilarity (values of both signs, ±0) and with tied values: the hardest pairs, ties in pair order', () => {
  const n = 33, labels = Array.from({ length: n }, (_, i) => (i * 7) % 5);
  // rows with one nonzero coordinate of either sign: cosines −1, 0 and 1 only, so nearly every value is tied
  const tied = sl.tensor(Array.from({ length: n }, (_, i) => Array.from({ length: 3 }, (_, c) => (c === i % 3 ? (i % 2 ? -1 : 1) : 0))));
  for (const e of [sl.randn([n, 17], { seed: 13 }), tied]) {
    const mat = new sl.distances.CosineSimilarity().pairwise(e).data();
    const pos: number[][] = [], neg: number[][] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (labels[i] === labels[j] ? (i !== j ? pos : null) : neg)?.push([i, j, mat[i * n + j]]);
    for (const f of [0.1, 0.5, 0.37]) {
      const [a1, p, a2, ng] = new sl.miners.HDCMiner({ filterPercentage: f, distance: new sl.distances.CosineSimilarity() }).mine(e, labels);
      // a similarity: the hardest positives are the smallest values, the hardest negatives the largest;
      // a stable sort keeps ties in pair order, as the miner does
      const top = (xs: number[][], largest: boolean) => xs.slice().sort((u, v) => (largest ? v[2] - u[2] : u[2] - v[2])).slice(0, Math.ceil(f * xs.length)).map((x) => `${x[0]},${x[1]}`);
      assert.equal(Array.from(a1, (r, k) => `${r},${p[k]}`).sort(), top(pos, false).sort(), `f ${f} positives`);
      assert.equal(Array.from(a2, (r, k) => `${r},${ng[k]}`).sort(), top(neg, true).sort(), `f ${f} negatives`);
    }
  }
});

test('HDCMiner.setIdxExternally: mines within the given tuples (triplets as their pairs) and cascades', () => {
  const emb = sl.randn([6, 3], { seed: 4 });
  const labels = [0, 0, 1, 1, 2, 2];
  const hdc = new sl.miners.HDCMiner({ filterPercentage: 0.5 });
  const triplets: [Int32Array, Int32Array, Int32Array] = [Int32Array.from([0, 2, 4, 1]), Int32Array.from([1, 3, 5, 0]), Int32Array.from([2, 4, 0, 5])];
  hdc.setIdxExternally(triplets, labels);
  const mat = new sl.distances.LpDistance().pairwise(emb).data();
  const [a1, p, a2, n] = hdc.mine(emb, labels);
  // reference: the 2 of 4 (a, p) pairs with the largest distance, the 2 of 4 (a, n) with the smallest
  const d = (i: number, j: number) => mat[i * 6 + j];
  const pos = [0, 1, 2, 3].sort((s, u) => d(triplets[0][u], triplets[1][u]) - d(triplets[0][s], triplets[1][s])).slice(0, 2);
  const neg = [0, 1, 2, 3].sort((s, u) => d(triplets[0][s], triplets[2][s]) - d(triplets[0][u], triplets[2][u])).slice(0, 2);
  assert.equal([...tupleSet([a1, p])].sort(), [...tupleSet([pos.map((k) => triplets[0][k]), pos.map((k) => triplets[1][k])])].sort());
  assert.equal([...tupleSet([a2, n])].sort(), [...tupleSet([neg.map((k) => triplets[0][k]), neg.map((k) => triplets[2][k])])].sort());
  assert.is(hdc.mine(emb, labels)[0].length, 1, 'a second call filters what the first kept');
  hdc.resetIdx();
  assert.is(hdc.mine(emb, labels)[0].length, 3, 'after resetIdx: half of the 6 positive pairs');
});

test.run();
