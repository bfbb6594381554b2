// Public API contract, data / training / evaluation / search / io: MPerClassSampler batches,
// train.fit against the same loop run in torch (test/fixtures/gen_contract.py), metrics and
// topK against float64 brute force, safetensors bytes against the format's specification.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as SL from '../../src/index';
import { sl, TOL, f32, fixture, near, randn, thrown } from './helpers';

await sl.init();

test('data.MPerClassSampler(labels, m, batchSize, { seed }): Int32Array batches of batchSize / m classes × m samples', () => {
  const labels = Array.from({ length: 41 }, (_, i) => (i * 7) % 6);
  const take = (s: Iterable<Int32Array>, k: number) => {
    const out: Int32Array[] = [];
    for (const b of s) {
      out.push(b);
      if (out.length === k) break;
    }
    return out;
  };
  const batches = take(new sl.data.MPerClassSampler(labels, 3, 12, { seed: 5 }), 6);
  assert.is(batches.length, 6);
  for (const b of batches) {
    assert.ok(b instanceof Int32Array);
    assert.is(b.length, 12);
    const byClass = new Map<number, number[]>();
    b.forEach((i) => byClass.set(labels[i], [...(byClass.get(labels[i]) ?? []), i]));
    assert.is(byClass.size, 4, 'batchSize / m classes');
    for (const members of byClass.values()) {
      assert.is(members.length, 3, 'm per class');
      assert.is(new Set(members).size, 3, 'distinct samples when the class has enough');
    }
  }
  assert.equal(take(new sl.data.MPerClassSampler(labels, 3, 12, { seed: 5 }), 6), batches, 'seeded');
  assert.not.equal(take(new sl.data.MPerClassSampler(labels, 3, 12, { seed: 6 }), 6), batches);
  assert.match(thrown(() => new sl.data.MPerClassSampler(labels, 5, 12)), /MPerClassSampler: m = 5 must divide batchSize = 12/);
});

test('train.fit({ model, loss, miner, optimizer, data, epochs, onStep, progress }) runs the loop torch runs', async () => {
  const c = fixture.fit;
  const model = new sl.nn.Linear(6, 4);
  model.loadStateDict({ weight: f32(c.initial.weight, [4, 6]), bias: f32(c.initial.bias, [4]) });
  const data = c.x.map((x: number[], i: number) => ({ x: f32(x, [7, 6]), labels: c.labels[i] }));
  const steps: number[] = [];
  const history = await sl.train.fit({
    model,
    loss: new sl.losses.TripletMarginLoss({ margin: 0.2 }),
    miner: new sl.miners.BatchHardMiner(),
    optimizer: new sl.optim.SGD(model.parameters(), { lr: 0.5 }),
    data,
    epochs: 2,
    onStep: (info) => {
      steps.push(info.step);
    },
    progress: false,
  });
  assert.equal(steps, [1, 2, 3, 4]);
  near(history.loss, c.losses, { atol: 2e-5, rtol: 2e-5 }, 'loss per step');
  near(model.weight, c.final.weight, { atol: 2e-5, rtol: 2e-5 }, 'weight after fit');
  near(model.bias!, c.final.bias, { atol: 2e-5, rtol: 2e-5 }, 'bias after fit');
  assert.is(model.weight.grad, null, 'fit leaves no gradient behind');
});

// ---- metrics: float64 brute force with pytorch-metric-learning's definitions

const N = 23, D = 3;
const LABELS = Array.from({ length: N }, (_, i) => (i * 5) % 4);

function evalBatch() {
  const t = randn([N, D], 29);
  const v = Array.from(t.data());
  const dist = (a: number[], i: number, b: number[], j: number) => Math.hypot(...[0, 1, 2].map((k) => a[i * D + k] - b[j * D + k]));
  return { t, v, dist };
}

/** Indices of refs sorted nearest first (ties to the lower index), without `skip`. */
function ranked(q: number[], qi: number, refs: number[], nr: number, dist: (a: number[], i: number, b: number[], j: number) => number, skip = -1): number[] {
  const idx = Array.from({ length: nr }, (_, j) => j).filter((j) => j !== skip);
  return idx.sort((a, b) => dist(q, qi, refs, a) - dist(q, qi, refs, b) || a - b);
}

test("metrics.retrieval(embeddings, labels, { k: [1, 5], metric: 'euclidean' }) -> { precisionAt1, recallAtK, rPrecision, mapAtR }", () => {
  const { t, v, dist } = evalBatch();
  let p1 = 0, rp = 0, map = 0;
  const rec = [0, 0, 0];
  const ks = [1, 3, 5];
  for (let q = 0; q < N; q++) {
    const order = ranked(v, q, v, N, dist, q);
    const R = LABELS.filter((l, j) => j !== q && l === LABELS[q]).length;
    const rel = order.map((j) => (LABELS[j] === LABELS[q] ? 1 : 0));
    p1 += rel[0];
    ks.forEach((k, i) => (rec[i] += rel.slice(0, k).some((r) => r === 1) ? 1 : 0));
    rp += rel.slice(0, R).reduce((s: number, r) => s + r, 0) / R;
    let hits = 0, ap = 0;
    for (let i = 0; i < R; i++) if (rel[i]) ap += ++hits / (i + 1);
    map += ap / R;
  }
  const r = sl.metrics.retrieval(t, LABELS, { k: ks, metric: 'euclidean' });
  near([r.precisionAt1, r.rPrecision, r.mapAtR], [p1 / N, rp / N, map / N], { atol: 1e-12 }, 'retrieval');
  near(r.recallAtK, rec.map((h) => h / N), { atol: 1e-12 }, 'recallAtK');
  const byDefault = sl.metrics.retrieval(t, Int32Array.from(LABELS));
  assert.is(byDefault.recallAtK.length, 2, 'k defaults to [1, 5]');
  near(byDefault.recallAtK, [rec[0] / N, rec[2] / N], { atol: 1e-12 }, 'default k');
});

test('metrics.knnAccuracy(refs, refLabels, queries, queryLabels, { k: 1 }) -> number', () => {
  const { t, v, dist } = evalBatch();
  const q = randn([9, D], 31);
  const qv = Array.from(q.data());
  const qLabels = [0, 1, 2, 3, 0, 1, 2, 3, 0];
  for (const k of [1, 3]) {
    let correct = 0;
    for (let i = 0; i < 9; i++) {
      const top = ranked(qv, i, v, N, dist).slice(0, k).map((j) => LABELS[j]);
      const votes = new Map<number, number>();
      top.forEach((l) => votes.set(l, (votes.get(l) ?? 0) + 1));
      const best = Math.max(...votes.values());
      // a tied vote goes to the tied label met first (the nearest)
      if (top.find((l) => votes.get(l) === best) === qLabels[i]) correct++;
    }
    const acc = k === 1 ? sl.metrics.knnAccuracy(t, LABELS, q, qLabels) : sl.metrics.knnAccuracy(t, LABELS, q, qLabels, { k });
    assert.is(typeof acc, 'number');
    near([acc], [correct / 9], { atol: 1e-12 }, `knnAccuracy k=${k}`);
  }
});

test('metrics.verification(distances, same) -> { rocAuc, threshold, accuracy }', () => {
  const dist = [0.3, 1.2, 0.8, 0.1, 2.0, 0.8, 1.5, 0.4, 0.9, 1.1, 0.05];
  const same = [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0];
  // AUC: P(d_same < d_diff) + ½·P(tie), over every (same, different) pair
  let wins = 0, pairs = 0;
  for (let i = 0; i < dist.length; i++)
    for (let j = 0; j < dist.length; j++)
      if (same[i] && !same[j]) {
        pairs++;
        wins += dist[i] < dist[j] ? 1 : dist[i] === dist[j] ? 0.5 : 0;
      }
  const accAt = (th: number) => dist.filter((d, i) => (d <= th ? 1 : 0) === same[i]).length / dist.length;
  const best = Math.max(accAt(-Infinity), ...dist.map(accAt));
  const r = sl.metrics.verification(f32(dist, [dist.length]), same);
  near([r.rocAuc], [wins / pairs], { atol: 1e-12 }, 'rocAuc');
  near([r.accuracy], [best], { atol: 1e-12 }, 'best accuracy');
  near([accAt(r.threshold)], [best], { atol: 1e-12 }, 'the threshold reaches it');
  near([sl.metrics.verification(dist, same.map((s) => s === 1)).rocAuc], [wins / pairs], { atol: 1e-12 }, 'plain arrays, booleans');
});

test("search.topK(queries, refs, k, { metric, excludeSelf: false }) -> { indices: Int32Array, distances: Float32Array } row-major, nearest first", () => {
  const { t, v, dist } = evalBatch();
  const q = randn([5, D], 37);
  const qv = Array.from(q.data());
  const k = 4;
  const check = (res: SL.search.TopKResult, queries: number[], nq: number, d: typeof dist, skipSelf: boolean, label: string) => {
    assert.ok(res.indices instanceof Int32Array && res.distances instanceof Float32Array, label);
    assert.is(res.indices.length, nq * k);
    const wantI: number[] = [], wantD: number[] = [];
    for (let i = 0; i < nq; i++) {
      const order = ranked(queries, i, v, N, d, skipSelf ? i : -1);
      const gap = d(queries, i, v, order[k]) - d(queries, i, v, order[k - 1]);
      assert.ok(gap > 1e-5, `${label}: no near-tie at the cut`);
      order.slice(0, k).forEach((j) => { wantI.push(j); wantD.push(d(queries, i, v, j)); });
    }
    assert.equal(Array.from(res.indices), wantI, label);
    near(res.distances, wantD, { atol: 1e-5, rtol: 1e-5 }, label);
  };
  check(sl.search.topK(q, t, k), qv, 5, dist, false, 'default metric (euclidean)');
  check(sl.search.topK(q, t, k, { metric: 'euclidean', excludeSelf: false }), qv, 5, dist, false, 'euclidean');
  check(sl.search.topK(t, t, k, { metric: 'euclidean', excludeSelf: true }), v, N, dist, true, 'excludeSelf');
  const l1 = (a: number[], i: number, b: number[], j: number) => [0, 1, 2].reduce((s, c) => s + Math.abs(a[i * D + c] - b[j * D + c]), 0);
  check(sl.search.topK(q, t, k, { metric: { p: 1 } }), qv, 5, l1, false, '{ p: 1 }');
  const cosd = (a: number[], i: number, b: number[], j: number) => {
    const x = [0, 1, 2].map((c) => a[i * D + c]), y = [0, 1, 2].map((c) => b[j * D + c]);
    return 1 - x.reduce((s, xv, c) => s + xv * y[c], 0) / (Math.hypot(...x) * Math.hypot(...y));
  };
  check(sl.search.topK(q, t, k, { metric: 'cosine' }), qv, 5, cosd, false, 'cosine');
  // a similarity ranks largest first and reports the similarity
  const negDot = (a: number[], i: number, b: number[], j: number) => -[0, 1, 2].reduce((s, c) => s + a[i * D + c] * b[j * D + c], 0);
  const dotRes = sl.search.topK(q, t, k, { metric: 'dot' });
  check({ indices: dotRes.indices, distances: dotRes.distances.map((x) => -x) }, qv, 5, negDot, false, 'dot');
  assert.match(thrown(() => sl.search.topK(q, t, k, { metric: 'cosinus' as any })), /unknown metric "cosinus"/);
});

// ---- io: safetensors

function header(bytes: Uint8Array): Record<string, any> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

test('io.saveSafetensors(stateDict) -> Uint8Array in the safetensors layout; io.loadSafetensors(bytes) -> { name: Tensor }', () => {
  const model = new sl.nn.Sequential(new sl.nn.Linear(3, 2), new sl.nn.ReLU(), new sl.nn.Linear(2, 1));
  const bytes = sl.io.saveSafetensors(model.stateDict());
  assert.ok(bytes instanceof Uint8Array);
  const h = header(bytes);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  assert.is((8 + n) % 8, 0, 'data section 8-byte aligned');
  for (const [name, t] of Object.entries(model.stateDict())) {
    assert.equal(h[name].dtype, 'F32');
    assert.equal(h[name].shape, t.shape);
    const [b, e] = h[name].data_offsets;
    // raw little-endian float32 at data_offsets
    const raw = new Float32Array(bytes.slice(8 + n + b, 8 + n + e).buffer);
    assert.equal(raw, t.data(), name);
  }
  const loaded = sl.io.loadSafetensors(bytes);
  assert.equal(Object.keys(loaded).sort(), ['0.bias', '0.weight', '2.bias', '2.weight']);
  const copy = new sl.nn.Sequential(new sl.nn.Linear(3, 2), new sl.nn.ReLU(), new sl.nn.Linear(2, 1));
  copy.loadStateDict(loaded);
  const x = f32([1, -2, 0.5, 3, 1, -1], [2, 3]);
  near(copy.forward(x), model.forward(x).data(), { atol: 0 }, 'round trip');
  // a hand-made file, straight from the format description
  const json = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
  const file = new Uint8Array(8 + json.length + 8);
  new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
  file.set(json, 8);
  new DataView(file.buffer).setFloat32(8 + json.length, 1.5, true);
  new DataView(file.buffer).setFloat32(8 + json.length + 4, -2, true);
  const w = sl.io.loadSafetensors(file).w;
  assert.equal(w.shape, [2]);
  near(w, [1.5, -2], { atol: 0 }, 'hand-made file');
});

test('errors: truncated and corrupted safetensors files have their own messages', () => {
  const bytes = sl.io.saveSafetensors({ a: f32([1, 2, 3], [3]), b: f32([4], [1]) });
  assert.match(thrown(() => sl.io.loadSafetensors(bytes.subarray(0, 5))), /loadSafetensors: .*truncated/);
  assert.match(thrown(() => sl.io.loadSafetensors(bytes.subarray(0, bytes.length - 2))), /loadSafetensors: .*truncated/);
  const broken = bytes.slice();
  broken[8] = 0x78; // the header's opening brace
  assert.match(thrown(() => sl.io.loadSafetensors(broken)), /loadSafetensors: header is not valid JSON/);
  const huge = bytes.slice();
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  assert.match(thrown(() => sl.io.loadSafetensors(huge)), /loadSafetensors: .*corrupt/);
});

test.run();
