// Promises the README's "What is guaranteed" section makes that no single op owns: seeds are
// validated like manualSeed's, tidy's rule for what it keeps holds at any depth and refuses
// (rather than silently frees) a tensor it cannot see, and messages name the function.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { getEngine } from '../../src/wasm/instance';

await sl.init();
const live = () => getEngine().alloc.liveBytes;

test('seeds: NaN, strings, infinities and fractions are refused everywhere a seed is taken', () => {
  const bad: unknown[] = [NaN, 'x', Infinity, -0.5, 1.5, null];
  for (const seed of bad) {
    const shown = typeof seed === 'string' ? JSON.stringify(seed) : String(seed);
    for (const [fn, call] of [
      ['randn', () => sl.randn([2], { seed } as any)],
      ['rand', () => sl.rand([2], { seed } as any)],
      ['dropout', () => sl.dropout(sl.ones([4]), 0.5, { seed } as any)],
      ['manualSeed', () => sl.manualSeed(seed as any)],
      ['MPerClassSampler', () => new sl.data.MPerClassSampler([0, 0, 1, 1], 2, 4, { seed } as any)],
      ['makePairs', () => sl.data.makePairs([0, 0, 1, 1], 2, { seed } as any)],
    ] as [string, () => unknown][]) {
      assert.throws(call, (err: Error) => err.message.startsWith(`${fn}: seed must be an integer, got ${shown}`), `${fn} seed ${shown}`);
    }
  }
  // A valid seed gives the generator's own sequence (the Rng is checked against the xoshiro128**
  // reference in test/core/init.test.ts); the global generator is not consumed.
  const want = new Rng(-7);
  const got = sl.rand([3], { seed: -7 }).data();
  for (let i = 0; i < 3; i++) assert.is(got[i], Math.fround(want.uniform()));
});

test('tidy keeps tensors in arrays, plain and null-prototype objects, Maps and Sets at any depth', () => {
  const base = live();
  const out = sl.tidy(() => {
    const deep = { a: { b: { c: { d: { e: { f: [sl.tensor([1, 2])] } } } } } };
    const map = new Map<string, unknown>([['m', sl.tensor([3])], ['nested', [new Set([sl.tensor([4])])]]]);
    const bare = Object.assign(Object.create(null), { t: sl.tensor([5]) });
    sl.tensor([99]); // a temporary: freed
    return { deep, map, bare };
  });
  assert.equal(Array.from(out.deep.a.b.c.d.e.f[0].data()), [1, 2]);
  assert.equal(Array.from((out.map.get('m') as sl.Tensor).data()), [3]);
  const set = (out.map.get('nested') as Set<sl.Tensor>[])[0];
  assert.equal(Array.from([...set][0].data()), [4]);
  assert.equal(Array.from(out.bare.t.data()), [5]);
  // A cycle is walked once.
  const cyclic = sl.tidy(() => {
    const o: Record<string, unknown> = { t: sl.tensor([6]) };
    o.self = o;
    return o;
  });
  assert.equal(Array.from((cyclic.t as sl.Tensor).data()), [6]);
  for (const t of [out.deep.a.b.c.d.e.f[0], out.map.get('m'), [...set][0], out.bare.t, cyclic.t] as sl.Tensor[]) t.dispose();
  assert.is(live(), base, 'everything else was freed');
});

test('tidy throws, naming the path, when the result hides a tensor it would free inside a class instance', () => {
  class Holder {
    constructor(readonly inner: { t: sl.Tensor }) {}
  }
  const base = live();
  assert.throws(
    () => sl.tidy(() => ({ h: new Holder({ t: sl.tensor([1, 2, 3]) }) })),
    /^tidy: the result holds Tensor\[3\] at result\.h\.inner\.t inside a Holder, which tidy does not look into/,
  );
  assert.is(live(), base, 'the scope was freed');
  // A class instance whose tensors were made outside (or kept) is returned as it is.
  const outside = sl.tensor([7]);
  const h = sl.tidy(() => new Holder({ t: outside }));
  assert.is(h.inner.t, outside);
  const kept = sl.tidy(() => new Holder({ t: sl.keep(sl.tensor([8])) }));
  assert.equal(Array.from(kept.inner.t.data()), [8]);
  outside.dispose();
  kept.inner.t.dispose();
  // A module built inside tidy: its parameters live outside every scope.
  const lin = sl.tidy(() => new sl.nn.Linear(3, 2));
  assert.not.ok(lin.weight.isDisposed);
  for (const p of lin.parameters()) p.dispose();
});

test('messages name the function: tidy(42), huge shapes, init(null), disposed inputs', async () => {
  assert.throws(() => sl.tidy(42 as any), /^tidy: fn must be a function, got number 42/);
  assert.throws(() => sl.zeros([2 ** 53]), (e: Error) => e instanceof RangeError && /^zeros: shape \[9007199254740992\] has 9007199254740992 elements \(.* GiB of float32\), more than the 4 GiB a wasm32 memory holds/.test(e.message));
  assert.throws(() => sl.randn([2 ** 20, 2 ** 20]), /^randn: shape \[1048576, 1048576\] has 1099511627776 elements/);
  assert.throws(() => new sl.nn.Linear(2 ** 40, 2 ** 40), /^Linear: weight \[1099511627776, 1099511627776\] has .* elements \(.* GiB of float32\), more than the 4 GiB/);
  assert.throws(() => new sl.nn.Conv2d(2 ** 20, 2 ** 20, 3), /^Conv2d: weight \[1048576, 1048576, 3, 3\] has/);
  await sl.init(null as any).then(
    () => assert.unreachable('init(null) resolved'),
    (e: Error) => assert.match(e.message, /^simlearn: init: options must be an object, got null/),
  );
  await sl.init(5 as any).then(
    () => assert.unreachable('init(5) resolved'),
    (e: Error) => assert.match(e.message, /^simlearn: init: options must be an object, got number 5/),
  );
  const gone = sl.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]);
  const ok = sl.ones([2, 3]);
  gone.dispose();
  assert.throws(() => sl.cdist(gone, ok), /^cdist: x \[4, 3\] was disposed/);
  assert.throws(() => sl.cdist(ok, gone), /^cdist: y \[4, 3\] was disposed/);
  assert.throws(() => sl.search.topK(gone, ok, 1), /^search\.topK: queries \[4, 3\] was disposed/);
  assert.throws(() => sl.search.topK(ok, gone, 1), /^search\.topK: refs \[4, 3\] was disposed/);
  assert.throws(() => sl.metrics.retrieval(gone, [0, 0, 1, 1]), /^retrieval: embeddings \[4, 3\] was disposed/);
  assert.throws(() => sl.metrics.knnAccuracy(ok, [0, 1], gone, [0, 0, 1, 1]), /^knnAccuracy: queries \[4, 3\] was disposed/);
  ok.dispose();
});

test.run();
