// The example's model code, shared by make-fixture.mjs (training), worker.js (serving) and
// the runtime suite (Node's reference answers): an 8-feature → 4-d unit embedder and the
// top-k search over the reference embeddings.
export const FEATURES = 8;

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

/** The k references nearest to `query` (FEATURES numbers): { indices, distances }, nearest first. */
export function similar(sl, { model, refs }, query, k) {
  const { indices, distances } = sl.tidy(() => {
    const embedding = sl.noGrad(() => model.forward(sl.tensor([query])));
    return sl.search.topK(embedding, refs, Math.min(k, refs.shape[0]), { metric: 'euclidean' });
  });
  return { indices: Array.from(indices), distances: Array.from(distances) };
}
