// sl.checkMetricAxioms: which metric axioms a distance satisfies on a sample.
import { f32, getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, noGrad, tidy } from '../autograd/tensor';
import { Rng } from '../random';
import { checkOptions } from '../options';
import { resolveMetric, type Metric } from './metric';
import { check2d, checkFinite } from './validate';

export interface AxiomCheck {
  /** No violation above the tolerance. */
  holds: boolean;
  /** The largest violation found (0 when none): see each axiom. */
  worst: number;
  /** Where the worst violation occurred, or null when the axiom held everywhere. */
  example: { indices: number[]; distances: number[] } | null;
}

export interface MetricAxiomsReport {
  /** d(i, j) ≥ 0; worst = −min d. */
  nonNegativity: AxiomCheck;
  /** d(i, j) = 0 exactly when rows i and j are equal; worst = |d| for equal rows, or, for
   *  distinct rows at distance ≤ tolerance, their largest coordinate difference. */
  identity: AxiomCheck;
  /** d(i, j) = d(j, i); worst = |d(i, j) − d(j, i)|. */
  symmetry: AxiomCheck;
  /** d(i, k) ≤ d(i, j) + d(j, k); worst = d(i, k) − d(i, j) − d(j, k);
   *  example.distances = [d(i, j), d(j, k), d(i, k)]. */
  triangle: AxiomCheck;
  /** Ordered triples checked (all n³, or a seeded random subset). */
  triplesChecked: number;
}

export interface CheckMetricAxiomsOptions {
  /** Violations up to tol · max|d| are ignored (float32 rounding). Default 1e-6. */
  tol?: number;
  /** All n³ ordered triples when n³ ≤ maxTriples, else this many random ones. Default 1e6. */
  maxTriples?: number;
  /** Seed of the random triples. Default 0. */
  seed?: number;
}

/**
 * Checks non-negativity, identity of indiscernibles, symmetry and the triangle inequality
 * of `distance` (a metric name, { p }, or a distance object) on the rows of samples [n, d].
 * Distances are evaluated with the paired (row-against-row) kernels, which take differences
 * before squaring, so float32 cancellation does not fake violations.
 *
 *   sl.checkMetricAxioms('sqeuclidean', x).triangle.holds   // false, with an example
 */
export function checkMetricAxioms(distance: Metric, samples: Tensor, options: CheckMetricAxiomsOptions = {}): MetricAxiomsReport {
  const fn = 'checkMetricAxioms';
  const spec = { tol: 'number', maxTriples: 'integer', seed: 'integer' } as const;
  const { tol = 1e-6, maxTriples = 1_000_000, seed = 0 } = checkOptions<CheckMetricAxiomsOptions>(fn, options, spec);
  const dist = resolveMetric(fn, distance);
  if (dist.isInverted) {
    throw new Error(`${fn}: ${dist.name} is a similarity (isInverted: larger means closer), not a distance; check 'cosine' (1 − cos) or a distance object instead`);
  }
  check2d(fn, 'samples', samples);
  checkFinite(fn, 'samples', samples);
  if (!(tol >= 0)) throw new Error(`${fn}: tol must be a number >= 0, got ${tol}`);
  if (!Number.isInteger(maxTriples) || maxTriples < 1) throw new Error(`${fn}: maxTriples must be a positive integer, got ${maxTriples}`);
  const [n, d] = samples.shape;
  const x = samples.data();
  const D = allPairs(dist, samples, fn);
  let scale = 0;
  for (let i = 0; i < D.length; i++) scale = Math.max(scale, Math.abs(D[i]));
  const limit = tol * (scale > 0 ? scale : 1);

  const nonNeg = new Worst();
  const identity = new Worst();
  const symmetry = new Worst();
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const dij = D[i * n + j];
      nonNeg.offer(-dij, [i, j], [dij]);
      if (j > i) symmetry.offer(Math.abs(dij - D[j * n + i]), [i, j], [dij, D[j * n + i]]);
      const gap = maxAbsDiff(x, i, j, d);
      if (gap === 0) identity.offer(Math.abs(dij), [i, j], [dij]);
      else if (Math.abs(dij) <= limit) identity.offer(gap, [i, j], [dij]);
    }

  const triangle = new Worst();
  const check = (i: number, j: number, k: number) => {
    const dij = D[i * n + j], djk = D[j * n + k], dik = D[i * n + k];
    triangle.offer(dik - dij - djk, [i, j, k], [dij, djk, dik]);
  };
  let triplesChecked: number;
  if (n * n * n <= maxTriples) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) check(i, j, k);
    triplesChecked = n * n * n;
  } else {
    const rng = new Rng(seed);
    for (let t = 0; t < maxTriples; t++) check(rng.int(n), rng.int(n), rng.int(n));
    triplesChecked = maxTriples;
  }
  return {
    nonNegativity: nonNeg.result(limit),
    identity: identity.result(limit),
    symmetry: symmetry.result(limit),
    triangle: triangle.result(limit),
    triplesChecked,
  };
}

class Worst {
  private worst = 0;
  private example: AxiomCheck['example'] = null;

  offer(violation: number, indices: number[], distances: number[]): void {
    if (violation > this.worst) {
      this.worst = violation;
      this.example = { indices, distances };
    }
  }

  result(limit: number): AxiomCheck {
    const holds = this.worst <= limit;
    return { holds, worst: this.worst, example: holds ? null : this.example };
  }
}

function maxAbsDiff(x: Float32Array, i: number, j: number, d: number): number {
  let m = 0;
  for (let k = 0; k < d; k++) m = Math.max(m, Math.abs(x[i * d + k] - x[j * d + k]));
  return m;
}

/** D[i, j] for every ordered pair, one paired() call per row i (n rows of x_i against all of x). */
function allPairs(dist: ReturnType<typeof resolveMetric>, samples: Tensor, fn: string): Float64Array {
  const [n, d] = samples.shape;
  const D = new Float64Array(n * n);
  const k = getEngine().k;
  noGrad(() =>
    tidy(() => {
      const rep = empty([n, d]);
      for (let i = 0; i < n; i++) {
        for (let r = 0; r < n; r++) k.f32_copy(samples.ptr + i * d * 4, rep.ptr + r * d * 4, d);
        const row = dist.pairedAs(fn, rep, samples);
        const v = f32();
        for (let j = 0; j < n; j++) D[i * n + j] = v[(row.ptr >>> 2) + j];
        row.dispose();
      }
    }),
  );
  return D;
}
