// Runs every test/**/*.test.ts under uvu (through tsx) and closes the holes uvu leaves:
// it fails when no test ran, when a file never calls .run(), or when anything was skipped,
// and it ends with a plain `N passed, N failed` line.
import { spawnSync } from 'node:child_process';
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

let total = 0, passed = 0, skipped = 0, status = 0;
if (problems.length === 0) {
  const pattern = only ? only.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '.*\\.test\\.ts$' : '\\.test\\.ts$';
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/trace-kernels.mjs', 'node_modules/uvu/bin.js', root, pattern, '--no-color'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(res.stdout ?? '');
  status = res.status ?? 1;
  const num = (label) => Number((res.stdout.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
  total = num('Total');
  passed = num('Passed');
  skipped = num('Skipped');
  if (total === 0) problems.push('no test ran');
  if (skipped > 0) problems.push(`${skipped} test(s) skipped`);
  if (status !== 0 && passed === total) problems.push(`the test process exited with status ${status}`);
}
for (const p of problems) console.error(`error: ${p}`);
const failed = total - passed - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(problems.length > 0 || failed > 0 || status !== 0 ? 1 : 0);
