// Contiguous row ranges of a 2-D (or any) tensor along the first axis, with gradient: a copy
// of rows [start, end) whose backward writes g into those rows of the input's gradient and
// zeros elsewhere. Used where a computation walks a large matrix block by block.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record, shapeSize } from '../autograd/tensor';

/** Rows start..end−1 of x along axis 0 (0 ≤ start ≤ end ≤ x.shape[0]). */
export function narrowRows(x: Tensor, start: number, end: number): Tensor {
  assertLive('narrowRows', 'x', x);
  const n = x.shape[0];
  if (x.shape.length === 0 || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new Error(`narrowRows: rows [${start}, ${end}) are out of range for ${fmtShape(x.shape)}`);
  }
  const k = getEngine().k;
  const row = shapeSize(x.shape.slice(1));
  const out = empty([end - start, ...x.shape.slice(1)]);
  k.f32_copy(x.ptr + start * row * 4, out.ptr, out.size);
  return record(out, 'narrowRows', [x], (g) =>
    addGrad(x, (p, acc) => {
      const dst = p + start * row * 4;
      if (acc) {
        k.f32_add(dst, g.ptr, dst, g.size);
        return;
      }
      k.f32_fill(p, 0, x.size);
      k.f32_copy(g.ptr, dst, g.size);
    }),
  );
}
