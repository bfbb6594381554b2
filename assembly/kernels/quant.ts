// Symmetric int8 quantisation with one scale per row, and distances between quantised rows
// from an integer dot product (forward only: search, never training).
// A row x becomes codes q = round(x / s), s = max|x| / 127, so |x − s·q| ≤ s/2 per element.
// One scale per row (not per dimension) factors out of the dot product: a·b ≈ sa·sb·(qa·qb),
// so the inner loop is a pure integer dot product and the scales cost one multiply per pair.
import { QuantKind } from '../codes';

// Rows x [n, d] (f32) to codes [n, d] (i8), scales [n] (f32) and the rows' exact squared
// norms [n] (f32, of x, not of the codes: the sqeuclidean and cosine values use them, so
// only the cross term carries quantisation error). An all-zero row gets scale 0, codes 0.
export function i8_quantize_rows(x: usize, n: i32, d: i32, codes: usize, scales: usize, sqnorms: usize): void {
  for (let i = 0; i < n; i++) {
    const xr = x + ((<usize>i * d) << 2);
    const qr = codes + <usize>i * d;
    let m: f32 = 0;
    let ss: f64 = 0;
    for (let j = 0; j < d; j++) {
      const v = load<f32>(xr + (<usize>j << 2));
      m = max<f32>(m, abs<f32>(v));
      ss += <f64>v * <f64>v;
    }
    const s: f32 = m / 127;
    const inv: f32 = m > 0 ? <f32>127 / m : 0;
    for (let j = 0; j < d; j++) {
      const c = min<f32>(127, max<f32>(-127, nearest<f32>(load<f32>(xr + (<usize>j << 2)) * inv)));
      store<i8>(qr + j, <i8><i32>c);
    }
    store<f32>(scales + (<usize>i << 2), s);
    store<f32>(sqnorms + (<usize>i << 2), <f32>ss);
  }
}

// Σ a[p]·b[p] over d int8 codes: 16 codes per step, sign-extended to i16 and summed in pairs
// into i32 lanes by i32x4.dot_i16x8_s (exact: |sum| ≤ 2·127² per lane per step).
@inline
function dotI8(a: usize, b: usize, d: i32): i32 {
  let acc = i32x4.splat(0);
  let p = 0;
  for (; p + 16 <= d; p += 16) {
    const va = v128.load(a + p), vb = v128.load(b + p);
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(va), i16x8.extend_low_i8x16_s(vb)));
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(va), i16x8.extend_high_i8x16_s(vb)));
  }
  let s = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (; p < d; p++) s += <i32>load<i8>(a + p) * <i32>load<i8>(b + p);
  return s;
}

// Σ a[p]·b[p] for one row a against four rows b0..b3 (a's codes loaded and widened once).
@inline
function dotI8x4(a: usize, b: usize, d: i32, out: usize): void {
  const b1 = b + d, b2 = b1 + d, b3 = b2 + d;
  let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
  let p = 0;
  for (; p + 16 <= d; p += 16) {
    const va = v128.load(a + p);
    const lo = i16x8.extend_low_i8x16_s(va), hi = i16x8.extend_high_i8x16_s(va);
    let v = v128.load(b + p);
    c0 = i32x4.add(c0, i32x4.add(i32x4.dot_i16x8_s(lo, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(hi, i16x8.extend_high_i8x16_s(v))));
    v = v128.load(b1 + p);
    c1 = i32x4.add(c1, i32x4.add(i32x4.dot_i16x8_s(lo, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(hi, i16x8.extend_high_i8x16_s(v))));
    v = v128.load(b2 + p);
    c2 = i32x4.add(c2, i32x4.add(i32x4.dot_i16x8_s(lo, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(hi, i16x8.extend_high_i8x16_s(v))));
    v = v128.load(b3 + p);
    c3 = i32x4.add(c3, i32x4.add(i32x4.dot_i16x8_s(lo, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(hi, i16x8.extend_high_i8x16_s(v))));
  }
  let s0 = i32x4.extract_lane(c0, 0) + i32x4.extract_lane(c0, 1) + i32x4.extract_lane(c0, 2) + i32x4.extract_lane(c0, 3);
  let s1 = i32x4.extract_lane(c1, 0) + i32x4.extract_lane(c1, 1) + i32x4.extract_lane(c1, 2) + i32x4.extract_lane(c1, 3);
  let s2 = i32x4.extract_lane(c2, 0) + i32x4.extract_lane(c2, 1) + i32x4.extract_lane(c2, 2) + i32x4.extract_lane(c2, 3);
  let s3 = i32x4.extract_lane(c3, 0) + i32x4.extract_lane(c3, 1) + i32x4.extract_lane(c3, 2) + i32x4.extract_lane(c3, 3);
  for (; p < d; p++) {
    const x = <i32>load<i8>(a + p);
    s0 += x * <i32>load<i8>(b + p);
    s1 += x * <i32>load<i8>(b1 + p);
    s2 += x * <i32>load<i8>(b2 + p);
    s3 += x * <i32>load<i8>(b3 + p);
  }
  store<i32>(out, s0);
  store<i32>(out, s1, 4);
  store<i32>(out, s2, 8);
  store<i32>(out, s3, 12);
}

@inline
function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// Σ a·b for two rows a0, a1 (a1 = a0 + d) against four rows b0..b3: each 16 codes of b are
// loaded and widened once for both a rows. out0 / out1: four i32 each.
@inline
function dotI8x2x4(a: usize, b: usize, d: i32, out0: usize, out1: usize): void {
  const a1 = a + d, b1 = b + d, b2 = b1 + d, b3 = b2 + d;
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c02 = i32x4.splat(0), c03 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0), c12 = i32x4.splat(0), c13 = i32x4.splat(0);
  let p = 0;
  for (; p + 16 <= d; p += 16) {
    let v = v128.load(a + p);
    const lo0 = i16x8.extend_low_i8x16_s(v), hi0 = i16x8.extend_high_i8x16_s(v);
    v = v128.load(a1 + p);
    const lo1 = i16x8.extend_low_i8x16_s(v), hi1 = i16x8.extend_high_i8x16_s(v);
    v = v128.load(b + p);
    let l = i16x8.extend_low_i8x16_s(v), h = i16x8.extend_high_i8x16_s(v);
    c00 = i32x4.add(c00, i32x4.add(i32x4.dot_i16x8_s(lo0, l), i32x4.dot_i16x8_s(hi0, h)));
    c10 = i32x4.add(c10, i32x4.add(i32x4.dot_i16x8_s(lo1, l), i32x4.dot_i16x8_s(hi1, h)));
    v = v128.load(b1 + p);
    l = i16x8.extend_low_i8x16_s(v); h = i16x8.extend_high_i8x16_s(v);
    c01 = i32x4.add(c01, i32x4.add(i32x4.dot_i16x8_s(lo0, l), i32x4.dot_i16x8_s(hi0, h)));
    c11 = i32x4.add(c11, i32x4.add(i32x4.dot_i16x8_s(lo1, l), i32x4.dot_i16x8_s(hi1, h)));
    v = v128.load(b2 + p);
    l = i16x8.extend_low_i8x16_s(v); h = i16x8.extend_high_i8x16_s(v);
    c02 = i32x4.add(c02, i32x4.add(i32x4.dot_i16x8_s(lo0, l), i32x4.dot_i16x8_s(hi0, h)));
    c12 = i32x4.add(c12, i32x4.add(i32x4.dot_i16x8_s(lo1, l), i32x4.dot_i16x8_s(hi1, h)));
    v = v128.load(b3 + p);
    l = i16x8.extend_low_i8x16_s(v); h = i16x8.extend_high_i8x16_s(v);
    c03 = i32x4.add(c03, i32x4.add(i32x4.dot_i16x8_s(lo0, l), i32x4.dot_i16x8_s(hi0, h)));
    c13 = i32x4.add(c13, i32x4.add(i32x4.dot_i16x8_s(lo1, l), i32x4.dot_i16x8_s(hi1, h)));
  }
  let s00 = hsum(c00), s01 = hsum(c01), s02 = hsum(c02), s03 = hsum(c03);
  let s10 = hsum(c10), s11 = hsum(c11), s12 = hsum(c12), s13 = hsum(c13);
  for (; p < d; p++) {
    const x0 = <i32>load<i8>(a + p), x1 = <i32>load<i8>(a1 + p);
    const y0 = <i32>load<i8>(b + p), y1 = <i32>load<i8>(b1 + p), y2 = <i32>load<i8>(b2 + p), y3 = <i32>load<i8>(b3 + p);
    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
  }
  store<i32>(out0, s00); store<i32>(out0, s01, 4); store<i32>(out0, s02, 8); store<i32>(out0, s03, 12);
  store<i32>(out1, s10); store<i32>(out1, s11, 4); store<i32>(out1, s12, 8); store<i32>(out1, s13, 12);
}

@inline
function quantValue(kind: i32, dot: i32, sa: f32, na: f32, sb: f32, nb: f32): f32 {
  const cross = sa * sb * <f32>dot;
  if (kind == QuantKind.sqeuclidean) return max<f32>(0, na + nb - 2 * cross);
  if (kind == QuantKind.negDot) return -cross;
  const den = Mathf.sqrt(na) * Mathf.sqrt(nb);
  return den > 0 ? 1 - cross / den : 1;
}

// out [na, nb] (row stride nb) = the QuantKind value of every pair (row i of a, row j of b):
// a codes [na, d], scales sa [na], squared norms ssa [na]; likewise b. Raw integer dot
// products are written first into out as i32 and then replaced by the value in place.
export function i8_distance_tile(a: usize, sa: usize, ssa: usize, na: i32, b: usize, sb: usize, ssb: usize, nb: i32, d: i32, kind: i32, out: usize): void {
  let i = 0;
  // Two rows of a at a time share each widened block of b; a last odd row goes alone.
  for (; i + 2 <= na; i += 2) {
    const ar = a + <usize>i * d;
    const o0 = out + ((<usize>i * nb) << 2), o1 = o0 + (<usize>nb << 2);
    let j = 0;
    for (; j + 4 <= nb; j += 4) dotI8x2x4(ar, b + <usize>j * d, d, o0 + (<usize>j << 2), o1 + (<usize>j << 2));
    for (; j < nb; j++) {
      store<i32>(o0 + (<usize>j << 2), dotI8(ar, b + <usize>j * d, d));
      store<i32>(o1 + (<usize>j << 2), dotI8(ar + d, b + <usize>j * d, d));
    }
  }
  for (; i < na; i++) {
    const ar = a + <usize>i * d;
    const or = out + ((<usize>i * nb) << 2);
    let j = 0;
    for (; j + 4 <= nb; j += 4) dotI8x4(ar, b + <usize>j * d, d, or + (<usize>j << 2));
    for (; j < nb; j++) store<i32>(or + (<usize>j << 2), dotI8(ar, b + <usize>j * d, d));
  }
  for (i = 0; i < na; i++) {
    const or = out + ((<usize>i * nb) << 2);
    const s = load<f32>(sa + (<usize>i << 2)), n = load<f32>(ssa + (<usize>i << 2));
    for (let j = 0; j < nb; j++) {
      const o = or + (<usize>j << 2);
      store<f32>(o, quantValue(kind, load<i32>(o), s, n, load<f32>(sb + (<usize>j << 2)), load<f32>(ssb + (<usize>j << 2))));
    }
  }
}
