// The example's model code, shared by make-fixture.mjs (training), worker.js (serving) and
// the runtime suite (Node's reference answers): an 8-feature → 4-d unit embedder, the top-k
// search over the reference embeddings, and the HTTP handler of `POST /similar`.
export const FEATURES = 8;
export const MAX_K = 100;
/** The largest finite float32: a larger query value becomes Infinity in the embedder. */
const FLOAT32_MAX = 3.4028234663852886e38;

export function makeEmbedder(sl) {
  return new sl.nn.Sequential(new sl.nn.Linear(FEATURES, 16), new sl.nn.ReLU(), new sl.nn.Linear(16, 4), new sl.nn.L2Normalize());
}

/** The trained embedder and the reference embeddings, from the two safetensors files. */
export function loadIndex(sl, modelBytes, refsBytes) {
  const model = makeEmbedder(sl);
  model.loadStateDict(sl.io.loadSafetensors(modelBytes));
  model.eval();
  const { embeddings } = sl.io.loadSafetensors(refsBytes);
  return { model, refs: embeddings };
}

/** A query the model cannot embed: the client's mistake (HTTP 400), not the server's. */
export class QueryError extends Error {}

/** The k references nearest to `query` (FEATURES numbers): { indices, distances }, nearest first. */
export function similar(sl, { model, refs }, query, k) {
  const { indices, distances } = sl.tidy(() => {
    const embedding = sl.noGrad(() => model.forward(sl.tensor([query])));
    // Values within float32 can still overflow in the layers (8 × 3e38 does): refuse the query
    // rather than search with a NaN embedding.
    if (!embedding.data().every(Number.isFinite)) {
      throw new QueryError('query values are too large for the model: its embedding overflows float32; scale the features down');
    }
    return sl.search.topK(embedding, refs, Math.min(k, refs.shape[0]), { metric: 'euclidean' });
  });
  return { indices: Array.from(indices), distances: Array.from(distances) };
}

const fail = (status, error, headers) => Response.json({ error }, { status, headers });

/**
 * The fetch handler of `POST /similar`: { "query": [FEATURES numbers], "k": 5 } → { indices,
 * distances }. `load()` gives the index (once per isolate; retried after a failure).
 */
export function similarHandler(sl, load) {
  let index = null;
  return async (request) => {
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
    if (!Array.isArray(query) || query.length !== FEATURES || !query.every((v) => typeof v === 'number' && Math.abs(v) <= FLOAT32_MAX)) {
      return fail(400, `query must be an array of ${FEATURES} finite float32 numbers (|v| ≤ ${FLOAT32_MAX})`);
    }
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) return fail(400, `k must be an integer from 1 to ${MAX_K}`);
    index ??= sl.init().then(load);
    let loaded;
    try {
      loaded = await index;
    } catch (err) {
      index = null; // the next request tries again
      return fail(500, `loading the model failed: ${err?.message ?? err}`);
    }
    try {
      return Response.json(similar(sl, loaded, query, k));
    } catch (err) {
      if (err instanceof QueryError) return fail(400, err.message);
      throw err;
    }
  };
}
