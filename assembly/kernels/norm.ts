// Batch normalisation (torch.nn.BatchNorm1d/2d) and dropout: the layers that normalise or
// regularise activations. Layout x [n, c, l]: l = h·w for 2-D maps, 1 for [n, c] features.
// Per channel over m = n·l values: x̂ = (x − mean)·invstd, y = γ·x̂ + β.

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Σ_j (x[j] − shift)^pow over one row of l values (pow 1 or 2), in f32 lanes; rows are
// short, the caller adds the row sums in f64 so that n·l values keep their precision.
// @ts-ignore: decorator
@inline function rowSum(r: usize, l: i32, shift: f32, square: bool): f32 {
  const vs = f32x4.splat(shift);
  let a = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= l; j += 4) {
    const d = f32x4.sub(v128.load(r + (<usize>j << 2)), vs);
    a = f32x4.add(a, square ? f32x4.mul(d, d) : d);
  }
  let s = hsum(a);
  for (; j < l; j++) {
    const d = load<f32>(r + (<usize>j << 2)) - shift;
    s += square ? d * d : d;
  }
  return s;
}

// Every batch-norm kernel works on channels c0..c1 of c (threads split channels; each channel's
// sums are independent of the others', so a split is bitwise equal to the whole).
// Training statistics: mean[c], invstd[c] = 1/√(biased var + eps) (two passes, so a large
// mean does not cancel the variance). When rmean ≠ 0 the running statistics move as torch's:
//   rmean = (1 − momentum)·rmean + momentum·mean, rvar likewise with the unbiased variance.
export function f32_batchnorm_stats(
  x: usize, mean: usize, invstd: usize, n: i32, c: i32, l: i32, eps: f32, rmean: usize, rvar: usize, momentum: f32, c0: i32, c1: i32,
): void {
  const m = <f64>n * <f64>l;
  for (let ch = c0; ch < c1; ch++) {
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += <f64>rowSum(x + ((<usize>(i * c + ch) * l) << 2), l, 0, false);
    const mu = <f32>(s / m);
    let q: f64 = 0;
    for (let i = 0; i < n; i++) q += <f64>rowSum(x + ((<usize>(i * c + ch) * l) << 2), l, mu, true);
    const o = <usize>ch << 2;
    store<f32>(mean + o, mu);
    store<f32>(invstd + o, <f32>(1 / Math.sqrt(q / m + <f64>eps)));
    if (rmean) {
      const unbiased = m > 1 ? q / (m - 1) : NaN;
      store<f32>(rmean + o, (1 - momentum) * load<f32>(rmean + o) + momentum * mu);
      store<f32>(rvar + o, (1 - momentum) * load<f32>(rvar + o) + momentum * <f32>unbiased);
    }
  }
}

// invstd[c] = 1/√(var[c] + eps): evaluation mode, from the running variance.
export function f32_batchnorm_invstd(variance: usize, invstd: usize, c: i32, eps: f32): void {
  for (let ch = 0; ch < c; ch++) {
    const o = <usize>ch << 2;
    store<f32>(invstd + o, <f32>(1 / Math.sqrt(<f64>load<f32>(variance + o) + <f64>eps)));
  }
}

// y = (x − mean)·invstd·γ + β, folded into one multiply-add per element.
export function f32_batchnorm_fwd(x: usize, mean: usize, invstd: usize, gamma: usize, beta: usize, y: usize, n: i32, c: i32, l: i32, c0: i32, c1: i32): void {
  for (let ch = c0; ch < c1; ch++) {
    const o = <usize>ch << 2;
    const a = load<f32>(invstd + o) * load<f32>(gamma + o);
    const b = load<f32>(beta + o) - load<f32>(mean + o) * a;
    const va = f32x4.splat(a), vb = f32x4.splat(b);
    for (let i = 0; i < n; i++) {
      const off = (<usize>(i * c + ch) * l) << 2;
      const xr = x + off, yr = y + off;
      let j = 0;
      for (; j + 4 <= l; j += 4) v128.store(yr + (<usize>j << 2), f32x4.add(f32x4.mul(v128.load(xr + (<usize>j << 2)), va), vb));
      for (; j < l; j++) store<f32>(yr + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) * a + b);
    }
  }
}

// sumDy[c] = Σ dy, sumDyXhat[c] = Σ dy·x̂: the gradients of β and γ, and what dx needs.
export function f32_batchnorm_bwd_reduce(x: usize, dy: usize, mean: usize, invstd: usize, sumDy: usize, sumDyXhat: usize, n: i32, c: i32, l: i32, c0: i32, c1: i32): void {
  for (let ch = c0; ch < c1; ch++) {
    const o = <usize>ch << 2;
    const mu = load<f32>(mean + o);
    const vmu = f32x4.splat(mu);
    let sd: f64 = 0, sdx: f64 = 0;
    for (let i = 0; i < n; i++) {
      const off = (<usize>(i * c + ch) * l) << 2;
      const xr = x + off, gr = dy + off;
      let a = f32x4.splat(0), b = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= l; j += 4) {
        const g = v128.load(gr + (<usize>j << 2));
        a = f32x4.add(a, g);
        b = f32x4.add(b, f32x4.mul(g, f32x4.sub(v128.load(xr + (<usize>j << 2)), vmu)));
      }
      let s1 = hsum(a), s2 = hsum(b);
      for (; j < l; j++) {
        const g = load<f32>(gr + (<usize>j << 2));
        s1 += g;
        s2 += g * (load<f32>(xr + (<usize>j << 2)) - mu);
      }
      sd += <f64>s1;
      sdx += <f64>s2;
    }
    store<f32>(sumDy + o, <f32>sd);
    store<f32>(sumDyXhat + o, <f32>(sdx * <f64>load<f32>(invstd + o)));
  }
}

// dx (+)= γ·invstd·(dy − sumDy/m − x̂·sumDyXhat/m) in training (the batch statistics depend
// on x); in evaluation the statistics are constants and dx (+)= γ·invstd·dy.
export function f32_batchnorm_bwd_input(
  x: usize, dy: usize, mean: usize, invstd: usize, gamma: usize, sumDy: usize, sumDyXhat: usize, dx: usize,
  n: i32, c: i32, l: i32, training: i32, accumulate: i32, c0: i32, c1: i32,
): void {
  const m = <f32>n * <f32>l;
  for (let ch = c0; ch < c1; ch++) {
    const o = <usize>ch << 2;
    const is = load<f32>(invstd + o);
    const k = load<f32>(gamma + o) * is;
    // dx = k·dy + a·x + b with a = −k·invstd·sumDyXhat/m, b = −k·sumDy/m − a·mean
    const a = training ? -k * is * load<f32>(sumDyXhat + o) / m : <f32>0;
    const b = training ? -k * load<f32>(sumDy + o) / m - a * load<f32>(mean + o) : <f32>0;
    const vk = f32x4.splat(k), va = f32x4.splat(a), vb = f32x4.splat(b);
    for (let i = 0; i < n; i++) {
      const off = (<usize>(i * c + ch) * l) << 2;
      const xr = x + off, gr = dy + off, dr = dx + off;
      let j = 0;
      for (; j + 4 <= l; j += 4) {
        const q = <usize>j << 2;
        let v = f32x4.add(f32x4.add(f32x4.mul(vk, v128.load(gr + q)), f32x4.mul(va, v128.load(xr + q))), vb);
        if (accumulate) v = f32x4.add(v, v128.load(dr + q));
        v128.store(dr + q, v);
      }
      for (; j < l; j++) {
        const q = <usize>j << 2;
        let v = k * load<f32>(gr + q) + a * load<f32>(xr + q) + b;
        if (accumulate) v += load<f32>(dr + q);
        store<f32>(dr + q, v);
      }
    }
  }
}

// Inverted dropout: mask[i] = 1/(1 − p) with probability 1 − p, else 0; y = x·mask.
// The uniform draws come from a counter-based hash of (seed, i), so the kernel keeps no
// state and the caller's seeded generator decides every mask.
export function f32_dropout_fwd(x: usize, y: usize, mask: usize, n: i32, p: f32, seed: u32): void {
  const scale: f32 = p < 1 ? 1 / (1 - p) : 0;
  for (let i = 0; i < n; i++) {
    let z = seed + <u32>i * 0x9e3779b9;
    z = (z ^ (z >>> 16)) * 0x85ebca6b;
    z = (z ^ (z >>> 13)) * 0xc2b2ae35;
    z ^= z >>> 16;
    const u = <f32>(z >>> 8) * (<f32>1 / <f32>16777216);
    const kept = u >= p ? scale : <f32>0;
    const o = <usize>i << 2;
    store<f32>(mask + o, kept);
    store<f32>(y + o, load<f32>(x + o) * kept);
  }
}

// dx (+)= dy·mask
export function f32_dropout_bwd(dy: usize, mask: usize, dx: usize, n: i32, accumulate: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let v = f32x4.mul(v128.load(dy + o), v128.load(mask + o));
    if (accumulate) v = f32x4.add(v, v128.load(dx + o));
    v128.store(dx + o, v);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(dy + o) * load<f32>(mask + o);
    store<f32>(dx + o, accumulate ? load<f32>(dx + o) + v : v);
  }
}

// Row normalisation, the core of LayerNorm and GroupNorm: each row of d values of x
// [rows, d] to zero mean and unit (biased) variance, y = (x − μ)·rstd, rstd = 1/√(σ² + eps).
// mean and rstd [rows] are saved for the backward. Two passes in f64 (mean, then the
// squared deviations), so a large common offset costs no precision.
export function f32_rownorm_fwd(x: usize, y: usize, mean: usize, rstd: usize, rows: i32, d: i32, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * d) << 2);
    let s: f64 = 0;
    for (let j = 0; j < d; j++) s += <f64>load<f32>(row + (<usize>j << 2));
    const mu = s / d;
    let q: f64 = 0;
    for (let j = 0; j < d; j++) {
      const t = <f64>load<f32>(row + (<usize>j << 2)) - mu;
      q += t * t;
    }
    const inv = <f32>(1.0 / Math.sqrt(q / d + <f64>eps));
    const m = <f32>mu;
    store<f32>(mean + (<usize>r << 2), m);
    store<f32>(rstd + (<usize>r << 2), inv);
    const out = y + ((<usize>r * d) << 2);
    for (let j = 0; j < d; j++) store<f32>(out + (<usize>j << 2), (load<f32>(row + (<usize>j << 2)) - m) * inv);
  }
}

// gx (+)= rstd·(g − mean(g) − x̂·mean(g·x̂)), g the gradient of the normalised rows.
export function f32_rownorm_bwd(x: usize, g: usize, mean: usize, rstd: usize, gx: usize, rows: i32, d: i32, accumulate: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = (<usize>r * d) << 2;
    const m = load<f32>(mean + (<usize>r << 2)), inv = load<f32>(rstd + (<usize>r << 2));
    let sg: f64 = 0, sgx: f64 = 0;
    for (let j = 0; j < d; j++) {
      const at = o + (<usize>j << 2);
      const gv = <f64>load<f32>(g + at);
      sg += gv;
      sgx += gv * <f64>((load<f32>(x + at) - m) * inv);
    }
    const mg = <f32>(sg / d), mgx = <f32>(sgx / d);
    for (let j = 0; j < d; j++) {
      const at = o + (<usize>j << 2);
      const xhat = (load<f32>(x + at) - m) * inv;
      const v = inv * (load<f32>(g + at) - mg - xhat * mgx);
      store<f32>(gx + at, accumulate ? load<f32>(gx + at) + v : v);
    }
  }
}
