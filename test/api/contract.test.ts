// The public API contract of DESIGN.md, checked from outside through the barrel only:
// init, manualSeed, tensors, tidy / noGrad, the tensor ops and the errors section. The other
// contract-*.test.ts files cover distances, losses, nn/optim and train/metrics/search/io.
// References: float64 JS computed here (small cases, odd sizes).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as SL from '../../src/index';
import { sl, target, TOL, f32, gradOf, near, thrown } from './helpers';

await sl.init();

/** Seeded float32-representable values (so the float64 reference sees the kernel's inputs). */
function values(n: number, seed: number): number[] {
  return Array.from(sl.randn([n], { seed }).data());
}

function matmulRef(a: number[], b: number[], n: number, k: number, m: number): number[] {
  const out = new Array(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let t = 0; t < k; t++) out[i * m + j] += a[i * k + t] * b[t * m + j];
  return out;
}

test('every documented name is exported: classes (capitalised, used with new) and functions', () => {
  const fns: [string, unknown][] = [
    ['init', sl.init], ['manualSeed', sl.manualSeed], ['tensor', sl.tensor], ['zeros', sl.zeros], ['ones', sl.ones],
    ['randn', sl.randn], ['rand', sl.rand], ['tidy', sl.tidy], ['noGrad', sl.noGrad], ['matmul', sl.matmul],
    ['cdist', sl.cdist], ['pairedDistance', sl.pairedDistance], ['cosineSimilarity', sl.cosineSimilarity],
    ['checkMetricAxioms', sl.checkMetricAxioms], ['distances.Mahalanobis.fromData', sl.distances.Mahalanobis.fromData],
    ['train.fit', sl.train.fit], ['metrics.retrieval', sl.metrics.retrieval], ['metrics.knnAccuracy', sl.metrics.knnAccuracy],
    ['metrics.verification', sl.metrics.verification], ['search.topK', sl.search.topK],
    ['io.saveSafetensors', sl.io.saveSafetensors], ['io.loadSafetensors', sl.io.loadSafetensors],
  ];
  for (const [name, f] of fns) assert.type(f, 'function', name);
  const classes: Record<string, Record<string, unknown>> = {
    distances: sl.distances as any, losses: sl.losses as any, reducers: sl.reducers as any, miners: sl.miners as any,
    nn: sl.nn as any, models: sl.models as any, optim: sl.optim as any, data: sl.data as any,
  };
  const documented: Record<string, string[]> = {
    distances: ['LpDistance', 'CosineSimilarity', 'DotProductSimilarity', 'Mahalanobis', 'LearnedMahalanobis'],
    losses: ['ContrastiveLoss', 'TripletMarginLoss', 'SimilarityRegressionLoss', 'PairClassificationLoss', 'NTXentLoss', 'MultiSimilarityLoss'],
    reducers: ['MeanReducer', 'SumReducer', 'AvgNonZeroReducer'],
    miners: ['TripletMarginMiner', 'BatchHardMiner', 'PairMarginMiner'],
    nn: ['Sequential', 'Linear', 'Conv2d', 'MaxPool2d', 'ReLU', 'Flatten', 'L2Normalize', 'BatchNorm1d', 'BatchNorm2d', 'Dropout'],
    models: ['Siamese', 'Triplet'],
    optim: ['SGD', 'Adam', 'AdamW'],
    data: ['MPerClassSampler'],
  };
  for (const [ns, names] of Object.entries(documented)) {
    for (const name of names) assert.type(classes[ns][name], 'function', `sl.${ns}.${name}`);
  }
  const t = sl.tensor([[1, 2]]);
  for (const m of ['data', 'toArray', 'item', 'backward', 'dispose', 'add', 'sub', 'mul', 'relu', 'sum', 'mean', 'reshape', 'transpose'] as const) {
    assert.type(t[m], 'function', `Tensor.${m}`);
  }
});

test('init() is idempotent; init({ module }) takes a compiled WebAssembly.Module (fresh process)', async () => {
  await sl.init();
  assert.equal(sl.tensor([1, 2]).add(1).toArray(), [2, 3]);
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const code = `
    import { readFileSync } from 'node:fs';
    import * as sl from '${target === 'dist' ? 'simlearn' : './src/index.ts'}';
    const module = new WebAssembly.Module(readFileSync('build/simlearn.wasm'));
    await sl.init({ module });
    console.log(JSON.stringify(sl.cdist(sl.tensor([[0, 0]]), sl.tensor([[3, 4]]), 'euclidean').toArray()));`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  assert.is(res.status, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout), [[5]]);
});

test('manualSeed(seed) makes randn/rand, weight init, dropout and samplers repeat, like torch.manual_seed', () => {
  const draw = () => {
    const r = sl.randn([5]).data();
    const u = sl.rand([3]).data();
    const w = new sl.nn.Linear(3, 2).weight.data();
    const mask = new sl.nn.Dropout(0.5).forward(sl.ones([17])).data();
    const batch = [...new sl.data.MPerClassSampler([0, 0, 1, 1, 2, 2], 2, 4, { lengthBeforeNewIter: 4 })][0];
    return [...r, ...u, ...w, ...mask, ...batch];
  };
  sl.manualSeed(42);
  const first = draw();
  sl.manualSeed(42);
  assert.equal(draw(), first);
  sl.manualSeed(43);
  assert.not.equal(draw(), first);
});

test('sl.tensor(nested) and sl.tensor(float32Array, shape, { requiresGrad }); a scalar has shape []', () => {
  const t = sl.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.shape, [2, 3]);
  assert.is(t.size, 6);
  assert.ok(t.data() instanceof Float32Array);
  assert.equal(Array.from(t.data()), [1, 2, 3, 4, 5, 6]);
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.is(t.requiresGrad, false);
  // data() is a copy: writing to it leaves the tensor alone
  t.data()[0] = 99;
  assert.is(t.toArray()[0][0], 1);

  const f = sl.tensor(new Float32Array([0.5, -1, 2, 3, 4, 5]), [3, 2], { requiresGrad: true });
  assert.equal(f.shape, [3, 2]);
  assert.is(f.requiresGrad, true);
  assert.is(f.grad, null);

  const s = sl.tensor(2.5);
  assert.equal(s.shape, []);
  assert.is(s.size, 1);
  assert.is(s.item(), 2.5);
  assert.is(s.toArray(), 2.5);
  assert.equal(sl.tensor([[1, 2, 3]]).sum().shape, []);
  assert.match(thrown(() => t.item()), /item/);
});

test('zeros, ones, randn({ seed }), rand({ seed })', () => {
  assert.equal(sl.zeros([2, 3]).toArray(), [[0, 0, 0], [0, 0, 0]]);
  assert.equal(sl.ones([3]).toArray(), [1, 1, 1]);
  assert.equal(sl.zeros([0, 3]).shape, [0, 3]);
  const a = sl.randn([1001], { seed: 9 }).data();
  assert.equal(sl.randn([1001], { seed: 9 }).data(), a);
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
  assert.ok(Math.abs(mean) < 0.1 && Math.abs(sd - 1) < 0.1, `randn: mean ${mean}, sd ${sd}`);
  const u = sl.rand([1001], { seed: 9 }).data();
  assert.ok(u.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 0.5) < 0.05);
});

test('matmul, add, sub, mul, relu, sum, mean, reshape, transpose: values and gradients vs float64', () => {
  const [n, k, m] = [3, 5, 7];
  const av = values(n * k, 1), bv = values(k * m, 2), cv = values(n * m, 3), rowv = values(m, 4);
  const a = f32(av, [n, k], true), b = f32(bv, [k, m], true), c = f32(cv, [n, m], true), row = f32(rowv, [m], true);
  const p = sl.matmul(a, b);
  const pRef = matmulRef(av, bv, n, k, m);
  near(p, pRef, TOL, 'matmul');
  assert.equal(p.shape, [n, m]);
  near(a.matmul(b), pRef, TOL, 'a.matmul(b)');
  // loss = mean(relu(p + row − c) * c) + sum(p * 2): every op on the path
  const h = p.add(row).sub(c);
  const r = h.relu();
  const loss = r.mul(c).mean().add(p.mul(2).sum());
  const hRef = pRef.map((v, i) => v + rowv[i % m] - cv[i]);
  near(h, hRef, TOL, 'add/sub');
  near(r, hRef.map((v) => Math.max(v, 0)), TOL, 'relu');
  const lossRef = hRef.reduce((s, v, i) => s + Math.max(v, 0) * cv[i], 0) / (n * m) + pRef.reduce((s, v) => s + 2 * v, 0);
  assert.equal(loss.shape, []);
  near([loss.item()], [lossRef], { atol: 1e-5, rtol: 1e-5 }, 'loss');
  loss.backward();
  // dL/dp = relu'(h)·c/(nm) + 2; dL/da = dL/dp·bᵀ; dL/db = aᵀ·dL/dp; dL/drow = Σ_rows relu'(h)·c/(nm)
  const gp = hRef.map((v, i) => (v > 0 ? cv[i] / (n * m) : 0) + 2);
  const ga = new Array(n * k).fill(0), gb = new Array(k * m).fill(0), grow = new Array(m).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      for (let t = 0; t < k; t++) {
        ga[i * k + t] += gp[i * m + j] * bv[t * m + j];
        gb[t * m + j] += av[i * k + t] * gp[i * m + j];
      }
      grow[j] += gp[i * m + j] - 2;
    }
  near(gradOf(a), ga, TOL, 'da');
  near(gradOf(b), gb, TOL, 'db');
  near(gradOf(row), grow, TOL, 'drow');
  // d(relu(h)·c)/dc = relu(h) − c·[h > 0]
  near(gradOf(c), hRef.map((v, i) => (v > 0 ? (v - cv[i]) / (n * m) : 0)), TOL, 'dc');

  const x = f32(av, [n, k]);
  assert.equal(x.reshape([k, n]).shape, [k, n]);
  assert.equal(Array.from(x.reshape([k, n]).data()), Array.from(x.data()));
  const xt = x.transpose();
  assert.equal(xt.shape, [k, n]);
  near(xt, Array.from({ length: n * k }, (_, i) => av[(i % n) * k + Math.floor(i / n)]), { atol: 0 }, 'transpose');
  near(x.sum(-1), [0, 1, 2].map((i) => av.slice(i * k, (i + 1) * k).reduce((s, v) => s + v, 0)), TOL, 'sum(-1)');
  near(x.sum(1), [0, 1, 2].map((i) => av.slice(i * k, (i + 1) * k).reduce((s, v) => s + v, 0)), TOL, 'sum(1)');
  near(x.mean(1), [0, 1, 2].map((i) => av.slice(i * k, (i + 1) * k).reduce((s, v) => s + v, 0) / k), TOL, 'mean(1)');
  near([x.mean().item()], [av.reduce((s, v) => s + v, 0) / (n * k)], TOL, 'mean()');
});

test('sum(axis) / mean(axis) along any axis (negative from the end), as torch; gradients spread back', () => {
  const [p, q, r] = [3, 5, 2];
  const v = values(p * q * r, 6);
  const at = (i: number, j: number, l: number) => v[(i * q + j) * r + l];
  const x = f32(v, [p, q, r], true);
  const s0 = x.sum(0), m1 = x.mean(1), sLast = x.sum(-1);
  assert.equal(s0.shape, [q, r]);
  assert.equal(m1.shape, [p, r]);
  assert.equal(sLast.shape, [p, q]);
  const ref0: number[] = [], ref1: number[] = [], ref2: number[] = [];
  for (let j = 0; j < q; j++) for (let l = 0; l < r; l++) ref0.push([0, 1, 2].reduce((s, i) => s + at(i, j, l), 0));
  for (let i = 0; i < p; i++) for (let l = 0; l < r; l++) ref1.push([0, 1, 2, 3, 4].reduce((s, j) => s + at(i, j, l), 0) / q);
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) ref2.push(at(i, j, 0) + at(i, j, 1));
  near(s0, ref0, TOL, 'sum(0)');
  near(m1, ref1, TOL, 'mean(1)');
  near(sLast, ref2, TOL, 'sum(-1)');
  near(x.sum(-3), ref0, TOL, 'sum(-3)');
  // d/dx [Σ w0·sum(0) + Σ w1·mean(1)] = w0[j, l] + w1[i, l] / q
  const w0 = values(q * r, 7), w1 = values(p * r, 8);
  s0.mul(f32(w0, [q, r])).sum().add(m1.mul(f32(w1, [p, r])).sum()).backward();
  const g: number[] = [];
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) for (let l = 0; l < r; l++) g.push(w0[j * r + l] + w1[i * r + l] / q);
  near(gradOf(x), g, TOL, 'd sum(0), d mean(1)');
});

test('t.grad is null when no gradient flowed; backward accumulates into a tensor used twice', () => {
  const used = sl.tensor([1, 2, 3], { requiresGrad: true });
  const unused = sl.tensor([4, 5], { requiresGrad: true });
  const plain = sl.tensor([1, 1, 1]);
  used.mul(used).add(used).sum().backward();
  near(gradOf(used), [3, 5, 7], { atol: 0 }, 'd(x² + x)/dx');
  assert.is(unused.grad, null);
  assert.is(plain.grad, null);
});

test('tidy frees every tensor made inside but the result (also arrays/objects of tensors); noGrad records nothing', () => {
  let inner: SL.Tensor | null = null;
  const kept = sl.tidy(() => {
    inner = sl.ones([3]);
    return inner.add(1);
  });
  assert.ok(inner!.isDisposed);
  assert.equal(kept.toArray(), [2, 2, 2]);
  const both = sl.tidy(() => ({ a: sl.ones([1]), list: [sl.zeros([2])] }));
  assert.equal(both.a.toArray(), [1]);
  assert.equal(both.list[0].toArray(), [0, 0]);
  assert.is(sl.tidy(() => 7), 7);

  const w = sl.tensor([1, 2], { requiresGrad: true });
  const y = sl.noGrad(() => w.mul(3));
  assert.is(y.requiresGrad, false);
  assert.equal(y.toArray(), [3, 6]);
  assert.is(w.mul(3).requiresGrad, true);
});

test('errors: a disposed tensor, shape mismatches naming both shapes, before anything changes', () => {
  const t = sl.tensor([1, 2]);
  t.dispose();
  assert.match(thrown(() => t.data()), /disposed/);
  assert.match(thrown(() => t.add(1)), /add: .*\[2\].*disposed/);
  assert.is(
    thrown(() => sl.cdist(sl.zeros([4, 3]), sl.zeros([5, 2]), 'euclidean')),
    'cdist: x is [4, 3] but y is [5, 2]: last dimensions must match',
  );
  assert.match(thrown(() => sl.matmul(sl.zeros([2, 3]), sl.zeros([2, 3]))), /matmul: .*\[2, 3\].*\[2, 3\]/);
  assert.match(thrown(() => sl.zeros([2, 3]).add(sl.zeros([3, 2]))), /add: .*\[2, 3\].*\[3, 2\]/);
  assert.match(thrown(() => sl.tensor([1, 2, 3]).reshape([2, 2])), /reshape: .*\[3\].*\[2, 2\]/);
  // a failed op leaves its inputs usable
  const a = sl.tensor([[1, 2, 3]], { requiresGrad: true });
  thrown(() => sl.matmul(a, a));
  assert.equal(a.toArray(), [[1, 2, 3]]);
  assert.is(a.grad, null);
});

test.run();
