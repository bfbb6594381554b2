// The image route's model code, shared by make-image-fixture.mjs (weights and references),
// worker.js (serving) and the runtime suite (Node's reference answers): torchvision's
// MobileNetV2 trunk (width 1, 3.5 M parameters) with its classifier replaced, as a PyTorch
// user would, by an embedder head (Linear 1280 → 64, L2-normalise).
export const IMAGE_SIZE = 224;
export const IMAGE_VALUES = 3 * IMAGE_SIZE * IMAGE_SIZE;

export function makeImageEmbedder(sl) {
  const model = sl.models.mobilenetV2();
  model.classifier = new sl.nn.Sequential(new sl.nn.Linear(model.lastChannel, 64), new sl.nn.L2Normalize());
  return model.eval();
}

/** The embedder (folded for inference) and the reference embeddings, from the two safetensors files. */
export function loadImageIndex(sl, modelBytes, refsBytes) {
  const model = makeImageEmbedder(sl);
  model.loadStateDict(sl.io.loadSafetensors(modelBytes), { strict: true });
  const fused = sl.nn.fuseBatchNorm(model);
  model.dispose();
  const { embeddings } = sl.io.loadSafetensors(refsBytes);
  return { model: fused, refs: embeddings };
}

/** The k references nearest to one image (IMAGE_VALUES floats, CHW): { indices, distances }. */
export function similarImage(sl, { model, refs }, pixels, k) {
  const { indices, distances } = sl.tidy(() => {
    const embedding = sl.noGrad(() => model.forward(sl.tensor(pixels, [1, 3, IMAGE_SIZE, IMAGE_SIZE])));
    return sl.search.topK(embedding, refs, Math.min(k, refs.shape[0]), { metric: 'euclidean' });
  });
  return { indices: Array.from(indices), distances: Array.from(distances) };
}

/** A deterministic test image (seeded), values in [−1, 1). */
export function syntheticImage(sl, seed) {
  return sl.rand([IMAGE_VALUES], { seed }).mul(2).sub(1).data();
}
