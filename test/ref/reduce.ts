// float64 oracles for the reduce family. Never imported by src/.
type Arr = ArrayLike<number>;

export function sumRef(x: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/** out[i] = Σ_j x[i, j]; x [n, d] */
export function sumRowsRef(x: Arr, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i] += x[i * d + j];
  return out;
}

/** out[j] = Σ_i x[i, j]; x [n, d] */
export function sumColsRef(x: Arr, n: number, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[j] += x[i * d + j];
  return out;
}

/** out[i] = ‖x_i‖₂; x [n, d] */
export function l2normRowsRef(x: Arr, n: number, d: number): Float64Array {
  return sumRowsRef(Float64Array.from(x, (v) => v * v), n, d).map(Math.sqrt);
}

/** torch.nn.functional.normalize: y = x / max(‖x‖, eps) row-wise. */
export function l2normalizeRef(x: Arr, n: number, d: number, eps = 1e-12): Float64Array {
  const norms = l2normRowsRef(x, n, d);
  return Float64Array.from(x, (v, i) => v / Math.max(norms[Math.floor(i / d)], eps));
}

/**
 * Vector-Jacobian product of l2normalize: gx = (g − y (y·g)) / ‖x‖ where ‖x‖ > eps, g / eps
 * where the norm is clamped (the map is then x / eps).
 */
export function l2normalizeBwdRef(x: Arr, g: Arr, n: number, d: number, eps = 1e-12): Float64Array {
  const norms = l2normRowsRef(x, n, d);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = norms[i];
    if (r <= eps) {
      for (let j = 0; j < d; j++) out[i * d + j] = g[i * d + j] / eps;
      continue;
    }
    let dot = 0;
    for (let j = 0; j < d; j++) dot += (x[i * d + j] / r) * g[i * d + j];
    for (let j = 0; j < d; j++) out[i * d + j] = (g[i * d + j] - (x[i * d + j] / r) * dot) / r;
  }
  return out;
}

/** Σ over one axis of a row-major tensor of `shape` (the axis removed from the result). */
export function sumAxisRef(x: Arr, shape: number[], axis: number): Float64Array {
  const ax = axis < 0 ? axis + shape.length : axis;
  const prod = (s: number[]) => s.reduce((p, q) => p * q, 1);
  const outer = prod(shape.slice(0, ax)), n = shape[ax], inner = prod(shape.slice(ax + 1));
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < inner; i++) out[o * inner + i] += x[(o * n + j) * inner + i];
  return out;
}

/** out[i, j] = Σ_{j' ≤ j} x[i, j'] (reverse: j' ≥ j); x [n, m] */
export function cumsumRowsRef(x: Arr, n: number, m: number, reverse = false): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < m; t++) {
      const j = reverse ? m - 1 - t : t;
      s += x[i * m + j];
      out[i * m + j] = s;
    }
  }
  return out;
}
