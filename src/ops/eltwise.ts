// Elementwise ops with broadcasting of b over a: same shape, a row [d] / [1, d] matching a's
// last dimension (bias), a column [n, 1] (per-row factor), or a scalar (size 1).
import { BinaryOp } from '../wasm/abi';
import { f32, getEngine } from '../wasm/instance';
import { empty, tensor } from '../autograd/create';
import { Tensor, addGrad, fmtShape, record, untracked, writeOrAdd } from '../autograd/tensor';

type Op = 'add' | 'sub' | 'mul' | 'div';
type Layout = { kind: 'same' } | { kind: 'row' | 'col'; n: number; d: number } | { kind: 'scalar' };

function layoutOf(fn: string, a: Tensor, b: Tensor): Layout | null {
  const as = a.shape, bs = b.shape;
  if (as.length === bs.length && as.every((s, i) => s === bs[i])) return { kind: 'same' };
  if (b.size === 1) return { kind: 'scalar' };
  const d = as[as.length - 1];
  if (as.length >= 1 && ((bs.length === 1 && bs[0] === d) || (bs.length === 2 && bs[0] === 1 && bs[1] === d))) {
    return { kind: 'row', n: a.size / d, d };
  }
  if (as.length === 2 && bs.length === 2 && bs[0] === as[0] && bs[1] === 1) return { kind: 'col', n: as[0], d: as[1] };
  return null;
}

function broadcastError(fn: string, a: Tensor, b: Tensor): Error {
  return new Error(
    `${fn}: cannot broadcast b ${fmtShape(b.shape)} onto a ${fmtShape(a.shape)}: b must have a's shape, ` +
      `be a row [${a.shape[a.shape.length - 1] ?? 1}] of its last dimension, a column [n, 1], or a scalar`,
  );
}

function scalarValue(t: Tensor): number {
  return f32()[t.ptr >>> 2];
}

/** out = a op b under the layout. */
function apply(op: Op, a: Tensor, b: Tensor, out: number, layout: Layout): void {
  const k = getEngine().k;
  switch (layout.kind) {
    case 'same':
      k[`f32_${op}`](a.ptr, b.ptr, out, a.size);
      return;
    case 'row':
      k.f32_binary_row(BinaryOp[op], a.ptr, b.ptr, out, layout.n, layout.d);
      return;
    case 'col':
      k.f32_binary_col(BinaryOp[op], a.ptr, b.ptr, out, layout.n, layout.d);
      return;
    case 'scalar': {
      const s = scalarValue(b);
      if (op === 'add') k.f32_add_scalar(a.ptr, s, out, a.size);
      else if (op === 'sub') k.f32_add_scalar(a.ptr, -s, out, a.size);
      else if (op === 'mul') k.f32_scale(a.ptr, s, out, a.size);
      else k.f32_scale(a.ptr, 1 / s, out, a.size);
    }
  }
}

/** dst (+)= sign · (g reduced to b's shape under the layout): the gradient of a broadcast. */
function reduceTo(g: Tensor, layout: Layout, sign: 1 | -1, dst: number, acc: 0 | 1, bShape: readonly number[]): void {
  const k = getEngine().k;
  if (layout.kind === 'scalar') {
    const s = sign * k.f32_sum(g.ptr, g.size);
    const view = f32();
    view[dst >>> 2] = acc ? view[dst >>> 2] + s : s;
    return;
  }
  if (sign === 1 && layout.kind !== 'same') {
    if (layout.kind === 'row') k.f32_sum_cols(g.ptr, dst, layout.n, layout.d, acc);
    else k.f32_sum_rows(g.ptr, dst, layout.n, layout.d, acc);
    return;
  }
  if (layout.kind === 'same') {
    if (acc) (sign === 1 ? k.f32_add : k.f32_sub)(dst, g.ptr, dst, g.size);
    else if (sign === 1) k.f32_copy(g.ptr, dst, g.size);
    else k.f32_scale(g.ptr, -1, dst, g.size);
    return;
  }
  const tmp = untracked(bShape);
  try {
    if (layout.kind === 'row') k.f32_sum_cols(g.ptr, tmp.ptr, layout.n, layout.d, 0);
    else k.f32_sum_rows(g.ptr, tmp.ptr, layout.n, layout.d, 0);
    if (acc) k.f32_axpy(-1, tmp.ptr, dst, tmp.size);
    else k.f32_scale(tmp.ptr, -1, dst, tmp.size);
  } finally {
    tmp.dispose();
  }
}

function asTensor(x: Tensor | number): Tensor {
  return typeof x === 'number' ? tensor(x) : x;
}

function binary(op: Op, a: Tensor, bIn: Tensor | number): Tensor {
  const b = asTensor(bIn);
  a.ptr, b.ptr;
  let layout = layoutOf(op, a, b);
  if (!layout) {
    // a is the broadcast side: commutative ops swap, sub negates the swapped difference.
    const swapped = layoutOf(op, b, a);
    if (swapped && (op === 'add' || op === 'mul')) return binary(op, b, a);
    if (swapped && op === 'sub') return binary('mul', binary('sub', b, a), -1);
    throw broadcastError(op, a, b);
  }
  const k = getEngine().k;
  const out = empty(a.shape);
  apply(op, a, b, out.ptr, layout);
  const lay = layout;
  return record(out, op, [a, b], (g) => {
    switch (op) {
      case 'add':
      case 'sub':
        addGrad(a, (p, acc) => (acc ? k.f32_add(p, g.ptr, p, g.size) : k.f32_copy(g.ptr, p, g.size)));
        addGrad(b, (p, acc) => reduceTo(g, lay, op === 'add' ? 1 : -1, p, acc, b.shape));
        return;
      case 'mul':
        addGrad(a, (p, acc) => writeOrAdd(p, acc, a.shape, (dst) => apply('mul', g, b, dst, lay)));
        addGrad(b, (p, acc) => withProduct(g, a, (ga) => reduceTo(ga, lay, 1, p, acc, b.shape)));
        return;
      case 'div':
        addGrad(a, (p, acc) => writeOrAdd(p, acc, a.shape, (dst) => apply('div', g, b, dst, lay)));
        // d(a/b)/db = -out/b
        addGrad(b, (p, acc) =>
          withProduct(g, out, (gOut) => {
            apply('div', gOut, b, gOut.ptr, lay);
            reduceTo(gOut, lay, -1, p, acc, b.shape);
          }),
        );
    }
  });
}

/** Calls fn with a temporary x ⊙ y (same shapes), freed after. */
function withProduct(x: Tensor, y: Tensor, fn: (xy: Tensor) => void): void {
  const tmp = untracked(x.shape);
  try {
    getEngine().k.f32_mul(x.ptr, y.ptr, tmp.ptr, x.size);
    fn(tmp);
  } finally {
    tmp.dispose();
  }
}

export const add = (a: Tensor, b: Tensor | number): Tensor => binary('add', a, b);
export const sub = (a: Tensor, b: Tensor | number): Tensor => binary('sub', a, b);
export const mul = (a: Tensor, b: Tensor | number): Tensor => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor | number): Tensor => binary('div', a, b);

export function relu(a: Tensor): Tensor {
  const k = getEngine().k;
  const out = empty(a.shape);
  k.f32_relu_fwd(a.ptr, out.ptr, a.size);
  return record(out, 'relu', [a], (g) => addGrad(a, (p, acc) => k.f32_relu_bwd(a.ptr, g.ptr, p, a.size, acc)));
}
