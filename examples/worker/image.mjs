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

/** A deterministic test image (seeded): a colour of its own per channel plus noise. */
export function syntheticImage(sl, seed) {
  const px = sl.rand([IMAGE_VALUES], { seed }).data();
  const plane = IMAGE_SIZE * IMAGE_SIZE;
  return px.map((v, i) => Math.sin(seed * (1 + Math.floor(i / plane))) + 0.3 * (v - 0.5));
}

const MAX_K = 100;
const fail = (status, error, headers) => Response.json({ error }, { status, headers });

/** The fetch handler of `POST /similar-image?k=5`; `load()` gives the index once per isolate. */
export function similarImageHandler(sl, load) {
  let index = null;
  return async (request) => {
    if (request.method !== 'POST') return fail(405, 'use POST', { allow: 'POST' });
    const k = Number(new URL(request.url).searchParams.get('k') ?? 5);
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) return fail(400, `k must be an integer from 1 to ${MAX_K}`);
    const body = await request.arrayBuffer();
    if (body.byteLength !== IMAGE_VALUES * 4) {
      return fail(400, `the body must be one image of ${IMAGE_VALUES} float32 values (3×${IMAGE_SIZE}×${IMAGE_SIZE}, ${IMAGE_VALUES * 4} bytes), got ${body.byteLength} bytes`);
    }
    const pixels = new Float32Array(body);
    if (!pixels.every(Number.isFinite)) return fail(400, 'the image holds a value that is not a finite number');
    index ??= sl.init().then(load);
    let loaded;
    try {
      loaded = await index;
    } catch (err) {
      index = null;
      return fail(500, `loading the image model failed: ${err?.message ?? err}`);
    }
    return Response.json(similarImage(sl, loaded, pixels, k));
  };
}
