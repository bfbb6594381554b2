// Trains the example's embedder on synthetic clustered data and writes the small files the
// worker ships with: model.safetensors (weights), refs.safetensors (reference embeddings
// and their labels) and queries.json (held-out queries with their class, used by the
// runtime suite). Run from the repository root after `npm run build`:
//   node examples/worker/make-fixture.mjs
import { writeFileSync } from 'node:fs';
import * as sl from '../../dist/simlearn.js';
import { FEATURES, makeEmbedder } from './model.mjs';

const here = new URL('.', import.meta.url);
const CLASSES = 4;
await sl.init({ simd: 'baseline' });
sl.manualSeed(2026);

// Each class is a Gaussian blob around its own centre in feature space.
const centres = sl.randn([CLASSES, FEATURES], { seed: 1 }).mul(2).data();
function sample(perClass, seed) {
  const noise = sl.randn([perClass * CLASSES, FEATURES], { seed }).mul(1.0).data();
  const labels = Array.from({ length: perClass * CLASSES }, (_, i) => i % CLASSES);
  const x = noise.map((v, j) => v + centres[labels[Math.floor(j / FEATURES)] * FEATURES + (j % FEATURES)]);
  return { x: sl.tensor(x, [labels.length, FEATURES]), labels };
}

const train = sample(16, 2);
const model = makeEmbedder(sl);
const optimizer = new sl.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const loss = new sl.losses.TripletMarginLoss({ margin: 0.2 });
for (let step = 0; step < 60; step++) {
  const value = sl.tidy(() => {
    optimizer.zeroGrad();
    const l = loss.forward(model.forward(train.x), train.labels);
    l.backward();
    optimizer.step();
    return l.item();
  });
  if (step % 20 === 0 || step === 59) console.log(`step ${step}: triplet loss ${value.toFixed(4)}`);
}
model.eval();

const refs = sample(8, 3);
const embeddings = sl.noGrad(() => model.forward(refs.x));
const meta = { features: String(FEATURES), embedding: '4', classes: String(CLASSES) };
writeFileSync(new URL('model.safetensors', here), sl.io.saveSafetensors(model.stateDict(), meta));
writeFileSync(new URL('refs.safetensors', here), sl.io.saveSafetensors({ embeddings, labels: sl.tensor(refs.labels) }, meta));

const held = sample(2, 4);
const rows = held.x.toArray().map((q) => q.map((v) => Number(v.toFixed(4))));
writeFileSync(new URL('queries.json', here), JSON.stringify(rows.map((query, i) => ({ query, label: held.labels[i] })), null, 1) + '\n');
const acc = sl.metrics.knnAccuracy(embeddings, refs.labels, sl.noGrad(() => model.forward(held.x)), held.labels, { k: 1 });
console.log(`wrote model.safetensors, refs.safetensors (${refs.labels.length} refs), queries.json; 1-NN accuracy on the queries ${acc}`);
