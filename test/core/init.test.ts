// init(): idempotent, options checked on every call; the module path, the relaxed build and a
// runtime without SIMD are process-global, so each runs in a child process (node + tsx).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import * as sl from '../../src/index';
import { getEngine } from '../../src/wasm/instance';
import { decodeBase64, readBuildBeside, sampledFingerprint } from '../../src/wasm/bytes';
import { WASM_FILES } from '../../src/wasm/builds.generated';

await sl.init();
const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const wasmPath = fileURLToPath(new URL('../../build/simlearn.wasm', import.meta.url));

/** Runs an ES module body in a fresh node with tsx; `sl` is simlearn. Returns its stdout. */
function child(body: string, nodeFlags: string[] = []): { out: string; err: string; status: number | null } {
  const code = `const sl = await import(${JSON.stringify(index)});\n${body}`;
  const res = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 60000,
  });
  return { out: res.stdout.trim(), err: res.stderr, status: res.status };
}

// A product small enough to check by hand in every child: [[1, 2], [3, 4]] · [[5], [6]] = [[17], [39]].
const PRODUCT = `const y = sl.matmul(sl.tensor([[1, 2], [3, 4]]), sl.tensor([[5], [6]])).data();`;

test('decodeBase64: the native decoder equals the atob fallback byte for byte, at every padding, and on the inlined builds', () => {
  const atobDecode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const g = globalThis as { Buffer?: unknown };
  const decodeWithout = (b64: string) => {
    const saved = g.Buffer;
    g.Buffer = undefined;
    try {
      return decodeBase64(b64);
    } finally {
      g.Buffer = saved;
    }
  };
  let seed = 12345;
  for (let n = 0; n <= 70; n++) {
    const bytes = Uint8Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    const b64 = btoa(String.fromCharCode(...bytes));
    assert.equal(Array.from(decodeBase64(b64)), Array.from(bytes), `native, ${n} bytes`);
    assert.equal(Array.from(decodeWithout(b64)), Array.from(bytes), `atob fallback, ${n} bytes`);
  }
  const wasm = readFileSync(wasmPath);
  const b64 = wasm.toString('base64');
  const native = decodeBase64(b64);
  assert.equal(Buffer.compare(Buffer.from(native.buffer, native.byteOffset, native.byteLength), wasm), 0);
  assert.equal(Buffer.compare(Buffer.from(decodeWithout(b64)), Buffer.from(atobDecode(b64))), 0);
  assert.ok(WebAssembly.validate(native as BufferSource));
});

test('readBuildBeside: the build file beside the bundle is read only when its length and sampled fingerprint are this build\'s', () => {
  for (const [build, want] of Object.entries(WASM_FILES)) {
    const bytes = readFileSync(fileURLToPath(new URL(`../../build/${want.file}`, import.meta.url)));
    assert.is(bytes.length, want.bytes, build);
    // recomputed here over every 61st byte, independently of sampledFingerprint
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i += 61) h = Math.imul(h ^ bytes[i], 0x01000193);
    assert.is(sampledFingerprint(bytes), h >>> 0, build);
    assert.is(want.fingerprint, h >>> 0, build);
  }
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-beside-'));
  const bundle = pathToFileURL(join(dir, 'simlearn.js'));
  const g = globalThis as { Deno?: unknown };
  try {
    // the sources have no build beside them: init() takes the inlined chunk
    assert.is(readBuildBeside('baseline'), null);
    assert.is(readBuildBeside('relaxed', bundle), null, 'no file');
    for (const build of ['baseline', 'relaxed'] as const) copyFileSync(fileURLToPath(new URL(`../../build/${WASM_FILES[build].file}`, import.meta.url)), join(dir, WASM_FILES[build].file));
    for (const build of ['baseline', 'relaxed'] as const) {
      const got = readBuildBeside(build, bundle);
      assert.ok(got && Buffer.compare(Buffer.from(got), readFileSync(join(dir, WASM_FILES[build].file))) === 0, build);
    }
    g.Deno = {};
    assert.is(readBuildBeside('baseline', bundle), null, 'Deno reads no files (they would need --allow-read)');
    delete g.Deno;
    (process.versions as { bun?: string }).bun = '1';
    assert.is(readBuildBeside('baseline', bundle), null, 'Bun loads node:fs slower than it imports the chunk');
    delete (process.versions as { bun?: string }).bun;
    const good = readFileSync(join(dir, 'simlearn.wasm'));
    // another version's build: one sampled byte differs, or the length does
    const changed = Buffer.from(good);
    changed[61 * 100] ^= 1;
    writeFileSync(join(dir, 'simlearn.wasm'), changed);
    assert.is(readBuildBeside('baseline', bundle), null, 'a sampled byte differs');
    writeFileSync(join(dir, 'simlearn.wasm'), good.subarray(0, good.length - 1));
    assert.is(readBuildBeside('baseline', bundle), null, 'one byte short');
    writeFileSync(join(dir, 'simlearn.wasm'), readFileSync(join(dir, 'simlearn-relaxed.wasm')));
    assert.is(readBuildBeside('baseline', bundle), null, 'the relaxed build under the baseline name');
  } finally {
    delete g.Deno;
    delete (process.versions as { bun?: string }).bun;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('init() is idempotent: a second call keeps the same engine and tensors', async () => {
  const engine = getEngine();
  const t = sl.tensor([1, 2, 3]);
  await sl.init();
  await Promise.all([sl.init(), sl.init({ simd: sl.engineInfo().build })]);
  assert.is(getEngine(), engine);
  assert.equal(Array.from(t.data()), [1, 2, 3]);
  t.dispose();
});

test('init rejects a bogus simd option and a module that is not a WebAssembly.Module, even when running', async () => {
  const rejection = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
  assert.match(await rejection(sl.init({ simd: 'bogus' as any })), /^simlearn: init: simd must be 'auto', 'baseline' or 'relaxed', got "bogus"/);
  assert.match(await rejection(sl.init({ module: new Uint8Array(8) as any })), /^simlearn: init: module must be a WebAssembly.Module, got object/);
});

test('engineInfo reports the build and memory figures', () => {
  const info = sl.engineInfo();
  assert.ok(info.build === 'baseline' || info.build === 'relaxed');
  assert.ok(info.memoryBytes >= 1 << 20 && info.liveBytes >= 0 && info.highWaterBytes <= info.memoryBytes);
});

test('init({ module }): a foreign module is refused by name; the compiled build/simlearn.wasm works (child process)', () => {
  const r = child(`
    const { readFileSync } = await import('node:fs');
    const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    await sl.init({ module: empty }).then(() => console.log('accepted'), (e) => console.error(e.message));
    const module = new WebAssembly.Module(readFileSync(${JSON.stringify(wasmPath)}));
    await sl.init({ module });
    ${PRODUCT}
    console.log(JSON.stringify({ build: sl.engineInfo().build, y: Array.from(y) }));`);
  assert.is(r.status, 0, r.err);
  assert.match(r.err, /^simlearn: init: the module is not a simlearn build \(no export memory, heap_base, build_is_relaxed, f32_gemm_workspace_bytes\)/);
  assert.equal(JSON.parse(r.out), { build: 'baseline', y: [17, 39] });
  assert.ok(readFileSync(wasmPath).length > 1000);
});

test('init picks relaxed SIMD exactly where the runtime validates it, and this run is on the build the runner asked for', () => {
  // npm test runs the whole suite twice: plain (baseline) and under --experimental-wasm-relaxed-simd.
  const build = sl.engineInfo().build;
  assert.is(build, sl.hasRelaxedSimd() ? 'relaxed' : 'baseline');
  const want = process.env.SIMLEARN_EXPECT_BUILD;
  if (want !== undefined) assert.is(build, want, `SIMLEARN_EXPECT_BUILD=${want}`);
});

test("without relaxed SIMD, init({ simd: 'relaxed' }) names what is missing and init({ simd: 'baseline' }) then works", () => {
  const r = child(`
    WebAssembly.validate = ((orig) => (bytes) => bytes.length < 50 && orig(bytes))(WebAssembly.validate); // only the SIMD probe passes
    await sl.init({ simd: 'relaxed' }).catch((e) => console.log(e.message));
    await sl.init({ simd: 'baseline' });
    ${PRODUCT}
    console.log(sl.engineInfo().build, Array.from(y).join(','));`);
  assert.is(r.status, 0, r.err);
  const [relaxedError, result] = r.out.split('\n');
  assert.match(relaxedError, /^simlearn: init\(\{ simd: 'relaxed' \}\): this runtime does not validate relaxed SIMD/);
  assert.is(result, 'baseline 17,39');
});

test('a runtime without WebAssembly SIMD gets an error naming it, and tensors then say init is needed', () => {
  const r = child(`
    WebAssembly.validate = () => false;
    await sl.init().catch((e) => console.log(e.message));
    try { sl.zeros([2]); } catch (e) { console.log(e.message); }`);
  assert.is(r.status, 0, r.err);
  const [initError, useError] = r.out.split('\n');
  assert.match(initError, /^simlearn: this runtime supports WebAssembly but not WebAssembly SIMD \(v128/);
  assert.match(useError, /simlearn: not initialised: call `await sl.init\(\)`/);
});

test.run();
