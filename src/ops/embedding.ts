// Embedding lookups (torch.nn.functional's embedding and embedding_bag). Indices arrive as
// a Tensor of whole numbers, an array or an Int32Array; they are checked and copied into
// an int32 buffer in wasm memory, which the backward keeps.
import { BagMode } from '../wasm/abi';
import { getEngine, i32 } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record, untracked } from '../autograd/tensor';

export type Indices = Tensor | readonly number[] | Int32Array;

/** The indices as int32 values in a wasm buffer (a padding entry −1 when skipPadding), and their shape. */
function indexBuffer(fn: string, name: string, idx: Indices, num: number, padding: number | null): { buf: Tensor; shape: number[] } {
  let vals: ArrayLike<number>;
  let shape: number[];
  if (idx instanceof Tensor) {
    assertLive(fn, name, idx);
    vals = idx.data();
    shape = idx.shape.slice();
  } else if (Array.isArray(idx) || idx instanceof Int32Array) {
    vals = idx as ArrayLike<number>;
    shape = [vals.length];
  } else {
    throw new TypeError(`${fn}: ${name} must be a Tensor, an array or an Int32Array of indices`);
  }
  const out = new Int32Array(vals.length);
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (!Number.isInteger(v) || v < 0 || v >= num) throw new Error(`${fn}: ${name}[${i}] is ${v}, outside [0, ${num})`);
    out[i] = padding !== null && v === padding ? -1 : v;
  }
  const buf = untracked([out.length]);
  i32().set(out, buf.ptr >>> 2);
  return { buf, shape };
}

/** weight [num, d] rows picked by indices: [...indices.shape, d]. paddingIdx's row gets no gradient. */
export function embedding(indices: Indices, weight: Tensor, paddingIdx: number | null = null): Tensor {
  assertLive('embedding', 'weight', weight);
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be [num, dim], got ${fmtShape(weight.shape)}`);
  const [num, d] = weight.shape;
  const { buf, shape } = indexBuffer('embedding', 'indices', indices, num, null);
  const n = buf.size;
  const k = getEngine().k;
  const out = empty([...shape, d]);
  k.f32_embedding_fwd(weight.ptr, buf.ptr, out.ptr, n, d);
  return record(out, 'embedding', [weight], (g) => addGrad(weight, (p, acc) => {
    if (!acc) k.f32_fill(p, 0, weight.size);
    k.f32_embedding_bwd(g.ptr, buf.ptr, p, n, d, paddingIdx ?? -1);
  }), [buf]);
}

/**
 * Bags of weight's rows reduced by mode (sum, mean or max), [bags, d]: indices 2-D
 * [bags, len] (fixed-length bags), or 1-D with offsets (bag b starts at offsets[b]).
 * Entries equal to paddingIdx are left out; an empty bag gives zeros.
 */
export function embeddingBag(indices: Indices, weight: Tensor, offsets: Indices | null, mode: 'sum' | 'mean' | 'max', paddingIdx: number | null = null): Tensor {
  assertLive('embeddingBag', 'weight', weight);
  if (weight.ndim !== 2) throw new Error(`embeddingBag: weight must be [num, dim], got ${fmtShape(weight.shape)}`);
  const [num, d] = weight.shape;
  const { buf, shape } = indexBuffer('embeddingBag', 'indices', indices, num, paddingIdx);
  let starts: number[];
  if (shape.length === 2) {
    if (offsets) { buf.dispose(); throw new Error(`embeddingBag: offsets must be absent when indices are 2-D ${fmtShape(shape)}`); }
    starts = Array.from({ length: shape[0] + 1 }, (_, b) => b * shape[1]);
  } else if (shape.length === 1 && offsets) {
    const o = offsets instanceof Tensor ? Array.from(offsets.data()) : Array.from(offsets);
    const bad = o.findIndex((v, b) => !Number.isInteger(v) || v < (b === 0 ? 0 : o[b - 1]) || v > buf.size || (b === 0 && v !== 0));
    if (bad >= 0) { buf.dispose(); throw new Error(`embeddingBag: offsets must start at 0 and not decrease up to ${buf.size}, got offsets[${bad}] = ${o[bad]}`); }
    starts = [...o, buf.size];
  } else {
    buf.dispose();
    throw new Error(`embeddingBag: indices must be 2-D [bags, len], or 1-D with offsets; got ${fmtShape(shape)}${offsets ? '' : ' without offsets'}`);
  }
  const bags = starts.length - 1;
  const k = getEngine().k;
  const code = BagMode[mode];
  const off = untracked([starts.length]);
  i32().set(starts, off.ptr >>> 2);
  const argmax = untracked([mode === 'max' ? bags * d : 1]);
  const out = empty([bags, d]);
  k.f32_embedding_bag_fwd(weight.ptr, buf.ptr, off.ptr, out.ptr, argmax.ptr, bags, d, code);
  return record(out, 'embeddingBag', [weight], (g) => addGrad(weight, (p, acc) => {
    if (!acc) k.f32_fill(p, 0, weight.size);
    k.f32_embedding_bag_bwd(g.ptr, buf.ptr, off.ptr, argmax.ptr, p, bags, d, code);
  }), [buf, off, argmax]);
}
