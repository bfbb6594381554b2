// Memory: the allocator on its own (alignment, no overlap, reuse, coalescing, limits), tidy
// scopes, views sharing storage, a 10,000-step training loop that holds live bytes flat,
// growth past the initial memory, and exhaustion with recovery.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { Allocator } from '../../src/wasm/memory';
import { getEngine } from '../../src/wasm/instance';
import { composite } from '../../src/autograd/tensor';
import { assertClose, randomF32, U32 } from '../helpers/close';
import { linearRef, matmulRef } from '../ref/gemm';
import { mapRef } from '../ref/eltwise';

await sl.init();
const e = getEngine();
const live = () => e.alloc.liveBytes;
const PAGE = 65536;

// ---- the allocator alone, over its own small memory ----

test('Allocator: 64-byte aligned, non-overlapping, in bounds, live bytes exact under a random alloc/free mix', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  const a = new Allocator(memory, 1000);
  const rng = new Rng(5);
  const blocks = new Map<number, number>();
  for (let step = 0; step < 5000; step++) {
    if (blocks.size > 0 && rng.uniform() < 0.45) {
      const ptrs = [...blocks.keys()];
      const p = ptrs[rng.int(ptrs.length)];
      a.free(p);
      blocks.delete(p);
    } else {
      const bytes = 1 + rng.int(rng.uniform() < 0.1 ? 60000 : 3000);
      const p = a.alloc(bytes);
      assert.is(p % 64, 0, 'aligned');
      assert.ok(p >= 1000 && p + bytes <= memory.buffer.byteLength, 'inside linear memory, above the heap base');
      blocks.set(p, Math.ceil(bytes / 64) * 64);
    }
    if (step % 250 === 0 || step === 4999) {
      const sorted = [...blocks].sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1][0] + sorted[i - 1][1] <= sorted[i][0], `blocks overlap at step ${step}`);
      assert.is(a.liveBytes, sorted.reduce((s, b) => s + b[1], 0), 'liveBytes');
    }
  }
});

test('Allocator: exact-size reuse, and freed neighbours are merged before memory grows', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 8 });
  const a = new Allocator(memory, 0);
  const p1 = a.alloc(1000);
  a.free(p1);
  assert.is(a.alloc(1000), p1, 'same size reuses the block');
  const q = [a.alloc(8192), a.alloc(8192), a.alloc(8192), a.alloc(8192)];
  const pin = a.alloc(64); // keeps the merged run from simply returning to the bump pointer
  for (const p of q) a.free(p);
  const before = memory.buffer.byteLength;
  const big = a.alloc(4 * 8192 - 64);
  assert.is(big, q[0], 'the merged run of four freed blocks holds a larger request');
  assert.is(memory.buffer.byteLength, before, 'no growth needed');
  a.free(big);
  a.free(pin);
  a.free(p1);
  assert.is(a.liveBytes, 0);
  assert.throws(() => a.free(12345), /free of unknown block 12345/);
  for (const bad of [NaN, -1, 1.5, Infinity]) assert.throws(() => a.alloc(bad), /internal: cannot allocate/);
  assert.is(a.alloc(0), 0, 'size 0 is the null block');
  assert.is(a.liveBytes, 0);
});

test('Allocator: free blocks are reused (best fit, split) before the top moves, so the high-water mark stays at the live peak', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  const a = new Allocator(memory, 0);
  const big = a.alloc(64 * 1024);
  const small = a.alloc(16 * 1024);
  const pin = a.alloc(64);
  const high = a.highWater;
  a.free(big);
  a.free(small);
  // 10 KiB fits both free blocks: the smaller one is taken and split, and the top stays.
  const p = a.alloc(10 * 1024);
  assert.is(p, small, 'best fit takes the 16 KiB block, not the 64 KiB one');
  assert.is(a.alloc(6 * 1024), small + 10 * 1024, 'the split remainder serves the next request');
  assert.is(a.alloc(60 * 1024), big, 'the 64 KiB block serves a 60 KiB request');
  assert.is(a.highWater, high, 'no request moved the top');
  // A block freed just below the top gives the top back.
  const top = a.alloc(32 * 1024);
  const highAfter = a.highWater;
  a.free(top);
  assert.is(a.alloc(32 * 1024), top, 'the same place, from the top');
  assert.is(a.highWater, highAfter);
  a.free(pin);
});

test('Allocator: the limit gives a RangeError naming the request and the figures; freeing makes room again', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
  const a = new Allocator(memory, 0);
  a.setLimit(4 * PAGE);
  assert.is(a.limitBytes, 4 * PAGE);
  const held = [a.alloc(PAGE), a.alloc(PAGE), a.alloc(PAGE), a.alloc(PAGE - 64)]; // the heap starts at 64
  try {
    a.alloc(100);
    assert.unreachable('allocation past the limit succeeded');
  } catch (err) {
    assert.instance(err, RangeError);
    assert.match((err as Error).message, /out of wasm memory: cannot allocate 100 bytes \([\d.]+ MiB live in tensors, linear memory [\d.]+ MiB, limit [\d.]+ MiB\)/);
  }
  assert.is(a.liveBytes, 4 * PAGE - 64, 'the failed call took nothing');
  a.free(held[1]);
  assert.is(a.alloc(100), held[1], 'a freed block is found again (split by first fit)');
});

// ---- tidy and views ----

test('tidy frees everything made inside except the result, which moves to the enclosing scope', () => {
  const base = live();
  const kept = sl.tidy(() => {
    const outer = sl.tidy(() => {
      const a = sl.ones([10, 10]);
      const b = a.mul(2).add(1);
      return { b, list: [a.sum(), sl.zeros([3])] };
    });
    assert.equal(outer.b.toArray()[0][0], 3);
    sl.ones([100]); // freed with this scope
    return outer.list[0];
  });
  assert.is(kept.item(), 100);
  assert.is(live(), base + 64, 'only the returned scalar (one 64-byte block) is left');
  kept.dispose();
  assert.is(live(), base);
});

test('keep() moves a tensor out of every scope; a throwing or Promise-returning fn frees its tensors', () => {
  const base = live();
  let held: sl.Tensor | null = null;
  sl.tidy(() => {
    sl.tidy(() => {
      held = sl.keep(sl.full([5], 2));
    });
  });
  assert.equal(held!.toArray(), [2, 2, 2, 2, 2]);
  held!.dispose();
  assert.throws(() => sl.tidy(() => { sl.ones([50]); throw new Error('inside'); }), /inside/);
  assert.throws(() => sl.tidy(() => Promise.resolve(sl.ones([50]))), /tidy: fn returned a Promise/);
  assert.is(live(), base);
});

test('composite(): intermediates are owned by the result, freed with its last tensor, and kept alive for backward', () => {
  const before = live();
  const x = sl.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
  // a composite op: mean((x·2 + 1)²), three intermediates
  const op = () => composite(() => { const a = x.mul(sl.full([2, 2], 2)).add(sl.ones([2, 2])); return a.mul(a).mean(); });
  const y = op();
  assert.ok(live() > before + 64 * 2, 'intermediates alive while the result is');
  y.backward();
  // d/dx mean((2x+1)^2) = (2x+1)·2·2/4 = 2x+1
  assertClose(x.grad!.data(), [3, 5, 7, 9], { atol: 1e-6 }, 'grad of mean((2x+1)^2)');
  y.dispose();
  x.grad!.dispose(); x.grad = null;
  x.dispose();
  assert.is(live(), before, 'disposing the result freed every intermediate');
  // two results share one group: it lives until both are gone
  const z = sl.tensor([1, 2, 3]);
  const base = live();
  const [p, q] = composite(() => { const t = z.add(z); return [t.mul(t), t.add(z)]; });
  p.dispose();
  assert.ok(live() > base, 'the group outlives its first result');
  q.dispose();
  assert.is(live(), base, 'and goes with the last');
  // inside tidy, a kept result keeps its graph; the rest is freed at the end of tidy
  const w = sl.tensor([1, 2], undefined, { requiresGrad: true });
  const base2 = live();
  const kept = sl.tidy(() => composite(() => w.mul(w).add(w).sum()));
  kept.backward();
  assertClose(w.grad!.data(), [3, 5], { atol: 1e-6 }, 'grad of sum(w^2 + w)');
  kept.dispose();
  w.grad!.dispose(); w.grad = null;
  assert.is(live(), base2);
  w.dispose(); z.dispose();
  // nothing made inside returned: the intermediates are freed at once
  const u = sl.tensor([1]);
  const base3 = live();
  assert.is(composite(() => (u.add(u), u)), u);
  assert.is(live(), base3);
  u.dispose();
});

test('reshape views share storage: disposing the source first keeps the view valid; the last one frees', () => {
  const base = live();
  const a = sl.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const v = a.reshape([3, 2]);
  const v2 = v.reshape([-1]);
  a.dispose();
  assert.equal(v.toArray(), [[1, 2], [3, 4], [5, 6]]);
  v.dispose();
  assert.equal(Array.from(v2.data()), [1, 2, 3, 4, 5, 6]);
  assert.ok(live() > base);
  v2.dispose();
  v2.dispose(); // disposing twice is harmless
  assert.is(live(), base);
});

test('buffers saved for backward live as long as their output, and are freed at once when nothing is recorded', () => {
  const base = live();
  const x = sl.randn([5, 7], { seed: 1 }); // 140 B -> one 192-byte block
  const plain = sl.l2Normalize(x);
  assert.is(live(), base + 2 * 192, 'no grad recorded: the norms are already freed');
  x.requiresGrad = true;
  const tracked = sl.l2Normalize(x);
  assert.is(live(), base + 3 * 192 + 64, 'norms [5] kept for backward');
  tracked.sum().dispose();
  tracked.dispose();
  assert.is(live(), base + 2 * 192);
  plain.dispose();
  x.dispose();
  assert.is(live(), base);
});

// ---- a training loop ----

test('10,000 tidy-wrapped MLP steps (linear-relu-linear-mean): live bytes and memory exactly flat, loss falls', () => {
  const rng = new Rng(3);
  const x = sl.tensor(randomF32(rng, 32 * 8), [32, 8]);
  const target = sl.tensor(randomF32(rng, 32 * 4), [32, 4]);
  const params = [
    sl.tensor(randomF32(rng, 16 * 8, 0.3), [16, 8]),
    sl.zeros([16]),
    sl.tensor(randomF32(rng, 4 * 16, 0.3), [4, 16]),
    sl.zeros([4]),
  ].map((p) => p.requiresGrad_());
  const [w1, b1, w2, b2] = params;
  const step = (): number =>
    sl.tidy(() => {
      const y = sl.linear(sl.linear(x, w1, b1).relu(), w2, b2);
      const diff = y.sub(target);
      const loss = diff.mul(diff).mean();
      loss.backward();
      for (const p of params) {
        e.k.f32_axpy(-0.05, p.grad!.ptr, p.ptr, p.size); // plain SGD, in place
        p.grad!.dispose();
        p.grad = null;
      }
      return loss.item();
    });
  const first = step();
  for (let i = 0; i < 9; i++) step();
  const liveAfterWarmup = live(), memoryAfterWarmup = e.alloc.memoryBytes;
  const t0 = performance.now();
  let last = first;
  for (let i = 0; i < 10000; i++) {
    last = step();
    if (i % 1000 === 0) assert.is(live(), liveAfterWarmup, `live bytes at step ${i}`);
  }
  const ms = performance.now() - t0;
  assert.is(live(), liveAfterWarmup, 'live bytes after 10,000 steps');
  assert.is(e.alloc.memoryBytes, memoryAfterWarmup, 'linear memory did not grow');
  assert.ok(last < 0.5 * first, `loss fell from ${first} to ${last}`);
  assert.ok(ms < 15000, `10,000 steps took ${ms.toFixed(0)} ms`);
  console.log(`    10,000 MLP steps: ${ms.toFixed(0)} ms (${((ms * 1000) / 10000).toFixed(1)} µs/step), live ${liveAfterWarmup} B`);
  for (const t of [x, target, ...params]) t.dispose();
});

// ---- growth and exhaustion ----

test('growth past 1 MiB and past 64 MiB keeps earlier tensors and results correct', () => {
  const base = live();
  const rng = new Rng(8);
  const aData = randomF32(rng, 33 * 17), bData = randomF32(rng, 17 * 5);
  const a = sl.tensor(aData, [33, 17]);
  const b = sl.tensor(bData, [17, 5]);
  // Other test files in this process may have grown memory already; grow it further, and
  // past 64 MiB, with a and b allocated before.
  const start = e.alloc.memoryBytes;
  const big1 = sl.full([300_000], 1.5); // 1.2 MiB: past the initial 1 MiB on its own
  const bigs = [big1];
  while (e.alloc.memoryBytes <= Math.max(start, 64 << 20)) bigs.push(sl.full([4 << 20], bigs.length)); // 16 MiB each
  assert.ok(e.alloc.memoryBytes > Math.max(start, 64 << 20));
  assertClose(a.data(), aData, {}, 'a after growth');
  assertClose(b.data(), bData, {}, 'b after growth');
  assert.is(big1.data()[299_999], 1.5);
  assert.is(bigs[bigs.length - 1].data()[(4 << 20) - 1], bigs.length - 1);
  const c = sl.matmul(a, b); // output allocated after growth, inputs before
  const absRef = matmulRef(mapRef(aData, Math.abs), mapRef(bData, Math.abs), 33, 17, 5);
  assertClose(c.data(), matmulRef(aData, bData, 33, 17, 5), { bound: mapRef(absRef, (v) => 19 * U32 * v) }, 'matmul after growth');
  const s = sl.tidy(() => bigs[1].sum().item());
  assert.ok(Math.abs(s - (4 << 20)) <= 1e-3 * (4 << 20), `sum over 16 MiB: ${s}`);
  for (const t of [a, b, c, ...bigs]) t.dispose();
  assert.is(live(), base);
});

test('exhausted memory: RangeError with a clear message, other tensors intact, usable after freeing', () => {
  const base = live();
  const limit = e.alloc.limitBytes;
  const rng = new Rng(9);
  const xData = randomF32(rng, 6 * 5), wData = randomF32(rng, 3 * 5);
  const x = sl.tensor(xData, [6, 5]);
  const w = sl.tensor(wData, [3, 5], { requiresGrad: true });
  e.alloc.setLimit(e.alloc.memoryBytes + (8 << 20));
  const filler: sl.Tensor[] = [];
  let error: unknown = null;
  try {
    for (let i = 0; i < 10000 && !error; i++) {
      try {
        filler.push(sl.zeros([1 << 20])); // 4 MiB each
      } catch (err) {
        error = err;
      }
    }
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /simlearn: out of wasm memory: cannot allocate 4194304 bytes \(.* MiB live in tensors, linear memory .* MiB, limit .* MiB\)\. Dispose tensors/);
    // An op that cannot get its output fails before any kernel runs and leaves its inputs alone.
    assert.throws(() => sl.tidy(() => sl.matmul(sl.ones([1024, 1]), sl.ones([1, 1024]))), RangeError);
    assertClose(x.data(), xData, {}, 'x intact');
    assertClose(w.data(), wData, {}, 'w intact');
    assert.is(w.grad, null);
  } finally {
    for (const t of filler) t.dispose();
    e.alloc.setLimit(limit);
  }
  assert.is(e.alloc.limitBytes, limit, 'limit restored');
  sl.tidy(() => {
    const y = sl.linear(x, w);
    y.sum().backward();
    assertClose(y.data(), linearRef(xData, wData, null, 6, 5, 3), { atol: 1e-5 }, 'linear after recovery');
  });
  assert.ok(w.grad, 'backward works after recovery');
  const more = sl.zeros([1 << 20]);
  more.dispose();
  x.dispose();
  w.dispose();
  assert.is(live(), base);
});

test.run();
