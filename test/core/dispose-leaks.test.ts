// Explicit dispose without tidy leaks nothing: every public op, distance, layer, model,
// search and metric runs 200 times, forward and (where differentiable) backward, and the
// caller disposes only what it made and what it got back. Composite operations own their
// intermediates, so liveBytes must come back to the same value after every step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

const STEPS = 200;
const live = () => sl.engineInfo().liveBytes;

/** What one step returns: tensors to dispose (the op's results) and inputs made for it. */
type Step = () => unknown;

function disposeAll(x: unknown): void {
  if (x instanceof sl.Tensor) x.dispose();
  else if (Array.isArray(x)) x.forEach(disposeAll);
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) Object.values(x).forEach(disposeAll);
}

/** Runs step STEPS times; liveBytes after the first step must equal liveBytes after the last. */
function flat(name: string, step: Step): void {
  disposeAll(step()); // warm-up: lazily made constants (workspaces) settle
  const base = live();
  for (let i = 0; i < STEPS; i++) disposeAll(step());
  assert.is(live(), base, `${name}: ${(live() - base) / STEPS} bytes per step leaked`);
}

/** Inputs that require grad; forward, backward on a weighted sum, then everything disposed. */
function withGrad(f: (...xs: sl.Tensor[]) => sl.Tensor | Record<string, sl.Tensor>, ...shapes: number[][]): Step {
  let seed = 1;
  return () => {
    const xs = shapes.map((s) => sl.randn(s, { seed: seed++, requiresGrad: true }));
    const out = f(...xs);
    const outs = out instanceof sl.Tensor ? [out] : Object.values(out);
    const seeds = outs.map((o) => sl.ones(o.shape));
    outs.forEach((o, i) => o.backward(seeds[i]));
    return [xs, outs, seeds];
  };
}

const D = sl.distances;
const M = sl.keep(sl.tensor([[2, 0.5, 0], [0.5, 1, 0], [0, 0, 3]]));
const learned = new D.LearnedMahalanobis(3, { rank: 2 });

test('tensor ops', () => {
  const ops: [string, (a: sl.Tensor, b: sl.Tensor) => sl.Tensor][] = [
    ['add', (a, b) => sl.add(a, b)], ['sub', (a, b) => a.sub(b)], ['mul', (a, b) => a.mul(b)], ['div', (a, b) => sl.div(a, b)],
    ['relu', (a) => a.relu()], ['sum', (a) => a.sum()], ['mean axis', (a) => a.mean(0)], 
    ['reshape', (a) => a.reshape([-1])], ['l2Normalize', (a) => sl.l2Normalize(a)], ['linear', (a, b) => sl.linear(a, b)],
  ];
  for (const [name, f] of ops) flat(name, withGrad(f, [5, 3], [5, 3]));
  flat('matmul', withGrad((a, b) => sl.matmul(a, b), [5, 3], [3, 4]));
  flat('transpose', withGrad((a) => sl.transpose(a), [5, 3]));
});

test('distance functions, every metric, forward and backward', () => {
  for (const metric of ['euclidean', 'sqeuclidean', 'manhattan', 'cosine', 'dot', { p: 3 }] as sl.Metric[]) {
    const tag = JSON.stringify(metric);
    flat(`cdist ${tag}`, withGrad((a, b) => sl.cdist(a, b, metric), [5, 3], [7, 3]));
    flat(`pairedDistance ${tag}`, withGrad((a, b) => sl.pairedDistance(a, b, metric), [5, 3], [5, 3]));
  }
  // the scaled path for inputs beyond 2^50 owns its scaled copies too
  for (const metric of ['euclidean', 'manhattan', { p: 3 }] as sl.Metric[])
    for (const paired of [false, true])
      flat(`${paired ? 'pairedDistance' : 'cdist'} ${JSON.stringify(metric)} at 1e30 (scaled path)`, () => {
        const x0 = sl.randn([4, 3], { seed: 5 }), y = sl.randn([4, 3], { seed: 6 });
        const x = x0.mul(1e30);
        x.requiresGrad = true;
        const out = paired ? sl.pairedDistance(x, y, metric) : sl.cdist(x, y, metric);
        const g = sl.ones(out.shape);
        out.backward(g);
        return [x0, x, y, out, g];
      });
  flat('cosineSimilarity', withGrad((a, b) => sl.cosineSimilarity(a, b), [5, 3], [7, 3]));
});

test('distance objects: pairwise, paired, margin, M', () => {
  const objects: [string, () => sl.distances.LpDistance | any][] = [
    ['LpDistance', () => new D.LpDistance()], ['LpDistance p3 power2', () => new D.LpDistance({ p: 3, power: 2 })],
    ['LpDistance raw sq', () => new D.LpDistance({ normalizeEmbeddings: false, power: 2 })],
    ['CosineSimilarity', () => new D.CosineSimilarity()], ['DotProductSimilarity', () => new D.DotProductSimilarity()],
    ['Mahalanobis', () => new D.Mahalanobis({ M })], ['Mahalanobis root', () => new D.Mahalanobis({ M, squared: false })],
    ['LearnedMahalanobis', () => learned],
  ];
  for (const [name, make] of objects) {
    const d = make();
    flat(`${name}.pairwise`, withGrad((a, b) => d.pairwise(a, b), [5, 3], [7, 3]));
    flat(`${name}.pairwise(x)`, withGrad((a) => d.pairwise(a), [5, 3]));
    flat(`${name}.paired`, withGrad((a, b) => d.paired(a, b), [5, 3], [5, 3]));
    flat(`${name}.margin`, withGrad((a, b) => d.margin(a, b) as sl.Tensor, [5], [5]));
    flat(`${name}.margin(t, 1)`, withGrad((a) => d.margin(a, 1) as sl.Tensor, [5]));
  }
  for (const t of learned.parameters()) t.grad?.dispose(), (t.grad = null);
  flat('LearnedMahalanobis.M', () => learned.M);
  flat('Mahalanobis.fromData', () => {
    const X = sl.randn([20, 3], { seed: 2 });
    const m = D.Mahalanobis.fromData(X, { ridge: 1e-3 });
    return [X, m.M];
  });
  flat('checkMetricAxioms', () => {
    const X = sl.randn([6, 3], { seed: 2 });
    sl.checkMetricAxioms('euclidean', X);
    sl.checkMetricAxioms(new D.Mahalanobis({ M }), X);
    return X;
  });
});

test('layers, Sequential and models', () => {
  sl.manualSeed(1);
  const layers: [string, sl.nn.Module, number[]][] = [
    ['Linear', new sl.nn.Linear(4, 3), [5, 4]],
    ['Conv2d', new sl.nn.Conv2d(2, 3, 3, { padding: 1 }), [2, 2, 5, 5]],
    ['MaxPool2d', new sl.nn.MaxPool2d(2), [2, 2, 5, 5]],
    ['ReLU', new sl.nn.ReLU(), [5, 4]],
    ['Flatten', new sl.nn.Flatten(), [2, 2, 3, 3]],
    ['L2Normalize', new sl.nn.L2Normalize(), [5, 4]],
    ['BatchNorm1d', new sl.nn.BatchNorm1d(4), [5, 4]],
    ['BatchNorm2d', new sl.nn.BatchNorm2d(2), [3, 2, 4, 4]],
    ['Dropout', new sl.nn.Dropout(0.5), [5, 4]],
    ['Sequential', new sl.nn.Sequential(new sl.nn.Conv2d(1, 2, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2), new sl.nn.Flatten(), new sl.nn.Linear(8, 4), new sl.nn.BatchNorm1d(4), new sl.nn.L2Normalize()), [3, 1, 6, 6]],
  ];
  const zeroGrads = (m: sl.nn.Module) => { for (const p of m.parameters()) { p.grad?.dispose(); p.grad = null; } };
  for (const [name, layer, shape] of layers) {
    for (const mode of ['train', 'eval'] as const) {
      layer[mode]();
      flat(`${name} (${mode})`, withGrad((x) => layer.forward(x), shape));
      zeroGrads(layer);
    }
  }
  const embedder = new sl.nn.Sequential(new sl.nn.Linear(4, 8), new sl.nn.ReLU(), new sl.nn.Linear(8, 3));
  const siamese = new sl.models.Siamese(embedder, new D.LpDistance());
  flat('Siamese.forward', withGrad((a, b) => siamese.forward(a, b), [5, 4], [5, 4]));
  const triplet = new sl.models.Triplet(embedder, new D.CosineSimilarity());
  flat('Triplet.forward', withGrad((a, p, n) => triplet.forward(a, p, n) as unknown as Record<string, sl.Tensor>, [5, 4], [5, 4], [5, 4]));
  zeroGrads(embedder);
});

test('search and metrics', () => {
  for (const metric of ['euclidean', 'cosine', 'dot', { p: 3 }] as sl.Metric[]) {
    flat(`topK ${JSON.stringify(metric)}`, () => {
      const q = sl.randn([7, 3], { seed: 1 }), r = sl.randn([33, 3], { seed: 2 });
      sl.search.topK(q, r, 4, { metric, blockSize: 5 });
      return [q, r];
    });
  }
  const labels = [0, 0, 1, 1, 2, 2, 0, 1];
  flat('metrics', () => {
    const e = sl.randn([8, 3], { seed: 4 });
    sl.metrics.retrieval(e, labels, { k: [1, 3] });
    sl.metrics.knnAccuracy(e, labels, e, labels, { k: 1 });
    const f = sl.randn([8, 3], { seed: 5 });
    const d = sl.pairedDistance(e, f);
    sl.metrics.verification(d, [1, 0, 1, 0, 1, 0, 1, 0]);
    return [e, f, d];
  });
});

test.run();
