// The Worker example's handler (examples/worker/model.mjs, as workerd runs it) driven with
// Request objects in Node: answers equal a direct top-k over the embedded query, and every
// query it cannot answer, including finite JSON numbers that overflow float32 on the way
// through the model, is a 400 with a reason, never a 500.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';
// @ts-expect-error: a plain .mjs example without types
import { loadIndex, similar, similarHandler } from '../../examples/worker/model.mjs';

await sl.init();
const read = (f: string) => readFileSync(new URL(`../../examples/worker/${f}`, import.meta.url));
const handle = similarHandler(sl, () => loadIndex(sl, read('model.safetensors'), read('refs.safetensors')));
const post = (body: unknown) => handle(new Request('http://127.0.0.1/similar', { method: 'POST', body: JSON.stringify(body) }));

test('a query from queries.json: 200 with the top-k of the embedded query, brute-force checked', async () => {
  const { query } = JSON.parse(read('queries.json').toString())[0];
  const res = await post({ query, k: 3 });
  assert.is(res.status, 200);
  const got = await res.json();
  const index = loadIndex(sl, read('model.safetensors'), read('refs.safetensors'));
  assert.equal(got, similar(sl, index, query, 3));
  // Brute force in float64 over the stored reference embeddings.
  const emb = sl.tidy(() => sl.noGrad(() => index.model.forward(sl.tensor([query]))).data());
  const refs = index.refs.data(), d = index.refs.shape[1];
  const dist = Array.from({ length: index.refs.shape[0] }, (_, j) => Math.hypot(...Array.from(emb as Float32Array, (v, c) => v - refs[j * d + c])));
  const order = dist.map((_, j) => j).sort((a, b) => dist[a] - dist[b] || a - b);
  assert.equal(got.indices, order.slice(0, 3));
});

test('finite JSON values that overflow float32 (in the query or inside the model) are a 400, not a 500', async () => {
  for (const query of [new Array(8).fill(3e38), new Array(8).fill(-3e38), [1e39, 0, 0, 0, 0, 0, 0, 0]]) {
    const res = await post({ query, k: 3 });
    const body = await res.json();
    assert.is(res.status, 400, JSON.stringify(body));
    assert.match(body.error, /query values are too large for the model|finite float32 numbers/);
  }
  for (const body of [{ query: [1, 2] }, { query: new Array(8).fill('1') }, { query: new Array(8).fill(0), k: 0 }]) {
    assert.is((await post(body)).status, 400, JSON.stringify(body));
  }
});

test.run();
