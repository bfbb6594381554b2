// Runs last (uvu loads files in path order): every function the wasm module exports must have
// been exercised by some test of the suite. The engine records each kernel it hands out when
// the runner preloads test/helpers/trace-kernels.mjs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../src/index';
import { getEngine } from '../src/wasm/instance';

await sl.init();

// Called by init itself before the engine exists, or only inside init({ threads }) workers,
// which run their share on their own instance (test/threads checks those results bitwise
// against one thread).
const OUTSIDE_THE_TRACE = new Set([
  'heap_base', 'build_is_relaxed', 'f32_gemm_workspace_bytes',
  'f32_gemm_part', 'f32_conv2d_bwd_filter_rows', 'f32_conv2d_bwd_filter_channels',
]);

test('every wasm export is exercised by the suite', () => {
  const trace = (globalThis as { __simlearnKernelTrace?: Set<string> }).__simlearnKernelTrace;
  assert.ok(trace instanceof Set, 'the runner preloads test/helpers/trace-kernels.mjs');
  const seen = new Set(trace); // reading the exports below goes through the trace too
  const exported = Object.keys(getEngine().k).filter((name) => typeof (getEngine().k as any)[name] === 'function');
  assert.ok(exported.length > 50, `the module exports its kernels (${exported.length} found)`);
  const untested = exported.filter((name) => !seen.has(name) && !OUTSIDE_THE_TRACE.has(name)).sort();
  assert.equal(untested, [], `wasm exports no test exercised: ${untested.join(', ')}`);
});

test.run();
