// The LATENCY workload's worker (bench/latency.ts): POST /search with one 28×28 digit as 784
// little-endian float32 values → { indices } of its 10 nearest of 100,000 × 128 references.
// The CNN is the main job's (examples/lib/mnist-job.ts, 128-d head) with the weights the Node
// side wrote (a data module); the references are regenerated from the same seed as
// latencyRefs() there, so both sides search the same rows. GET /empty answers at once (the HTTP
// overhead). Everything loads on the first request, once per isolate.
import * as sl from 'simlearn';
import weights from './model.safetensors';

let state = null;

async function load() {
  await sl.init();
  const model = new sl.nn.Sequential(
    new sl.nn.Conv2d(1, 32, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
    new sl.nn.Conv2d(32, 64, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
    new sl.nn.Flatten(), new sl.nn.Linear(64 * 5 * 5, 128), new sl.nn.L2Normalize(),
  );
  model.loadStateDict(sl.io.loadSafetensors(new Uint8Array(weights)));
  model.eval();
  const refs = sl.noGrad(() => sl.tidy(() => sl.l2Normalize(sl.randn([100_000, 128], { seed: 7 }))));
  return { model, refs };
}

export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path !== '/search') return new Response('ok');
    state ??= await load();
    const body = new Float32Array(await request.arrayBuffer());
    if (body.length !== 784) return Response.json({ error: `expected 784 float32 values, got ${body.length}` }, { status: 400 });
    const indices = sl.noGrad(() => sl.tidy(() => {
      const e = state.model.forward(sl.tensor(body, [1, 1, 28, 28]));
      return sl.search.topK(e, state.refs, 10).indices;
    }));
    return Response.json({ indices: Array.from(indices) });
  },
};
