// The tfjs peers in this process: @tensorflow/tfjs-backend-wasm 4.22 on its SIMD binary,
// single-threaded (the threaded binary is never picked), and @tensorflow/tfjs-backend-cpu.
// Tensors belong to the backend that was active when they were made, so every case
// switches backend first, then makes its inputs. The op helpers the workloads share live in
// tfjs-ops.ts (no Node imports), which the browser bench page bundles with its own useTf.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export { tf };
export * from './tfjs-ops';
import { switchBackend, type TfBackend } from './tfjs-ops';

let configured = false;
const GRADIENTS_BUNDLE = 'build/tfjs-gradients.cjs';

/**
 * tfjs-core's node build registers no gradients, and its ESM register_all_gradients cannot
 * load under Node (extension-less imports). Bundled once with esbuild into CommonJS, it
 * fills the same global gradient registry (tfjs keeps registries on a global object).
 */
async function registerGradients(require: NodeRequire): Promise<void> {
  if (!existsSync(GRADIENTS_BUNDLE)) {
    const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    await build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', outfile: GRADIENTS_BUNDLE, logLevel: 'error' });
  }
  require(join(process.cwd(), GRADIENTS_BUNDLE));
}

export async function useTf(backend: TfBackend): Promise<typeof tf> {
  if (!configured) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    // Without multithread support the backend loads tfjs-backend-wasm-simd.wasm, one thread.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    // Production mode: no debug checks, and no console banner from the cpu backend.
    tf.env().set('PROD', true);
    setWasmPaths({
      'tfjs-backend-wasm.wasm': join(dir, 'tfjs-backend-wasm.wasm'),
      'tfjs-backend-wasm-simd.wasm': join(dir, 'tfjs-backend-wasm-simd.wasm'),
      'tfjs-backend-wasm-threaded-simd.wasm': join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'),
    });
    await registerGradients(require);
    configured = true;
  }
  return switchBackend(backend);
}
