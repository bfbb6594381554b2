// Column statistics of a batch x [n, d] (row-major) for VICReg-style regularisers: centring by
// the column means, and the terms read off the Gram matrix C = cᵀc [d, d] of the centred
// batch (its diagonal: the column variances; off it: the covariances), forward and backward
// side by side. No allocation: scratch comes from the caller.

// mean [d] = column means of x (f32 lanes; n row adds per lane, as torch's column mean)
@inline function colMeans(x: usize, mean: usize, n: i32, d: i32): void {
  memory.fill(mean, 0, <usize>d << 2);
  for (let i = 0; i < n; i++) {
    const row = x + ((<usize>i * <usize>d) << 2);
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = <usize>j << 2;
      v128.store(mean + o, f32x4.add(v128.load(mean + o), v128.load(row + o)));
    }
    for (; j < d; j++) store<f32>(mean + (<usize>j << 2), load<f32>(mean + (<usize>j << 2)) + load<f32>(row + (<usize>j << 2)));
  }
  const inv: f32 = 1 / <f32>n;
  for (let j = 0; j < d; j++) store<f32>(mean + (<usize>j << 2), load<f32>(mean + (<usize>j << 2)) * inv);
}

// out (+)= x − mean row by row (accumulate: added to out)
@inline function subRow(x: usize, mean: usize, out: usize, n: i32, d: i32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const off = (<usize>i * <usize>d) << 2;
    const row = x + off, orow = out + off;
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.sub(v128.load(row + o), v128.load(mean + o));
      if (accumulate) v = f32x4.add(v, v128.load(orow + o));
      v128.store(orow + o, v);
    }
    for (; j < d; j++) {
      const o = <usize>j << 2;
      let v: f32 = load<f32>(row + o) - load<f32>(mean + o);
      if (accumulate) v += load<f32>(orow + o);
      store<f32>(orow + o, v);
    }
  }
}

// out = x − colmean(x); mean [d] receives the column means. out may alias x.
export function f32_centre_cols_fwd(x: usize, out: usize, mean: usize, n: i32, d: i32): void {
  colMeans(x, mean, n, d);
  subRow(x, mean, out, n, d, 0);
}

// gx (+)= g − colmean(g), the centring's gradient (it is its own adjoint); tmp [d] scratch.
export function f32_centre_cols_bwd(g: usize, gx: usize, tmp: usize, n: i32, d: i32, accumulate: i32): void {
  colMeans(g, tmp, n, d);
  subRow(g, tmp, gx, n, d, accumulate);
}

// out_j = scale·max(0, 1 − s_j), s_j = sqrt(C_jj·inv + eps): the hinge on each column's standard
// deviation, read off the diagonal of the Gram matrix C [d, d] of the centred batch (inv = 1/(n − 1)
// for torch's unbiased var).
export function f32_var_hinge_fwd(c: usize, d: i32, inv: f32, eps: f32, scale: f32, out: usize): void {
  for (let j = 0; j < d; j++) {
    const s = Mathf.sqrt(load<f32>(c + ((<usize>j * (d + 1)) << 2)) * inv + eps);
    store<f32>(out + (<usize>j << 2), scale * max<f32>(0, 1 - s));
  }
}

// gC (+)= diag(−g_j·scale·inv / (2 s_j)) where 1 − s_j > 0 (relu's gradient at 0 is 0, as torch's);
// the off-diagonal entries are 0 (written when not accumulating).
export function f32_var_hinge_bwd(c: usize, d: i32, inv: f32, eps: f32, scale: f32, g: usize, gc: usize, accumulate: i32): void {
  if (!accumulate) memory.fill(gc, 0, (<usize>d * <usize>d) << 2);
  for (let j = 0; j < d; j++) {
    const at = gc + ((<usize>j * (d + 1)) << 2);
    const s = Mathf.sqrt(load<f32>(c + ((<usize>j * (d + 1)) << 2)) * inv + eps);
    if (1 - s > 0) store<f32>(at, load<f32>(at) - load<f32>(g + (<usize>j << 2)) * scale * inv / (2 * s));
  }
}

// scale·Σ_{a≠b} C_ab² over C [d, d] (f32 lanes per row, rows summed in f64): the covariance
// term of VICReg with scale = ν / (d·(n − 1)²).
export function f32_offdiag_sq_fwd(c: usize, d: i32, scale: f32): f32 {
  let total: f64 = 0;
  for (let a = 0; a < d; a++) {
    const row = c + ((<usize>a * <usize>d) << 2);
    let acc = f32x4.splat(0);
    let b = 0;
    for (; b + 4 <= d; b += 4) {
      const v = v128.load(row + (<usize>b << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    let r: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; b < d; b++) {
      const v = load<f32>(row + (<usize>b << 2));
      r += v * v;
    }
    const diag = load<f32>(row + (<usize>a << 2));
    total += <f64>r - <f64>diag * <f64>diag;
  }
  return <f32>(total * <f64>scale);
}

// gC (+)= 2·scale·g·C off the diagonal, 0 on it (g: the scalar output's gradient, a pointer).
export function f32_offdiag_sq_bwd(c: usize, d: i32, scale: f32, g: usize, gc: usize, accumulate: i32): void {
  const w: f32 = 2 * scale * load<f32>(g);
  const vw = f32x4.splat(w);
  for (let a = 0; a < d; a++) {
    const off = (<usize>a * <usize>d) << 2;
    const row = c + off, grow = gc + off, at = grow + (<usize>a << 2);
    // the diagonal carries no gradient: what it held is put back after the row's pass
    const kept: f32 = accumulate ? load<f32>(at) : 0;
    let b = 0;
    for (; b + 4 <= d; b += 4) {
      const o = <usize>b << 2;
      let v = f32x4.mul(v128.load(row + o), vw);
      if (accumulate) v = f32x4.add(v, v128.load(grow + o));
      v128.store(grow + o, v);
    }
    for (; b < d; b++) {
      const o = <usize>b << 2;
      let v: f32 = load<f32>(row + o) * w;
      if (accumulate) v += load<f32>(grow + o);
      store<f32>(grow + o, v);
    }
    store<f32>(at, kept);
  }
}
