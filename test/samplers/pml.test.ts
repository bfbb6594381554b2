// sl.samplers against what pytorch-metric-learning 2.8's samplers guarantee for every draw,
// recorded from PML's own code in test/fixtures/pml/samplers.jsonl: lengths (len() and one
// epoch), the per-class counts of every batch, super-class combinations, triplet validity,
// PML's rejections, and TuplesToWeightsSampler's weights for a fixed model and miner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertClose } from '../helpers/close';
import { type SamplerCase, flat, pmlCases } from '../helpers/pml-fixtures';

await sl.init();

const cases = (cls: string) => {
  const cs = pmlCases('samplers', { class: cls, kind: 'sampler' }) as SamplerCase[];
  assert.ok(cs.length >= 2, `${cls}: ${cs.length} cases`);
  return cs;
};
const sortedByJson = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();

test('MPerClassSampler: PML lengths, epoch lengths and the per-class counts of every chunk; PML rejections', () => {
  for (const c of cases('MPerClassSampler')) {
    const labels = c.inputs.labels as number[];
    const make = () => new sl.samplers.MPerClassSampler({ labels, ...(c.options as { m: number }), seed: 1 });
    if (c.expected.error) {
      assert.throws(make, /MPerClassSampler: /, `${c.id} rejected`);
      continue;
    }
    const s = make();
    assert.is(s.length, c.expected.length, `${c.id} length`);
    const idx = s.indices();
    assert.is(idx.length, c.expected.epochLength, `${c.id} epoch length`);
    const chunk = c.expected.chunk!;
    const sigs = new Set<string>();
    for (let start = 0; start < idx.length; start += chunk) {
      const counts = new Map<number, number>();
      for (const i of idx.subarray(start, start + chunk)) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
      sigs.add(JSON.stringify([...counts.values()].sort((a, b) => a - b)));
    }
    assert.equal([...sigs].sort(), sortedByJson(c.expected.chunkSignatures!), `${c.id} chunk signatures`);
  }
});

test('HierarchicalSampler: PML length, batch signatures and batches per super-class combination; PML rejections', () => {
  for (const c of cases('HierarchicalSampler')) {
    const rows = c.inputs.labels as number[][];
    const opts = c.options as { batchSize: number; samplesPerClass: number | 'all'; innerLabel?: number; outerLabel?: number };
    const make = () => new sl.samplers.HierarchicalSampler({ labels: rows, ...opts, seed: 2 });
    if (c.expected.error) {
      assert.throws(make, /HierarchicalSampler: /, `${c.id} rejected`);
      continue;
    }
    const s = make();
    assert.is(s.length, c.expected.length, `${c.id} length`);
    const inner = opts.innerLabel ?? 0, outer = opts.outerLabel ?? 1;
    const batches = s.drawBatches();
    const sigs: [number[], number[]][] = [];
    const tuples: Record<string, number> = {};
    for (const b of batches) {
      const count = (col: number) => {
        const m = new Map<number, number>();
        for (const i of b) m.set(rows[i][col], (m.get(rows[i][col]) ?? 0) + 1);
        return m;
      };
      const sup = count(outer);
      const key = [...sup.keys()].sort((x, y) => x - y).join();
      tuples[key] = (tuples[key] ?? 0) + 1;
      sigs.push([[...sup.values()].sort((x, y) => x - y), [...count(inner).values()].sort((x, y) => x - y)]);
    }
    if (c.expected.batchSignatures) assert.equal(sortedByJson(sigs), sortedByJson(c.expected.batchSignatures), `${c.id} batch signatures`);
    assert.equal(Object.entries(tuples).sort(), Object.entries(c.expected.superTupleCounts!).sort(), `${c.id} batches per super-tuple`);
  }
});

test('FixedSetOfTriplets: PML length, every triplet valid; one label rejected as PML', () => {
  for (const c of cases('FixedSetOfTriplets')) {
    const labels = c.inputs.labels as number[];
    const make = () => new sl.samplers.FixedSetOfTriplets({ labels, ...(c.options as { numTriplets: number }), seed: 3 });
    if (c.expected.error) {
      assert.throws(make, /FixedSetOfTriplets: /, `${c.id} rejected`);
      continue;
    }
    const s = make();
    assert.is(s.length, c.expected.length);
    const t = s.fixedSetOfTriplets;
    let valid = true;
    for (let i = 0; i < t.length; i += 3) valid &&= labels[t[i]] === labels[t[i + 1]] && labels[t[i]] !== labels[t[i + 2]];
    assert.is(valid, c.expected.valid, `${c.id} validity`);
  }
});

test("TuplesToWeightsSampler: PML's weights for the same Linear model and miner", () => {
  for (const c of cases('TuplesToWeightsSampler')) {
    const st = c.state!;
    const model = new sl.nn.Linear(st.weight[0].length, st.weight.length);
    const w = flat(st.weight), d = c.inputs.x![0].length;
    model.loadStateDict({ weight: sl.tensor(Float32Array.from(w.data), w.shape), bias: sl.tensor(Float32Array.from(st.bias)) });
    const miner = new (sl.miners as any)[st.miner.class](st.miner.options);
    const labels = Int32Array.from(c.inputs.labels as number[]);
    const dataset = { x: Float32Array.from(flat(c.inputs.x!).data), labels, itemShape: [d] };
    const s = new sl.samplers.TuplesToWeightsSampler({ model, miner, dataset, seed: 4 });
    assert.is(s.length, c.expected.length);
    s.indices();
    assertClose(s.weights!, c.expected.weights!, { atol: 1e-6 }, `${c.id} weights`);
  }
});

test.run();
