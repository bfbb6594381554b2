// Principal components by power iteration with deflation, in float64: enough for a 2-D
// picture of a few thousand embeddings without a linear-algebra dependency.

export interface Pca {
  /** The data projected on the components, [n, k] row-major. */
  projected: Float64Array;
  /** Unit component vectors, [k, d] row-major. */
  components: Float64Array;
  /** Variance along each component (eigenvalues of the covariance). */
  variances: number[];
}

/** The top `k` principal components of x [n, d]; `seed` fixes the starting vectors. */
export function pca(x: ArrayLike<number>, n: number, d: number, k = 2, { iterations = 500, seed = 1 } = {}): Pca {
  if (n < 2 || x.length !== n * d) throw new Error(`pca: x must hold n·d = ${n}·${d} values with n ≥ 2, got ${x.length}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a * d + b] += (row[a] * row[b]) / (n - 1);
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];

  const components = new Float64Array(k * d);
  const variances: number[] = [];
  let state = seed >>> 0 || 1;
  const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5;
  for (let c = 0; c < k; c++) {
    let v = Float64Array.from({ length: d }, rand);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b] * v[b];
        w[a] = s;
      }
      // Deflation: stay orthogonal to the components already found.
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let a = 0; a < d; a++) dot += w[a] * components[p * d + a];
        for (let a = 0; a < d; a++) w[a] -= dot * components[p * d + a];
      }
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      const next = w.map((t) => t / norm);
      const moved = next.reduce((s, t, a) => s + Math.abs(t - v[a]), 0);
      v = next;
      lambda = norm;
      if (moved < 1e-12) break;
    }
    // A sign convention so pictures do not flip between runs: largest entry positive.
    let big = 0;
    for (let a = 1; a < d; a++) if (Math.abs(v[a]) > Math.abs(v[big])) big = a;
    if (v[big] < 0) v = v.map((t) => -t);
    components.set(v, c * d);
    variances.push(lambda);
  }
  const projected = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - mean[j]) * components[c * d + j];
      projected[i * k + c] = s;
    }
  }
  return { projected, components, variances };
}
