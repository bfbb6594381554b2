// KMEANS: k-means on 10,000 × 64 points in 10 well-mixed clusters (AccuracyCalculator's AMI /
// NMI step for a 10-class evaluation set). Standalone: `node --import tsx bench/kmeans.ts [--quick]`.
//   simlearn: src/metrics/kmeans.ts (wasm: GEMM assignment, f64 update, k-means++ seeding),
//     one run (nInit 1) and the default 10 restarts; ms per Lloyd iteration.
//   js: the same Lloyd iteration (assignment by direct differences in float64 + update) in plain
//     TypeScript, timed per iteration in the same process, interleaved with the wasm one.
import { kmeans } from '../src/metrics/kmeans';
import { Rng } from '../src/random';
import * as sl from '../src/index';
import { f32, getEngine } from '../src/wasm/instance';

await sl.init();
const quick = process.argv.includes('--quick');
const N = 10_000, D = 64, K = 10, SAMPLES = quick ? 2 : 7;

const rng = new Rng(1);
const centres = Float32Array.from({ length: K * D }, () => rng.normal() * 2);
const x = Float32Array.from({ length: N * D }, (_, t) => centres[(Math.floor(t / D) % K) * D + (t % D)] + rng.normal() * 1.5);

function jsIteration(c: Float64Array, labels: Int32Array): void {
  for (let i = 0; i < N; i++) {
    let best = Infinity, arg = 0;
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let p = 0; p < D; p++) { const v = x[i * D + p] - c[j * D + p]; s += v * v; }
      if (s < best) { best = s; arg = j; }
    }
    labels[i] = arg;
  }
  const sums = new Float64Array(K * D), counts = new Float64Array(K);
  for (let i = 0; i < N; i++) {
    counts[labels[i]]++;
    for (let p = 0; p < D; p++) sums[labels[i] * D + p] += x[i * D + p];
  }
  for (let j = 0; j < K; j++) if (counts[j]) for (let p = 0; p < D; p++) c[j * D + p] = sums[j * D + p] / counts[j];
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

/** One Lloyd iteration with the wasm kernels (assignment GEMM + f64 update) on buffers prepared once. */
function wasmIterations(reps: number): number {
  const e = getEngine();
  const b = [N * D * 4, N * 4, K * D * 4, K * 4, N * K * 4, N * 4, N * 4, K * D * 8, K * 4].map((bytes) => e.alloc.alloc(bytes));
  const [px, pxn, pc, pcn, pdots, plab, pdmin, psums, pcounts] = b;
  try {
    f32().set(x, px >>> 2);
    f32().set(centres, pc >>> 2);
    e.k.f32_kmeans_sqnorms(px, pxn, N, D);
    const t = performance.now();
    for (let r = 0; r < reps; r++) {
      e.k.f32_kmeans_assign(px, pxn, pc, pcn, pdots, plab, pdmin, N, K, D, e.gemmWorkspace);
      e.k.f32_kmeans_update(px, plab, pc, psums, pcounts, N, K, D);
    }
    return (performance.now() - t) / reps;
  } finally {
    for (const p of b) e.alloc.free(p);
  }
}

const one: number[] = [], ten: number[] = [], perIterWasm: number[] = [], perIterJs: number[] = [], iters: number[] = [];
kmeans(x, N, D, K, { nInit: 1 }); // warm-up (compiles, grows memory)
for (let s = 0; s < SAMPLES; s++) {
  let t = performance.now();
  const r = kmeans(x, N, D, K, { nInit: 1, seed: s });
  one.push(performance.now() - t);
  iters.push(r.iterations);
  t = performance.now();
  kmeans(x, N, D, K, { seed: s });
  ten.push(performance.now() - t);
  perIterWasm.push(wasmIterations(5));
  const c = Float64Array.from(centres), labels = new Int32Array(N);
  t = performance.now();
  jsIteration(c, labels);
  jsIteration(c, labels);
  perIterJs.push((performance.now() - t) / 2);
}
const w = median(perIterWasm), j = median(perIterJs);
console.log(`k-means ${N.toLocaleString('en')} × ${D}, ${K} clusters (${SAMPLES} samples, medians)`);
console.log(`  simlearn nInit 1:       ${median(one).toFixed(1)} ms (k-means++ seeding + ${median(iters)} Lloyd iterations, median)`);
console.log(`  simlearn nInit 10:      ${median(ten).toFixed(1)} ms (the AccuracyCalculator default)`);
console.log(`  one Lloyd iteration:    simlearn ${w.toFixed(2)} ms, plain JS ${j.toFixed(2)} ms → simlearn ×${(j / w).toFixed(1)}`);
