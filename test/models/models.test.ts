import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

// A squared-Euclidean distance from plain ops, so these tests need no distance family.
const sqEuclid = { paired: (x: sl.Tensor, y: sl.Tensor) => { const d = x.sub(y); return d.mul(d).sum(-1); } };

// (x − y)ᵀ LᵀL (x − y) with a learnable L: stands in for a learned distance object.
function learnedDistance(dim: number) {
  const L = sl.keep(sl.randn([dim, dim], { seed: 77, requiresGrad: true }));
  return {
    L,
    parameters: () => [L],
    stateDict: () => ({ L }),
    paired: (x: sl.Tensor, y: sl.Tensor) => { const z = sl.matmul(x.sub(y), sl.transpose(L)); return z.mul(z).sum(-1); },
  };
}

// smooth: without the ReLU, finite differences never straddle a kink
function embedder(smooth = false): sl.nn.Sequential {
  sl.manualSeed(11);
  const act = smooth ? new sl.nn.Flatten(0, 0) : new sl.nn.ReLU();
  return new sl.nn.Sequential(new sl.nn.Conv2d(1, 2, 3), act, new sl.nn.Flatten(), new sl.nn.Linear(2 * 3 * 3, 3));
}

test('Siamese.forward is the distance between the two embeddings of each pair', () => {
  const model = new sl.models.Siamese(embedder(), sqEuclid);
  const a = sl.randn([4, 1, 5, 5], { seed: 1 }), b = sl.randn([4, 1, 5, 5], { seed: 2 });
  const d = model.forward(a, b).data();
  const ea = model.embed(a).data(), eb = model.embed(b).data();
  for (let i = 0; i < 4; i++) {
    let s = 0;
    for (let j = 0; j < 3; j++) s += (ea[i * 3 + j] - eb[i * 3 + j]) ** 2;
    assert.ok(Math.abs(d[i] - s) < 1e-5 * (1 + s), `pair ${i}: ${d[i]} vs ${s}`);
  }
  assert.is(model.threshold, null);
});

test('gradients of both Siamese branches and all three Triplet branches reach the one embedder', () => {
  const siamese = new sl.models.Siamese(embedder(true), sqEuclid);
  const a = sl.randn([3, 1, 5, 5], { seed: 3 }), b = sl.randn([3, 1, 5, 5], { seed: 4 }), c = sl.randn([3, 1, 5, 5], { seed: 5 });
  gradcheck(() => siamese.forward(a, b), siamese.parameters(), { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
  const triplet = new sl.models.Triplet(embedder(true), sqEuclid);
  gradcheck(() => { const { dAP, dAN } = triplet.forward(a, b, c); return dAP.sub(dAN.mul(0.5)); }, triplet.parameters(), { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
});

test('Triplet.forward gives dAP and dAN per triplet', () => {
  const model = new sl.models.Triplet(embedder(), sqEuclid);
  const a = sl.randn([2, 1, 5, 5], { seed: 6 }), p = sl.randn([2, 1, 5, 5], { seed: 7 }), n = sl.randn([2, 1, 5, 5], { seed: 8 });
  const { dAP, dAN } = model.forward(a, p, n);
  assert.equal(Array.from(dAP.data()), Array.from(sqEuclid.paired(model.embed(a), model.embed(p)).data()));
  assert.equal(Array.from(dAN.data()), Array.from(sqEuclid.paired(model.embed(a), model.embed(n)).data()));
});

test('the state dict of a model is that of its embedder (same names), plus a learned distance under distance.*', () => {
  const e = embedder();
  const model = new sl.models.Siamese(e, sqEuclid);
  assert.equal(Object.keys(model.stateDict()), Object.keys(e.stateDict()));
  assert.equal(Object.keys(model.stateDict()), ['0.weight', '0.bias', '3.weight', '3.bias']);
  model.eval();
  assert.ok(!e.training);
  const dist = learnedDistance(3);
  const t = new sl.models.Triplet(embedder(true), dist);
  assert.equal(Object.keys(t.stateDict()), ['0.weight', '0.bias', '3.weight', '3.bias', 'distance.L']);
  assert.ok(t.parameters()[4] === dist.L);
  const a = sl.randn([2, 1, 5, 5], { seed: 9 }), b = sl.randn([2, 1, 5, 5], { seed: 10 }), c = sl.randn([2, 1, 5, 5], { seed: 12 });
  gradcheck((L) => { const r = t.forward(a, b, c); return r.dAP.add(r.dAN); }, [dist.L], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
});

test('models reject bad construction and mismatched batches', () => {
  assert.throws(() => new sl.models.Siamese({} as any, sqEuclid), /Siamese: embedder must be an sl.nn.Module/);
  assert.throws(() => new sl.models.Triplet(embedder(), {} as any), /Triplet: distance must be a distance object with paired/);
  const m = new sl.models.Triplet(embedder(), sqEuclid);
  const x = sl.zeros([2, 1, 5, 5]);
  assert.throws(() => m.forward(x, x, sl.zeros([3, 1, 5, 5])), /Triplet.forward: anchor is \[2, 1, 5, 5\] but negative is \[3, 1, 5, 5\]/);
});

test.run();
