// npm run test:runtimes — builds dist/, packs and installs the package into a fresh app
// directory, then runs test/runtimes/smoke.js from that install in every runtime we ship
// for, compares each one's numbers with Node's, and prints a table and `N passed, N failed`.
// Everything it needs comes from devDependencies, except Chromium, which it installs with
// apt-get when /usr/bin/chromium is missing (CI runs as root on a fresh machine).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { relative, resolve } from 'node:path';
import { packAndInstall, sh } from './package.mjs';
import * as rt from './runtimes.mjs';
import { compareNumbers } from './compare.mjs';
import { bundleLikeWrangler } from './bundle-worker.mjs';
import { TEST_WORKLOADS, benchPage, trainingPage, withPages } from './pages.mjs';

const WORK = resolve('.runtimes');
const RTOL = 1e-4; // relaxed fused multiply-add vs separate rounding, after a few SGD steps
const REPEAT = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 1;
const started = performance.now();
const checks = [];
const rows = [];
const check = (name, ok, detail = '') => {
  checks.push({ name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
};
const attempt = async (name, fn) => {
  try {
    return await fn();
  } catch (err) {
    check(name, false, String(err?.stack ?? err).split('\n').slice(0, 12).map((l) => (l.length > 300 ? l.slice(0, 300) + ' …' : l)).join('\n'));
    return undefined;
  }
};

if (!process.argv.includes('--no-build')) sh(process.execPath, ['scripts/build-dist.mjs'], { stdio: 'inherit' });
const files = ['smoke.js', 'cli.js', 'worker.js', 'page.html', 'no-simd.mjs', 'consumer.ts'].map((f) => `test/runtimes/${f}`);
const pkg = packAndInstall(WORK, files);
const { app } = pkg;
check('npm pack: tarball installs with zero dependencies', true, `${relative(process.cwd(), pkg.tarball)}, ${(pkg.packedSize / 1024).toFixed(1)} KB packed`);

// The package's `exports` as each condition set resolves it from the app directory.
const resolveWith = (conditions) =>
  sh(process.execPath, [...conditions.map((c) => `--conditions=${c}`), '--input-type=module', '-e', "console.log(import.meta.resolve('simlearn'))"], { cwd: app }).trim();
const distFile = (url) => relative(app, new URL(url).pathname);
const expectEntry = (label, conditions, want) => {
  const got = distFile(resolveWith(conditions));
  check(`exports: ${label} resolves to ${want}`, got === `node_modules/simlearn/${want}`, got);
  return got;
};
expectEntry('default (Node)', [], 'dist/simlearn.js');
const workerdEntry = expectEntry('workerd', ['workerd', 'worker', 'browser'], 'dist/simlearn.workerd.js');
const browserEntry = expectEntry('browser', ['browser'], 'dist/simlearn.js');
const manifest = JSON.parse(readFileSync(resolve(app, 'node_modules/simlearn/package.json'), 'utf8'));
const typesFile = resolve(app, 'node_modules/simlearn', manifest.exports['.'].types);
check('exports: types point at an installed .d.ts', existsSync(typesFile), relative(app, typesFile));
await attempt('types: a TypeScript consumer type-checks against the installed .d.ts', () => {
  const tsc = resolve('node_modules/typescript/bin/tsc');
  const compilerOptions = { noEmit: true, strict: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'], types: [] };
  writeFileSync(resolve(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
  sh(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app });
  check('types: a TypeScript consumer type-checks against the installed .d.ts', true);
});
const sizes = JSON.parse(readFileSync('build/dist-sizes.json', 'utf8'));
const bundleGz = sizes['simlearn.js + one wasm build (what init() loads)'].gz;
check(`size: dist/simlearn.js with the one wasm build init() loads under ${sizes.budgetKB} KB gzipped`, bundleGz < sizes.budgetKB * 1024, `${(bundleGz / 1024).toFixed(1)} KB`);
check('package.json has no dependencies', !manifest.dependencies && !manifest.peerDependencies && !manifest.optionalDependencies, '');

// The runtimes. expected: the build init() must pick there.
const runtimes = [
  { name: 'node', build: 'baseline', run: () => rt.node(app) },
  { name: 'node --experimental-wasm-relaxed-simd', build: 'relaxed', run: () => rt.node(app, ['--experimental-wasm-relaxed-simd']) },
  { name: 'deno', build: 'relaxed', run: () => rt.deno(app) },
  { name: "deno, init({ simd: 'baseline' })", build: 'baseline', run: () => rt.deno(app, { SIMLEARN_SMOKE_SIMD: 'baseline' }) },
  { name: 'bun', build: 'relaxed', run: () => rt.bun(app) },
  { name: 'workerd', build: 'relaxed', run: () => rt.workerd(app, workerdEntry, 'auto') },
  { name: "workerd, init({ simd: 'baseline' })", build: 'baseline', run: () => rt.workerd(app, workerdEntry, 'baseline') },
  { name: 'chromium', build: 'relaxed', run: async () => (ensureChromium(), rt.chromium(app, browserEntry)) },
];

// Node runs first: its numbers are the reference the others are compared with.
let reference = null;
for (const r of runtimes) {
  const result = await attempt(`${r.name}: smoke program`, async () => {
    const first = await r.run();
    // --repeat N: N cold runs (fresh process, isolate or browser each); the median cold start.
    const times = [first.coldStartMs];
    for (let i = 1; i < REPEAT; i++) times.push((await r.run()).coldStartMs);
    first.coldStartMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    return first;
  });
  const row = { name: r.name, ok: false, build: result?.build ?? '-', result, diff: null };
  rows.push(row);
  if (!result) continue;
  if (r === runtimes[0]) reference = result;
  if (!reference) {
    check(`${r.name}: smoke program`, false, 'node failed, so there are no reference numbers to compare with');
    continue;
  }
  const buildOk = result.build === r.build;
  // Each CLI runtime resolves 'simlearn' itself (import.meta.resolve) through the exports map.
  const resolvedOk = result.resolved === undefined || result.resolved.endsWith('/node_modules/simlearn/dist/simlearn.js');
  const cmp = compareNumbers(result.numbers, reference.numbers, RTOL);
  row.diff = cmp.maxRel;
  row.ok = buildOk && resolvedOk && cmp.ok;
  const problems = [
    !buildOk && `ran the ${result.build} build, expected ${r.build}`,
    !resolvedOk && `'simlearn' resolved to ${result.resolved}`,
    !cmp.ok && cmp.problems.join('; '),
  ].filter(Boolean);
  check(`${r.name}: smoke program`, row.ok, problems.join('; ') || `max rel diff vs node ${cmp.maxRel.toExponential(1)}`);
}

// The edge example on workerd, from its own config (over dist/) and bundled as wrangler
// bundles it (over the installed package): its answers must match the same code
// (examples/worker/model.mjs) run by Node on the baseline build.
// The image route's weights (14 MB, not committed) are written on first use.
if (!existsSync('examples/worker/image-model.safetensors')) {
  const made = spawnSync(process.execPath, ['examples/worker/make-image-fixture.mjs'], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('examples/worker/make-image-fixture.mjs failed');
}
const exampleConfigs = [
  ['examples/worker on workerd', async () => 'examples/worker/config.capnp'],
  ['examples/worker bundled as wrangler does, on workerd', async () => {
    const { config, modules } = await bundleLikeWrangler('examples/worker/worker.js', app, resolve(WORK, 'wrangler-like'));
    const want = 'image-model.safetensors,image-refs.safetensors,model.safetensors,refs.safetensors,simlearn-relaxed.wasm,simlearn.wasm';
    if (modules.sort().join() !== want) throw new Error(`the bundle attached ${modules.sort().join(', ')}, expected ${want}`);
    return config;
  }],
];
for (const [name, makeConfig] of exampleConfigs) {
  await attempt(`${name}: POST /similar`, async () => {
    const sl = await import('../../dist/simlearn.js');
    const { loadIndex, similar } = await import('../../examples/worker/model.mjs');
    const read = (f) => readFileSync(`examples/worker/${f}`);
    await sl.init({ simd: 'baseline' });
    const index = loadIndex(sl, read('model.safetensors'), read('refs.safetensors'));
    const queries = JSON.parse(read('queries.json')).map((q) => q.query);
    const K = 5;
    const { answers, errors } = await rt.exampleWorker(await makeConfig(), queries, K);
    const problems = [];
    let maxRel = 0;
    answers.forEach((got, i) => {
      const want = similar(sl, index, queries[i], K);
      if (got.indices?.join() !== want.indices.join()) problems.push(`query ${i}: indices ${got.indices} but node has ${want.indices}`);
      const cmp = compareNumbers({ distances: got.distances }, { distances: want.distances }, RTOL);
      maxRel = Math.max(maxRel, cmp.maxRel);
      if (!cmp.ok) problems.push(`query ${i}: ${cmp.problems.join('; ')}`);
    });
    check(`${name}: POST /similar`, problems.length === 0, problems.join('; ') || `${answers.length} queries, top-${K} as node, max rel diff ${maxRel.toExponential(1)}`);
    for (const e of errors) check(`${name}: ${e.what} answers ${e.want}`, e.status === e.want && /"error"/.test(e.body), `${e.status} ${e.body}`);
  });
}

// Node takes the chosen build from the .wasm file beside the bundle, never importing its
// base64 chunk: a copy of the installed dist/ without the two single-threaded chunks must
// still init, on the build node picks.
await attempt('node: init() reads the .wasm beside the bundle, not the inlined chunk', async () => {
  const dir = resolve(WORK, 'dist-without-chunks');
  rmSync(dir, { recursive: true, force: true });
  cpSync(resolve(app, 'node_modules/simlearn/dist'), dir, { recursive: true, filter: (f) => !/simlearn-(relaxed-)?kernels\.generated-.*\.js$/.test(f) });
  const code = `import(${JSON.stringify(pathToFileURL(resolve(dir, 'simlearn.js')).href)}).then(async (sl) => { await sl.init(); console.log(sl.engineInfo().build); })`;
  const script = resolve(dir, 'init-only.mjs');
  writeFileSync(script, code);
  const got = [];
  for (const [name, cmd, args, want] of [
    ['node', process.execPath, [], 'baseline'],
    ['node --experimental-wasm-relaxed-simd', process.execPath, ['--experimental-wasm-relaxed-simd'], 'relaxed'],
  ]) {
    const build = (await rt.run(cmd, [...args, script])).stdout.trim();
    got.push(`${name}: ${build}`);
    if (build !== want) throw new Error(`${name} ran the ${build} build, expected ${want}`);
  }
  check('node: init() reads the .wasm beside the bundle, not the inlined chunk', true, got.join(', '));
});

// Runtimes that cannot run simlearn: importing must work and init() must give the
// engine's clear message, not a compile error from deep inside. No SIMD: a preload makes
// WebAssembly.validate refuse everything. No WebAssembly at all: node --jitless.
async function expectInitError(name, flags, pattern) {
  await attempt(name, async () => {
    const res = await rt.node(app, flags).then(
      () => ({ ok: false, why: 'init() succeeded' }),
      (err) => {
        const line = (err.stderr ?? '').split('\n').find((l) => /^Error: simlearn: /.test(l));
        return { ok: Boolean(line && pattern.test(line)), why: line ?? String(err).slice(0, 2000) };
      },
    );
    check(name, res.ok, res.why.trim());
  });
}
await expectInitError('no wasm SIMD: init() gives the clear error', ['--import', './no-simd.mjs'], /not WebAssembly SIMD/);
await expectInitError('no WebAssembly (node --jitless): init() gives the clear error', ['--jitless'], /has no WebAssembly/);

// The browser pages of examples/browser/ (npm run demo), served cross-origin isolated: the
// training page must train (loss down, held-out P@1 above raw pixels) and answer a click with
// 8 neighbours; a quick bench page run must give every row a number. Screenshots go to
// .runtimes/screenshots/ (docs/ holds the README's, from `node test/runtimes/pages.mjs --docs`).
{
  const shots = resolve(WORK, 'screenshots');
  await attempt('training page and bench page', async () => {
    ensureChromium();
    mkdirSync(shots, { recursive: true });
    await withPages(async (browser, base) => {
      await attempt('training page', async () => {
        const t = await trainingPage(browser, base, { screenshot: resolve(shots, 'train-page.png') });
        const last = t.epochs.at(-1);
        check('training page', t.problems.length === 0, t.problems.join('; ') ||
          `${t.steps} steps, ${t.build}, ${t.stepsPerSecond.toFixed(1)} steps/s; loss ${t.loss.map((f) => `${f.name} ${f.first.toFixed(3)} → ${f.last.toFixed(3)}`).join(', ')}; ` +
          `held-out P@1 ${last.p1.toFixed(3)} after epoch ${last.epoch} vs raw pixels ${t.raw.p1.toFixed(3)}; ${t.neighbours.count} neighbours of a ${t.neighbours.query.replace('query: ', '')}; ${t.seconds.toFixed(1)} s`);
      });
      await attempt('bench page', async () => {
        const b = await benchPage(browser, base, { only: TEST_WORKLOADS, screenshot: resolve(shots, 'bench-page.png') });
        const ratios = b.ratios.map((r) => r.ratio).sort((x, y) => x - y);
        check('bench page', b.problems.length === 0, b.problems.join('; ') ||
          `quick, ${TEST_WORKLOADS.join(', ')}: ${b.rows} rows, all with a number; tfjs-wasm/simlearn ratios ${ratios[0].toFixed(2)}–${ratios.at(-1).toFixed(2)}; ${b.seconds.toFixed(1)} s`);
      });
    });
  });
}

function ensureChromium() {
  if (existsSync(rt.CHROMIUM)) return;
  console.log(`${rt.CHROMIUM} is missing: installing Debian's chromium with apt-get`);
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', 'chromium']]) {
    const full = [...asRoot, ...args];
    const res = spawnSync(full[0], full.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (res.status !== 0) throw new Error(`${full.join(' ')} failed (${res.status ?? res.error}); install chromium to run this suite`);
  }
}

// The table (docs/runtimes.md takes the same columns).
const mb = (n) => (n == null ? '-' : `${(n / 1048576).toFixed(1)} MB`);
const hostMemory = ({ rssBytes, jsHeapBytes } = {}) => (rssBytes != null ? `${mb(rssBytes)} RSS` : jsHeapBytes != null ? `${mb(jsHeapBytes)} JS heap` : '-');
const table = [
  ['runtime', 'version', 'ok', 'build', 'cold start (import → init)', 'wasm memory after init', 'host memory after init', 'max rel diff vs node'],
  ...rows.map((r) => [r.name, r.result?.version ?? '-', r.ok ? 'ok' : 'FAIL', r.build, r.result ? `${r.result.coldStartMs.toFixed(1)} ms` : '-', mb(r.result?.wasmMemoryBytes), hostMemory(r.result?.hostMemory ?? undefined), r.diff == null ? '-' : r.diff.toExponential(1)]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row) => '| ' + row.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(['', line(table[0]), line(widths.map((w) => '-'.repeat(w))), ...table.slice(1).map(line)].join('\n'));
const passed = checks.filter((c) => c.ok).length;
const failed = checks.length - passed;
console.log(`\nruntime suite took ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
