// Elementwise kernels over f32 buffers: f32x4 body, scalar tail, so every n works.
// Binary ops come in four broadcast layouts — same shape, a row vector [d] repeated over
// n rows (bias), a column [n] repeated over d columns (per-row scale), and a scalar.
// `out` may alias an input; nothing is read after it is written.

import { ADD, SUB, MUL, DIV, binary, vop, sop } from './vec';

// @ts-ignore: decorator
@inline function binaryScalar(op: i32, a: usize, s: f32, out: usize, n: i32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, vop(op, v128.load(a + o), vs));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sop(op, load<f32>(a + o), s));
  }
}

export function f32_add(a: usize, b: usize, out: usize, n: i32): void { binary(ADD, a, b, out, n); }

export function f32_sub(a: usize, b: usize, out: usize, n: i32): void { binary(SUB, a, b, out, n); }
export function f32_mul(a: usize, b: usize, out: usize, n: i32): void { binary(MUL, a, b, out, n); }
export function f32_div(a: usize, b: usize, out: usize, n: i32): void { binary(DIV, a, b, out, n); }

export function f32_add_scalar(a: usize, s: f32, out: usize, n: i32): void { binaryScalar(ADD, a, s, out, n); }
export function f32_scale(a: usize, s: f32, out: usize, n: i32): void { binaryScalar(MUL, a, s, out, n); }
// A true division, not a multiply by 1/s: bit-identical to PyTorch's CPU a / s.
export function f32_div_scalar(a: usize, s: f32, out: usize, n: i32): void { binaryScalar(DIV, a, s, out, n); }

// out[i, j] = a[i, j] op row[j]; a, out [n, d], row [d]
export function f32_binary_row(op: i32, a: usize, row: usize, out: usize, n: i32, d: i32): void {
  const stride = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const off = <usize>i * stride;
    if (op == ADD) binary(ADD, a + off, row, out + off, d);
    else if (op == SUB) binary(SUB, a + off, row, out + off, d);
    else if (op == MUL) binary(MUL, a + off, row, out + off, d);
    else binary(DIV, a + off, row, out + off, d);
  }
}

// out[i, j] = a[i, j] op col[i]; a, out [n, d], col [n]
export function f32_binary_col(op: i32, a: usize, col: usize, out: usize, n: i32, d: i32): void {
  const stride = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const off = <usize>i * stride;
    const s = load<f32>(col + (<usize>i << 2));
    if (op == ADD) binaryScalar(ADD, a + off, s, out + off, d);
    else if (op == SUB) binaryScalar(SUB, a + off, s, out + off, d);
    else if (op == MUL) binaryScalar(MUL, a + off, s, out + off, d);
    else binaryScalar(DIV, a + off, s, out + off, d);
  }
}

// y += alpha * x
export function f32_axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

export function f32_fill(out: usize, v: f32, n: i32): void {
  const vv = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), vv);
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), v);
}

export function f32_copy(src: usize, dst: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

// y = max(x, 0). wasm max propagates NaN, in the body and the tail alike (relu(NaN) = NaN
// as in PyTorch).
export function f32_relu_fwd(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.max(v128.load(x + o), zero));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, max<f32>(load<f32>(x + o), 0));
  }
}

// gx (+)= gy where x > 0. At x == 0 the subgradient is 0, as in PyTorch.
export function f32_relu_bwd(x: usize, gy: usize, gx: usize, n: i32, accumulate: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let g = v128.and(v128.load(gy + o), f32x4.gt(v128.load(x + o), zero));
    if (accumulate) g = f32x4.add(g, v128.load(gx + o));
    v128.store(gx + o, g);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let g: f32 = load<f32>(x + o) > 0 ? load<f32>(gy + o) : 0;
    if (accumulate) g += load<f32>(gx + o);
    store<f32>(gx + o, g);
  }
}

// out[j, i] = a[i, j]; a [n, d], out [d, n]. Tiled so both sides stay in cache.
export function f32_transpose(a: usize, out: usize, n: i32, d: i32): void {
  const T = 16;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = min(i0 + T, n);
    for (let j0 = 0; j0 < d; j0 += T) {
      const j1 = min(j0 + T, d);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(out + ((<usize>j * n + i) << 2), load<f32>(a + ((<usize>i * d + j) << 2)));
        }
      }
    }
  }
}

// out = w + wᵀ for a square a [n, n] (out may alias a: each block pair and each pair of the
// rest is read whole before either is written), with w = α·a, or, when dist is
// not 0, the Euclidean distance's negated weights w = −a / dist (0 where dist = 0, as
// torch.cdist). The gradient of a pairwise op of a batch with itself, f(x, x): both
// arguments' gradients folded into one GEMM (α = −2: the squared Euclidean weights, exact
// for a power of two). 4 × 4 blocks on f32x4 lanes, each block pair read once and its
// transpose made by shuffles; the rows past the last whole block are scalar.
// @ts-ignore: decorator
@inline function symWeights(a: usize, dist: usize, va: v128, o: usize): v128 {
  if (dist == 0) return f32x4.mul(va, v128.load(a + o));
  const dv = v128.load(dist + o);
  return v128.and(f32x4.neg(f32x4.div(v128.load(a + o), dv)), f32x4.gt(dv, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline function symWeight(a: usize, dist: usize, alpha: f32, o: usize): f32 {
  if (dist == 0) return alpha * load<f32>(a + o);
  const dv = load<f32>(dist + o);
  return dv > 0 ? -load<f32>(a + o) / dv : 0;
}

export function f32_add_transpose(a: usize, dist: usize, out: usize, n: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  const ld = <usize>n << 2;
  const nb = n & ~3;
  for (let i = 0; i < nb; i += 4) {
    for (let j = i; j < nb; j += 4) {
      const p = <usize>i * ld + (<usize>j << 2), q = <usize>j * ld + (<usize>i << 2);
      // rows of the (j, i) block, transposed into columns
      const r0 = symWeights(a, dist, va, q), r1 = symWeights(a, dist, va, q + ld);
      const r2 = symWeights(a, dist, va, q + 2 * ld), r3 = symWeights(a, dist, va, q + 3 * ld);
      const lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const s0 = f32x4.add(symWeights(a, dist, va, p), v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
      const s1 = f32x4.add(symWeights(a, dist, va, p + ld), v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
      const s2 = f32x4.add(symWeights(a, dist, va, p + 2 * ld), v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
      const s3 = f32x4.add(symWeights(a, dist, va, p + 3 * ld), v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
      const o = out + p, ot = out + q;
      v128.store(o, s0);
      v128.store(o + ld, s1);
      v128.store(o + 2 * ld, s2);
      v128.store(o + 3 * ld, s3);
      if (j == i) continue;
      // the sum is symmetric: the (j, i) block is its transpose
      const t01 = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), t23 = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5);
      const u01 = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7), u23 = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
      v128.store(ot, v128.shuffle<f32>(t01, t23, 0, 1, 4, 5));
      v128.store(ot + ld, v128.shuffle<f32>(t01, t23, 2, 3, 6, 7));
      v128.store(ot + 2 * ld, v128.shuffle<f32>(u01, u23, 0, 1, 4, 5));
      v128.store(ot + 3 * ld, v128.shuffle<f32>(u01, u23, 2, 3, 6, 7));
    }
  }
  // the last n − nb rows and columns
  for (let i = 0; i < n; i++) {
    for (let j = max(i, nb); j < n; j++) {
      const p = <usize>i * ld + (<usize>j << 2), q = <usize>j * ld + (<usize>i << 2);
      const v = symWeight(a, dist, alpha, p) + symWeight(a, dist, alpha, q);
      store<f32>(out + p, v);
      store<f32>(out + q, v);
    }
  }
}
