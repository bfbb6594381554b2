// Writes the image route's files (not committed: 14 MB): image-model.safetensors, a
// MobileNetV2 embedder in torchvision's layout with seeded random weights and BatchNorm
// statistics (a stand-in for weights trained in PyTorch and saved with
// safetensors.torch.save_file), and image-refs.safetensors, the embeddings of 32 seeded
// images. Run from the repository root after `npm run build`:
//   node examples/worker/make-image-fixture.mjs
import { writeFileSync } from 'node:fs';
import * as sl from '../../dist/simlearn.js';
import { makeImageEmbedder, similarImage, syntheticImage } from './image.mjs';

const here = new URL('.', import.meta.url);
await sl.init({ simd: 'baseline' });
sl.manualSeed(7);
const model = makeImageEmbedder(sl);
// BatchNorm statistics as a trained network has them, not the fresh 0 / 1
for (const [name, t] of Object.entries(model.stateDict())) {
  const r = sl.rand(t.shape, { seed: name.length * 7919 + t.size });
  const v = name.endsWith('running_var') ? r.mul(0.5).add(0.75) : name.endsWith('running_mean') ? r.mul(0.2).sub(0.1) : null;
  if (v) model.loadStateDict({ [name]: v }, { strict: false });
}
writeFileSync(new URL('image-model.safetensors', here), sl.io.saveSafetensors(model.stateDict(), { format: 'pt' }));
const REFS = 32;
const images = Array.from({ length: REFS }, (_, i) => syntheticImage(sl, 100 + i));
const rows = images.map((px) => sl.noGrad(() => model.forward(sl.tensor(px, [1, 3, 224, 224]))).data());
const embeddings = sl.tensor(rows.flatMap((r) => Array.from(r)), [REFS, rows[0].length]);
writeFileSync(new URL('image-refs.safetensors', here), sl.io.saveSafetensors({ embeddings }));
const index = { model: sl.nn.fuseBatchNorm(model), refs: embeddings };
const self = similarImage(sl, index, images[3], 1);
console.log(`wrote image-model.safetensors (${model.parameters().reduce((s, p) => s + p.size, 0)} parameters) and image-refs.safetensors (${REFS} refs); reference 3 finds itself: ${self.indices[0] === 3}`);
