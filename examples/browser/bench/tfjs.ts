// bench/lib/tfjs.ts for the browser bench page (scripts/build-pages.mjs swaps it in): the
// same tfjs peers, tfjs-backend-wasm on its SIMD binary with one thread (fetched from the
// page's tfjs/ folder) and tfjs-backend-cpu (the workloads time it at small sizes; the page
// shows only the wasm backend's rows); gradients registered from tfjs-core's own module,
// which bundles for browsers as it is.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { switchBackend, type TfBackend } from '../../../bench/lib/tfjs-ops';

export { tf };
export * from '../../../bench/lib/tfjs-ops';

let configured = false;

export async function useTf(backend: TfBackend): Promise<typeof tf> {
  if (!configured) {
    // One thread, as in Node: the threaded binary would also need its worker script.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('PROD', true);
    setWasmPaths(new URL('tfjs/', self.location.href).href);
    configured = true;
  }
  return switchBackend(backend);
}
