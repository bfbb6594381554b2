// Checks of the hyper-parameters losses and miners share (a distance object, margins), in
// one module both import, so miners do not depend on src/losses.
import type { Tensor } from '../autograd/tensor';
/** What a loss needs of a distance object (sl.distances.*). */
export interface Distance {
  readonly isInverted: boolean;
  pairwise(x: Tensor, y?: Tensor): Tensor;
  paired(x: Tensor, y: Tensor): Tensor;
}

/** Checks a margin-like hyper-parameter: a finite number ≥ 0. */
export function checkMargin(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`${fn}: ${name} must be a finite number >= 0, got ${String(v)}`);
  }
  return v;
}

/** Checks a strictly positive finite hyper-parameter. */
export function checkPositive(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${fn}: ${name} must be a finite number > 0, got ${String(v)}`);
  }
  return v;
}

/** A distance option: the default when undefined, else checked (pairwise, paired, isInverted). */
export function checkDistance(fn: string, d: unknown, fallback: () => Distance): Distance {
  if (d === undefined) return fallback();
  const ok = d !== null && typeof d === 'object' && typeof (d as Distance).pairwise === 'function' && typeof (d as Distance).paired === 'function' && typeof (d as Distance).isInverted === 'boolean';
  if (!ok) throw new TypeError(`${fn}: distance must be a distance object (sl.distances.*) with pairwise, paired and isInverted`);
  return d as Distance;
}

