// Float64 references for src/ops/linalg.ts.

/** The inverse of a square row-major matrix [d, d] by Gauss–Jordan elimination with partial pivoting. */
export function inverse(a: ArrayLike<number>, d: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[piv * d + c])) piv = r;
    for (const x of [m, inv]) for (let j = 0; j < d; j++) [x[c * d + j], x[piv * d + j]] = [x[piv * d + j], x[c * d + j]];
    const p = m[c * d + c];
    for (let j = 0; j < d; j++) (m[c * d + j] /= p), (inv[c * d + j] /= p);
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c];
      if (f === 0) continue;
      for (let j = 0; j < d; j++) (m[r * d + j] -= f * m[c * d + j]), (inv[r * d + j] -= f * inv[c * d + j]);
    }
  }
  return inv;
}
