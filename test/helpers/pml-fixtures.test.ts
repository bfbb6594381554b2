// The PML fixtures load and hold what their generators promise; three simple cases are
// recomputed here in plain float64 JavaScript, so a generator that recorded the wrong thing
// (or a loader that misreads it) fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose } from './close';
import { type AccuracyCase, type LossCase, type ReducerCase, type RegularizerCase, type Matrix, loadPmlFixture, pmlCases, pmlFixtureFiles, tupleSet } from './pml-fixtures';

const CLASSES: Record<string, string[]> = {
  losses: ['AngularLoss', 'CircleLoss', 'ContrastiveLoss', 'DynamicSoftMarginLoss', 'FastAPLoss', 'GeneralizedLiftedStructureLoss',
    'HistogramLoss', 'InstanceLoss', 'IntraPairVarianceLoss', 'LiftedStructureLoss', 'ManifoldLoss', 'MarginLoss',
    'MultiSimilarityLoss', 'NCALoss', 'NPairsLoss', 'NTXentLoss', 'PNPLoss', 'RankedListLoss', 'SignalToNoiseRatioContrastiveLoss',
    'SupConLoss', 'ThresholdConsistentMarginLoss', 'TripletMarginLoss', 'TupletMarginLoss', 'VICRegLoss', 'CrossBatchMemory',
    'SelfSupervisedLoss', 'MultipleLosses'],
  miners: ['AngularMiner', 'BatchEasyHardMiner', 'BatchHardMiner', 'DistanceWeightedMiner', 'EmbeddingsAlreadyPackagedAsTriplets',
    'HDCMiner', 'MultiSimilarityMiner', 'PairMarginMiner', 'TripletMarginMiner', 'UniformHistogramMiner'],
  reducers: ['AvgNonZeroReducer', 'ClassWeightedReducer', 'DivisorReducer', 'DoNothingReducer', 'MeanReducer', 'MultipleReducers',
    'PerAnchorReducer', 'SumReducer', 'ThresholdReducer'],
  regularizers: ['LpRegularizer', 'ZeroMeanRegularizer', 'CenterInvariantRegularizer', 'RegularFaceRegularizer', 'SparseCentersRegularizer'],
  distances: ['SNRDistance', 'BatchedDistance', 'LpDistance', 'CosineSimilarity', 'DotProductSimilarity'],
  losses_weighted: ['ArcFaceLoss', 'CosFaceLoss', 'SphereFaceLoss', 'LargeMarginSoftmaxLoss', 'SubCenterArcFaceLoss',
    'NormalizedSoftmaxLoss', 'ProxyAnchorLoss', 'ProxyNCALoss', 'SoftTripleLoss', 'P2SGradLoss'],
  accuracy: ['AccuracyCalculator'],
  inference: ['InferenceModel', 'MatchFinder'],
  samplers: ['MPerClassSampler', 'HierarchicalSampler', 'FixedSetOfTriplets', 'TuplesToWeightsSampler'],
};

test('every fixture file parses, with a PML 2.8 header and the required fields on every case', () => {
  const files = pmlFixtureFiles();
  for (const name of Object.keys(CLASSES)) assert.ok(files.includes(name), `test/fixtures/pml/${name}.jsonl is missing`);
  for (const name of files) {
    const fx = loadPmlFixture(name);
    assert.match(fx.header.pml_version, /^2\.8\./, `${name}: PML version ${fx.header.pml_version}`);
    assert.ok(fx.cases.length > 0, `${name}: no cases`);
  }
});

test('every catalogue class has cases', () => {
  for (const [name, classes] of Object.entries(CLASSES)) {
    const have = new Set(loadPmlFixture(name).cases.map((c) => c.class));
    for (const cls of classes) assert.ok(have.has(cls), `${name}.jsonl has no ${cls} case`);
  }
});

test('loss cases: gradients have the embeddings\' shape; loss-dict entries agree in length with their indices', () => {
  for (const c of [...pmlCases('losses', { kind: 'loss' }), ...pmlCases('losses_weighted', { kind: 'loss' })]) {
    const e = c.expected, n = c.inputs.embeddings.length, d = c.inputs.embeddings[0]?.length ?? 0;
    if (e.gradEmbeddings) {
      assert.is(e.gradEmbeddings.length, n, `${c.id}: gradEmbeddings rows`);
      for (const row of e.gradEmbeddings) assert.is(row.length, d, `${c.id}: gradEmbeddings cols`);
    }
    for (const [name, entry] of Object.entries(e.lossDict ?? {})) {
      if (!Array.isArray(entry.losses) || entry.indices === null) continue;
      const cols = (Array.isArray(entry.indices[0]) ? entry.indices : [entry.indices]) as number[][];
      for (const col of cols) assert.is(col.length, entry.losses.length, `${c.id}: ${name} indices vs losses`);
    }
  }
});

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

test('recomputed: LpRegularizer (mean of row L2 norms) value and gradient', () => {
  const cases = pmlCases('regularizers', { class: 'LpRegularizer' }).filter((c) => Object.keys(c.options).length === 0) as RegularizerCase[];
  assert.ok(cases.length >= 3);
  for (const c of cases) {
    const x = c.inputs.embeddings as Matrix;
    const norms = x.map((r) => Math.hypot(...r));
    assertClose([mean(norms)], [c.expected.loss], { rtol: 1e-14 }, `${c.id} loss`);
    const grad = x.flatMap((r, i) => r.map((v) => v / norms[i] / x.length));
    assertClose(grad, (c.expected.gradEmbeddings as Matrix).flat(), { rtol: 1e-12, atol: 1e-15 }, `${c.id} grad`);
  }
});

test('recomputed: MeanReducer on element, pair and triplet dictionaries', () => {
  const cases = pmlCases('reducers', { class: 'MeanReducer' }).filter((c) => !c.id.includes('allZero')) as ReducerCase[];
  let checked = 0;
  for (const c of cases) {
    const [name, entry] = Object.entries(c.inputs.lossDict)[0];
    if (!Array.isArray(entry.losses) || c.expected.error) continue;
    assertClose([mean(entry.losses)], [c.expected.loss!], { rtol: 1e-14, atol: 1e-16 }, `${c.id} loss`);
    assertClose(c.expected.gradLosses![name] as number[], entry.losses.map(() => 1 / (entry.losses as number[]).length), { rtol: 1e-15 }, `${c.id} grad`);
    checked++;
  }
  assert.ok(checked >= 5, `only ${checked} MeanReducer cases checked`);
});

/** PML's default ContrastiveLoss: normalised L2 distance, [d]+ on positives, [1 − d]+ on negatives, each averaged over its non-zero terms. */
function contrastive(c: LossCase): { loss: number; pos: Set<string>; neg: Set<string> } {
  const x = c.inputs.embeddings.map((r) => { const s = Math.hypot(...r); return r.map((v) => v / s); });
  const labels = c.inputs.labels!;
  const pos: number[] = [], neg: number[] = [];
  const posIdx: number[][] = [[], []], negIdx: number[][] = [[], []];
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      if (i === j) continue;
      const d = Math.hypot(...x[i].map((v, k) => v - x[j][k]));
      if (labels[i] === labels[j]) { pos.push(Math.max(d, 0)); posIdx[0].push(i); posIdx[1].push(j); }
      else { neg.push(Math.max(1 - d, 0)); negIdx[0].push(i); negIdx[1].push(j); }
    }
  }
  const avgNonZero = (xs: number[]) => { const nz = xs.filter((v) => v > 0); return nz.length ? mean(nz) : 0; };
  return { loss: avgNonZero(pos) + avgNonZero(neg), pos: tupleSet(posIdx), neg: tupleSet(negIdx) };
}

test('recomputed: default ContrastiveLoss value and its loss dictionary', () => {
  const cases = pmlCases('losses', { class: 'ContrastiveLoss', kind: 'loss' })
    .filter((c) => Object.keys(c.options).length === 0 && c.inputs.tuples === null && c.inputs.refEmb === null) as LossCase[];
  assert.ok(cases.length >= 4, `${cases.length} default ContrastiveLoss cases`);
  for (const c of cases) {
    const ref = contrastive(c);
    assertClose([ref.loss], [c.expected.loss], { rtol: 1e-12, atol: 1e-15 }, `${c.id} loss`);
    const dict = c.expected.lossDict!;
    if (Array.isArray(dict.posLoss.losses)) assert.equal(tupleSet(dict.posLoss.indices as number[][]), ref.pos, `${c.id} positive pairs`);
    if (Array.isArray(dict.negLoss.losses)) assert.equal(tupleSet(dict.negLoss.indices as number[][]), ref.neg, `${c.id} negative pairs`);
  }
});

test('recomputed: default NormalizedSoftmaxLoss (cosine logits / 0.05, mean cross-entropy) value and logits', () => {
  const cases = pmlCases('losses_weighted', { class: 'NormalizedSoftmaxLoss', kind: 'loss' })
    .filter((c) => Object.keys(c.options).length === 2 && c.inputs.tuples === null) as LossCase[];
  assert.ok(cases.length >= 3, `${cases.length} default NormalizedSoftmaxLoss cases`);
  for (const c of cases) {
    const W = c.state!.W as Matrix; // [d, numClasses]
    const colNorm = W[0].map((_, j) => Math.hypot(...W.map((r) => r[j])));
    const logits = c.inputs.embeddings.map((x) => {
      const nx = Math.hypot(...x);
      return colNorm.map((cn, j) => x.reduce((s, v, k) => s + (v / nx) * (W[k][j] / cn), 0) / 0.05);
    });
    const ce = logits.map((row, i) => {
      const m = Math.max(...row);
      return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[c.inputs.labels![i]];
    });
    assertClose([mean(ce)], [c.expected.loss], { rtol: 1e-12 }, `${c.id} loss`);
    assertClose(logits.flat(), c.expected.logits!.flat(), { rtol: 1e-12, atol: 1e-12 }, `${c.id} logits`);
  }
});

test('recomputed: AccuracyCalculator precisionAt1 from the recorded neighbours', () => {
  let checked = 0;
  for (const c of pmlCases('accuracy') as AccuracyCase[]) {
    const m = c.expected.metrics;
    if (!c.inputs || !m || typeof m.precisionAt1 !== 'number' || c.options.avgOfAvgs) continue;
    const { queryLabels: ql, reference, referenceLabels, refIncludesQuery } = c.inputs;
    const rl = reference ? referenceLabels! : ql;
    const self = reference === null || refIncludesQuery;
    const hits: number[] = [];
    ql.forEach((label, i) => {
      const matches = rl.filter((l) => l === label).length - (self ? 1 : 0);
      if (matches > 0) hits.push(rl[c.expected.knnIndices![i][0]] === label ? 1 : 0);
    });
    assertClose([mean(hits)], [m.precisionAt1], { rtol: 1e-12 }, `${c.id} precisionAt1`);
    checked++;
  }
  assert.ok(checked >= 10, `only ${checked} accuracy cases checked`);
});

test.run();
