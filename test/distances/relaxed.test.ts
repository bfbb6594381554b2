// The distance kernels use f32x4.relaxed_madd in the relaxed-SIMD build (fused or not, per
// runtime). Node validates relaxed SIMD only behind a flag, so the reference-checked suites
// run again in a child process that has it, where init() picks the relaxed build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = (args: string[]) => spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', ...args], { cwd: root, encoding: 'utf8', timeout: 180000 });

test('relaxed-SIMD build: the distance, Mahalanobis and top-k suites pass on it', () => {
  const probe = node(['--input-type=module', '-e', "import * as sl from './src/index.ts'; await sl.init(); console.log(sl.engineInfo().build);"]);
  assert.is(probe.stdout.trim(), 'relaxed', probe.stderr);
  const res = node(['node_modules/uvu/bin.js', 'test', '(distances/(functions|mahalanobis)|search/topk)\\.test\\.ts$', '--no-color']);
  const summary = res.stdout.match(/Total:\s+(\d+)[\s\S]*Passed:\s+(\d+)/);
  assert.is(res.status, 0, res.stdout + res.stderr);
  assert.ok(summary && Number(summary[1]) >= 15 && summary[1] === summary[2], res.stdout);
});

test.run();
