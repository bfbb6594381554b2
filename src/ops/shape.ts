// Shape ops: reshape and flatten share storage (no copy); cat copies blocks.
import { getEngine } from '../wasm/instance';
import { Tensor, addGrad, assertLive, fmtShape, record, shapeSize, viewOf } from '../autograd/tensor';

/** Same data under a new shape; one dimension may be -1 (inferred). */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  assertLive('reshape', 'a', a);
  if (!Array.isArray(shape)) throw new Error(`reshape: shape must be an array of integers, got ${JSON.stringify(shape)}`);
  const dims = shape.slice();
  const free = dims.indexOf(-1);
  if (dims.some((s, i) => !Number.isInteger(s) || (s < 0 && i !== free)) || dims.lastIndexOf(-1) !== free) {
    throw new Error(`reshape: bad shape ${fmtShape(shape)} (non-negative integers, at most one -1)`);
  }
  if (free >= 0) {
    const rest = shapeSize(dims.filter((_, i) => i !== free));
    if (rest === 0 || a.size % rest !== 0) throw new Error(`reshape: cannot reshape ${fmtShape(a.shape)} (${a.size} elements) to ${fmtShape(shape)}`);
    dims[free] = a.size / rest;
  }
  if (shapeSize(dims) !== a.size) {
    throw new Error(`reshape: cannot reshape ${fmtShape(a.shape)} (${a.size} elements) to ${fmtShape(shape)} (${shapeSize(dims)} elements)`);
  }
  const k = getEngine().k;
  const out = viewOf(a, dims);
  return record(out, 'reshape', [a], (g) =>
    addGrad(a, (p, acc) => (acc ? k.f32_add(p, g.ptr, p, a.size) : k.f32_copy(g.ptr, p, a.size))),
  );
}

/** Merges dimensions startDim..endDim (negative counts from the end) into one: a view (torch.flatten). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  assertLive('flatten', 'x', x);
  const nd = Math.max(x.ndim, 1);
  const s = startDim < 0 ? startDim + nd : startDim;
  const e = endDim < 0 ? endDim + nd : endDim;
  if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e < nd)) {
    throw new Error(`flatten: dimensions ${startDim}..${endDim} do not fit x ${fmtShape(x.shape)}`);
  }
  if (x.ndim === 0) return reshape(x, [1]);
  return reshape(x, [...x.shape.slice(0, s), shapeSize(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Joins tensors along dim (negative counts from the end); every other dimension must agree (torch.cat). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('cat: tensors must be a non-empty array of Tensors');
  tensors.forEach((t, i) => assertLive('cat', `tensors[${i}]`, t));
  const first = tensors[0].shape;
  const d = dim < 0 ? dim + first.length : dim;
  if (!Number.isInteger(d) || d < 0 || d >= first.length) throw new Error(`cat: dim ${dim} is out of range for ${fmtShape(first)}`);
  for (const t of tensors) {
    if (t.ndim !== first.length || t.shape.some((s: number, i: number) => i !== d && s !== first[i])) {
      throw new Error(`cat: shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} differ outside dim ${dim}`);
    }
  }
  const rows = shapeSize(first.slice(0, d));
  const inner = shapeSize(first.slice(d + 1));
  const total = tensors.reduce((a, t) => a + t.shape[d], 0);
  const k = getEngine().k;
  const out = new Tensor([...first.slice(0, d), total, ...first.slice(d + 1)]);
  const ld = total * inner;
  let at = 0;
  const starts = tensors.map((t) => {
    const s = at;
    if (t.size > 0) k.f32_copy_rows(t.ptr, t.shape[d] * inner, out.ptr + s * 4, ld, rows, t.shape[d] * inner, 0);
    at += t.shape[d] * inner;
    return s;
  });
  return record(out, 'cat', tensors, (g) =>
    tensors.forEach((t, i) => addGrad(t, (p, acc) => k.f32_copy_rows(g.ptr + starts[i] * 4, ld, p, t.shape[d] * inner, rows, t.shape[d] * inner, acc))),
  );
}
