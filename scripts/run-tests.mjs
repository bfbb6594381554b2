// Runs every test/**/*.test.ts under uvu (through tsx), on both SIMD builds, and closes the holes uvu leaves:
// it fails when no test ran, when a file never calls .run(), or when anything was skipped,
// and it ends with a plain `N passed, N failed` line.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'test';
const only = process.argv[2]; // optional file-name pattern, e.g. `npm test -- distance`
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.ts') && (!only || p.includes(only))) files.push(p);
  }
})(root);

const problems = [];
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  if (!/\.run\(\)/.test(src)) problems.push(`${f} never calls .run(): its tests would be skipped silently`);
  if (/\.(skip|only)\(/.test(src)) problems.push(`${f} has a skipped or focused test`);
}
if (files.length === 0) problems.push('no test files found');

// The suite runs twice, at the same time: on the baseline SIMD build, and under
// --experimental-wasm-relaxed-simd, where every test's `sl.init()` picks the relaxed build (as
// it does in Deno, Bun, browsers and Workers). test/core/init.test.ts checks that each pass
// runs the build it names in SIMLEARN_EXPECT_BUILD. The threads tests run in both: their
// children take the threads build of the same SIMD (baseline, then relaxed).
const passes = [
  { build: 'baseline', flags: [], ignore: [] },
  { build: 'relaxed', flags: ['--experimental-wasm-relaxed-simd'], ignore: [] },
];

function run({ build, flags, ignore }) {
  const pattern = only ? only.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '.*\\.test\\.ts$' : '\\.test\\.ts$';
  const args = [...flags, '--import', 'tsx', '--import', './test/helpers/trace-kernels.mjs', 'node_modules/uvu/bin.js', root, pattern, ...ignore, '--no-color'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIMLEARN_EXPECT_BUILD: build } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ build, stdout, stderr, status: code ?? 1 }));
  });
}

let total = 0, passed = 0, skipped = 0, status = 0;
if (problems.length === 0) {
  const started = performance.now();
  // a pass whose every matching file it ignores (`npm test -- threads`) is not run at all
  const wanted = passes.filter((p) => !p.ignore.length || files.some((f) => !f.includes(p.ignore[1])));
  for (const res of await Promise.all(wanted.map(run))) {
    console.log(`\n── ${res.build} SIMD build ──`);
    process.stdout.write(res.stdout);
    process.stderr.write(res.stderr);
    const num = (label) => Number((res.stdout.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
    const t = num('Total'), p = num('Passed'), s = num('Skipped');
    if (t === 0) problems.push(`no test ran on the ${res.build} build`);
    if (s > 0) problems.push(`${s} test(s) skipped on the ${res.build} build`);
    if (res.status !== 0 && p === t) problems.push(`the ${res.build} test process exited with status ${res.status}`);
    total += t;
    passed += p;
    skipped += s;
    status ||= res.status;
  }
  console.log(`both builds in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
for (const p of problems) console.error(`error: ${p}`);
const failed = total - passed - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(problems.length > 0 || failed > 0 || status !== 0 ? 1 : 0);
