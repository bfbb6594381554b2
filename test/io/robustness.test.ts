// safetensors against hostile names and files, and a load that runs out of memory. The files
// are written byte by byte from the format's specification (u64 LE header length, JSON
// header, raw little-endian float32), so no part of the check goes through our own writer
// unless the writer is what is tested.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { getEngine } from '../../src/wasm/instance';
import { fillMemoryExcept } from '../helpers/fill-memory';

await sl.init();
const e = getEngine();

function fileOf(header: string, values: number[], bom = false): Uint8Array {
  const h = new TextEncoder().encode(header);
  const lead = bom ? 3 : 0;
  const n = lead + h.length;
  const out = new Uint8Array(8 + n + values.length * 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(n), true);
  if (bom) out.set([0xef, 0xbb, 0xbf], 8);
  out.set(h, 8 + lead);
  values.forEach((v, i) => view.setFloat32(8 + n + i * 4, v, true));
  return out;
}

test("a tensor named '__proto__' loads as an own entry and leaves the result's prototype alone", () => {
  const bytes = fileOf('{"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', [1.5, -2, 7]);
  const d = sl.io.loadSafetensors(bytes);
  assert.ok(Object.hasOwn(d, '__proto__'), 'own entry');
  assert.not.ok(Object.getPrototypeOf(d) instanceof sl.Tensor, 'prototype is not the tensor');
  assert.equal(Object.keys(d).sort(), ['__proto__', 'w']);
  assert.equal(Array.from(d['__proto__'].data()), [1.5, -2]);
  assert.equal(Array.from(d.w.data()), [7]);
  for (const t of Object.values(d)) t.dispose();
});

test("saveSafetensors writes '__proto__' (and 'constructor', 'toString') so that its own loader reads them back", () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const t = sl.tensor([3, -4, 0.25]);
    const bytes = sl.io.saveSafetensors(new Map([[name, t], ['z', sl.tensor([9])]]));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))));
    assert.ok(header.startsWith(`{"${name}":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}`), `${name}: header ${header}`);
    const back = sl.io.loadSafetensors(bytes);
    assert.equal(Array.from(back[name].data()), [3, -4, 0.25], name);
    assert.equal(Object.keys(back).sort(), [name, 'z'].sort());
    for (const x of [t, ...Object.values(back)]) x.dispose();
  }
});

test("loadStateDict treats 'constructor' and 'toString' as names, not as the object's own methods", () => {
  const lin = new sl.nn.Linear(2, 1);
  const w = sl.tensor([[0.5, -1]]), b = sl.tensor([2]), extra = sl.tensor([1]);
  const bytes = sl.io.saveSafetensors(new Map([['weight', w], ['bias', b], ['constructor', extra]]));
  const d = sl.io.loadSafetensors(bytes);
  assert.throws(() => lin.loadStateDict(d), /^loadStateDict: Linear: unexpected keys 'constructor'; nothing was loaded/);
  lin.loadStateDict(d, { strict: false });
  assert.equal(Array.from(lin.weight.data()), [0.5, -1]);
  assert.equal(Array.from(lin.bias!.data()), [2]);
  for (const t of [w, b, extra, ...Object.values(d), ...lin.parameters()]) t.dispose();
});

test('a byte-order mark before the header and duplicate keys are rejected, naming the problem', () => {
  const header = '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  assert.throws(() => sl.io.loadSafetensors(fileOf(header, [1], true)), /loadSafetensors: header starts with a UTF-8 byte-order mark/);
  const dup = '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  assert.throws(() => sl.io.loadSafetensors(fileOf(dup, [1])), /loadSafetensors: header has the key "w" twice/);
  const dupInner = '{"w":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}}';
  assert.throws(() => sl.io.loadSafetensors(fileOf(dupInner, [1])), /loadSafetensors: header has the key "shape" twice/);
  const dupMeta = '{"__metadata__":{"a":"1","a":"2"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  assert.throws(() => sl.io.safetensorsMetadata(fileOf(dupMeta, [1])), /safetensorsMetadata: header has the key "a" twice/);
  // Escapes are decoded before comparing: "\u0077" is "w".
  const dupEscaped = '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0077":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  assert.throws(() => sl.io.loadSafetensors(fileOf(dupEscaped, [1])), /header has the key "w" twice/);
  // The same name in two different objects is fine.
  const ok = sl.io.loadSafetensors(fileOf('{"__metadata__":{"w":"x"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [2]));
  assert.equal(Array.from(ok.w.data()), [2]);
  ok.w.dispose();
});

test("safetensorsMetadata's errors name safetensorsMetadata", () => {
  assert.throws(() => sl.io.safetensorsMetadata(new Uint8Array(3)), /^safetensorsMetadata: file is 3 bytes/);
  assert.throws(() => sl.io.safetensorsMetadata(fileOf('{"w":{"dtype":"BOOL","shape":[1],"data_offsets":[0,8]}}', [0, 0])), /^safetensorsMetadata: tensor 'w' has dtype "BOOL"/);
});

test('saveSafetensors names the disposed entry', () => {
  const t = sl.tensor([[1, 2, 3]]);
  t.dispose();
  assert.throws(() => sl.io.saveSafetensors({ '0.weight': t }), /^saveSafetensors: stateDict\['0\.weight'\] \[1, 3\] was disposed/);
});

test('a load that runs out of memory frees what it had loaded before rethrowing', () => {
  // Three tensors of 1 MiB (3 MiB of data) with ~2.5 MiB free: the third cannot be allocated.
  const n = 1 << 18;
  const values = new Array<number>(3 * n).fill(0.5);
  const header = `{"a":{"dtype":"F32","shape":[${n}],"data_offsets":[0,${4 * n}]},"b":{"dtype":"F32","shape":[${n}],"data_offsets":[${4 * n},${8 * n}]},"c":{"dtype":"F32","shape":[${n}],"data_offsets":[${8 * n},${12 * n}]}}`;
  const bytes = fileOf(header, values);
  const live = e.alloc.liveBytes;
  const mem = fillMemoryExcept(5 << 19); // 2.5 MiB
  try {
    assert.throws(() => sl.io.loadSafetensors(bytes), (err: Error) => err instanceof RangeError && /out of wasm memory/.test(err.message));
    mem.release();
    assert.is(e.alloc.liveBytes, live, 'nothing of the failed load stays allocated');
  } finally {
    mem.release();
  }
  const d = sl.io.loadSafetensors(bytes);
  assert.equal([d.a.size, d.b.size, d.c.size], [n, n, n]);
  for (const t of Object.values(d)) t.dispose();
});

test.run();
