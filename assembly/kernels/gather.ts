// Gathers and scatter-adds through int32 index columns: the differentiable indexing of the
// metric losses (mat[a, p], x[idx]). A gather's backward is the scatter-add of the same
// indices and a scatter-add's backward the gather, so the four kernels serve both
// directions of the gather and scatterAdd ops. Indices are data, so element loops are
// scalar; row loops copy or add whole rows (memory.copy, f32x4 body with scalar tail).
// Indices are trusted here: the ops check them against the shapes before any kernel runs.

import { addInto } from './vec';

// @ts-ignore: decorator
@inline function ix(base: usize, k: i32): i32 {
  return load<i32>(base + (<usize>k << 2));
}

// out[k, :] = x[idx[k], :]; x [*, d], idx [count], out [count, d]
export function f32_gather_rows(x: usize, idx: usize, out: usize, count: i32, d: i32): void {
  const bytes = <usize>d << 2;
  for (let k = 0; k < count; k++) memory.copy(out + <usize>k * bytes, x + <usize>ix(idx, k) * bytes, bytes);
}

// out[idx[k], :] += src[k, :]; src [count, d], out [*, d]. Repeated indices add up.
export function f32_scatter_add_rows(src: usize, idx: usize, out: usize, count: i32, d: i32): void {
  const bytes = <usize>d << 2;
  for (let k = 0; k < count; k++) addInto(out + <usize>ix(idx, k) * bytes, src + <usize>k * bytes, d);
}

// out[k] = mat[rows[k]·ld + cols[k]]; mat [*, ld], out [count]
export function f32_gather_elements(mat: usize, ld: i32, rows: usize, cols: usize, out: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const at = <usize>ix(rows, k) * <usize>ld + <usize>ix(cols, k);
    store<f32>(out + (<usize>k << 2), load<f32>(mat + (at << 2)));
  }
}

// out[rows[k]·ld + cols[k]] += src[k]; src [count], out [*, ld]. Repeated pairs add up.
export function f32_scatter_add_elements(src: usize, ld: i32, rows: usize, cols: usize, out: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const p = out + ((<usize>ix(rows, k) * <usize>ld + <usize>ix(cols, k)) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>k << 2)));
  }
}
