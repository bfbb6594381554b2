// LOSSES: forward + backward of the fused metric losses over every pair / triplet of a
// batch of 256 embeddings × 128 (32 classes × 8), one thread, median of timed repeats.
// Run it from two checkouts in one session to compare versions:
//   node --import tsx bench/losses.ts [--repeats 15]
// Prints one JSON line per loss: { id, medianMs, loss }.
import * as sl from '../src/index';

const N = 256, D = 128, CLASSES = 32;
const argv = process.argv.slice(2);
const repeats = Number(argv[argv.indexOf('--repeats') + 1]) || 15;

await sl.init();
const E = new Float32Array(N * D);
let s = 7;
for (let i = 0; i < E.length; i++) {
  s = (s * 1103515245 + 12345) >>> 0;
  E[i] = s / 2 ** 32 - 0.5;
}
const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
const L = sl.losses as any;
const cases: [string, any][] = [
  ['CONTRASTIVE', new L.ContrastiveLoss()],
  ['TRIPLET-ALL', new L.TripletMarginLoss({ margin: 0.2 })],
  ['NTXENT', new L.NTXentLoss()],
  ['MULTISIM', new L.MultiSimilarityLoss()],
];
const emb = sl.tensor(E, [N, D], { requiresGrad: true });
for (const [id, loss] of cases) {
  const step = () => {
    const v = sl.tidy(() => {
      const out = loss.forward(emb, labels);
      out.backward();
      return out.item();
    });
    emb.grad?.dispose();
    emb.grad = null;
    return v;
  };
  const value = step();
  step();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ id, medianMs: +times[times.length >> 1].toFixed(3), loss: +value.toFixed(6) }));
}
emb.dispose();
