// Sum and mean over all elements or along one axis (any, negative counts from the end).
// Along an axis the tensor is seen as [outer, n, inner] and n is reduced: the last axis is
// one sum_rows call, any other one sum_cols per outer slab.
import { f32, getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record, shapeSize, untracked } from '../autograd/tensor';
import { BinaryOp } from '../wasm/abi';

function reduce(fn: 'sum' | 'mean', a: Tensor, axis?: number): Tensor {
  assertLive(fn, 'a', a);
  return axis === undefined ? reduceAll(fn, a) : reduceAxis(fn, a, axis);
}

function reduceAll(fn: 'sum' | 'mean', a: Tensor): Tensor {
  const k = getEngine().k;
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

function reduceAxis(fn: 'sum' | 'mean', a: Tensor, axis: number): Tensor {
  const nd = a.shape.length;
  if (!Number.isInteger(axis) || axis < -nd || axis >= nd) {
    throw new Error(`${fn}: axis ${axis} is out of range for ${fmtShape(a.shape)}: use no axis (all elements) or one in [${-nd}, ${nd - 1}]`);
  }
  const ax = axis < 0 ? axis + nd : axis;
  const outer = shapeSize(a.shape.slice(0, ax)), n = a.shape[ax], inner = shapeSize(a.shape.slice(ax + 1));
  const scale = fn === 'mean' ? 1 / n : 1;
  const k = getEngine().k;
  const out = empty([...a.shape.slice(0, ax), ...a.shape.slice(ax + 1)]);
  if (inner === 1) k.f32_sum_rows(a.ptr, out.ptr, outer, n, 0);
  else for (let o = 0; o < outer; o++) k.f32_sum_cols(a.ptr + o * n * inner * 4, out.ptr + o * inner * 4, n, inner, 0);
  if (scale !== 1) k.f32_scale(out.ptr, scale, out.ptr, out.size);
  return record(out, fn, [a], (g) =>
    addGrad(a, (p, acc) => {
      // ga[o, j, i] (+)= scale · g[o, i]: spread g back along the reduced axis.
      if (!acc) k.f32_fill(p, 0, a.size);
      const gs = scale === 1 ? g : untracked(g.shape);
      try {
        if (gs !== g) k.f32_scale(g.ptr, scale, gs.ptr, g.size);
        if (inner === 1) k.f32_binary_col(BinaryOp.add, p, gs.ptr, p, outer, n);
        else for (let o = 0; o < outer; o++) k.f32_binary_row(BinaryOp.add, p + o * n * inner * 4, gs.ptr + o * inner * 4, p + o * n * inner * 4, n, inner);
      } finally {
        if (gs !== g) gs.dispose();
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

/**
 * Cumulative sums along the last axis (torch.cumsum(x, dim=-1)): out[..., j] = Σ_{j' ≤ j}
 * x[..., j']. The gradient is the reverse cumulative sum of g (the same kernel, reversed).
 */
export function cumsum(x: Tensor): Tensor {
  assertLive('cumsum', 'x', x);
  if (x.shape.length === 0) throw new Error('cumsum: x must have at least one dimension, got a scalar');
  const m = x.shape[x.shape.length - 1];
  const n = m === 0 ? 0 : x.size / m;
  const k = getEngine().k;
  const out = empty(x.shape);
  k.f32_cumsum_rows(x.ptr, out.ptr, n, m, 0, 0);
  return record(out, 'cumsum', [x], (g) => addGrad(x, (p, acc) => k.f32_cumsum_rows(g.ptr, p, n, m, 1, acc)));
}

/**
 * A scalar 0 that depends on x with a zero gradient: PML's `torch.sum(x * 0)`, what a loss
 * with no valid pair or triplet returns so backward() still reaches the embeddings.
 */
export function zeroFrom(x: Tensor): Tensor {
  assertLive('zeroFrom', 'x', x);
  const k = getEngine().k;
  const out = empty([]);
  f32()[out.ptr >>> 2] = 0;
  return record(out, 'zeroFrom', [x], () => addGrad(x, (p, acc) => (acc ? undefined : k.f32_fill(p, 0, x.size))));
}
