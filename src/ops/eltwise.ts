// Elementwise ops with broadcasting in the layouts a model needs: same shape, a row [d] /
// [1, d] matching the other's last dimension (bias), a column [..., n, 1] (per-row factor),
// a one-element tensor, or a plain number. Either side may be the broadcast one; the
// result has PyTorch's broadcast shape.
import { BinaryOp } from '../wasm/abi';
import { f32, getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record, shapeSize, untracked, writeOrAdd } from '../autograd/tensor';

type Op = 'add' | 'sub' | 'mul' | 'div';
type Layout = { kind: 'same' } | { kind: 'row' | 'col'; n: number; d: number } | { kind: 'scalar' };
const SAME: Layout = { kind: 'same' };

/** How b spreads over a (a the full-size side), or null when it does not. */
function layoutOf(a: Tensor, b: Tensor): Layout | null {
  const as = a.shape, bs = b.shape;
  if (sameIgnoringLeadingOnes(as, bs)) return SAME;
  if (b.size === 1) return { kind: 'scalar' };
  if (as.length === 0) return null;
  const d = as[as.length - 1];
  const n = shapeSize(as.slice(0, -1));
  if ((bs.length === 1 && bs[0] === d) || (bs.length === 2 && bs[0] === 1 && bs[1] === d)) return { kind: 'row', n, d };
  if (bs.length === as.length && bs[bs.length - 1] === 1 && bs.every((s, i) => i === bs.length - 1 || s === as[i])) {
    return { kind: 'col', n, d };
  }
  return null;
}

// [2, 3] and [1, 2, 3] hold the same elements in the same order.
function sameIgnoringLeadingOnes(as: readonly number[], bs: readonly number[]): boolean {
  const [long, short] = as.length >= bs.length ? [as, bs] : [bs, as];
  const extra = long.length - short.length;
  return long.every((v, i) => (i < extra ? v === 1 : v === short[i - extra]));
}

/** PyTorch's broadcast shape of two compatible shapes (every layout above is compatible). */
function broadcastShape(as: readonly number[], bs: readonly number[]): number[] {
  const nd = Math.max(as.length, bs.length);
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    const x = as[as.length - nd + i] ?? 1, y = bs[bs.length - nd + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function broadcastError(fn: string, a: Tensor, b: Tensor): Error {
  return new Error(
    `${fn}: cannot broadcast a ${fmtShape(a.shape)} with b ${fmtShape(b.shape)}: one must have the other's shape, ` +
      'be a row [d] or [1, d] of its last dimension, a column [..., n, 1], or a single element',
  );
}

/** out = a op b, b spread over a under the layout. */
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
    case 'scalar':
      applyNumber(op, a.ptr, f32()[b.ptr >>> 2], out, a.size);
  }
}

function applyNumber(op: Op, a: number, s: number, out: number, n: number): void {
  const k = getEngine().k;
  if (op === 'add') k.f32_add_scalar(a, s, out, n);
  else if (op === 'sub') k.f32_add_scalar(a, -s, out, n);
  else if (op === 'mul') k.f32_scale(a, s, out, n);
  else k.f32_div_scalar(a, s, out, n);
}

/** dst (+)= sign · (g reduced to the small side's shape under the layout). */
function reduceTo(g: Tensor, layout: Layout, sign: 1 | -1, dst: number, acc: 0 | 1, shape: readonly number[]): void {
  const k = getEngine().k;
  switch (layout.kind) {
    case 'scalar': {
      const s = sign * k.f32_sum(g.ptr, g.size);
      const view = f32();
      view[dst >>> 2] = acc ? view[dst >>> 2] + s : s;
      return;
    }
    case 'same':
      if (acc) (sign === 1 ? k.f32_add : k.f32_sub)(dst, g.ptr, dst, g.size);
      else if (sign === 1) k.f32_copy(g.ptr, dst, g.size);
      else k.f32_scale(g.ptr, -1, dst, g.size);
      return;
  }
  const sumInto = (p: number, a: 0 | 1) =>
    layout.kind === 'row' ? k.f32_sum_cols(g.ptr, p, layout.n, layout.d, a) : k.f32_sum_rows(g.ptr, p, layout.n, layout.d, a);
  if (sign === 1) return sumInto(dst, acc);
  const tmp = untracked(shape);
  try {
    sumInto(tmp.ptr, 0);
    if (acc) k.f32_axpy(-1, tmp.ptr, dst, tmp.size);
    else k.f32_scale(tmp.ptr, -1, dst, tmp.size);
  } finally {
    tmp.dispose();
  }
}

/** dst (+)= sign · reduce(g op y), y spread over g under layY, reduced under layX. */
function gradThrough(g: Tensor, op: 'mul' | 'div', y: Tensor, layY: Layout, layX: Layout, sign: 1 | -1, dst: number, acc: 0 | 1, shape: readonly number[]): void {
  if (layX.kind === 'same' && sign === 1) return writeOrAdd(dst, acc, shape, (p) => apply(op, g, y, p, layY));
  const tmp = untracked(g.shape);
  try {
    apply(op, g, y, tmp.ptr, layY);
    reduceTo(tmp, layX, sign, dst, acc, shape);
  } finally {
    tmp.dispose();
  }
}

function binary(op: Op, a: Tensor, b: Tensor | number): Tensor {
  assertLive(op, 'a', a);
  if (typeof b === 'number') return binaryNumber(op, a, b);
  assertLive(op, 'b', b);
  // layA / layB: how each side spreads over the result (SAME for the full-size side).
  let layA: Layout = SAME;
  let layB = layoutOf(a, b);
  if (!layB) {
    const swapped = layoutOf(b, a);
    if (!swapped) throw broadcastError(op, a, b);
    layA = swapped;
    layB = SAME;
  }
  const k = getEngine().k;
  const out = empty(broadcastShape(a.shape, b.shape));
  if (layA.kind === 'same') apply(op, a, b, out.ptr, layB);
  else {
    // Spread a over the result first, then one same-shape pass with b.
    k.f32_fill(out.ptr, 0, out.size);
    apply('add', out, a, out.ptr, layA);
    k[`f32_${op}`](out.ptr, b.ptr, out.ptr, out.size);
  }
  const lb = layB;
  return record(out, op, [a, b], (g) => {
    switch (op) {
      case 'add':
      case 'sub':
        addGrad(a, (p, acc) => reduceTo(g, layA, 1, p, acc, a.shape));
        addGrad(b, (p, acc) => reduceTo(g, lb, op === 'add' ? 1 : -1, p, acc, b.shape));
        return;
      case 'mul':
        addGrad(a, (p, acc) => gradThrough(g, 'mul', b, lb, layA, 1, p, acc, a.shape));
        addGrad(b, (p, acc) => gradThrough(g, 'mul', a, layA, lb, 1, p, acc, b.shape));
        return;
      case 'div':
        addGrad(a, (p, acc) => gradThrough(g, 'div', b, lb, layA, 1, p, acc, a.shape));
        // d(a/b)/db = -out/b
        addGrad(b, (p, acc) => {
          const gOut = untracked(g.shape);
          try {
            k.f32_mul(g.ptr, out.ptr, gOut.ptr, g.size);
            gradThrough(gOut, 'div', b, lb, lb, -1, p, acc, b.shape);
          } finally {
            gOut.dispose();
          }
        });
    }
  });
}

/** a op s for a plain number s: no tensor is made for s, so nothing leaks outside tidy. */
function binaryNumber(op: Op, a: Tensor, s: number): Tensor {
  const k = getEngine().k;
  const out = empty(a.shape);
  applyNumber(op, a.ptr, s, out.ptr, a.size);
  return record(out, op, [a], (g) =>
    addGrad(a, (p, acc) => {
      // d(a + s) = d(a - s) = g, d(a·s) = g·s, d(a / s) = g / s
      if (op === 'add' || op === 'sub') (acc ? k.f32_add(p, g.ptr, p, a.size) : k.f32_copy(g.ptr, p, a.size));
      else writeOrAdd(p, acc, a.shape, (dst) => applyNumber(op, g.ptr, s, dst, a.size));
    }),
  );
}

export const add = (a: Tensor, b: Tensor | number): Tensor => binary('add', a, b);
export const sub = (a: Tensor, b: Tensor | number): Tensor => binary('sub', a, b);
export const mul = (a: Tensor, b: Tensor | number): Tensor => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor | number): Tensor => binary('div', a, b);

export function relu(a: Tensor): Tensor {
  assertLive('relu', 'a', a);
  const k = getEngine().k;
  const out = empty(a.shape);
  k.f32_relu_fwd(a.ptr, out.ptr, a.size);
  return record(out, 'relu', [a], (g) => addGrad(a, (p, acc) => k.f32_relu_bwd(a.ptr, g.ptr, p, a.size, acc)));
}
