// CrossBatchMemory against PML 2.8.1 (test/fixtures/pml/losses.jsonl, kind 'lossSequence'):
// every call of each sequence (value, gradient, the memory buffers, queueIdx, hasBeenFilled),
// with and without a miner, through the ring's wrap and with enqueueMask; errors leave the
// memory intact; dispose frees the buffer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertPmlClose, buildOptions, tensorOf } from '../helpers/pml-loss';
import { flat, pmlCases, type LossSequenceCase } from '../helpers/pml-fixtures';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

const cases = pmlCases('losses', { class: 'CrossBatchMemory', kind: 'lossSequence' }) as unknown as LossSequenceCase[];
test('fixtures cover CrossBatchMemory', () => assert.ok(cases.length >= 6, `${cases.length} cases`));
for (const c of cases) {
  test(`PML ${c.id}: ${c.inputs.calls.length} calls (value, gradient, memory after each)`, () => {
    const w = new sl.losses.CrossBatchMemory(buildOptions(c.options) as any);
    try {
      c.inputs.calls.forEach((call, i) => sl.tidy(() => {
        const want = c.expected.calls[i];
        const d = call.embeddings[0].length;
        const e = tensorOf(call.embeddings, true, d);
        const v = w.forward(e, call.labels, null, call.enqueueMask);
        assertPmlClose([v.item()], [want.loss], `${c.id} call ${i}: loss`);
        if (v.requiresGrad) v.backward();
        const g = e.grad ? e.grad.data() : new Float32Array(e.size);
        assertPmlClose(g, flat(want.gradEmbeddings, d).data, `${c.id} call ${i}: gradEmbeddings`);
        assertPmlClose(w.embeddingMemory.data(), flat(want.embeddingMemory, d).data, `${c.id} call ${i}: embeddingMemory`);
        assert.equal(Array.from(w.labelMemory), want.labelMemory, `${c.id} call ${i}: labelMemory`);
        assert.is(w.queueIdx, want.queueIdx, `${c.id} call ${i}: queueIdx`);
        assert.is(w.hasBeenFilled, want.hasBeenFilled, `${c.id} call ${i}: hasBeenFilled`);
      }));
    } finally {
      w.dispose();
    }
  });
}

test('gradcheck: ContrastiveLoss against a filled memory, the batch not enqueued (enqueueMask all false)', () => {
  const w = new sl.losses.CrossBatchMemory({ loss: new sl.losses.ContrastiveLoss({ distance: new sl.distances.LpDistance({ normalizeEmbeddings: false }) }), embeddingSize: 3, memorySize: 7 });
  sl.tidy(() => { w.forward(sl.randn([5, 3], { seed: 1 }), [0, 1, 2, 0, 1]); });
  const x = sl.randn([3, 3], { seed: 2 });
  gradcheck((e) => sl.reshape(w.forward(e, [0, 1, 1], null, [false, false, false]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  assert.is(w.queueIdx, 5);
  x.dispose();
  w.dispose();
});

test('bad input is a clear error that leaves the memory as it was', () => {
  const w = new sl.losses.CrossBatchMemory({ loss: new sl.losses.ContrastiveLoss(), embeddingSize: 3, memorySize: 4 });
  assert.throws(() => new sl.losses.CrossBatchMemory({ loss: new sl.losses.InstanceLoss(), embeddingSize: 3 }), /CrossBatchMemory: InstanceLoss is not supported/);
  assert.throws(() => new sl.losses.CrossBatchMemory({ loss: new sl.losses.ContrastiveLoss() } as any), /embeddingSize must be a positive integer/);
  assert.throws(() => new sl.losses.CrossBatchMemory({ loss: new sl.losses.ContrastiveLoss(), embeddingSize: 3, memorySise: 4 } as any), /did you mean 'memorySize'/);
  sl.tidy(() => {
    w.forward(sl.randn([2, 3], { seed: 1 }), [0, 1]);
    const mem = w.embeddingMemory.data();
    assert.throws(() => w.forward(sl.randn([5, 3], { seed: 2 }), [0, 1, 0, 1, 0]), /a batch of 5 does not fit a memory of 4/);
    assert.throws(() => w.forward(sl.randn([2, 4], { seed: 2 }), [0, 1]), /embeddings is \[2, 4\] but embeddingSize is 3/);
    assert.throws(() => w.forward(sl.randn([2, 3], { seed: 2 }), [0, 1], [Int32Array.of(0), Int32Array.of(1), Int32Array.of(0)], [true, false]), /tuples and enqueueMask are mutually exclusive/);
    assert.throws(() => w.forward(sl.randn([2, 3], { seed: 2 }), [0, 1], null, [true]), /enqueueMask has 1 entries for a batch of 2/);
    assert.throws(() => w.forward(sl.randn([2, 3], { seed: 2 }), [0, 1], [Int32Array.of(0), Int32Array.of(5), Int32Array.of(1)]), /tuple column positives\[0\] is 5/);
    assert.equal(w.embeddingMemory.data(), mem);
    assert.is(w.queueIdx, 2);
  });
  w.dispose();
  assert.throws(() => sl.tidy(() => w.forward(sl.randn([2, 3], { seed: 1 }), [0, 1])), /CrossBatchMemory.forward: embeddingMemory/);
});

test('given tuples are added to the pairs of the memory (a triplet as its positive and negative pair)', () => {
  sl.tidy(() => {
    const make = () => new sl.losses.CrossBatchMemory({ loss: new sl.losses.ContrastiveLoss({ reducer: new sl.reducers.SumReducer(), distance: new sl.distances.LpDistance({ normalizeEmbeddings: false }) }), embeddingSize: 3, memorySize: 8 });
    const w = make(), w2 = make();
    const e = sl.randn([3, 3], { seed: 4 });
    const plain = w.forward(e, [0, 1, 0]).item();
    // the triplet (0, 2, 1) adds the positive pair (0, 2) and the negative pair (0, 1) once more
    const more = w2.forward(e, [0, 1, 0], [Int32Array.of(0), Int32Array.of(2), Int32Array.of(1)]).item();
    const d = sl.cdist(e, e, 'euclidean').data();
    const extra = d[2] + Math.max(0, 1 - d[1]);
    assert.ok(Math.abs(more - (plain + extra)) < 1e-5 * (1 + more), `${more} vs ${plain} + ${extra}`);
    w.dispose();
    w2.dispose();
  });
});

test('explicit dispose leaks nothing over 50 steps (the memory stays, then is freed)', () => {
  const before = sl.engineInfo().liveBytes;
  const w = new sl.losses.CrossBatchMemory({ loss: new sl.losses.TripletMarginLoss(), embeddingSize: 4, memorySize: 10, miner: new sl.miners.TripletMarginMiner() });
  assertNoLeak('CrossBatchMemory', (x) => w.forward(x, [0, 1, 0, 1]), [4, 4]);
  w.dispose();
  assert.is(sl.engineInfo().liveBytes, before);
});

// Without a miner or tuples, ContrastiveLoss and MultiSimilarityLoss take the memory as their
// reference set and leave out each sample's pair with its own copy (memory-pairs.ts). The
// reference: the same loss given the index tuples PML's CrossBatchMemory builds — every pair
// of the batch × memory (brute force here), minus remove_self_comparisons' pairs.
function pmlTuples(labels: number[], memLabels: number[], curr: number[], size: number): Int32Array[] {
  const [a1, p, a2, n]: number[][] = [[], [], [], []];
  labels.forEach((l, i) => memLabels.forEach((ml, j) => (l === ml ? (a1.push(i), p.push(j)) : (a2.push(i), n.push(j)))));
  const s = curr[0], e = curr[curr.length - 1];
  const keep = a1.map((a, k) => {
    if (!curr.includes(p[k])) return true;
    let pc = p[k] - s;
    if (e <= s && pc <= e - s) pc += size;
    return a !== pc;
  });
  return [a1.filter((_, k) => keep[k]), p.filter((_, k) => keep[k]), a2, n].map((c) => Int32Array.from(c));
}

const memoryLosses: [string, () => sl.losses.ContrastiveLoss | sl.losses.MultiSimilarityLoss][] = [
  ['ContrastiveLoss', () => new sl.losses.ContrastiveLoss({ posMargin: 0.05, negMargin: 1.3 })],
  ['ContrastiveLoss, PerAnchorReducer (reads the indices)', () => new sl.losses.ContrastiveLoss({ reducer: new sl.reducers.PerAnchorReducer() })],
  ['MultiSimilarityLoss', () => new sl.losses.MultiSimilarityLoss({ alpha: 2, beta: 10, base: 0.4 })],
];
for (const [name, make] of memoryLosses) {
  test(`${name} over the memory equals the loss over PML's index tuples (odd sizes, wrap, batch of 1, one class)`, () => {
    // [memory size, batch sizes of the successive calls, classes]
    for (const [size, batches, classes] of [[7, [3, 3, 3, 1, 5], 3], [17, [5, 5, 5, 5, 1], 4], [33, [17, 17], 5], [5, [5, 5], 1]] as const) {
      const w = new sl.losses.CrossBatchMemory({ loss: make(), embeddingSize: 3, memorySize: size });
      const ref = make();
      try {
        batches.forEach((b, call) => sl.tidy(() => {
          const labels = Array.from({ length: b }, (_, i) => (i * 7 + call) % classes);
          const x = sl.randn([b, 3], { seed: 31 * size + call });
          const e = sl.tensor(x.data(), [b, 3], { requiresGrad: true });
          const start = w.queueIdx;
          const v = w.forward(e, labels);
          const rows = w.hasBeenFilled ? size : w.queueIdx;
          const mem = sl.tensor(w.embeddingMemory.data().subarray(0, rows * 3), [rows, 3]);
          const memLabels = Array.from(w.labelMemory.subarray(0, rows));
          const curr = Array.from({ length: b }, (_, i) => (start + i) % size);
          const e2 = sl.tensor(x.data(), [b, 3], { requiresGrad: true });
          const want = ref.forward(e2, labels, pmlTuples(labels, memLabels, curr, size) as any, mem, memLabels);
          const what = `memory ${size}, call ${call}`;
          assertPmlClose([v.item()], [want.item()], `${what}: loss`);
          if (want.requiresGrad) want.backward();
          if (v.requiresGrad) v.backward();
          assertPmlClose(e.grad ? e.grad.data() : new Float32Array(e.size), e2.grad ? e2.grad.data() : new Float32Array(e.size), `${what}: gradient`);
        }));
      } finally {
        w.dispose();
      }
    }
  });
}

test('forwardExcludingOwn of a loss on pair columns (SimilarityRegressionLoss) equals the loss over every pair less each own copy', () => {
  for (const [n, m, classes] of [[1, 3, 2], [5, 7, 3], [17, 33, 4]] as const) sl.tidy(() => {
    const labels = Array.from({ length: n }, (_, i) => (i * 5) % classes);
    const memLabels = Array.from({ length: m }, (_, j) => (j * 3 + 1) % classes);
    // own copies: a row of the anchor's label, one of another label (not a positive: nothing to drop) or none
    const own = Int32Array.from(labels, (l, i) => (i % 3 === 2 ? -1 : memLabels.findIndex((ml, j) => (ml === l) === (i % 3 === 0) && j >= i % m)));
    const tuples = pmlTuples(labels, memLabels, [], m);
    const keep = Array.from(tuples[0], (a, k) => tuples[1][k] !== own[a]);
    const pairs = [tuples[0].filter((_, k) => keep[k]), tuples[1].filter((_, k) => keep[k]), tuples[2], tuples[3]];
    const x = sl.randn([n, 3], { seed: n }), mem = sl.randn([m, 3], { seed: m });
    const e1 = sl.tensor(x.data(), [n, 3], { requiresGrad: true }), e2 = sl.tensor(x.data(), [n, 3], { requiresGrad: true });
    const got = new sl.losses.SimilarityRegressionLoss().forwardExcludingOwn(e1, Int32Array.from(labels), mem, Int32Array.from(memLabels), own);
    const want = new sl.losses.SimilarityRegressionLoss().forward(e2, labels, pairs as any, mem, memLabels);
    assertPmlClose([got.item()], [want.item()], `n ${n} m ${m}: loss`);
    got.backward();
    want.backward();
    assertPmlClose(e1.grad!.data(), e2.grad!.data(), `n ${n} m ${m}: gradient`);
  });
});

test('MultiSimilarityLoss through CrossBatchMemory: gradcheck against a filled memory, the batch not enqueued', () => {
  // (an enqueued batch is also in the memory, detached, which a finite difference would see)
  const w = new sl.losses.CrossBatchMemory({ loss: new sl.losses.MultiSimilarityLoss({ beta: 5 }), embeddingSize: 3, memorySize: 9 });
  sl.tidy(() => { w.forward(sl.randn([5, 3], { seed: 3 }), [0, 1, 2, 0, 1]); });
  const x = sl.randn([3, 3], { seed: 4 });
  gradcheck((e) => sl.reshape(w.forward(e, [0, 1, 1], null, [false, false, false]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
  w.dispose();
});

test.run();
