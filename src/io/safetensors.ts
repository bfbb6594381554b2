// The safetensors format (huggingface/safetensors); written as F32, read from F32, F16,
// BF16, F64, I64 and I32:
//   [u64 LE header length n] [n bytes of JSON header, space-padded to a multiple of 8]
//   [data section: raw little-endian tensors, back to back]
// Header: { "__metadata__"?: { str: str }, name: { dtype, shape, data_offsets: [begin, end] } },
// offsets relative to the data section. Tensors are laid out in the order the Rust library
// uses (by dtype alignment, then name; all F32 here, so by name), which makes our files
// byte-identical to `safetensors.torch.save_file` for the same state dict.
import { f32 } from '../wasm/instance';
import { tensor } from '../autograd/create';
import { Tensor, assertLive, fmtShape, shapeSize } from '../autograd/tensor';

export type StateDict = Record<string, Tensor> | Map<string, Tensor>;

/** The Rust library's limit: headers above 100 MB are refused as corrupt. */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serialises a state dict (name → Tensor, a plain object or a Map) as a safetensors file.
 * `metadata` (string → string) goes into `__metadata__`.
 * @example writeFileSync('model.safetensors', sl.io.saveSafetensors(model.stateDict()))
 */
export function saveSafetensors(stateDict: StateDict, metadata?: Record<string, string>): Uint8Array {
  if (stateDict === null || typeof stateDict !== 'object') {
    throw new Error(`saveSafetensors: stateDict must be an object or Map of name → Tensor, got ${stateDict === null ? 'null' : typeof stateDict}`);
  }
  const entries = stateDict instanceof Map ? [...stateDict.entries()] : Object.entries(stateDict);
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new Error(`saveSafetensors: entry '${name}' is not a Tensor`);
    assertLive('saveSafetensors', `stateDict['${name}']`, t); // before anything is written
    if (name === '__metadata__') throw new Error("saveSafetensors: '__metadata__' is reserved and cannot name a tensor");
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`saveSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  // No prototype: a tensor may be named '__proto__' or 'constructor'.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.size * 4;
    header[name] = { dtype: 'F32', shape: t.shape.slice(), data_offsets: [offset, end] };
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);

  const base = 8 + padded;
  let pos = 0;
  for (const [, t] of entries) {
    writeF32(out, base + pos, t);
    pos += t.size * 4;
  }
  return out;
}

function writeF32(out: Uint8Array, at: number, t: Tensor): void {
  const mem = f32();
  const p = t.ptr >>> 2;
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(mem.buffer, mem.byteOffset + p * 4, t.size * 4), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < t.size; i++) view.setFloat32(at + i * 4, mem[p + i], true);
}

// The dtypes read, each converted to float32 (torch state dicts hold F16/BF16 weights, F64
// statistics, and I64 num_batches_tracked counts, which are read as integers, exactly).
const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4 } as const;
type DType = keyof typeof DTYPE_BYTES;
const bf16 = new DataView(new ArrayBuffer(4));

function readValue(view: DataView, at: number, dtype: DType): number {
  switch (dtype) {
    case 'F32': return view.getFloat32(at, true);
    case 'F64': return view.getFloat64(at, true);
    case 'I32': return view.getInt32(at, true);
    case 'I64': return Number(view.getBigInt64(at, true));
    case 'BF16': return bf16.setUint32(0, view.getUint16(at, true) << 16), bf16.getFloat32(0);
    case 'F16': {
      const h = view.getUint16(at, true);
      const e = (h >> 10) & 31, m = h & 1023, sign = h & 0x8000 ? -1 : 1;
      if (e === 31) return m ? NaN : sign * Infinity;
      return sign * (e === 0 ? m * 2 ** -24 : (1024 + m) * 2 ** (e - 25));
    }
  }
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file into name → float32 Tensor (F32, F16, BF16, F64, I64 and I32 read), an object without a prototype (a
 * tensor may be named '__proto__'). Every check runs before any tensor is created, so a
 * truncated or corrupt file throws and allocates nothing; running out of memory part way
 * frees the tensors already made before the RangeError is rethrown.
 * @example const dict = sl.io.loadSafetensors(readFileSync('model.safetensors')); model.loadStateDict(dict)
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const { entries, dataStart } = parseSafetensors('loadSafetensors', bytes);
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Record<string, Tensor> = Object.create(null);
  const made: Tensor[] = [];
  try {
    for (const e of entries) {
      const size = DTYPE_BYTES[e.dtype];
      const n = (e.end - e.begin) / size;
      const vals = new Float32Array(n);
      const at = dataStart + e.begin;
      for (let i = 0; i < n; i++) vals[i] = readValue(view, at + i * size, e.dtype);
      const t = tensor(vals, e.shape);
      made.push(t);
      out[e.name] = t;
    }
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
  return out;
}

/** The `__metadata__` of a safetensors file ({} when absent), validated like loadSafetensors. */
export function safetensorsMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  return parseSafetensors('safetensorsMetadata', bytes).metadata;
}

function readHeader(fn: string, bytes: Uint8Array | ArrayBuffer): { header: Record<string, any>; n: number; total: number } {
  const fail = (msg: string): never => {
    throw new Error(`${fn}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    fail(`bytes must be a Uint8Array or ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const total = buf.byteLength;
  if (total < 8) fail(`file is ${total} bytes, shorter than the 8-byte header length: truncated`);
  const big = new DataView(buf.buffer, buf.byteOffset, total).getBigUint64(0, true);
  if (big > BigInt(MAX_HEADER_BYTES)) fail(`header length ${big} exceeds the ${MAX_HEADER_BYTES}-byte limit: corrupt file`);
  const n = Number(big);
  if (8 + n > total) fail(`header length ${n} runs past the end of the ${total}-byte file: truncated or corrupt`);
  // As the Rust library (serde_json): a byte-order mark is not JSON. TextDecoder would drop it.
  if (n >= 3 && buf[8] === 0xef && buf[9] === 0xbb && buf[10] === 0xbf) fail('header starts with a UTF-8 byte-order mark; a safetensors header is plain JSON');
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header must be a JSON object');
  // JSON.parse keeps the last of two equal keys; the Rust library refuses the file.
  const dup = duplicateKey(text);
  if (dup !== null) fail(`header has the key ${JSON.stringify(dup)} twice in one object`);
  return { header: header as Record<string, any>, n, total };
}

/** The first key that appears twice in one object of a valid JSON text, or null. */
function duplicateKey(text: string): string | null {
  const frames: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = frames[frames.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === '{') frames.push({ keys: new Set(), expectKey: true });
    else if (c === '[') frames.push({ keys: null, expectKey: false });
    else if (c === '}' || c === ']') frames.pop();
    else if (c === ',' && top?.keys) top.expectKey = true;
  }
  return null;
}

function parseSafetensors(fn: string, bytes: Uint8Array | ArrayBuffer): { entries: Entry[]; dataStart: number; metadata: Record<string, string> } {
  const fail = (msg: string): never => {
    throw new Error(`${fn}: ${msg}`);
  };
  const { header, n, total } = readHeader(fn, bytes);
  const dataLen = total - 8 - n;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string')) {
        fail('__metadata__ must be an object of strings');
      }
      continue;
    }
    if (info === null || typeof info !== 'object') fail(`entry '${name}' must be an object`);
    const { dtype, shape, data_offsets: off } = info as Record<string, any>;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      fail(`tensor '${name}' has dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(DTYPE_BYTES).join(', ')}`);
    }
    if (!Array.isArray(shape) || shape.some((s) => !Number.isSafeInteger(s) || s < 0)) {
      fail(`tensor '${name}' has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
    }
    if (!Array.isArray(off) || off.length !== 2 || off.some((o) => !Number.isSafeInteger(o) || o < 0) || off[0] > off[1]) {
      fail(`tensor '${name}' has data_offsets ${JSON.stringify(off)}; expected [begin, end] with 0 ≤ begin ≤ end`);
    }
    if (off[1] > dataLen) {
      fail(`tensor '${name}' data_offsets [${off[0]}, ${off[1]}] run past the ${dataLen}-byte data section: truncated or corrupt`);
    }
    const want = shapeSize(shape) * DTYPE_BYTES[dtype as DType];
    if (off[1] - off[0] !== want) {
      fail(`tensor '${name}' of shape ${fmtShape(shape)} needs ${want} bytes but data_offsets [${off[0]}, ${off[1]}] span ${off[1] - off[0]}`);
    }
    entries.push({ name, dtype: dtype as DType, shape, begin: off[0], end: off[1] });
  }
  // As the Rust library: the tensors must tile the data section exactly, no overlap, no gap.
  const byOffset = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of byOffset) {
    if (e.begin < expected) fail(`tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${expected})`);
    if (e.begin > expected) fail(`tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${expected}`);
    expected = e.end;
  }
  if (expected !== dataLen) fail(`tensors cover ${expected} bytes but the data section holds ${dataLen}: trailing or missing data`);
  // Spread defines own properties, so a key named "__proto__" stays an entry.
  const metadata: Record<string, string> = { ...(header.__metadata__ ?? {}) };
  return { entries, dataStart: 8 + n, metadata };
}
