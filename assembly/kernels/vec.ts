// Inlined vector loops shared by the kernel families (f32x4 body, scalar tail). Not part
// of the wasm ABI: assembly/index.ts does not re-export this file.

// @ts-ignore: decorator
@inline export const ADD = 0;
// @ts-ignore: decorator
@inline export const SUB = 1;
// @ts-ignore: decorator
@inline export const MUL = 2;
// @ts-ignore: decorator
@inline export const DIV = 3;

// The op is a compile-time constant at every call site, so after inlining the branch folds away.
// @ts-ignore: decorator
@inline export function vop(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

// @ts-ignore: decorator
@inline export function sop(op: i32, x: f32, y: f32): f32 {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  return x / y;
}

// @ts-ignore: decorator
@inline export function binary(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, vop(op, v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sop(op, load<f32>(a + o), load<f32>(b + o)));
  }
}

// dst[0..n) += src[0..n)
// @ts-ignore: decorator
@inline export function addInto(dst: usize, src: usize, n: i32): void { binary(ADD, dst, src, dst, n); }

// out[0..n) = a[0..n) − b[0..n)
// @ts-ignore: decorator
@inline export function subInto(a: usize, b: usize, out: usize, n: i32): void { binary(SUB, a, b, out, n); }
