// SNRDistance and BatchedDistance against pytorch-metric-learning 2.8's own outputs
// (test/fixtures/pml/distances.jsonl, float64 references): matrices, gradients (query and
// reference), paired distances and BatchedDistance's (start, end, block) sequence; plus a
// finite-difference gradcheck of SNR on odd sizes and the argument errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';
import { type BatchedDistanceCase, type DistanceCase, type Matrix, flat, pmlCases } from '../helpers/pml-fixtures';

await sl.init();
const { SNRDistance, BatchedDistance } = sl.distances;

const REL = { rtol: 1e-4, atol: 1e-5 };
const t = (m: Matrix, cols?: number) => {
  const { data, shape } = flat(m, cols);
  return sl.tensor(Float32Array.from(data), shape);
};

function makeDistance(cls: string, options: Record<string, unknown>): sl.distances.BaseDistance {
  const ctor = (sl.distances as unknown as Record<string, new (o: unknown) => sl.distances.BaseDistance>)[cls];
  assert.ok(ctor, `no sl.distances.${cls}`);
  return new ctor(options);
}

test('SNRDistance matches PML: matrix, gradients to query and ref, pairwiseDistance, on every fixture case', () => {
  const cases = pmlCases('distances', { class: 'SNRDistance', kind: 'distance' }) as DistanceCase[];
  assert.ok(cases.length >= 12, `only ${cases.length} SNRDistance cases`);
  for (const c of cases) {
    sl.tidy(() => {
      const dist = new SNRDistance(c.options);
      assert.is(dist.isInverted, c.expected.isInverted, `${c.id} isInverted`);
      const q = t(c.inputs.query);
      q.requiresGrad = true;
      const r = c.inputs.ref ? t(c.inputs.ref) : null;
      if (r) r.requiresGrad = true;
      const mat = r ? dist.pairwise(q, r) : dist.pairwise(q);
      assert.equal(mat.shape, [c.expected.mat.length, c.expected.mat[0].length], `${c.id} shape`);
      assertClose(mat.data(), c.expected.mat.flat(), REL, `${c.id} mat`);
      mat.backward(t(c.inputs.gradOutput));
      assertClose(q.grad!.data(), c.expected.gradQuery.flat(), REL, `${c.id} gradQuery`);
      if (c.expected.gradRef) assertClose(r!.grad!.data(), c.expected.gradRef.flat(), REL, `${c.id} gradRef`);
      if (c.expected.pairwise) {
        assertClose(dist.pairwiseDistance(q, r!).data(), c.expected.pairwise, REL, `${c.id} pairwiseDistance`);
        const m = c.expected.mat, diag = m.map((row, i) => row[i]);
        assertClose(dist.paired(q, r!).data(), diag, REL, `${c.id} paired = diagonal of pairwise`);
      }
    });
  }
});

test('SNRDistance: defaults, options checked, finite-difference gradients on odd sizes', () => {
  const d = new SNRDistance();
  assert.is(d.normalizeEmbeddings, true);
  assert.is(d.power, 1);
  assert.is(d.isInverted, false);
  assert.throws(() => new SNRDistance({ normalise: true } as any), /SNRDistance: unknown option 'normalise'/);
  assert.throws(() => new SNRDistance({ power: 'two' } as any), /SNRDistance: option power must be a finite number/);
  for (const [n, m, dim] of [[1, 3, 5], [5, 17, 3], [3, 1, 33]]) {
    for (const opts of [{}, { normalizeEmbeddings: false, power: 2 }]) {
      const x = sl.randn([n, dim], { seed: n * 100 + dim }), y = sl.randn([m, dim], { seed: m * 7 + dim });
      const dist = new SNRDistance(opts);
      gradcheck((a, b) => dist.pairwise(a, b), [x, y], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
      gradcheck((a, b) => dist.paired(a, b), [x, sl.randn([n, dim], { seed: 5 })], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
      x.dispose();
      y.dispose();
    }
  }
});

// (normalisation and power are BaseDistance's steps, outside this class)
test('SNRDistance: disposing the result frees its intermediates (centred rows, norms, cdist)', () => {
  const x = sl.randn([5, 7], { seed: 1 }), y = sl.randn([3, 7], { seed: 2 }), x2 = sl.randn([5, 7], { seed: 3 });
  x.requiresGrad = true;
  const live = sl.engineInfo().liveBytes;
  const dist = new SNRDistance({ normalizeEmbeddings: false });
  dist.pairwise(x, y).dispose();
  dist.pairwise(x).dispose();
  dist.paired(x, x2).dispose();
  dist.pairwiseDistance(x2, x).dispose();
  assert.is(sl.engineInfo().liveBytes, live);
});

test('SNRDistance: var(x − y) / var(x) recomputed in float64 on a 17 × 33 case (SIMD tails)', () => {
  const n = 17, m = 5, d = 33;
  const x = sl.randn([n, d], { seed: 3 }), y = sl.randn([m, d], { seed: 4 });
  const X = x.data(), Y = y.data();
  const variance = (v: number[]) => {
    const mu = v.reduce((s, a) => s + a, 0) / v.length;
    return v.reduce((s, a) => s + (a - mu) ** 2, 0) / (v.length - 1);
  };
  const ref: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = Array.from(X.subarray(i * d, (i + 1) * d));
    for (let j = 0; j < m; j++) ref.push(variance(xi.map((v, k) => v - Y[j * d + k])) / variance(xi));
  }
  assertClose(new SNRDistance({ normalizeEmbeddings: false }).pairwise(x, y).data(), ref, REL, 'snr');
});

test('BatchedDistance matches PML: the (start, end) sequence, unclipped end, and every block', () => {
  const cases = pmlCases('distances', { kind: 'batchedDistance' }) as BatchedDistanceCase[];
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    const spec = c.options.distance as { class: string; options: Record<string, unknown> };
    const seen: { start: number; end: number; mat: Float32Array; shape: number[] }[] = [];
    const bd = new BatchedDistance({
      distance: makeDistance(spec.class, spec.options),
      batchSize: c.options.batchSize as number,
      iterFn: (mat, start, end) => seen.push({ start, end, mat: mat.data(), shape: mat.shape.slice() }),
    });
    const q = t(c.inputs.query), r = c.inputs.ref ? t(c.inputs.ref) : null;
    bd.forward(q, r ?? undefined);
    assert.equal(seen.map((b) => [b.start, b.end]), c.expected.blocks.map((b) => [b.start, b.end]), `${c.id} blocks`);
    c.expected.blocks.forEach((b, i) => {
      assert.equal(seen[i].shape, [b.mat.length, b.mat[0].length], `${c.id} block ${i} shape`);
      assertClose(seen[i].mat, b.mat.flat(), REL, `${c.id} block ${i}`);
    });
    assert.is(bd.isInverted, makeDistance(spec.class, spec.options).isInverted, `${c.id} isInverted forwarded`);
    q.dispose();
    r?.dispose();
  }
});

test('BatchedDistance: blocks carry gradients to the query rows; no tensor outlives a block', () => {
  const q = sl.randn([7, 5], { seed: 9 }), r = sl.randn([4, 5], { seed: 10 });
  q.requiresGrad = true;
  const dist = new sl.distances.LpDistance();
  const w = sl.randn([7, 4], { seed: 11 });
  const live = sl.engineInfo().liveBytes;
  new BatchedDistance({
    distance: dist,
    batchSize: 3,
    iterFn: (mat, s) => {
      const rows = mat.shape[0];
      const wb = sl.tensor(w.data().subarray(s * 4, (s + rows) * 4), [rows, 4]);
      sl.sum(sl.mul(mat, wb)).backward();
    },
  }).forward(q, r);
  const grad = q.grad!.data();
  q.grad!.dispose();
  assert.is(sl.engineInfo().liveBytes, live, 'only q.grad outlives the blocks');
  const q2 = sl.tensor(q.data(), [7, 5]);
  q2.requiresGrad = true;
  sl.sum(sl.mul(dist.pairwise(q2, r), w)).backward();
  assertClose(grad, q2.grad!.data(), { rtol: 1e-5, atol: 1e-6 }, 'blockwise gradient');
});

test('BatchedDistance: defaults and errors before any block', () => {
  const bd = new BatchedDistance({ distance: new SNRDistance() });
  assert.is(bd.batchSize, 32);
  assert.is(bd.iterFn, null);
  assert.throws(() => new BatchedDistance({} as any), /BatchedDistance: option distance must be a distance object/);
  assert.throws(() => new BatchedDistance({ distance: new SNRDistance(), batchsize: 3 } as any), /unknown option 'batchsize'; did you mean 'batchSize'/);
  assert.throws(() => new BatchedDistance({ distance: new SNRDistance(), batchSize: 0 }), /BatchedDistance: option batchSize must be a positive integer, got 0/);
  let calls = 0;
  const counting = new BatchedDistance({ distance: new SNRDistance(), iterFn: () => calls++, batchSize: 2 });
  assert.throws(() => counting.forward(sl.zeros([4, 3]), sl.zeros([2, 4])), /BatchedDistance.forward: x is \[4, 3\] but y is \[2, 4\]/);
  assert.throws(() => bd.forward(sl.zeros([4, 3])), /BatchedDistance.forward: no iterFn/);
  assert.is(calls, 0);
});

test.run();
