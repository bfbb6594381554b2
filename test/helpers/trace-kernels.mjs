// Preloaded by scripts/run-tests.mjs: the engine records every kernel the suite reads
// (src/wasm/instance.ts, withKernelTrace), so test/zz-kernel-coverage.test.ts can list the
// wasm exports that no test exercised.
globalThis.__simlearnKernelTrace = new Set();
