// Differentiable indexing through integer index arrays: rows by index (torch.index_select
// along dim 0), elements mat[rows[k], cols[k]] (PML's `mat[a, p]`), and their adjoints, the
// scatter-adds. A gather's backward is a scatter-add of the same indices and a scatter-add's
// a gather, so four kernels (assembly/kernels/gather.ts) serve both directions of four ops.
// Indices are checked against the shapes before any kernel runs; the op keeps its own copy
// in wasm memory for the backward, freed with the output.
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record, shapeSize, writeOrAdd } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';
import { int32From } from './loss';

/** Integer indices: an Int32Array or an array of integers. */
export type IndexLike = Int32Array | ArrayLike<number>;

/** Checks that every entry of idx is an integer in [0, bound) and returns it as an Int32Array. */
export function checkIndex(fn: string, name: string, idx: IndexLike, bound: number, what: string): Int32Array {
  if (idx === null || typeof idx !== 'object' || typeof (idx as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be an Int32Array or an array of integers, got ${idx === null ? 'null' : typeof idx}`);
  }
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (!Number.isInteger(v) || v < 0 || v >= bound) {
      throw new Error(`${fn}: ${name}[${i}] is ${String(v)}: indices must be integers in [0, ${bound}) (${what})`);
    }
  }
  return idx instanceof Int32Array ? idx : Int32Array.from(idx);
}

function rowsOf(fn: string, x: Tensor): [number, number] {
  if (x.shape.length === 0) throw new Error(`${fn}: x must have at least one dimension, got a scalar`);
  return [x.shape[0], shapeSize(x.shape.slice(1))];
}

/** Rows of x by index: out[k] = x[idx[k]] ([count, ...x.shape[1:]]); gradients scatter-add back. */
export function indexSelect(x: Tensor, idx: IndexLike): Tensor {
  const fn = 'indexSelect';
  assertLive(fn, 'x', x);
  const [n, d] = rowsOf(fn, x);
  const ix = checkIndex(fn, 'idx', idx, n, `x is ${fmtShape(x.shape)}`);
  const k = getEngine().k;
  const buf = int32From(ix);
  const out = empty([ix.length, ...x.shape.slice(1)]);
  k.f32_gather_rows(x.ptr, buf.ptr, out.ptr, ix.length, d);
  return record(
    out,
    fn,
    [x],
    (g) =>
      addGrad(x, (p, acc) => {
        if (!acc) k.f32_fill(p, 0, x.size);
        k.f32_scatter_add_rows(g.ptr, buf.ptr, p, ix.length, d);
      }),
    [buf],
  );
}

/** Rows of src added into a zero tensor of `size` rows: out[idx[k]] += src[k]; the gradient gathers back. */
export function scatterAdd(src: Tensor, idx: IndexLike, size: number): Tensor {
  const fn = 'scatterAdd';
  assertLive(fn, 'src', src);
  const [count, d] = rowsOf(fn, src);
  if (!Number.isInteger(size) || size < 0) throw new Error(`scatterAdd: size must be a non-negative integer, got ${String(size)}`);
  const ix = checkIndex(fn, 'idx', idx, size, `the output has ${size} rows`);
  if (ix.length !== count) throw new Error(`scatterAdd: idx has ${ix.length} entries but src ${fmtShape(src.shape)} has ${count} rows`);
  const k = getEngine().k;
  const buf = int32From(ix);
  const out = empty([size, ...src.shape.slice(1)]);
  k.f32_fill(out.ptr, 0, out.size);
  k.f32_scatter_add_rows(src.ptr, buf.ptr, out.ptr, count, d);
  return record(
    out,
    fn,
    [src],
    (g) =>
      addGrad(src, (p, acc) => writeOrAdd(p, acc, src.shape, (dst) => k.f32_gather_rows(g.ptr, buf.ptr, dst, count, d))),
    [buf],
  );
}

function pairIndex(fn: string, rows: IndexLike, cols: IndexLike, n: number, m: number, shape: string): [Int32Array, Int32Array] {
  const r = checkIndex(fn, 'rows', rows, n, shape);
  const c = checkIndex(fn, 'cols', cols, m, shape);
  if (r.length !== c.length) throw new Error(`${fn}: rows has ${r.length} entries but cols has ${c.length}: one (row, col) pair per entry`);
  return [r, c];
}

/** Elements mat[rows[k], cols[k]] of a matrix [n, m] as a vector [count]; gradients scatter-add back. */
export function gatherElements(mat: Tensor, rows: IndexLike, cols: IndexLike): Tensor {
  const fn = 'gatherElements';
  assertLive(fn, 'mat', mat);
  if (mat.shape.length !== 2) throw new Error(`${fn}: mat must be a matrix [n, m], got ${fmtShape(mat.shape)}`);
  const [n, m] = mat.shape;
  const [r, c] = pairIndex(fn, rows, cols, n, m, `mat is ${fmtShape(mat.shape)}`);
  const k = getEngine().k;
  const rb = int32From(r), cb = int32From(c);
  const out = empty([r.length]);
  k.f32_gather_elements(mat.ptr, m, rb.ptr, cb.ptr, out.ptr, r.length);
  return record(
    out,
    fn,
    [mat],
    (g) =>
      addGrad(mat, (p, acc) => {
        if (!acc) k.f32_fill(p, 0, mat.size);
        k.f32_scatter_add_elements(g.ptr, m, rb.ptr, cb.ptr, p, r.length);
      }),
    [rb, cb],
  );
}

/** A zero matrix [n, m] with src[k] added at (rows[k], cols[k]); the gradient gathers back. */
export function scatterAddElements(src: Tensor, rows: IndexLike, cols: IndexLike, n: number, m: number): Tensor {
  const fn = 'scatterAddElements';
  assertLive(fn, 'src', src);
  if (src.shape.length !== 1) throw new Error(`${fn}: src must be a vector [count], got ${fmtShape(src.shape)}`);
  for (const [name, v] of [['n', n], ['m', m]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${fn}: ${name} must be a non-negative integer, got ${String(v)}`);
  }
  const [r, c] = pairIndex(fn, rows, cols, n, m, `the output is [${n}, ${m}]`);
  if (r.length !== src.size) throw new Error(`${fn}: rows has ${r.length} entries but src has ${src.size}`);
  const k = getEngine().k;
  const rb = int32From(r), cb = int32From(c);
  const out = empty([n, m]);
  k.f32_fill(out.ptr, 0, out.size);
  k.f32_scatter_add_elements(src.ptr, m, rb.ptr, cb.ptr, out.ptr, r.length);
  return record(
    out,
    fn,
    [src],
    (g) =>
      addGrad(src, (p, acc) => writeOrAdd(p, acc, src.shape, (dst) => k.f32_gather_elements(g.ptr, m, rb.ptr, cb.ptr, dst, r.length))),
    [rb, cb],
  );
}
