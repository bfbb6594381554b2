// float64 oracles for the covariance family (centring, Gram matrix, VICReg's variance hinge and
// off-diagonal squares), values and gradients. Never imported by src/.
type Arr = ArrayLike<number>;

/** x − colmean(x); x [n, d]. Also the centring's gradient: g − colmean(g). */
export function centreColsRef(x: Arr, n: number, d: number): Float64Array {
  const out = Float64Array.from(x);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + j];
    m /= n;
    for (let i = 0; i < n; i++) out[i * d + j] -= m;
  }
  return out;
}

/** xᵀx [d, d]; x [n, d] */
export function gramColsRef(x: Arr, n: number, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) for (let i = 0; i < n; i++) out[a * d + b] += x[i * d + a] * x[i * d + b];
  return out;
}

/** ∂⟨G, xᵀx⟩/∂x = x·(G + Gᵀ); x [n, d], G [d, d] */
export function gramColsGradRef(x: Arr, g: Arr, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let b = 0; b < d; b++) for (let a = 0; a < d; a++) out[i * d + b] += x[i * d + a] * (g[a * d + b] + g[b * d + a]);
  return out;
}

/** scale·relu(1 − sqrt(C_jj·inv + eps)) and its gradient to C under upstream weights g [d]. */
export function varHingeRef(c: Arr, d: number, inv: number, eps: number, scale: number, g: Arr): { out: Float64Array; grad: Float64Array } {
  const out = new Float64Array(d), grad = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(c[j * (d + 1)] * inv + eps);
    out[j] = scale * Math.max(0, 1 - s);
    if (1 - s > 0) grad[j * (d + 1)] = (-g[j] * scale * inv) / (2 * s);
  }
  return { out, grad };
}

/** scale·Σ_{a≠b} C_ab² and its gradient to C under upstream weight g. */
export function offDiagSqRef(c: Arr, d: number, scale: number, g: number): { out: number; grad: Float64Array } {
  let out = 0;
  const grad = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      if (a === b) continue;
      out += scale * c[a * d + b] ** 2;
      grad[a * d + b] = 2 * scale * g * c[a * d + b];
    }
  }
  return { out, grad };
}
