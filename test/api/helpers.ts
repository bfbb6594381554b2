// Shared pieces of the public-API contract tests: the library under test, the PyTorch
// fixture, tensors made from it, and closeness against float64 / PyTorch references.
// The tests reach simlearn only through `sl`, as a program outside the project would: the
// source barrel by default, or the built package (`import * as sl from 'simlearn'`, i.e.
// dist/simlearn.js) with SIMLEARN_CONTRACT=dist after `npm run build`.
import { readFileSync } from 'node:fs';
import type * as SL from '../../src/index';
import { assertClose, type Tolerance } from '../helpers/close';

/** Where `sl` comes from: 'src' (default) or 'dist' (the published bundle, by package name). */
export const target = process.env.SIMLEARN_CONTRACT === 'dist' ? 'dist' : 'src';
// a string variable keeps tsc from requiring dist/ to exist
const packageName: string = 'simlearn';
export const sl: typeof SL = target === 'dist' ? await import(packageName) : await import('../../src/index');

/** Reference values written by test/fixtures/gen_contract.py (PyTorch, float64 where it matters). */
export const fixture = JSON.parse(readFileSync(new URL('../fixtures/contract.json', import.meta.url), 'utf8'));

/** A float32 tensor of flat values. */
export function f32(values: ArrayLike<number>, shape: number[], requiresGrad = false): SL.Tensor {
  return sl.tensor(Float32Array.from(values), shape, { requiresGrad });
}

/** A tensor's values against a reference: |a − e| ≤ atol + rtol·|e|. */
export function near(actual: SL.Tensor | ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label: string): void {
  assertClose(actual instanceof sl.Tensor ? actual.data() : actual, expected, tol, label);
}

/** Float32 through a few ops, against a float64 reference. */
export const TOL: Tolerance = { atol: 1e-6, rtol: 1e-5 };

/** The gradient of a leaf, which must exist. */
export function gradOf(t: SL.Tensor): Float32Array {
  if (!t.grad) throw new Error(`no gradient flowed into ${t}`);
  return t.grad.data();
}

/** Runs fn and returns the message it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error, none was thrown');
}

/** A seeded float32 matrix from the public generator. */
export function randn(shape: number[], seed: number): SL.Tensor {
  return sl.randn(shape, { seed });
}
