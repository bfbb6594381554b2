// The tfjs peers in this process: @tensorflow/tfjs-backend-wasm 4.22 on its SIMD binary,
// single-threaded (the threaded binary is never picked), and @tensorflow/tfjs-backend-cpu.
// Tensors belong to the backend that was active when they were made, so every case
// switches backend first, then makes its inputs.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export { tf };
export type TfBackend = 'wasm' | 'cpu';

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
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  if (backend === 'wasm') {
    if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) throw new Error('tfjs-backend-wasm: SIMD binary not available');
    if (getThreadsCount() !== 1) throw new Error(`tfjs-backend-wasm runs ${getThreadsCount()} threads, want 1`);
  }
  return tf;
}

/**
 * Runs an op chain in tidy and disposes the result. Both tfjs backends used here execute
 * kernels synchronously inside the op call, so the work is done when this returns; the
 * result is not read out (nor is simlearn's): copying a few MB into a fresh typed array
 * costs ~80 ms on this VM, more than most kernels measured, and would hide them.
 */
export function tfRun(fn: () => tf.Tensor | tf.Tensor[]): void {
  const out = tf.tidy(fn);
  for (const t of Array.isArray(out) ? out : [out]) t.dispose();
}

export const tfNames = { wasm: 'tfjs-wasm', cpu: 'tfjs-cpu' } as const;

/**
 * x·yᵀ either through matMul's transposeB flag or through an explicit transpose first;
 * which is faster on tfjs-backend-wasm depends on the shapes, so cases measure both.
 */
export type Transposed = 'flag' | 'explicit';
export function tfMatMulT(x: tf.Tensor2D, y: tf.Tensor2D, how: Transposed): tf.Tensor2D {
  return how === 'flag' ? tf.matMul(x, y, false, true) : tf.matMul(x, tf.transpose(y));
}

/**
 * Pairwise squared Euclidean distances the fast way tfjs offers: ‖x‖² + ‖y‖² − 2·x·yᵀ
 * through one matMul, clamped at 0 against rounding.
 */
export function tfSqDist(x: tf.Tensor2D, y: tf.Tensor2D, how: Transposed = 'explicit'): tf.Tensor2D {
  const xx = tf.sum(tf.square(x), 1, true);
  const yy = tf.reshape(tf.sum(tf.square(y), 1), [1, y.shape[0]]);
  return tf.relu(tf.sub(tf.add(xx, yy), tf.mul(tfMatMulT(x, y, how), 2))) as tf.Tensor2D;
}

/** Rows scaled to unit length (eps 1e-12, as F.normalize). */
export function tfNormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 2, 1, true), 1e-12));
}

/**
 * The filter gradient of a stride-1 'same' conv2d, composed from what tfjs-backend-wasm has
 * (it has no Conv2DBackpropFilter kernel): im2col by kh·kw shifted slices of the padded
 * input concatenated on channels ([n·h·w, kh·kw·c], the order of a [kh, kw, c, oc] filter),
 * then one matMul colᵀ·dy -> [kh·kw·c, oc].
 */
export function tfConvFilterGradIm2col(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const oc = dy.shape[3];
  const ph = (kh - 1) >> 1, pw = (kw - 1) >> 1;
  const xp = tf.pad(x, [[0, 0], [ph, kh - 1 - ph], [pw, kw - 1 - pw], [0, 0]]);
  const slices: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) slices.push(tf.slice(xp, [0, i, j, 0], [n, h, w, c]));
  const col = tf.reshape(tf.concat(slices, 3), [n * h * w, kh * kw * c]);
  const g = tf.matMul(col, tf.reshape(dy, [n * h * w, oc]), true, false);
  return tf.reshape(g, [kh, kw, c, oc]);
}
