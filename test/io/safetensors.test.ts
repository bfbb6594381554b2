import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';

await sl.init();

const enc = (s: string) => new TextEncoder().encode(s);
const fixtureDir = new URL('../fixtures/', import.meta.url);

// A file written byte by byte from the format's specification: scalar 'a' = 0.5 and
// 'b' [1, 2] = [1, -2]; header 109 bytes of JSON + 3 spaces = 112 (0x70).
const HEADER = '{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}';
const HAND = new Uint8Array([
  0x70, 0, 0, 0, 0, 0, 0, 0,
  ...enc(HEADER), 0x20, 0x20, 0x20,
  0x00, 0x00, 0x00, 0x3f, // 0.5
  0x00, 0x00, 0x80, 0x3f, // 1
  0x00, 0x00, 0x00, 0xc0, // -2
]);

function fileWith(header: string, data: number[] = [], declared?: number): Uint8Array {
  const h = enc(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('save writes the hand-made byte fixture exactly (sorted names, space padding)', () => {
  const bytes = sl.io.saveSafetensors({ b: sl.tensor([[1, -2]]), a: sl.tensor(0.5) });
  assert.equal(bytes.length, HAND.length);
  assert.equal(Array.from(bytes), Array.from(HAND));
});

test('load reads the hand-made byte fixture', () => {
  const d = sl.io.loadSafetensors(HAND);
  assert.equal(Object.keys(d).sort(), ['a', 'b']);
  assert.equal(d.a.shape, []);
  assert.is(d.a.item(), 0.5);
  assert.equal(d.b.shape, [1, 2]);
  assert.equal(Array.from(d.b.data()), [1, -2]);
});

test('round trip keeps names, shapes and bit patterns (odd sizes, empty tensor, Map, metadata)', () => {
  const shapes: Record<string, number[]> = { '0.weight': [17, 3], '0.bias': [17], '3.weight': [5, 1, 3, 3], z: [0, 4], s: [] };
  const src = new Map<string, sl.Tensor>();
  let seed = 1;
  for (const [k, s] of Object.entries(shapes)) src.set(k, sl.randn(s, { seed: seed++ }));
  // NaN, infinities, -0 and a subnormal: raw bytes must survive untouched.
  const special = sl.tensor(new Float32Array([NaN, Infinity, -Infinity, -0, 1e-40]), [5]);
  src.set('special', special);
  const bytes = sl.io.saveSafetensors(src, { format: 'pt', note: 'ünïcode' });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is(headerLen % 8, 0, 'header padded to 8 bytes');
  assert.equal(sl.io.safetensorsMetadata(bytes), { format: 'pt', note: 'ünïcode' });
  const back = sl.io.loadSafetensors(bytes);
  assert.equal(Object.keys(back).sort(), [...src.keys()].sort());
  for (const [k, t] of src) {
    assert.equal(back[k].shape, t.shape, k);
    const a = new Uint32Array(t.data().buffer), b = new Uint32Array(back[k].data().buffer);
    assert.equal(Array.from(b), Array.from(a), k);
  }
});

test('loads a state dict written from PyTorch (fixture from test/fixtures/gen_safetensors.py)', () => {
  const bytes = readFileSync(new URL('torch_model.safetensors', fixtureDir));
  const ref = JSON.parse(readFileSync(new URL('torch_model.json', fixtureDir), 'utf8'));
  const d = sl.io.loadSafetensors(bytes);
  assert.equal(Object.keys(d).sort(), Object.keys(ref.state).sort());
  for (const [k, v] of Object.entries<any>(ref.state)) {
    assert.equal(d[k].shape, v.shape, k);
    const got = d[k].data();
    // float32 values printed by Python as float64 round-trip exactly through Math.fround.
    v.values.forEach((x: number, i: number) => assert.is(got[i], Math.fround(x), `${k}[${i}]`));
  }
  assert.equal(sl.io.safetensorsMetadata(bytes), { format: 'pt' });
  // Saving what we loaded (plus the same metadata) reproduces PyTorch's file byte for byte.
  assert.equal(Array.from(sl.io.saveSafetensors(d, { format: 'pt' })), Array.from(bytes));
});

test('a PyTorch-written file loads into the same sl.nn layers and reproduces PyTorch\'s forward', () => {
  const ref = JSON.parse(readFileSync(new URL('torch_model.json', fixtureDir), 'utf8'));
  const model = new sl.nn.Sequential(
    new sl.nn.Conv2d(1, 3, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2), new sl.nn.Flatten(), new sl.nn.Linear(27, 5),
  );
  model.loadStateDict(sl.io.loadSafetensors(readFileSync(new URL('torch_model.safetensors', fixtureDir))));
  const y = sl.l2Normalize(model.forward(sl.tensor(ref.x.values, ref.x.shape))).data();
  ref.y.values.forEach((v: number, i: number) => assert.ok(Math.abs(y[i] - v) < 1e-5, `y[${i}] ${y[i]} vs torch ${v}`));
  // And back: our file of this model is PyTorch's file, byte for byte.
  const torchBytes = readFileSync(new URL('torch_model.safetensors', fixtureDir));
  assert.equal(Array.from(sl.io.saveSafetensors(model.stateDict(), { format: 'pt' })), Array.from(torchBytes));
});

const A = '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
const corrupt: [string, () => Uint8Array, RegExp][] = [
  ['fewer than 8 bytes', () => new Uint8Array([1, 0, 0]), /3 bytes, shorter than the 8-byte header length/],
  ['header length past the end', () => fileWith(`{${A}}`, new Array(8).fill(0), 500), /header length 500 runs past the end/],
  ['absurd header length', () => { const b = new Uint8Array(16); b[7] = 1; return b; }, /exceeds the 100000000-byte limit/],
  ['bad JSON', () => fileWith('{"a":', []), /header is not valid JSON/],
  ['header not an object', () => fileWith('[1,2]', []), /header must be a JSON object/],
  ['wrong dtype', () => fileWith('{"a":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}', new Array(1).fill(0)), /tensor 'a' has dtype "BOOL"; supported: F32, F16, BF16, F64, I64, I32/],
  ['bad shape', () => fileWith('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Array(4).fill(0)), /tensor 'a' has shape \[-1\]/],
  ['size mismatch', () => fileWith('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Array(8).fill(0)), /needs 12 bytes but data_offsets \[0, 8\] span 8/],
  ['truncated data', () => fileWith(`{${A}}`, new Array(5).fill(0)), /run past the 5-byte data section/],
  ['overlapping tensors', () => fileWith(`{${A},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, new Array(8).fill(0)), /tensor 'b' data_offsets \[4, 8\] overlap/],
  ['gap between tensors', () => fileWith('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Array(8).fill(0)), /leave a gap after byte 0/],
  ['trailing bytes', () => fileWith(`{${A}}`, new Array(12).fill(0)), /tensors cover 8 bytes but the data section holds 12/],
  ['reversed offsets', () => fileWith('{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', new Array(4).fill(0)), /expected \[begin, end\] with 0 ≤ begin ≤ end/],
  ['bad metadata', () => fileWith('{"__metadata__":{"x":1}}', []), /__metadata__ must be an object of strings/],
];

for (const [what, make, message] of corrupt) {
  test(`load refuses a corrupt file (${what}) with a clear error and allocates nothing`, () => {
    const bytes = make();
    const before = sl.engineInfo().liveBytes;
    assert.throws(() => sl.io.loadSafetensors(bytes), (e: Error) => e.message.startsWith('loadSafetensors: ') && message.test(e.message));
    assert.is(sl.engineInfo().liveBytes, before);
  });
}

test('load of a truncated copy of a real file fails at every cut', () => {
  const full = sl.io.saveSafetensors({ w: sl.randn([3, 5], { seed: 3 }), b: sl.randn([3], { seed: 4 }) });
  for (let cut = 0; cut < full.length; cut += 7) {
    assert.throws(() => sl.io.loadSafetensors(full.subarray(0, cut)), /loadSafetensors: /);
  }
});

test('save refuses non-tensors, disposed tensors, and the reserved name', () => {
  assert.throws(() => sl.io.saveSafetensors({ w: [1, 2] as any }), /saveSafetensors: entry 'w' is not a Tensor/);
  const t = sl.zeros([2]);
  t.dispose();
  assert.throws(() => sl.io.saveSafetensors({ w: t }), /disposed/);
  assert.throws(() => sl.io.saveSafetensors({ __metadata__: sl.zeros([1]) }), /reserved/);
  assert.throws(() => sl.io.saveSafetensors(null as any), /stateDict must be an object or Map/);
});

test.run();
