// Element-wise closeness with a stated tolerance: |actual − expected| ≤ atol + rtol·|expected|
// (+ bound[i] when a per-element error bound is given, e.g. k·u·(|A||B|) for a GEMM).
// NaN matches NaN only; the first failing element is reported with its index.
import * as assert from 'uvu/assert';

export interface Tolerance {
  atol?: number;
  rtol?: number;
  bound?: ArrayLike<number>;
}

/** Unit roundoff of float32 (2⁻²⁴): one rounding's relative error. */
export const U32 = 2 ** -24;

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label: string): void {
  const { atol = 0, rtol = 0, bound } = tol;
  assert.is(actual.length, expected.length, `${label}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const allowed = atol + rtol * Math.abs(e) + (bound ? bound[i] : 0);
    if (!(Math.abs(a - e) <= allowed)) {
      assert.unreachable(`${label}: element ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${allowed})`);
    }
  }
}

/** Seeded float32 samples (so the float64 reference sees exactly the kernel's inputs). */
export function randomF32(rng: { normal(): number }, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

/** Bitwise equality (Object.is: −0 ≠ 0, NaN = NaN): a fused path against the ops it replaces. */
export function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) assert.unreachable(`${label}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
}
