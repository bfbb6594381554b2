// The runtime smoke program: plain ESM, run unchanged in Node, Deno, Bun, workerd and
// Chromium against the built package. It returns timings, which build ran, and a flat
// record of numbers that run.mjs compares with Node's. Any failed invariant throws.
export async function smoke(importSimlearn, initOptions = {}) {
  const t0 = performance.now();
  const sl = await importSimlearn();
  await sl.init(initOptions);
  const coldStartMs = performance.now() - t0;
  const info = sl.engineInfo();
  const numbers = {};
  const keep = (name, values) => (numbers[name] = Array.from(values));

  sl.manualSeed(7);
  const x = sl.randn([5, 3], { seed: 1 });
  const y = sl.randn([7, 3], { seed: 2 });
  keep('matmul', sl.matmul(x, y.transpose()).data());

  // A tiny MLP embedder trained by hand-written SGD through autograd: pull each point
  // towards a fixed target embedding.
  const inputs = sl.randn([17, 8], { seed: 3 });
  const targets = sl.randn([17, 4], { seed: 4 });
  let w1 = sl.randn([16, 8], { seed: 5, requiresGrad: true });
  let b1 = sl.zeros([16], { requiresGrad: true });
  let w2 = sl.randn([4, 16], { seed: 6, requiresGrad: true });
  let b2 = sl.zeros([4], { requiresGrad: true });
  const embed = (v) => sl.linear(sl.linear(v, w1, b1).relu(), w2, b2);
  const losses = [];
  for (let step = 0; step < 5; step++) {
    const loss = sl.tidy(() => {
      const diff = embed(inputs).sub(targets);
      const l = diff.mul(diff).mean();
      l.backward();
      return l;
    });
    losses.push(loss.item());
    loss.dispose();
    const update = (p) => {
      const next = sl.noGrad(() => p.sub(p.grad.mul(0.01)));
      p.dispose();
      return next.requiresGrad_();
    };
    [w1, b1, w2, b2] = [w1, b1, w2, b2].map(update);
  }
  if (!(losses[losses.length - 1] < losses[0])) throw new Error(`smoke: loss did not fall: ${losses.join(', ')}`);
  keep('trainLoss', losses);
  keep('embedding', sl.noGrad(() => sl.l2Normalize(embed(inputs))).data());

  return { build: info.build, coldStartMs, wasmMemoryBytes: info.memoryBytes, numbers };
}
