// QUANT: top-k (k = 10, Euclidean) with search.quantize's int8 sets (per-dimension scales, the
// default, and per-row scales) beside exact float32 search.topK, timed interleaved in one
// process (round-robin, one sample of each per round), so the ratios hold on a loaded machine
// even when the absolute figures do not. Per data set: quantize build time, bytes held,
// queries/s and recall@10 against exact float32, without and with a float32 rerank of the
// best 50.
//   gaussian  256 queries over 100,000 × 128 Gaussian references (default)
//   mnist     the main job's embeddings (out/model.safetensors from `npm run train`): the
//             2,000 held-out digits as queries over the 8,000 training digits, 64-d
//   million   64 queries over 1,000,000 × 128 Gaussian references in the 4 GiB wasm memory:
//             build time, queries/s (exact float32 too), wasm memory held
// Standalone: `node --import tsx bench/quant.ts [--quick] [gaussian] [mnist] [million]`
// (no set named: gaussian). Relaxed build: add --experimental-wasm-relaxed-simd before --import.
import { existsSync, readFileSync } from 'node:fs';
import * as sl from '../src/index';
import { loadMnist } from '../src/data/mnist';
import { tripletCnn, JOB } from '../examples/lib/mnist-job';
import { embedAll } from '../examples/lib/embed';

await sl.init();
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const sets = argv.filter((a) => !a.startsWith('--'));
const K = 10, RERANK = 50;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function recall(exact: Int32Array, got: Int32Array, nq: number): number {
  let hit = 0;
  for (let q = 0; q < nq; q++) {
    const want = new Set(exact.subarray(q * K, (q + 1) * K));
    for (const i of got.subarray(q * K, (q + 1) * K)) if (want.has(i)) hit++;
  }
  return hit / (nq * K);
}

function compare(label: string, refs: sl.Tensor, queries: sl.Tensor, rounds: number): void {
  const [n, d] = refs.shape, nq = queries.shape[0];
  const quantised = (['dimension', 'row'] as const).map((scales) => {
    const t0 = performance.now();
    const qs = sl.search.quantize(refs, { bits: 8, scales });
    return { scales, qs, buildMs: performance.now() - t0 };
  });
  const [qs, qsRow] = [quantised[0].qs, quantised[1].qs];
  const runs: Record<string, () => { indices: Int32Array }> = {
    float32: () => sl.search.topK(queries, refs, K),
    int8: () => sl.search.topK(queries, qs, K),
    [`int8 + rerank ${RERANK}`]: () => sl.search.topK(queries, qs, K, { rerank: RERANK, refs }),
    'int8 row scales': () => sl.search.topK(queries, qsRow, K),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const last: Record<string, Int32Array> = {};
  for (const [name, f] of Object.entries(runs)) last[name] = f().indices; // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [name, f] of Object.entries(runs)) {
      const t = performance.now();
      f();
      times[name].push(performance.now() - t);
    }
  }
  const base = median(times.float32);
  const info = sl.engineInfo();
  console.log(`\n${label}: refs ${n.toLocaleString('en')} × ${d}, ${nq} queries, k ${K}, ${rounds} interleaved round${rounds > 1 ? 's' : ''} (medians; ratios from this run; ${info.build} build)`);
  for (const s of quantised) {
    console.log(`quantize (${s.scales} scales): ${s.buildMs.toFixed(0)} ms; bytes ${s.qs.bytes.toLocaleString('en')} vs float32 ${(n * d * 4).toLocaleString('en')} (${((n * d * 4) / s.qs.bytes).toFixed(2)}× smaller)`);
  }
  console.log(`wasm memory ${mb(info.memoryBytes)}, live ${mb(info.liveBytes)}`);
  for (const name of Object.keys(runs)) {
    const ms = median(times[name]);
    console.log(`${name.padEnd(19)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round((nq * 1000) / ms).toLocaleString('en').padStart(7)} queries/s  ×${(base / ms).toFixed(2)} vs float32  recall@10 ${recall(last.float32, last[name], nq).toFixed(3)}`);
  }
  for (const s of quantised) s.qs.dispose();
}

if (sets.length === 0 || sets.includes('gaussian')) {
  const N = quick ? 20_000 : 100_000, D = 128;
  const refs = sl.randn([N, D], { seed: 1 }), queries = sl.randn([256, D], { seed: 2 });
  compare('Gaussian', refs, queries, quick ? 2 : 5);
  refs.dispose();
  queries.dispose();
}

if (sets.includes('mnist')) {
  const path = 'out/model.safetensors';
  if (!existsSync(path)) {
    console.log(`\nMNIST embeddings: ${path} is missing; run \`npm run train\` first`);
  } else {
    const model = tripletCnn(JOB.embeddingSize);
    model.loadStateDict(sl.io.loadSafetensors(readFileSync(path)));
    model.eval();
    const { train, test } = loadMnist();
    const refs = embedAll(model, train), queries = embedAll(model, test);
    compare(`MNIST embeddings (${path}, test digits → train digits)`, refs, queries, quick ? 2 : 5);
    refs.dispose();
    queries.dispose();
  }
}

if (sets.includes('million')) {
  const N = quick ? 200_000 : 1_000_000, D = 128;
  const t0 = performance.now();
  const refs = sl.randn([N, D], { seed: 3 }), queries = sl.randn([64, D], { seed: 4 });
  console.log(`\n1M set: ${N.toLocaleString('en')} × ${D} float32 made in ${(performance.now() - t0).toFixed(0)} ms (${mb(N * D * 4)})`);
  compare('1M × 128 Gaussian', refs, queries, quick ? 1 : 3);
  console.log(`wasm memory high-water ${mb(sl.engineInfo().highWaterBytes)} (float32 refs, int8 set and search buffers together)`);
  refs.dispose();
  queries.dispose();
}
