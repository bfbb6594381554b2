// A Cloudflare Worker that answers `POST /similar` with the k reference items most similar
// to a query: { "query": [8 numbers], "k": 5 } → { "indices": [...], "distances": [...] },
// nearest first. The trained embedder (model.safetensors) and the reference embeddings
// (refs.safetensors) ship inside the worker as data modules and load once per isolate; the
// wasm comes in as module imports of the package's workerd entry, so sl.init() needs nothing.
import * as sl from 'simlearn';
import modelBytes from './model.safetensors';
import refsBytes from './refs.safetensors';
import { FEATURES, loadIndex, similar } from './model.mjs';

const MAX_K = 100;
let index = null;

const fail = (status, error, headers) => Response.json({ error }, { status, headers });

export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== '/similar') return fail(404, 'not found: POST /similar');
    if (request.method !== 'POST') return fail(405, 'use POST', { allow: 'POST' });
    let body;
    try {
      body = await request.json();
    } catch {
      return fail(400, 'the body must be JSON: { "query": [numbers], "k": 5 }');
    }
    const query = body?.query;
    const k = body?.k ?? 5;
    if (!Array.isArray(query) || query.length !== FEATURES || !query.every(Number.isFinite)) {
      return fail(400, `query must be an array of ${FEATURES} finite numbers`);
    }
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) return fail(400, `k must be an integer from 1 to ${MAX_K}`);
    index ??= sl.init().then(() => loadIndex(sl, modelBytes, refsBytes));
    let loaded;
    try {
      loaded = await index;
    } catch (err) {
      index = null; // the next request tries again
      return fail(500, `loading the model failed: ${err?.message ?? err}`);
    }
    return Response.json(similar(sl, loaded, query, k));
  },
};
