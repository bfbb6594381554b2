// Entry for workerd / Cloudflare Workers (package.json `exports` condition `workerd`).
// workerd refuses to compile wasm from bytes at run time, so both builds come in as
// `.wasm` module imports, compiled when the worker is loaded, and init() hands the one it
// picks to the engine: `await sl.init()` works unchanged. The bundle carries no inlined
// base64 (scripts/build-dist.mjs swaps kernels.generated.ts for a stub here).
import baselineModule from './simlearn.wasm';
import relaxedModule from './simlearn-relaxed.wasm';
import { hasRelaxedSimd, init as initEngine, type InitOptions } from '../wasm/instance';

export * from '../index';

/**
 * As the default entry's init(); without `module` it takes the imported build that `simd`
 * selects ('auto': relaxed where the runtime validates it). The engine checks the options.
 */
export function init(options: InitOptions = {}): Promise<void> {
  if (options.module) return initEngine(options);
  const { simd = 'auto' } = options;
  const relaxed = simd === 'relaxed' || (simd === 'auto' && hasRelaxedSimd());
  return initEngine({ ...options, module: relaxed ? relaxedModule : baselineModule });
}
