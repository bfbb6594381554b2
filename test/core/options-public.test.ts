// Every options object of the public API outside losses/miners/reducers/distances goes through
// checkOptions (src/options.ts): a misspelt key is an error naming the function and the nearest
// known key, and a value of the wrong kind names the option — nothing runs on defaults silently.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

const unknown = (fn: string, key: string, near: string) => new RegExp(`^${fn.replace('.', '\\.')}: unknown option '${key}'; did you mean '${near}'\\?`);

test('misspelt option keys are errors that suggest the known key', () => {
  const q = sl.randn([3, 4], { seed: 1 }), r = sl.randn([5, 4], { seed: 2 });
  const p = sl.zeros([3], { requiresGrad: true });
  const x = sl.randn([1, 1, 5, 5], { seed: 3 }), w = sl.randn([2, 1, 3, 3], { seed: 4 });
  const lin = new sl.nn.Linear(2, 3);
  const cases: [string, () => unknown, RegExp][] = [
    ['topK', () => sl.search.topK(q, r, 2, { metirc: 'cosine' } as any), unknown('search.topK', 'metirc', 'metric')],
    ['SGD', () => new sl.optim.SGD([p], { lrr: 0.1 } as any), unknown('SGD', 'lrr', 'lr')],
    ['Adam', () => new sl.optim.Adam([p], { weightdecay: 0.1 } as any), unknown('Adam', 'weightdecay', 'weightDecay')],
    ['AdamW', () => new sl.optim.AdamW([p], { beta: [0.9, 0.99] } as any), unknown('AdamW', 'beta', 'betas')],
    ['Linear', () => new sl.nn.Linear(2, 3, { biass: false } as any), unknown('Linear', 'biass', 'bias')],
    ['Conv2d', () => new sl.nn.Conv2d(1, 2, 3, { paddng: 1 } as any), unknown('Conv2d', 'paddng', 'padding')],
    ['MaxPool2d', () => new sl.nn.MaxPool2d(2, { strid: 1 } as any), unknown('MaxPool2d', 'strid', 'stride')],
    ['BatchNorm1d', () => new sl.nn.BatchNorm1d(3, { momentun: 0.2 } as any), unknown('BatchNorm1d', 'momentun', 'momentum')],
    ['loadStateDict', () => lin.loadStateDict(lin.stateDict(), { strictt: false } as any), unknown('loadStateDict', 'strictt', 'strict')],
    ['conv2d', () => sl.conv2d(x, w, null, { strde: 1 } as any), unknown('conv2d', 'strde', 'stride')],
    ['maxPool2d', () => sl.maxPool2d(x, 2, { strid: 1 } as any), unknown('maxPool2d', 'strid', 'stride')],
    ['dropout', () => sl.dropout(x, 0.5, { traning: false } as any), unknown('dropout', 'traning', 'training')],
    ['retrieval', () => sl.metrics.retrieval(q, [0, 0, 1], { metrc: 'cosine' } as any), unknown('retrieval', 'metrc', 'metric')],
    ['knnAccuracy', () => sl.metrics.knnAccuracy(r, [0, 0, 1, 1, 1], q, [0, 1, 1], { kk: 3 } as any), unknown('knnAccuracy', 'kk', 'k')],
    ['MPerClassSampler', () => new sl.data.MPerClassSampler([0, 0, 1, 1], 2, 4, { sed: 1 } as any), unknown('MPerClassSampler', 'sed', 'seed')],
    ['makePairs', () => sl.data.makePairs([0, 0, 1, 1], 4, { positivFraction: 0.5 } as any), unknown('makePairs', 'positivFraction', 'positiveFraction')],
    ['makeTriplets', () => sl.data.makeTriplets([0, 0, 1, 1], 4, { sead: 1 } as any), unknown('makeTriplets', 'sead', 'seed')],
    ['tensor', () => sl.tensor([1, 2], { requiresGrd: true } as any), unknown('tensor', 'requiresGrd', 'requiresGrad')],
    ['zeros', () => sl.zeros([2], { requiresgrad: true } as any), unknown('zeros', 'requiresgrad', 'requiresGrad')],
    ['randn', () => sl.randn([2], { sed: 1 } as any), unknown('randn', 'sed', 'seed')],
    ['rand', () => sl.rand([2], { seeds: 1 } as any), unknown('rand', 'seeds', 'seed')],
  ];
  for (const [name, call, re] of cases) assert.throws(call, (e: Error) => e instanceof TypeError && re.test(e.message), name);
  for (const t of [q, r, p, x, w, ...lin.parameters()]) t.dispose();
});

test('options of the wrong kind name the option and the value', () => {
  const q = sl.randn([3, 4], { seed: 1 });
  const p = sl.zeros([3], { requiresGrad: true });
  assert.throws(() => sl.search.topK(q, q, 1, { excludeSelf: 'yes' } as any), /^search\.topK: option excludeSelf must be true or false, got "yes"/);
  assert.throws(() => sl.search.topK(q, q, 1, 'cosine' as any), /^search\.topK: options must be an object of named options, got "cosine"/);
  assert.throws(() => new sl.nn.Linear(2, 3, { bias: 'no' } as any), /^Linear: option bias must be true or false, got "no"/);
  assert.throws(() => new sl.nn.L2Normalize(-1), /^L2Normalize: eps must be a finite number > 0 \(it normalises the last dimension; there is no dim argument\), got -1/);
  assert.throws(() => new sl.optim.SGD([p], 0.1 as any), /^SGD: options must be an object of named options, got number 0\.1/);
  assert.throws(() => new (sl.optim.SGD as any)([p]), /^SGD: options \{ lr \} are required/);
  assert.throws(() => sl.tensor([1], { requiresGrad: 1 } as any), /^tensor: option requiresGrad must be true or false, got number 1/);
  q.dispose();
  p.dispose();
});

test('fit and init check their options too; init cannot switch the build of a running engine', async () => {
  const rejects = async (p: Promise<unknown>, re: RegExp) => {
    const msg = await p.then(() => 'resolved', (e: Error) => e.message);
    assert.match(msg, re);
  };
  const model = new sl.nn.Linear(2, 2);
  const optimizer = new sl.optim.SGD(model.parameters(), { lr: 0.1 });
  const loss = { forward: (e: sl.Tensor) => e.sum() };
  await rejects(sl.train.fit({ model, loss, optimizer, data: [], epoch: 2 } as any), unknown('fit', 'epoch', 'epochs'));
  await rejects(sl.train.fit({ model, loss, optimizer, data: [], progress: 'no' } as any), /^fit: option progress must be true or false, got "no"/);
  await rejects(sl.init({ bogus: 1 } as any), /^simlearn: init: unknown option 'bogus'/);
  await rejects(sl.init({ simdd: 'baseline' } as any), /^simlearn: init: unknown option 'simdd'; did you mean 'simd'\?/);
  const build = sl.engineInfo().build;
  const other = build === 'baseline' ? 'relaxed' : 'baseline';
  await rejects(sl.init({ simd: other }), new RegExp(`^simlearn: init: already initialised with the ${build} build; cannot switch to simd: '${other}'`));
  await sl.init({ simd: build }); // the running build may be named again
  for (const t of model.parameters()) t.dispose();
});

test.run();
