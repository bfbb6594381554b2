// A Cloudflare Worker that answers `POST /similar` with the k reference items most similar
// to a query: { "query": [8 numbers], "k": 5 } → { "indices": [...], "distances": [...] },
// nearest first; a query it cannot answer is a 400 that says why. `POST /similar-image?k=5`
// takes one image, 3·224·224 little-endian float32 values (CHW, normalised as for training),
// embeds it with a MobileNetV2 trunk and an embedder head (image.mjs) and answers the same way. The trained embedder
// (model.safetensors) and the reference embeddings (refs.safetensors) ship inside the worker
// as data modules and load once per isolate; the wasm comes in as module imports of the
// package's workerd entry, so sl.init() needs nothing. The handler lives in model.mjs.
import * as sl from 'simlearn';
import modelBytes from './model.safetensors';
import refsBytes from './refs.safetensors';
import imageModelBytes from './image-model.safetensors';
import imageRefsBytes from './image-refs.safetensors';
import { loadIndex, similarHandler } from './model.mjs';
import { loadImageIndex, similarImageHandler } from './image.mjs';

const similar = similarHandler(sl, () => loadIndex(sl, modelBytes, refsBytes));
const similarImage = similarImageHandler(sl, () => loadImageIndex(sl, imageModelBytes, imageRefsBytes));

export default {
  fetch: (request) => (new URL(request.url).pathname === '/similar-image' ? similarImage(request) : similar(request)),
};
