// W1: GEMM C = A·B, n×n×n, FLOPs 2n³.
//   simlearn: the raw kernel f32_gemm_nn on buffers allocated once outside the timed loop
//     (kernel time only; the op sl.matmul adds one allocation and a tape check per call).
//   tfjs-wasm / tfjs-cpu: tf.matMul inside tf.tidy, then dispose: the op's overhead (kernel
//     dispatch, output allocation) is included, the read-out of C is not (see lib/tfjs.ts).
//   simlearn op: sl.matmul on tensors made once, in tidy — the kernel plus the op's
//     validation, output allocation and tape check, comparable with tf.matMul's row.
//   relaxed: the same kernel from build/simlearn-relaxed.wasm in a child (lib/relaxed.ts).
//   js: i-k-j triple loop over Float32Arrays, small sizes only.
import { compare, makeRow, maxAbsDiff, measure, type Ctx, type Row, type Workload } from './lib/harness';
import { getEngine, randomData, sl, wasmBuffer } from './lib/simlearn';
import type { Tensor } from '../src/index';
import { useTf, tfRun, tfNames, type TfBackend } from './lib/tfjs';
import { relaxedFigures, RELAXED_GEMM_SIZES } from './lib/relaxed';

const SIZES = [64, 128, 256, 512, 1024];
const JS_MAX = 256;
const CPU_MAX = 256;

export function jsGemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const bo = p * n, co = i * n;
      for (let j = 0; j < n; j++) c[co + j] += aip * b[bo + j];
    }
  }
}

export const w1: Workload = {
  id: 'W1',
  title: 'GEMM',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    for (const n of SIZES) {
      const task = `GEMM ${n}³`;
      const flops = 2 * n ** 3;
      const A = randomData(n * n, 1), B = randomData(n * n, 2);
      const e = getEngine();
      const ptrs: number[] = [];
      rows.push(measure(ctx, 'W1', task, 'simlearn', flops, () => {
        ptrs.push(wasmBuffer(A), wasmBuffer(B), wasmBuffer(n * n));
        const [a, b, c] = ptrs;
        return () => e.k.f32_gemm_nn(a, b, c, n, n, n, 0, e.gemmWorkspace);
      }, { note: 'raw kernel f32_gemm_nn, buffers preallocated', cleanup: () => ptrs.forEach((p) => e.alloc.free(p)) }));

      const held: Tensor[] = [];
      rows.push(measure(ctx, 'W1', task, 'simlearn op', flops, () => {
        const a = sl.tensor(A, [n, n]), b = sl.tensor(B, [n, n]);
        held.push(a, b);
        return () => sl.tidy(() => { sl.matmul(a, b); });
      }, { note: 'sl.matmul in tidy (op overhead included)', cleanup: () => held.forEach((t) => t.dispose()) }));

      if (RELAXED_GEMM_SIZES.includes(n)) {
        const rel = relaxedFigures(ctx.quick, RELAXED_GEMM_SIZES);
        const g = rel.gemm?.find((x) => x.n === n);
        const t = g ? { medianMs: g.medianMs, calls: g.calls, samples: 0 } : rel.note || 'not available';
        rows.push(makeRow('W1', task, 'simlearn relaxed', flops, t, 'child process, build/simlearn-relaxed.wasm, raw kernel'));
      }

      const backends: TfBackend[] = n <= CPU_MAX || ctx.cpu ? ['wasm', 'cpu'] : ['wasm'];
      for (const backend of backends) {
        const tf = await useTf(backend);
        const at = tf.tensor2d(A, [n, n]), bt = tf.tensor2d(B, [n, n]);
        rows.push(measure(ctx, 'W1', task, tfNames[backend], flops, () => () => tfRun(() => tf.matMul(at, bt)), {
          note: 'tf.matMul in tidy, no read-out',
          cleanup: () => tf.dispose([at, bt]),
          minSamples: backend === 'cpu' ? 3 : 10,
        }));
      }

      if (n <= JS_MAX) {
        const C = new Float32Array(n * n);
        rows.push(measure(ctx, 'W1', task, 'js', flops, () => () => jsGemm(A, B, C, n, n, n), { note: 'i-k-j loop, Float32Array', minSamples: 5 }));
        const mine = rows.find((r) => r.task === task && r.impl === 'simlearn op');
        if (mine?.status === 'ok') {
          const got = sl.tidy(() => sl.matmul(sl.tensor(A, [n, n]), sl.tensor(B, [n, n])).data());
          mine.note += `; max abs diff vs js ${maxAbsDiff(got, C).toExponential(1)}`;
        }
      }
    }
    return compare(rows);
  },
};
