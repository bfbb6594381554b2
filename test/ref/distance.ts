// float64 oracles for the distance family. Never imported by src/.
export type RefMetric = 'euclidean' | 'sqeuclidean' | 'manhattan' | 'cosine' | 'dot' | { p: number };

export function rowDistance(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number, metric: RefMetric): number {
  if (metric === 'cosine' || metric === 'dot') {
    let ab = 0, aa = 0, bb = 0;
    for (let k = 0; k < d; k++) {
      ab += a[ao + k] * b[bo + k];
      aa += a[ao + k] ** 2;
      bb += b[bo + k] ** 2;
    }
    if (metric === 'dot') return ab;
    // F.normalize: x / max(‖x‖, 1e-12)
    return 1 - ab / (Math.max(Math.sqrt(aa), 1e-12) * Math.max(Math.sqrt(bb), 1e-12));
  }
  const p = metric === 'euclidean' || metric === 'sqeuclidean' ? 2 : metric === 'manhattan' ? 1 : metric.p;
  let s = 0;
  for (let k = 0; k < d; k++) s += Math.abs(a[ao + k] - b[bo + k]) ** p;
  return metric === 'sqeuclidean' ? s : s ** (1 / p);
}

/** [n, m] distances of x [n, d] to y [m, d]. */
export function cdistRef(x: ArrayLike<number>, y: ArrayLike<number>, n: number, m: number, d: number, metric: RefMetric): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = rowDistance(x, i * d, y, j * d, d, metric);
  return out;
}

/** [n] distances of row i of x to row i of y. */
export function pairedRef(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, metric: RefMetric): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rowDistance(x, i * d, y, i * d, d, metric);
  return out;
}

/** Rows divided by max(‖row‖_p, 1e-12) (F.normalize). */
export function normalizeRef(x: ArrayLike<number>, n: number, d: number, p = 2): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += Math.abs(x[i * d + k]) ** p;
    const r = Math.max(s ** (1 / p), 1e-12);
    for (let k = 0; k < d; k++) out[i * d + k] = x[i * d + k] / r;
  }
  return out;
}

/** (x − y)ᵀ M (x − y) for every pair; M [d, d]. */
export function mahalanobisRef(x: ArrayLike<number>, y: ArrayLike<number>, M: ArrayLike<number>, n: number, m: number, d: number): Float64Array {
  const out = new Float64Array(n * m);
  const v = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < d; k++) v[k] = x[i * d + k] - y[j * d + k];
      let s = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s += v[a] * M[a * d + b] * v[b];
      out[i * m + j] = s;
    }
  return out;
}

/** Max |a − b| / (atol + rtol·|b|) over the elements: ≤ 1 means within tolerance. */
export function worstRatio(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): { ratio: number; index: number } {
  let ratio = 0, index = -1;
  if (a.length !== b.length) return { ratio: Infinity, index: -1 };
  for (let i = 0; i < a.length; i++) {
    const r = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (!(r <= ratio)) {
      ratio = r;
      index = i;
    }
  }
  return { ratio, index };
}

/** Inverse of a square matrix by Gauss–Jordan with partial pivoting (float64). */
export function invertRef(a: ArrayLike<number>, d: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[piv * d + c])) piv = r;
    for (let k = 0; k < d; k++) {
      [m[c * d + k], m[piv * d + k]] = [m[piv * d + k], m[c * d + k]];
      [inv[c * d + k], inv[piv * d + k]] = [inv[piv * d + k], inv[c * d + k]];
    }
    const p = m[c * d + c];
    for (let k = 0; k < d; k++) {
      m[c * d + k] /= p;
      inv[c * d + k] /= p;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c];
      for (let k = 0; k < d; k++) {
        m[r * d + k] -= f * m[c * d + k];
        inv[r * d + k] -= f * inv[c * d + k];
      }
    }
  }
  return inv;
}

/** Unbiased sample covariance [d, d] of x [n, d]. */
export function covarianceRef(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += x[i * d + k] / n;
  const c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) c[a * d + b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / (n - 1);
  return c;
}
