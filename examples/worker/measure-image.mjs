// Measures POST /similar-image on workerd: examples/worker/config.capnp served on a free port,
// one cold request (the isolate loads and folds the 3.5 M-parameter model), then REPEATS warm
// requests of one 3×224×224 image; prints the median and the spread, and the same forward
// timed in Node for comparison. Run from the repository root after `npm run build` and
// `node examples/worker/make-image-fixture.mjs`:
//   node examples/worker/measure-image.mjs
import { readFileSync } from 'node:fs';
import * as sl from '../../dist/simlearn.js';
import { withWorkerd } from '../../test/runtimes/runtimes.mjs';
import { loadImageIndex, similarImage, syntheticImage } from './image.mjs';

const REPEATS = Number(process.argv[2] ?? 15);
await sl.init();
const image = syntheticImage(sl, 103);
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

const rows = await withWorkerd('examples/worker/config.capnp', ['http'], async ({ http }) => {
  const post = async () => {
    const t = performance.now();
    const res = await fetch(`${http}/similar-image?k=5`, { method: 'POST', body: image.buffer.slice(0) });
    const body = await res.json();
    if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, body };
  };
  const cold = await post();
  const warm = [];
  for (let i = 0; i < REPEATS; i++) warm.push((await post()).ms);
  return { cold, warm };
});

const read = (f) => readFileSync(`examples/worker/${f}`);
const index = loadImageIndex(sl, read('image-model.safetensors'), read('image-refs.safetensors'));
const node = [];
let want;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  want = similarImage(sl, index, image, 5);
  node.push(performance.now() - t);
}
const same = want.indices[0] === rows.cold.body.indices[0];

console.log(`POST /similar-image on workerd (MobileNetV2 at 224×224, batch 1, BatchNorm folded, top-5 of 32 refs):`);
console.log(`  cold (load + fold + first forward) ${rows.cold.ms.toFixed(0)} ms; warm median ${median(rows.warm).toFixed(1)} ms over ${REPEATS} (min ${Math.min(...rows.warm).toFixed(1)}, max ${Math.max(...rows.warm).toFixed(1)})`);
console.log(`  the same call in Node (${sl.engineInfo().build} build): median ${median(node).toFixed(1)} ms; same nearest: ${same} (${want.indices[0]})`);
