// Shape ops that share storage (no copy): reshape, flatten.
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
