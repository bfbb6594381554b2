// The runtime smoke program: plain ESM, run unchanged in Node, Deno, Bun, workerd and
// Chromium against the built package. It returns the cold start, which build ran, memory
// right after init (wasm linear memory, and the host's figure when `hostMemory` gives one)
// and a flat record of numbers that run.mjs compares with Node's. A failed invariant throws.
export async function smoke(importSimlearn, initOptions = {}, hostMemory = () => null) {
  const t0 = performance.now();
  const sl = await importSimlearn();
  await sl.init(initOptions);
  const coldStartMs = performance.now() - t0;
  const hostMemoryAfterInit = hostMemory();
  const info = sl.engineInfo();
  const numbers = {};
  const keep = (name, values) => (numbers[name] = Array.from(values));
  const fail = (what) => {
    throw new Error(`smoke: ${what}`);
  };

  sl.manualSeed(7);
  const x = sl.randn([5, 3], { seed: 1 });
  const y = sl.randn([7, 3], { seed: 2 });
  keep('cdistEuclidean', sl.cdist(x, y, 'euclidean').data());
  keep('cdistCosine', sl.cdist(x, y, 'cosine').data());

  // A small embedder trained for a few SGD steps with the triplet margin loss over every
  // triplet of a batch of 3 classes.
  const makeModel = () => new sl.nn.Sequential(new sl.nn.Linear(8, 16), new sl.nn.ReLU(), new sl.nn.Linear(16, 4));
  const model = makeModel();
  const optimizer = new sl.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const lossFn = new sl.losses.TripletMarginLoss({ margin: 0.2 });
  const inputs = sl.randn([17, 8], { seed: 3 });
  const labels = Array.from({ length: 17 }, (_, i) => i % 3);
  const losses = [];
  for (let step = 0; step < 8; step++) {
    losses.push(
      sl.tidy(() => {
        optimizer.zeroGrad();
        const loss = lossFn.forward(model.forward(inputs), labels);
        loss.backward();
        optimizer.step();
        return loss.item();
      }),
    );
  }
  if (!(losses[losses.length - 1] < 0.9 * losses[0])) fail(`loss did not fall: ${losses.join(', ')}`);
  keep('trainLoss', losses);
  const embeddings = sl.noGrad(() => sl.l2Normalize(model.forward(inputs)));
  keep('embeddings', embeddings.data());

  // top-k search: every embedding against all of them, itself excluded, nearest first.
  const { indices, distances } = sl.search.topK(embeddings, embeddings, 3, { metric: 'euclidean', excludeSelf: true });
  for (let i = 0; i < 17; i++) {
    if (indices.slice(i * 3, i * 3 + 3).includes(i)) fail(`topK with excludeSelf returned query ${i} itself`);
    if (!(distances[i * 3] <= distances[i * 3 + 1] && distances[i * 3 + 1] <= distances[i * 3 + 2])) fail(`topK distances of query ${i} are not ascending`);
  }
  keep('topKIndices', indices);
  keep('topKDistances', distances);

  // safetensors round trip: the reloaded model computes exactly the same embeddings.
  const bytes = sl.io.saveSafetensors(model.stateDict());
  const reloaded = makeModel();
  reloaded.loadStateDict(sl.io.loadSafetensors(bytes));
  const again = sl.noGrad(() => sl.l2Normalize(reloaded.forward(inputs))).data();
  const first = embeddings.data();
  if (again.some((v, i) => v !== first[i])) fail('the model reloaded from safetensors computes different embeddings');
  keep('safetensorsBytes', [bytes.length]);

  return { build: info.build, coldStartMs, wasmMemoryBytes: info.memoryBytes, hostMemory: hostMemoryAfterInit, numbers };
}
