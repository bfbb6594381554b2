// Sum and mean over all elements or along the last axis.
import { f32, getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record, shapeSize, untracked } from '../autograd/tensor';
import { BinaryOp } from '../wasm/abi';

function lastAxis(fn: string, a: Tensor, axis: number): void {
  const nd = a.shape.length;
  if (nd === 0 || (axis !== -1 && axis !== nd - 1)) {
    throw new Error(`${fn}: axis ${axis} is not supported for ${fmtShape(a.shape)}: use no axis (all elements) or the last axis (-1 or ${nd - 1})`);
  }
}

function reduce(fn: 'sum' | 'mean', a: Tensor, axis?: number): Tensor {
  assertLive(fn, 'a', a);
  const k = getEngine().k;
  if (axis === undefined) {
    const scale = fn === 'mean' ? 1 / a.size : 1;
    const out = empty([]);
    f32()[out.ptr >>> 2] = a.size === 0 ? (fn === 'mean' ? NaN : 0) : k.f32_sum(a.ptr, a.size) * scale;
    return record(out, fn, [a], (g) =>
      addGrad(a, (p, acc) => {
        const gv = f32()[g.ptr >>> 2] * scale;
        acc ? k.f32_add_scalar(p, gv, p, a.size) : k.f32_fill(p, gv, a.size);
      }),
    );
  }
  lastAxis(fn, a, axis);
  const d = a.shape[a.shape.length - 1];
  const n = shapeSize(a.shape.slice(0, -1));
  const scale = fn === 'mean' ? 1 / d : 1;
  const out = empty(a.shape.slice(0, -1));
  k.f32_sum_rows(a.ptr, out.ptr, n, d, 0);
  if (scale !== 1) k.f32_scale(out.ptr, scale, out.ptr, n);
  return record(out, fn, [a], (g) =>
    addGrad(a, (p, acc) => {
      // ga[i, j] (+)= scale · g[i]: broadcast the column of row gradients.
      if (!acc) k.f32_fill(p, 0, a.size);
      if (scale === 1) {
        k.f32_binary_col(BinaryOp.add, p, g.ptr, p, n, d);
        return;
      }
      const gs = untracked(g.shape);
      try {
        k.f32_scale(g.ptr, scale, gs.ptr, n);
        k.f32_binary_col(BinaryOp.add, p, gs.ptr, p, n, d);
      } finally {
        gs.dispose();
      }
    }),
  );
}

export const sum = (a: Tensor, axis?: number): Tensor => reduce('sum', a, axis);
export const mean = (a: Tensor, axis?: number): Tensor => reduce('mean', a, axis);

/**
 * Row-wise L2 normalisation along the last axis, y = x / max(‖x‖, eps), as
 * torch.nn.functional.normalize (eps 1e-12; a zero row stays zero with gradient g / eps).
 */
export function l2Normalize(x: Tensor, eps = 1e-12): Tensor {
  assertLive('l2Normalize', 'x', x);
  if (x.shape.length === 0) throw new Error('l2Normalize: x must have at least one dimension, got a scalar');
  const k = getEngine().k;
  const d = x.shape[x.shape.length - 1];
  const n = shapeSize(x.shape.slice(0, -1));
  const out = empty(x.shape);
  const norms = untracked([n]);
  k.f32_l2normalize_fwd(x.ptr, out.ptr, norms.ptr, n, d, eps);
  return record(
    out,
    'l2Normalize',
    [x],
    (g) => addGrad(x, (p, acc) => k.f32_l2normalize_bwd(out.ptr, g.ptr, norms.ptr, p, n, d, eps, acc)),
    [norms],
  );
}
