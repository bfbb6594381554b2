// Miners beside pytorch-metric-learning: one mine() call at batch 256, d 128, 32 classes of 8,
// for the O(n²) miners of the catalogue whose speed matters in a training loop
// (BatchEasyHardMiner, MultiSimilarityMiner; also HDCMiner and the two random miners), with PML's
// defaults on both sides (AngularMiner is left out: PML materialises every triplet's vectors).
//   simlearn: sl.miners.X().mine(embeddings, labels): the distance matrix in wasm, the mining
//     as typed-array passes over it.
//   PML: the same miner on torch's CPU backend, torch.set_num_threads(1), timed by
//     bench/pml_miners.py in /usr/bin/python3 (PML's source from PML_SRC, default /tmp/pml/src;
//     the column says "not available" when torch or PML cannot be imported).
// Sides are interleaved over rounds (the host's speed drifts); reported: the median of each
// side's per-round medians and PML ms / simlearn ms (> 1: simlearn faster).
// Run: node --import tsx bench/miners-pml.ts [--quick]
import { spawnSync } from 'node:child_process';
import { median, timeIt, type Ctx } from './lib/harness';
import { randomData, sl } from './lib/simlearn';

const N = 256, D = 128, CLASSES = 32;
const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 3;
const ctx: Ctx = { quick, cpu: false, log: (m) => process.stderr.write(`${m}\n`) };

function pml(miner: string): { ms: number; tuples: number[] } | string {
  const res = spawnSync('/usr/bin/python3', ['bench/pml_miners.py', miner, String(N), String(D), String(CLASSES), quick ? '3' : '30'], { encoding: 'utf8' });
  if (res.status !== 0) return `not available (${(res.stderr || res.error?.message || '').trim().split('\n').pop()})`;
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
  return { ms: out.medianMs, tuples: out.tuples };
}

await sl.init();
const emb = sl.tensor(randomData(N * D, 1), [N, D]);
const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
const lines: string[] = ['| miner (n 256, d 128, 32 classes) | simlearn ms | PML ms (1 thread) | PML / simlearn | tuples (simlearn / PML) |', '|---|---|---|---|---|'];
for (const name of ['BatchEasyHardMiner', 'MultiSimilarityMiner', 'HDCMiner', 'DistanceWeightedMiner', 'UniformHistogramMiner']) {
  const miner = new (sl.miners as any)[name]();
  const ours: number[] = [], theirs: number[] = [];
  let note = '', pmlTuples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(timeIt(ctx, name, () => miner.mine(emb, labels), { minSamples: 10, maxTime: 0.5 }).medianMs);
    const p = pml(name);
    if (typeof p === 'string') note = p;
    else (theirs.push(p.ms), (pmlTuples = p.tuples));
  }
  const a = median(ours), b = theirs.length ? median(theirs) : NaN;
  const counts = miner.mine(emb, labels).map((c: Int32Array) => c.length).join('/');
  lines.push(`| ${name} | ${a.toFixed(3)} | ${note || b.toFixed(3)} | ${Number.isNaN(b) ? '—' : (b / a).toFixed(1) + '×'} | ${counts} / ${pmlTuples.join('/')} |`);
}
console.log(lines.join('\n'));
