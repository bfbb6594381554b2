// LATENCY: batch-1 requests at the edge — embed one 28×28 MNIST digit with the main job's CNN
// (examples/lib/mnist-job.ts: conv 1→32, pool, conv 32→64, pool, Linear 1600 → 128 here so
// the embedding matches 128-d references, L2-normalise; seeded weights) and return the top-10
// of 100,000 × 128 unit-norm references (Euclidean), 1,000 requests, one digit per request.
//   simlearn: model.forward under noGrad + sl.search.topK(embedding, refs, 10) — one query
//     row, so topK's streaming scan (src/search/scan.ts), which from the second request prunes
//     with int8 codes kept with the references (CODES); beside it, interleaved, the same search
//     with the codes off (the plain scan), to show what they buy.
//   tfjs-wasm: the same weights through tfjs-core ops (conv2d, relu, maxPool, matMul; NHWC,
//     transposed to NCHW before the flatten so the Linear weight is the same), then
//     ‖q‖² + ‖r‖² − 2·q·Rᵀ over an index prepared once (Rᵀ and ‖r‖², lib/tfjs-ops.ts tfIndex: the
//     fastest formulation on the wasm backend), tf.topk of the negation, dataSync.
//     setThreadsCount is moot: lib/tfjs.ts loads the single-threaded SIMD binary.
//   The two sides alternate request by request (interleaved), so load on the shared machine
//   hits both alike; each request is timed alone (performance.now), p50 and p99 reported.
//   Beside them, also interleaved: one plain read of the references' 51 MB (f32_absmax, a
//   memory-bound pass), the floor of any exact search that reads every float32 row once.
//   workerd: bench/latency/worker.mjs serves the same model and references (the weights as a
//     safetensors data module, the references regenerated from the same seed) and is timed
//     over HTTP from this process, request by request (workerd's clock does not advance while
//     a request computes, so timing inside the worker would read 0); an empty route timed
//     the same way gives the HTTP overhead. Needs `npm run build` (dist/) first; without it
//     the row says so.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { makeRow, type Ctx, type Row, type Workload } from './lib/harness';
import { sl, getEngine } from './lib/simlearn';
import { tf, useTf, tfIndex, tfSqDistToIndex } from './lib/tfjs';
import { loadMnist } from '../src/data/mnist';
import { tripletCnn } from '../examples/lib/mnist-job';
import { CODES, SCAN } from '../src/search/scan';

const REFS = 100_000, D = 128, K = 10, SEED = 7;
export const LATENCY_WEIGHTS = 'build/latency/model.safetensors';

/** The references: seeded normal rows, L2-normalised (unit embeddings), as the worker makes them. */
export function latencyRefs(s: typeof sl): InstanceType<typeof s.Tensor> {
  return s.noGrad(() => s.tidy(() => s.l2Normalize(s.randn([REFS, D], { seed: SEED }))));
}

const gbps = (ms: number) => ((REFS * D * 4) / ms / 1e6).toFixed(1);

const pct = (xs: number[], p: number) => {
  const v = xs.slice().sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
};

function latencyRow(task: string, impl: 'simlearn' | 'tfjs-wasm', ms: number[], note: string): Row {
  const p50 = pct(ms, 50), p99 = pct(ms, 99);
  const row = makeRow('LATENCY', task, impl, null, { medianMs: p50, calls: ms.length, samples: ms.length }, `p99 ${p99.toFixed(2)} ms; ${note}`);
  row.extra = { p50Ms: p50, p99Ms: p99 };
  return row;
}

/** tfjs forward of the same CNN: NHWC convolutions, NCHW before the flatten (PyTorch's order). */
function tfCnn(state: Record<string, Float32Array>, shapes: Record<string, number[]>) {
  const hwio = (key: string) => {
    const [o, i, kh, kw] = shapes[key];
    return tf.transpose(tf.tensor4d(state[key], [o, i, kh, kw]), [2, 3, 1, 0]) as tf.Tensor4D;
  };
  const w1 = hwio('0.weight'), b1 = tf.tensor1d(state['0.bias']);
  const w2 = hwio('3.weight'), b2 = tf.tensor1d(state['3.bias']);
  const w3 = tf.tensor2d(state['7.weight'], shapes['7.weight'] as [number, number]), b3 = tf.tensor1d(state['7.bias']);
  const forward = (x: tf.Tensor4D) => {
    let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, w1, 1, 'valid'), b1)) as tf.Tensor4D, 2, 2, 'valid') as tf.Tensor4D;
    h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, w2, 1, 'valid'), b2)) as tf.Tensor4D, 2, 2, 'valid') as tf.Tensor4D;
    const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [1, 64 * 5 * 5]) as tf.Tensor2D;
    const e = tf.add(tf.matMul(flat, w3, false, true), b3) as tf.Tensor2D;
    return tf.div(e, tf.maximum(tf.norm(e, 2, 1, true), 1e-12)) as tf.Tensor2D;
  };
  return { forward, dispose: () => tf.dispose([w1, b1, w2, b2, w3, b3]) };
}

async function workerdRows(ctx: Ctx, task: string, digits: Float32Array, requests: number, want: Int32Array): Promise<Row[]> {
  const note = 'workerd over HTTP from Node (request → response JSON), bench/latency/worker.mjs';
  if (!existsSync('dist/simlearn.workerd.js')) return [makeRow('LATENCY', `${task}, workerd`, 'simlearn', null, 'not available: run `npm run build` first (the worker imports dist/)')];
  // @ts-expect-error: a plain .mjs helper without types
  const { withWorkerd } = await import('../test/runtimes/runtimes.mjs');
  return withWorkerd('bench/latency/config.capnp', ['http'], async ({ http }: { http: string }) => {
    const post = async (i: number) => {
      const t = performance.now();
      const res = await fetch(`${http}/search`, { method: 'POST', body: digits.slice(i * 784, (i + 1) * 784).buffer });
      const body = (await res.json()) as { indices: number[]; error?: string };
      if (!res.ok) throw new Error(`workerd: ${res.status} ${body.error}`);
      return { ms: performance.now() - t, indices: body.indices };
    };
    const empty = async () => {
      const t = performance.now();
      await (await fetch(`${http}/empty`)).text();
      return performance.now() - t;
    };
    const cold = await post(0);
    for (let i = 0; i < 20; i++) await post(i); // warm-up
    const ms: number[] = [], overhead: number[] = [];
    let same = 0;
    for (let i = 0; i < requests; i++) {
      const r = await post(i);
      ms.push(r.ms);
      if (r.indices[0] === want[i * K]) same++;
      overhead.push(await empty());
    }
    const rows = [
      latencyRow(`${task}, workerd`, 'simlearn', ms, `${note}; first request ${cold.ms.toFixed(0)} ms (isolate start, model load, references made); top-1 equal to Node's in ${same}/${requests}`),
    ];
    const o = rows[0];
    o.extra!.httpOverheadP50Ms = pct(overhead, 50);
    o.note += `; HTTP overhead (empty route) p50 ${pct(overhead, 50).toFixed(2)} ms`;
    ctx.log(`  LATENCY workerd: p50 ${o.extra!.p50Ms.toFixed(2)} ms, p99 ${o.extra!.p99Ms.toFixed(2)} ms, empty route p50 ${pct(overhead, 50).toFixed(2)} ms`);
    return rows;
  });
}

export const latency: Workload = {
  id: 'LATENCY',
  title: 'batch-1 latency: embed one digit (CNN) + top-10 of 100,000 × 128',
  async run(ctx: Ctx): Promise<Row[]> {
    const requests = ctx.quick ? 50 : 1000;
    const task = `embed 1 digit + top-${K} of ${REFS / 1000}k×${D}`;
    const { test } = loadMnist();
    const digits = test.x.subarray(0, requests * 784);
    sl.manualSeed(SEED);
    const model = tripletCnn(D);
    model.eval();
    const state = model.stateDict();
    mkdirSync('build/latency', { recursive: true });
    writeFileSync(LATENCY_WEIGHTS, sl.io.saveSafetensors(state));
    const refs = latencyRefs(sl);

    await useTf('wasm');
    const host: Record<string, Float32Array> = {}, shapes: Record<string, number[]> = {};
    for (const [k, t] of Object.entries(state)) { host[k] = t.data(); shapes[k] = t.shape; }
    const cnn = tfCnn(host, shapes);
    const R = tf.tensor2d(refs.data(), [REFS, D]);
    const index = tfIndex(R);

    const slRequest = (i: number) => sl.noGrad(() => sl.tidy(() => {
      const t0 = performance.now();
      const e = model.forward(sl.tensor(digits.subarray(i * 784, (i + 1) * 784), [1, 1, 28, 28]));
      const t1 = performance.now();
      const r = sl.search.topK(e, refs, K);
      return { r, embedMs: t1 - t0, searchMs: performance.now() - t1, query: e.data() };
    }));
    const plainSearch = (query: Float32Array) => sl.noGrad(() => sl.tidy(() => {
      const q = sl.tensor(query, [1, D]);
      const saved = CODES.minFloats;
      CODES.minFloats = Infinity;
      try {
        const t = performance.now();
        sl.search.topK(q, refs, K);
        return performance.now() - t;
      } finally {
        CODES.minFloats = saved;
      }
    }));
    const tfRequest = (i: number) => {
      const [v, ix] = tf.tidy(() => {
        const q = cnn.forward(tf.tensor4d(digits.subarray(i * 784, (i + 1) * 784), [1, 28, 28, 1]));
        const best = tf.topk(tf.neg(tfSqDistToIndex(q as tf.Tensor2D, index)), K);
        return [tf.sqrt(tf.neg(best.values)), best.indices];
      });
      const out = { distances: v.dataSync() as Float32Array, indices: ix.dataSync() as Int32Array };
      tf.dispose([v, ix]);
      return out;
    };
    for (let i = 0; i < 20; i++) { slRequest(i); tfRequest(i); } // warm-up
    const mine: number[] = [], embed: number[] = [], search: number[] = [], peer: number[] = [], read: number[] = [], plainScan: number[] = [];
    const e = getEngine();
    const want = new Int32Array(requests * K);
    let sameTop1 = 0, sameTop10 = 0;
    for (let i = 0; i < requests; i++) {
      let t = performance.now();
      const a = slRequest(i);
      mine.push(performance.now() - t);
      embed.push(a.embedMs);
      search.push(a.searchMs);
      want.set(a.r.indices, i * K);
      t = performance.now();
      const b = tfRequest(i);
      peer.push(performance.now() - t);
      if (a.r.indices[0] === b.indices[0]) sameTop1++;
      if (new Set([...a.r.indices, ...b.indices]).size === K) sameTop10++;
      t = performance.now();
      e.k.f32_absmax(refs.ptr, REFS * D);
      read.push(performance.now() - t);
      plainScan.push(plainSearch(a.query));
    }
    // The batched (GEMM) route for the same single-query search, to show what the scan buys.
    const saved = SCAN.maxQueries;
    const gemm: number[] = [];
    SCAN.maxQueries = 0;
    try {
      for (let i = 0; i < Math.min(requests, 100); i++) {
        const t = performance.now();
        slRequest(i);
        gemm.push(performance.now() - t);
      }
    } finally {
      SCAN.maxQueries = saved;
    }
    cnn.dispose();
    tf.dispose([R, index.rt, index.rn]);
    const rows = [
      latencyRow(task, 'simlearn', mine, `embed p50 ${pct(embed, 50).toFixed(2)} ms + search p50 ${pct(search, 50).toFixed(2)} ms (scan pruned by int8 codes; the plain scan p50 ${pct(plainScan, 50).toFixed(2)} ms, ${gbps(pct(plainScan, 50))} GB/s; a plain read of the references p50 ${pct(read, 50).toFixed(2)} ms, ${gbps(pct(read, 50))} GB/s); the GEMM route instead: p50 ${pct(gemm, 50).toFixed(2)} ms over ${gemm.length}`),
      latencyRow(task, 'tfjs-wasm', peer, `same weights; top-1 equal in ${sameTop1}/${requests}, top-10 sets equal in ${sameTop10}/${requests}`),
    ];
    rows[0].extra!.embedP50Ms = pct(embed, 50);
    rows[0].extra!.searchP50Ms = pct(search, 50);
    rows[0].extra!.gemmRouteP50Ms = pct(gemm, 50);
    rows[0].extra!.readP50Ms = pct(read, 50);
    rows[0].extra!.plainScanP50Ms = pct(plainScan, 50);
    rows[1].simlearnSpeedup = rows[1].medianMs! / rows[0].medianMs!;
    try {
      rows.push(...(await workerdRows(ctx, task, digits, requests, want)));
    } catch (err) {
      const r = makeRow('LATENCY', `${task}, workerd`, 'simlearn', null, '');
      r.status = 'error';
      r.note = `${(err as Error).message}`.split('\n')[0].slice(0, 160);
      rows.push(r);
    }
    refs.dispose();
    return rows;
  },
};
