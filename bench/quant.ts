// QUANT: top-k (k = 10, Euclidean) of 256 queries over 100,000 × 128 Gaussian references:
// exact float32 search.topK beside search.topK on the int8 set of search.quantize, without
// and with a float32 rerank of the best 50, timed interleaved in one process (round-robin, one
// sample of each per round), so the ratios hold on a loaded machine even when the absolute
// figures do not. Also: quantize build time, bytes held, recall@10 against exact float32.
// Standalone: `node --import tsx bench/quant.ts [--quick]`.
import * as sl from '../src/index';
import { Rng } from '../src/random';

await sl.init();
const quick = process.argv.includes('--quick');
const N = quick ? 20_000 : 100_000, D = 128, NQ = 256, K = 10, RERANK = 50, ROUNDS = quick ? 2 : 5;

const rng = new Rng(1);
const refs = sl.tensor(Float32Array.from({ length: N * D }, () => rng.normal()), [N, D]);
const queries = sl.tensor(Float32Array.from({ length: NQ * D }, () => rng.normal()), [NQ, D]);

let t0 = performance.now();
const qs = sl.search.quantize(refs, { bits: 8 });
const buildMs = performance.now() - t0;

const runs = {
  float32: () => sl.search.topK(queries, refs, K),
  int8: () => sl.search.topK(queries, qs, K),
  [`int8 + rerank ${RERANK}`]: () => sl.search.topK(queries, qs, K, { rerank: RERANK, refs }),
} as Record<string, () => { indices: Int32Array }>;
const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
const last: Record<string, Int32Array> = {};
for (const [name, f] of Object.entries(runs)) last[name] = f().indices; // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of Object.entries(runs)) {
    t0 = performance.now();
    f();
    times[name].push(performance.now() - t0);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const recall = (got: Int32Array) => {
  let hit = 0;
  for (let q = 0; q < NQ; q++) {
    const want = new Set(last.float32.subarray(q * K, (q + 1) * K));
    for (const i of got.subarray(q * K, (q + 1) * K)) if (want.has(i)) hit++;
  }
  return hit / (NQ * K);
};
const base = median(times.float32);
console.log(`refs ${N.toLocaleString('en')} × ${D}, ${NQ} queries, k ${K}, ${ROUNDS} interleaved rounds (medians; ratios from this run)`);
console.log(`quantize: ${buildMs.toFixed(0)} ms; bytes ${qs.bytes.toLocaleString('en')} vs float32 ${(N * D * 4).toLocaleString('en')} (${((N * D * 4) / qs.bytes).toFixed(2)}× smaller)`);
for (const name of Object.keys(runs)) {
  const ms = median(times[name]);
  console.log(`${name.padEnd(18)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round((NQ * 1000) / ms).toLocaleString('en').padStart(7)} queries/s  ×${(base / ms).toFixed(2)} vs float32  recall@10 ${recall(last[name]).toFixed(3)}`);
}
qs.dispose();
refs.dispose();
queries.dispose();
