import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { interleave } from '../../bench/lib/interleave';
import { maxRelDiff, readSafetensorsF32 } from '../../bench/lib/trunk-models';

await sl.init();

test('interleave: round-robin order, warm-up rounds untimed, one median per side', async () => {
  const order: string[] = [];
  const r = await interleave([{ name: 'a', run: () => order.push('a') }, { name: 'b', run: async () => { order.push('b'); } }], 3, 2);
  assert.equal(order, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  for (const k of ['a', 'b']) {
    const t = r.get(k)!;
    assert.is(t.calls, 3);
    assert.ok(t.medianMs >= 0 && Number.isFinite(t.medianMs));
  }
});

test('readSafetensorsF32 reads what sl.io.saveSafetensors writes (F32 values and shapes, I64 as numbers)', () => {
  const a = sl.tensor([1.5, -2, 3.25, 0, 7, -8], [2, 3]);
  const b = sl.tensor([0.1], [1]);
  const bytes = sl.io.saveSafetensors({ 'layer.weight': a, bias: b }, { format: 'pt' });
  const w = readSafetensorsF32(Buffer.from(bytes)); // a Buffer, as readFileSync gives: its slices are views
  assert.equal([...w.keys()].sort(), ['bias', 'layer.weight']);
  assert.equal(w.get('layer.weight')!.shape, [2, 3]);
  assert.equal(Array.from(w.get('layer.weight')!.values), [1.5, -2, 3.25, 0, 7, -8]);
  assert.equal(Array.from(w.get('bias')!.values), [Math.fround(0.1)]);
  // an I64 entry (torch's num_batches_tracked), written by hand: header then 8 bytes LE
  const header = new TextEncoder().encode(JSON.stringify({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }).padEnd(48, ' '));
  const file = new Uint8Array(8 + header.length + 8);
  const view = new DataView(file.buffer);
  view.setBigUint64(0, BigInt(header.length), true);
  file.set(header, 8);
  view.setBigInt64(8 + header.length, 1234n, true);
  assert.equal(Array.from(readSafetensorsF32(file).get('n')!.values), [1234]);
  a.dispose();
  b.dispose();
});

test('maxRelDiff: largest absolute difference over the largest reference magnitude; length mismatch is Infinity', () => {
  assert.is(maxRelDiff([1, 2, 4], [1, 2.5, -5]), 9 / 5);
  assert.is(maxRelDiff([0, 0], [0, 2]), 1);
  assert.is(maxRelDiff([1], [1, 2]), Infinity);
});

test.run();
