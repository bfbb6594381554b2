// init({ threads }): GEMM, conv2d and pairwise L2 split across workers over one shared wasm
// memory. The engine is process-global and this process runs single-threaded, so every
// threaded run is a child process (node + tsx). Threaded results must be BITWISE equal to the
// single-threaded ones (each output sums its terms in the same order whichever thread computes
// it), which the single-threaded suite checks against float64 references; matmul is also
// checked against the float64 oracle here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as sl from '../../src/index';
import { matmulRef } from '../ref/gemm';
import { SPLIT_MIN_MADDS } from '../../src/wasm/parallel';
import { MATMUL_SIZES, runCases, type Results } from './cases';

await sl.init();
const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const cases = fileURLToPath(new URL('./cases.ts', import.meta.url));

// The suite's relaxed pass runs under --experimental-wasm-relaxed-simd: its children do too, so
// that their threads build (relaxed there) is compared with this process's relaxed build.
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const relaxed = sl.hasRelaxedSimd();

/** Runs an ES module body in a fresh node with tsx (relaxed SIMD on when this process has it, or when asked); `sl` is simlearn. */
function child(body: string, timeout = 120000, withRelaxed = relaxed): { out: string; err: string; status: number | null; ms: number } {
  const code = `const sl = await import(${JSON.stringify(index)});\n${body}`;
  const t0 = performance.now();
  const flags = withRelaxed ? [RELAXED_FLAG] : [];
  const res = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout, maxBuffer: 1 << 28 });
  return { out: res.stdout.trim(), err: res.stderr, status: res.status, ms: performance.now() - t0 };
}

function decode(json: string): Results {
  const raw = JSON.parse(json) as Record<string, string>;
  const out: Results = {};
  for (const [k, b64] of Object.entries(raw)) {
    const bytes = Buffer.from(b64, 'base64');
    out[k] = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  return out;
}

const RUN_CASES = `
  const { runCases } = await import(${JSON.stringify(cases)});
  const res = runCases(sl);
  const enc = {};
  for (const [k, v] of Object.entries(res)) enc[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  console.log(JSON.stringify({ info: sl.engineInfo(), results: enc }));`;

const single = runCases(sl);

for (const threads of [2, 3]) {
  test(`threads: ${threads}: matmul, linear, conv2d and cdist outputs and gradients are bitwise equal to single-threaded, and the process exits by itself`, () => {
    const r = child(`await sl.init({ threads: ${threads} });${RUN_CASES}`);
    assert.is(r.status, 0, r.err);
    const { info, results } = JSON.parse(r.out);
    assert.is(info.threads, threads);
    assert.is(info.build, sl.engineInfo().build, 'the threads build has the SIMD of the single-threaded one it is compared with');
    const threaded = decode(JSON.stringify(results));
    assert.equal(Object.keys(threaded).sort(), Object.keys(single).sort());
    assert.ok(Object.keys(single).length > 60);
    for (const [name, want] of Object.entries(single)) {
      const got = threaded[name];
      assert.is(got.length, want.length, name);
      const a = new Uint32Array(got.buffer, got.byteOffset, got.length), b = new Uint32Array(want.buffer, want.byteOffset, want.length);
      const bad = a.findIndex((v, i) => v !== b[i]);
      assert.is(bad, -1, `${name}: element ${bad} is ${got[bad]} threaded, ${want[bad]} single-threaded`);
    }
  });
}

test('the matmul cases lie on both sides of the split threshold', () => {
  const madds = MATMUL_SIZES.map(([n, k, m]) => n * k * m);
  assert.ok(madds.filter((x) => x < SPLIT_MIN_MADDS).length >= 2 && madds.filter((x) => x >= SPLIT_MIN_MADDS).length >= 3, String(madds));
});

test('the single-threaded reference of the threaded run is itself right: matmul against the float64 oracle', () => {
  let seed = 1;
  for (const [n, k, m] of MATMUL_SIZES) {
    // runCases draws a, b, b2 from seeds 1, 2, 3 (then 4…8) for each size
    const a = sl.randn([n, k], { seed }), b = sl.randn([k, m], { seed: seed + 1 });
    const ref = matmulRef(a.data(), b.data(), n, k, m);
    const got = single[`matmul ${n}x${k}x${m}`];
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(got[i] - ref[i]) <= 1e-4 * (1 + Math.abs(ref[i])) * Math.sqrt(k), `matmul ${n}x${k}x${m}[${i}]`);
    a.dispose();
    b.dispose();
    seed += 8;
  }
});

test('threaded memory growth: tensors made before and after linear memory grows read back right, and products after it split right', () => {
  const r = child(`
    await sl.init({ threads: 2 });
    const before = sl.engineInfo().memoryBytes;
    const small = sl.tensor([1, 2, 3]);
    const big = sl.full([4096, 4096], 0.5); // 64 MiB: grows the shared memory in place
    const a = sl.full([300, 200], 2), b = sl.full([200, 150], 3);
    const y = sl.matmul(a, b).data();
    console.log(JSON.stringify({ grew: sl.engineInfo().memoryBytes > before + (60 << 20), small: Array.from(small.data()), big: [big.data()[0], big.data()[4096 * 4096 - 1]], y: [y[0], y[y.length - 1], y.every((v) => v === 1200)] }));`);
  assert.is(r.status, 0, r.err);
  assert.equal(JSON.parse(r.out), { grew: true, small: [1, 2, 3], big: [0.5, 0.5], y: [1200, 1200, true] });
});

test('where 4 GiB of shared memory cannot be reserved, a smaller maximum is taken (the allocator reports it as its limit) and threads still work; where none can, init names it', () => {
  const capped = (maxPages: number) => `
    const Memory = WebAssembly.Memory;
    WebAssembly.Memory = function (d) { if (d.shared && d.maximum > ${maxPages}) throw new RangeError('no'); return new Memory(d); };
    WebAssembly.Memory.prototype = Memory.prototype;
    const ok = await sl.init({ threads: 2 }).then(() => 'ok', (e) => e.message);
    console.log(ok);
    if (ok === 'ok') {
      const y = sl.matmul(sl.full([200, 150], 2), sl.full([150, 300], 3)).data();
      const big = await Promise.resolve().then(() => sl.zeros([300, 1024, 1024])).then(() => 'allocated', (e) => e.message);
      console.log(y.every((v) => v === 900), big.replace(/cannot allocate .* bytes .*limit/, 'cannot allocate … limit'));
    }`;
  const r = child(capped(16384));
  assert.is(r.status, 0, r.err);
  assert.equal(r.out.split('\n')[0], 'ok');
  assert.match(r.out.split('\n')[1], /^true simlearn: out of wasm memory: cannot allocate … limit 1024\.0 MiB\)/);
  const none = child(capped(1000));
  assert.is(none.status, 0, none.err);
  assert.is(none.out, 'simlearn: init({ threads }): this runtime cannot reserve a shared WebAssembly.Memory of 4096 MiB, 1024 MiB, 256 MiB');
});

test('init: threads is checked, cannot change once running, and threads: 1 is the single-threaded engine', () => {
  const r = child(`
    const msg = (p) => p.then(() => 'resolved', (e) => e.message);
    console.log(await msg(sl.init({ threads: 0 })));
    console.log(await msg(sl.init({ threads: 2.5 })));
    console.log(await msg(sl.init({ threads: 2, module: new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) })));
    console.log(await msg(sl.init({ threads: 2, simd: 'relaxed' })));
    const both = [sl.init({ threads: 2 }), msg(sl.init({ threads: 3 }))];
    console.log(await both[1]);
    await both[0];
    await sl.init(); await sl.init({ threads: 2 });
    console.log(await msg(sl.init({ threads: 1 })));
    console.log(sl.engineInfo().threads);`);
  assert.is(r.status, 0, r.err);
  assert.equal(r.out.split('\n'), [
    'simlearn: init: threads must be an integer from 1 to 64, got 0',
    'simlearn: init: threads must be an integer from 1 to 64, got 2.5',
    'simlearn: init: threads > 1 uses the inlined threads build and cannot take a module',
    relaxed ? 'resolved' : "simlearn: init({ simd: 'relaxed' }): this runtime does not validate relaxed SIMD (f32x4.relaxed_madd)",
    'simlearn: init: already initialised with threads: 2; cannot change to threads: 3 (the engine is process-global)',
    'simlearn: init: already initialised with threads: 2; cannot change to threads: 1 (the engine is process-global)',
    '2',
  ]);
  // threads: 1 is the default engine: its own (non-shared) memory, no workers.
  const instance = fileURLToPath(new URL('../../src/wasm/instance.ts', import.meta.url));
  const one = child(`await sl.init({ threads: 1 });
    const { getEngine } = await import(${JSON.stringify(instance)});
    console.log(sl.engineInfo().threads, getEngine().k.memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'unshared');`);
  assert.is(one.status, 0, one.err);
  assert.is(one.out, '1 unshared');
});

test('the threads build follows the SIMD rules of init: relaxed where the runtime validates it (auto) or when asked, baseline when asked or where it does not', () => {
  const body = (simd: string) => `await sl.init({ threads: 2${simd ? `, simd: '${simd}'` : ''} }).then(() => console.log(sl.engineInfo().build, sl.engineInfo().threads), (e) => console.log(e.message));`;
  const runs: [string, boolean, string][] = [
    ['', true, 'relaxed 2'],
    ['relaxed', true, 'relaxed 2'],
    ['baseline', true, 'baseline 2'],
    ['', false, 'baseline 2'],
    ['baseline', false, 'baseline 2'],
    ['relaxed', false, "simlearn: init({ simd: 'relaxed' }): this runtime does not validate relaxed SIMD (f32x4.relaxed_madd)"],
  ];
  for (const [simd, withRelaxed, want] of runs) {
    const r = child(body(simd), 60000, withRelaxed);
    assert.is(r.status, 0, r.err);
    assert.is(r.out, want, `simd ${simd || 'auto'}, relaxed runtime ${withRelaxed}`);
  }
});

test('a worker thread that dies after start-up makes the next threaded call an error naming it, not a wait forever', () => {
  // The pool's Worker objects are reached by recording each instance its first listener is set on.
  const r = child(`
    const wt = await import('node:worker_threads');
    const workers = [];
    const once = wt.Worker.prototype.once;
    wt.Worker.prototype.once = function (...a) { if (!workers.includes(this)) workers.push(this); return once.apply(this, a); };
    await sl.init({ threads: 2 });
    const a = sl.full([256, 256], 1), b = sl.full([256, 256], 2);
    console.log(sl.matmul(a, b).data()[0]);
    await workers[0].terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    try { sl.matmul(a, b); console.log('no error'); } catch (e) { console.log(e.message); }
    console.log(sl.matmul(sl.ones([2, 2]), sl.ones([2, 2])).data()[0]);`, 30000);
  assert.is(r.status, 0, `status ${r.status} (null: killed after waiting 30 s) ${r.err}`);
  assert.equal(r.out.split('\n'), [
    '512',
    'simlearn: worker thread 1 of 1 exited with code 1 after start-up; threaded kernels cannot run without it. Start a new process (or run with threads: 1).',
    '2', // calls too small to split still run on this thread
  ]);
});

test('without shared memory, init({ threads }) names what is missing, and single-threaded init still works', () => {
  const r = child(`
    delete globalThis.SharedArrayBuffer;
    await sl.init({ threads: 2 }).catch((e) => console.log(e.message));
    await sl.init();
    console.log(sl.engineInfo().threads, Array.from(sl.matmul(sl.tensor([[1, 2]]), sl.tensor([[3], [4]])).data()).join());`);
  assert.is(r.status, 0, r.err);
  assert.equal(r.out.split('\n'), [
    'simlearn: init({ threads: 2 }): shared-memory threads are unavailable here; missing SharedArrayBuffer and Atomics: this runtime does not provide shared memory',
    '1 11',
  ]);
});

test.run();
