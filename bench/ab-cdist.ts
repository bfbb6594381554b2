// Before/after comparison of sl.cdist in one process: this tree against another checkout of
// simlearn (wasm built there), interleaved call by call, so both sides see the same host.
//   git archive <commit> | tar -x -C /tmp/before && (cd /tmp/before && ln -s $PWD/node_modules && node scripts/build-wasm.mjs)
//   node --import tsx bench/ab-cdist.ts /tmp/before [rounds]
// Times are CPU time of this single-threaded process (time descheduled on a shared host is
// not counted); medians and minima of `rounds` samples, and their ratios after/before.
import { pathToFileURL } from 'node:url';
import * as after from '../src/index';

const [dir, roundsArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: node --import tsx bench/ab-cdist.ts <other simlearn tree> [rounds]');
const before = (await import(pathToFileURL(`${dir}/src/index.ts`).href)) as typeof after;
await before.init({ simd: 'baseline' });
await after.init({ simd: 'baseline' });

const CASES: [number, number, number, string][] = [
  [1, 1, 1, 'euclidean'], [8, 8, 8, 'sqeuclidean'], [512, 512, 3, 'euclidean'], [256, 256, 33, 'sqeuclidean'],
  [1024, 1024, 128, 'euclidean'], [1024, 1024, 128, 'sqeuclidean'], [1024, 1024, 128, 'cosine'], [1024, 1024, 128, 'dot'],
];
const rounds = Number(roundsArg ?? 21);
const med = (a: number[]) => a.slice().sort((p, q) => p - q)[a.length >> 1];

for (const [n, m, d, metric] of CASES) {
  const X = new Float32Array(n * d).map((_, i) => Math.sin(i * 12.9898) * 3);
  const Y = new Float32Array(m * d).map((_, i) => Math.cos(i * 78.233) * 3);
  const libs = [before, after];
  const inputs = libs.map((sl) => [sl.tensor(X, [n, d]), sl.tensor(Y, [m, d])]);
  const reps = n * m * d < 1e3 ? 2000 : n * m * d < 1e7 ? 20 : 1;
  const times: number[][] = [[], []];
  for (let r = 0; r < rounds; r++)
    for (const s of r % 2 ? [1, 0] : [0, 1]) {
      const sl = libs[s];
      const [x, y] = inputs[s];
      const c0 = process.cpuUsage();
      for (let q = 0; q < reps; q++) sl.tidy(() => { sl.cdist(x, y, metric as any); });
      const c = process.cpuUsage(c0);
      times[s].push((c.user + c.system) / reps);
    }
  const [b, a] = times.map(med);
  const [bm, am] = times.map((t) => Math.min(...t));
  console.log(`cdist ${metric} ${n}×${m}×${d}: median ${b.toFixed(1)} → ${a.toFixed(1)} µs (×${(a / b).toFixed(3)}), min ${bm.toFixed(1)} → ${am.toFixed(1)} µs (×${(am / bm).toFixed(3)})`);
}
