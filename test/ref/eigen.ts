// Float64 checks for the learners' linear algebra that need no solver of their own: the
// residual of an eigen-decomposition, orthonormality (or B-orthonormality) of its vectors,
// and plain products. Never imported by src/.

/** C = A·B for row-major A [m, k], B [k, n]. */
export function matmulRef(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * k + p] * B[p * n + j];
  return C;
}

/** max_j ‖A v_j − λ_j B v_j‖ / (‖A‖_F + |λ_j|‖B‖_F) (B = I when omitted): the backward error of each pair. */
export function eigResidualRef(A: ArrayLike<number>, w: ArrayLike<number>, V: ArrayLike<number>, d: number, B?: ArrayLike<number>): number {
  const fro = (M: ArrayLike<number>) => Math.sqrt(Array.from(M).reduce((s, x) => s + x * x, 0));
  const nA = fro(A), nB = B ? fro(B) : Math.sqrt(d);
  let worst = 0;
  for (let j = 0; j < d; j++) {
    let r = 0;
    for (let i = 0; i < d; i++) {
      let av = 0, bv = 0;
      for (let k = 0; k < d; k++) {
        av += A[i * d + k] * V[k * d + j];
        bv += (B ? B[i * d + k] : i === k ? 1 : 0) * V[k * d + j];
      }
      r += (av - w[j] * bv) ** 2;
    }
    worst = Math.max(worst, Math.sqrt(r) / (nA + Math.abs(w[j]) * nB || 1));
  }
  return worst;
}

/** max |Vᵀ B V − I| (B = I when omitted). */
export function orthonormalityRef(V: ArrayLike<number>, d: number, B?: ArrayLike<number>): number {
  let worst = 0;
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) s += V[i * d + a] * (B ? B[i * d + k] : i === k ? 1 : 0) * V[k * d + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  return worst;
}

/** All eigenpairs of symmetric A [d, d] by plain cyclic Jacobi in float64: values ascending, vectors as columns. */
export function symEigRef(A: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from({ length: d * d }, (_, i) => 0.5 * (A[i] + A[(i % d) * d + Math.floor(i / d)]));
  const v = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, all = 0;
    for (let i = 0; i < d * d; i++) {
      all += a[i] * a[i];
      if (i % (d + 1) !== 0) off += a[i] * a[i];
    }
    if (off <= 1e-60 * all || off === 0) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          const kp = a[k * d + p], kq = a[k * d + q];
          a[k * d + p] = c * kp - s * kq;
          a[k * d + q] = s * kp + c * kq;
        }
        for (let k = 0; k < d; k++) {
          const pk = a[p * d + k], qk = a[q * d + k];
          a[p * d + k] = c * pk - s * qk;
          a[q * d + k] = s * pk + c * qk;
        }
        for (let k = 0; k < d; k++) {
          const kp = v[k * d + p], kq = v[k * d + q];
          v[k * d + p] = c * kp - s * kq;
          v[k * d + q] = s * kp + c * kq;
        }
      }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[i * d + i] - a[j * d + j]);
  const values = Float64Array.from(order, (i) => a[i * d + i]);
  const vectors = new Float64Array(d * d);
  order.forEach((src, j) => {
    for (let k = 0; k < d; k++) vectors[k * d + j] = v[k * d + src];
  });
  return { values, vectors };
}

/** V·diag(max(λ, floor))·Vᵀ for the eigenpairs of (A + Aᵀ)/2, by symEigRef. */
export function psdProjectRef(A: ArrayLike<number>, d: number, floor = 0): Float64Array {
  const { values, vectors } = symEigRef(A, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const l = Math.max(values[k], floor);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] += vectors[i * d + k] * l * vectors[j * d + k];
  }
  return out;
}
