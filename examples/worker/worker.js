// A Cloudflare Worker that answers `POST /similar` with the k reference items most similar
// to a query: { "query": [8 numbers], "k": 5 } → { "indices": [...], "distances": [...] },
// nearest first; a query it cannot answer is a 400 that says why. The trained embedder
// (model.safetensors) and the reference embeddings (refs.safetensors) ship inside the worker
// as data modules and load once per isolate; the wasm comes in as module imports of the
// package's workerd entry, so sl.init() needs nothing. The handler lives in model.mjs.
import * as sl from 'simlearn';
import modelBytes from './model.safetensors';
import refsBytes from './refs.safetensors';
import { loadIndex, similarHandler } from './model.mjs';

export default {
  fetch: similarHandler(sl, () => loadIndex(sl, modelBytes, refsBytes)),
};
