// A Cloudflare Worker that answers `POST /similar` with the k reference items most similar
// to a query: { "query": [8 numbers], "k": 5 } → { "indices": [...], "distances": [...] },
// nearest first; and `POST /similar-image?k=5` with the k reference images nearest to one
// image, sent as 3·224·224 little-endian float32 values (CHW, normalised as for training),
// embedded by a MobileNetV2 trunk with an embedder head (image.mjs). The trained embedder (model.safetensors) and the reference embeddings
// (refs.safetensors) ship inside the worker as data modules and load once per isolate; the
// wasm comes in as module imports of the package's workerd entry, so sl.init() needs nothing.
import * as sl from 'simlearn';
import modelBytes from './model.safetensors';
import refsBytes from './refs.safetensors';
import imageModelBytes from './image-model.safetensors';
import imageRefsBytes from './image-refs.safetensors';
import { FEATURES, loadIndex, similar } from './model.mjs';
import { IMAGE_VALUES, loadImageIndex, similarImage } from './image.mjs';

const MAX_K = 100;
let index = null;
let imageIndex = null;

const fail = (status, error, headers) => Response.json({ error }, { status, headers });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/similar-image') return similarImageRoute(request, url);
    if (url.pathname !== '/similar') return fail(404, 'not found: POST /similar or POST /similar-image');
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

async function similarImageRoute(request, url) {
  if (request.method !== 'POST') return fail(405, 'use POST', { allow: 'POST' });
  const k = Number(url.searchParams.get('k') ?? 5);
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) return fail(400, `k must be an integer from 1 to ${MAX_K}`);
  const body = await request.arrayBuffer();
  if (body.byteLength !== IMAGE_VALUES * 4) return fail(400, `the body must be one image of ${IMAGE_VALUES} float32 values (3×224×224, ${IMAGE_VALUES * 4} bytes), got ${body.byteLength} bytes`);
  const pixels = new Float32Array(body);
  if (!pixels.every(Number.isFinite)) return fail(400, 'the image holds a value that is not a finite number');
  imageIndex ??= sl.init().then(() => loadImageIndex(sl, imageModelBytes, imageRefsBytes));
  let loaded;
  try {
    loaded = await imageIndex;
  } catch (err) {
    imageIndex = null;
    return fail(500, `loading the image model failed: ${err?.message ?? err}`);
  }
  return Response.json(similarImage(sl, loaded, pixels, k));
}
