// k-means (Lloyd) on rows x [n, d] with k centres c [k, d], row-major f32.
//   f32_kmeans_centre     x ← x − mean(x) in place (k-means is translation invariant, and the
//                         GEMM expansion below is accurate for the spread of the data, not for
//                         its offset from the origin); mu f64 [d]; returns Σ_p var_p in f64.
//   f32_kmeans_assign     E step: labels[i] = argmin_j ‖x_i − c_j‖² (ties to the lower j),
//                         dmin[i] = that distance, through dots = x·cᵀ (one GEMM) and
//                         ‖x_i‖² + ‖c_j‖² − 2·x_i·c_j; returns how many labels changed.
//   f32_kmeans_update     M step: c_j = mean of the rows labelled j, summed in f64; centres of
//                         empty clusters are left as they were; returns how many are empty.
//   f32_kmeans_mindist    k-means++ seeding: out[i] = min(dmin[i], ‖x_i − p‖²) for one
//                         candidate centre p [d], the difference taken before squaring;
//                         returns Σ out in f64 (the potential of adding p). out may be dmin.
//   f32_kmeans_pick       k-means++ draw: the first i whose running sum of dmin reaches r
//                         (numpy's searchsorted on the cumulative sum), clipped to n − 1.
//   f32_kmeans_inertia    the exact inertia of a labelling (differences before squaring).
// Scratch: xn [n] (‖x_i‖², f32_kmeans_sqnorms), cn [k], dots [n, k], sums f64 [k, d],
// counts i32 [k]; ws is the GEMM workspace. Nothing allocates or throws.
import { f32_gemm_nt } from './gemm';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Σ (a[p] − b[p])² over d elements.
// @ts-ignore: decorator
@inline function sqDiff(a: usize, b: usize, d: i32): f32 {
  let s = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= d; p += 4) {
    const o = <usize>p << 2;
    const v = f32x4.sub(v128.load(a + o), v128.load(b + o));
    s = f32x4.add(s, f32x4.mul(v, v));
  }
  let r = hsum(s);
  for (; p < d; p++) {
    const v = load<f32>(a + (<usize>p << 2)) - load<f32>(b + (<usize>p << 2));
    r += v * v;
  }
  return r;
}

// out[i] = ‖x_i‖²; x [n, d]
export function f32_kmeans_sqnorms(x: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const r = x + ((<usize>i * d) << 2);
    let s = f32x4.splat(0);
    let p = 0;
    for (; p + 4 <= d; p += 4) {
      const v = v128.load(r + (<usize>p << 2));
      s = f32x4.add(s, f32x4.mul(v, v));
    }
    let t = hsum(s);
    for (; p < d; p++) {
      const v = load<f32>(r + (<usize>p << 2));
      t += v * v;
    }
    store<f32>(out + (<usize>i << 2), t);
  }
}

export function f32_kmeans_centre(x: usize, mu: usize, n: i32, d: i32): f64 {
  memory.fill(mu, 0, <usize>d << 3);
  for (let i = 0; i < n; i++) {
    const r = x + ((<usize>i * d) << 2);
    for (let p = 0; p < d; p++) store<f64>(mu + (<usize>p << 3), load<f64>(mu + (<usize>p << 3)) + <f64>load<f32>(r + (<usize>p << 2)));
  }
  const inv: f64 = n > 0 ? 1.0 / <f64>n : 0;
  for (let p = 0; p < d; p++) store<f64>(mu + (<usize>p << 3), load<f64>(mu + (<usize>p << 3)) * inv);
  let ss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const r = x + ((<usize>i * d) << 2);
    for (let p = 0; p < d; p++) {
      const v = <f64>load<f32>(r + (<usize>p << 2)) - load<f64>(mu + (<usize>p << 3));
      ss += v * v;
      store<f32>(r + (<usize>p << 2), <f32>v);
    }
  }
  return ss * inv;
}

export function f32_kmeans_assign(x: usize, xn: usize, c: usize, cn: usize, dots: usize, labels: usize, dmin: usize, n: i32, k: i32, d: i32, ws: usize): i32 {
  f32_kmeans_sqnorms(c, cn, k, d);
  f32_gemm_nt(x, c, dots, n, d, k, 0, ws);
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const row = dots + ((<usize>i * k) << 2);
    const nx = load<f32>(xn + (<usize>i << 2));
    let best: f32 = Infinity;
    let arg = 0;
    for (let j = 0; j < k; j++) {
      const v = nx + load<f32>(cn + (<usize>j << 2)) - 2 * load<f32>(row + (<usize>j << 2));
      if (v < best) {
        best = v;
        arg = j;
      }
    }
    // Rounding can take the expansion below 0 for a point on its centre.
    best = max<f32>(best, 0);
    if (load<i32>(labels + (<usize>i << 2)) != arg) changed++;
    store<i32>(labels + (<usize>i << 2), arg);
    store<f32>(dmin + (<usize>i << 2), best);
  }
  return changed;
}

export function f32_kmeans_update(x: usize, labels: usize, c: usize, sums: usize, counts: usize, n: i32, k: i32, d: i32): i32 {
  memory.fill(sums, 0, (<usize>k * d) << 3);
  memory.fill(counts, 0, <usize>k << 2);
  for (let i = 0; i < n; i++) {
    const j = load<i32>(labels + (<usize>i << 2));
    const r = x + ((<usize>i * d) << 2);
    const s = sums + ((<usize>j * d) << 3);
    let p = 0;
    for (; p + 2 <= d; p += 2) {
      const o = <usize>p << 3;
      const lo = f64x2.promote_low_f32x4(v128.load64_zero(r + (<usize>p << 2)));
      v128.store(s + o, f64x2.add(v128.load(s + o), lo));
    }
    for (; p < d; p++) {
      const o = <usize>p << 3;
      store<f64>(s + o, load<f64>(s + o) + <f64>load<f32>(r + (<usize>p << 2)));
    }
    store<i32>(counts + (<usize>j << 2), load<i32>(counts + (<usize>j << 2)) + 1);
  }
  let empty = 0;
  for (let j = 0; j < k; j++) {
    const cnt = load<i32>(counts + (<usize>j << 2));
    if (cnt == 0) {
      empty++;
      continue;
    }
    const inv: f64 = 1.0 / <f64>cnt;
    const s = sums + ((<usize>j * d) << 3);
    const cj = c + ((<usize>j * d) << 2);
    for (let p = 0; p < d; p++) store<f32>(cj + (<usize>p << 2), <f32>(load<f64>(s + (<usize>p << 3)) * inv));
  }
  return empty;
}

export function f32_kmeans_mindist(x: usize, p: usize, dmin: usize, out: usize, n: i32, d: i32): f64 {
  let pot: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = min<f32>(load<f32>(dmin + (<usize>i << 2)), sqDiff(x + ((<usize>i * d) << 2), p, d));
    store<f32>(out + (<usize>i << 2), v);
    pot += <f64>v;
  }
  return pot;
}

export function f32_kmeans_pick(dmin: usize, n: i32, r: f64): i32 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    s += <f64>load<f32>(dmin + (<usize>i << 2));
    if (s >= r) return i;
  }
  return n - 1;
}

// Σ_i ‖x_i − c_{labels[i]}‖², each difference taken before squaring, in f64: the inertia
// without the cancellation of the GEMM expansion (a point on its centre counts 0, not ulps).
export function f32_kmeans_inertia(x: usize, c: usize, labels: usize, n: i32, d: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const j = load<i32>(labels + (<usize>i << 2));
    s += <f64>sqDiff(x + ((<usize>i * d) << 2), c + ((<usize>j * d) << 2), d);
  }
  return s;
}
