// The tfjs op helpers the workloads share: no Node imports, so the browser bench page
// (examples/browser/) bundles them beside its own backend setup.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

export type TfBackend = 'wasm' | 'cpu';

/** Makes `backend` current, once configured; the wasm backend must run its SIMD binary on one thread. */
export async function switchBackend(backend: TfBackend): Promise<typeof tf> {
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

/**
 * A fixed reference set prepared once the way a tfjs user keeps a search index: the references
 * transposed to [d, n] (tfjs-backend-wasm's matMul with transposeB, or a transpose per call, is
 * several times slower than a plain product at 100k rows) and their squared norms as [1, n].
 */
export interface TfIndex { rt: tf.Tensor2D; rn: tf.Tensor2D }
export function tfIndex(refs: tf.Tensor2D): TfIndex {
  return tf.tidy(() => ({ rt: tf.transpose(refs) as tf.Tensor2D, rn: tf.reshape(tf.sum(tf.square(refs), 1), [1, refs.shape[0]]) as tf.Tensor2D }));
}

/** Squared Euclidean distances of queries [m, d] to an index: ‖q‖² + ‖r‖² − 2·q·rᵀ, clamped at 0. */
export function tfSqDistToIndex(q: tf.Tensor2D, index: TfIndex): tf.Tensor2D {
  const qq = tf.sum(tf.square(q), 1, true);
  return tf.relu(tf.sub(tf.add(qq, index.rn), tf.mul(tf.matMul(q, index.rt), 2))) as tf.Tensor2D;
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
