// Shared fixtures of the loss and miner tests: seeded batches and their float64 copies.
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import type { Mat } from '../ref/loss';

export function batch(n: number, d: number, seed: number): { x: sl.Tensor; rows: Mat } {
  const x = sl.randn([n, d], { seed });
  const flat = x.data();
  const rows: Mat = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(flat.subarray(i * d, (i + 1) * d)));
  return { x, rows };
}

export function labelsOf(n: number, classes: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.floor(rng.uniform() * classes));
}

export function close(got: number, want: number, tol: number, what: string): void {
  if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) throw new Error(`${what}: got ${got}, want ${want}`);
}

/** Batches that cover odd sizes and the edge cases: one class (no negatives), all labels distinct (no positives), one sample. */
export const labelCases: { name: string; n: number; labels: (n: number) => number[] }[] = [
  { name: 'n=5, 2 classes', n: 5, labels: (n) => labelsOf(n, 2, 1) },
  { name: 'n=17, 4 classes', n: 17, labels: (n) => labelsOf(n, 4, 2) },
  { name: 'n=33, 3 classes', n: 33, labels: (n) => labelsOf(n, 3, 3) },
  { name: 'one class (no negatives)', n: 7, labels: (n) => new Array(n).fill(3) },
  { name: 'all labels distinct (no positives)', n: 6, labels: (n) => Array.from({ length: n }, (_, i) => 10 - i) },
  { name: 'a single sample', n: 1, labels: () => [0] },
];

/**
 * Explicit dispose leaks nothing: `steps` runs of forward (`loss(x)` on a fresh [n, d] batch
 * requiring grad), backward and dispose by hand leave the engine's live bytes where one warm-up
 * run left them.
 */
export function assertNoLeak(label: string, loss: (x: sl.Tensor) => sl.Tensor, shape: [number, number], steps = 50): void {
  const step = () => {
    const x = sl.randn(shape, { seed: 1, requiresGrad: true });
    const v = loss(x);
    if (v.requiresGrad) v.backward();
    v.dispose();
    x.dispose();
  };
  step();
  const before = sl.engineInfo().liveBytes;
  for (let i = 0; i < steps; i++) step();
  assert.is(sl.engineInfo().liveBytes, before, `${label}: live bytes grew`);
}
