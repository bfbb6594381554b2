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

test.run();
