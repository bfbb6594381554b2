// The learners' shared surface (metric-learn's MahalanobisMixin and its pair, triplet and
// quadruplet classifier mixins): a learned L [k, d] with M = LᵀL, transform, pair distances,
// a Mahalanobis distance object, and the tuple classifiers' predict / score.
import { tensor } from '../autograd/create';
import { Tensor, keep } from '../autograd/tensor';
import { Mahalanobis } from '../distances/mahalanobis';
import { checkOptions } from '../options';
import { calibrate, type CalibrationOptions } from './calibration';
import { mm, tr } from './dense';
import { getEngine } from '../wasm/instance';
import { withF64Scope } from '../ops/f64-linalg';
import { toMatrix, toPairLabels, toTuples, tupleDiffIn, type Tuples } from './input';

export abstract class MahalanobisLearner {
  /** The class name in messages. */
  protected readonly typeName: string;
  private learnedL: Float64Array | null = null;
  private learnedK = 0;
  private learnedD = 0;
  private componentsTensor: Tensor | null = null;
  /** Iterations the last fit ran (iterative learners). */
  nIter = 0;

  protected constructor(name: string) {
    this.typeName = name;
  }

  /** Sets the learned L [k, d] (float64). */
  protected setComponents(L: Float64Array, k: number, d: number): void {
    for (let i = 0; i < L.length; i++) if (!Number.isFinite(L[i])) throw new Error(`${this.typeName}.fit: the learned transformation has a non-finite entry (the problem is too ill-conditioned for these options)`);
    this.componentsTensor?.dispose();
    this.componentsTensor = null;
    this.learnedL = L;
    this.learnedK = k;
    this.learnedD = d;
  }

  protected fitted(fn: string): { L: Float64Array; k: number; d: number } {
    if (!this.learnedL) throw new Error(`${this.typeName}.${fn}: not fitted yet: call fit() first`);
    return { L: this.learnedL, k: this.learnedK, d: this.learnedD };
  }

  /** L [k, d] with M = LᵀL (float32 copy, owned by the learner: freed by dispose() or the next fit). */
  get components(): Tensor {
    const { L, k, d } = this.fitted('components');
    if (!this.componentsTensor) this.componentsTensor = keep(tensor(Float32Array.from(L), [k, d]));
    return this.componentsTensor;
  }

  /** L as float64 [k, d] (a copy). */
  componentsF64(): Float64Array {
    return this.fitted('componentsF64').L.slice();
  }

  /** M = LᵀL as float64 [d, d]. */
  metricF64(): Float64Array {
    const { L, k, d } = this.fitted('getMahalanobisMatrix');
    const M = mm(tr(L, k, d), L, d, k, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) M[j * d + i] = M[i * d + j];
    return M;
  }

  /** M = LᵀL [d, d] (a new Tensor, the caller's). */
  getMahalanobisMatrix(): Tensor {
    const { d } = this.fitted('getMahalanobisMatrix');
    return tensor(Float32Array.from(this.metricF64()), [d, d]);
  }

  /** X Lᵀ: the data in the learned space, [n, k]. */
  transform(X: Tensor | ArrayLike<ArrayLike<number>>): Tensor {
    const { L, k, d } = this.fitted('transform');
    const x = toMatrix(`${this.typeName}.transform`, 'X', X);
    if (x.d !== d) throw new Error(`${this.typeName}.transform: X is [${x.n}, ${x.d}] but the learner was fitted on d = ${d}`);
    return tensor(Float32Array.from(mm(x.data, tr(L, k, d), x.n, d, k)), [x.n, k]);
  }

  /** √((x − y)ᵀM(x − y)) for each pair [m, 2, d] (the distance, not its square, as metric-learn). */
  pairDistance(pairs: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>): Float64Array {
    return this.tupleDistances('pairDistance', this.asTuples('pairDistance', pairs, 2, 'pairs'), 0, 1);
  }

  /** −pairDistance: larger means more similar. */
  pairScore(pairs: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>): Float64Array {
    return this.pairDistance(pairs).map((v) => -v);
  }

  /** The learned metric as a distance object: Mahalanobis({ M, squared: false }), M owned by it. */
  toDistance(): Mahalanobis {
    return new Mahalanobis({ M: keep(this.getMahalanobisMatrix()), squared: false });
  }

  /** Frees the components tensor. */
  dispose(): void {
    this.componentsTensor?.dispose();
    this.componentsTensor = null;
  }

  protected asTuples(fn: string, t: unknown, size: number, what: string): Tuples {
    const { d } = this.fitted(fn);
    const tt = toTuples(`${this.typeName}.${fn}`, what, t, size, what);
    if (tt.d !== d) throw new Error(`${this.typeName}.${fn}: ${what} have d = ${tt.d} but the learner was fitted on d = ${d}`);
    return tt;
  }

  /** ‖L(t[:, a] − t[:, b])‖ per tuple. */
  protected tupleDistances(fn: string, t: Tuples, a: number, b: number): Float64Array {
    const { L, k, d } = this.fitted(fn);
    // ‖L(xa − xb)‖: the differences written in wasm memory, the [m, k] product there
    // (f64_gemm_nt), the norms here
    const out = new Float64Array(t.m);
    withF64Scope((s) => {
      const pDiff = tupleDiffIn(s, t, a, b), pL = s.f64(L), pE = s.out64(t.m * k);
      getEngine().k.f64_gemm_nt(pDiff, pL, pE, t.m, d, k);
      const E = s.view(pE, t.m * k);
      for (let i = 0; i < t.m; i++) {
        let q = 0;
        for (let r = 0; r < k; r++) q += E[i * k + r] * E[i * k + r];
        out[i] = Math.sqrt(q);
      }
    });
    return out;
  }

}

/** Pair classifiers (ITML, MMC, SDML): a threshold on pairDistance, +1 (similar) at or below it. */
export abstract class PairsLearner extends MahalanobisLearner {
  /** The distance threshold; set by fit (calibrated on the training pairs) or calibrateThreshold. */
  threshold: number | null = null;

  /** −pairDistance. */
  decisionFunction(pairs: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>): Float64Array {
    return this.pairScore(pairs);
  }

  /** +1 where pairDistance ≤ threshold, else −1. */
  predict(pairs: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>): Int8Array {
    if (this.threshold === null) throw new Error(`${this.typeName}.predict: no threshold set: call setThreshold or calibrateThreshold`);
    const t = this.threshold;
    return Int8Array.from(this.pairDistance(pairs), (v) => (v <= t ? 1 : -1));
  }

  setThreshold(threshold: number): this {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new Error(`${this.typeName}.setThreshold: threshold must be a number, got ${threshold}`);
    this.threshold = threshold;
    return this;
  }

  /** Chooses the threshold on (pairs, y ±1) by metric-learn's strategies: 'accuracy', 'f_beta', 'max_tpr', 'max_tnr'. */
  calibrateThreshold(pairs: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>, y: ArrayLike<number>, options?: CalibrationOptions): this {
    const fn = `${this.typeName}.calibrateThreshold`;
    const o = checkCalibration(fn, options);
    const t = this.asTuples('calibrateThreshold', pairs, 2, 'pairs');
    const labels = toPairLabels(fn, y, t.m);
    this.threshold = calibrate(this.tupleDistances('calibrateThreshold', t, 0, 1).map((v) => -v), labels, o);
    return this;
  }

  /** Pair classification accuracy of predict on (pairs, y). */
  score(pairs: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>, y: ArrayLike<number>): number {
    const p = this.predict(pairs);
    const labels = toPairLabels(`${this.typeName}.score`, y, p.length);
    let ok = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) ok++;
    return ok / p.length;
  }

  /** Fits, then calibrates the threshold on the training pairs (metric-learn's fit). */
  protected calibrateAfterFit(pairs: Tuples, y: Int8Array, options?: CalibrationOptions): void {
    const o = checkCalibration(`${this.typeName}.fit`, options);
    this.threshold = calibrate(this.tupleDistances('fit', pairs, 0, 1).map((v) => -v), y, o);
  }
}

export function checkCalibration(fn: string, options?: CalibrationOptions): Required<Pick<CalibrationOptions, 'strategy' | 'beta'>> & { minRate: number | null } {
  const { strategy = 'accuracy', minRate = null, beta = 1 } = checkOptions<CalibrationOptions>(fn, options, { strategy: [['accuracy', 'f_beta', 'max_tpr', 'max_tnr']], minRate: ['number', 'null'], beta: 'number' });
  if ((strategy === 'max_tpr' || strategy === 'max_tnr') && (minRate === null || !(minRate >= 0 && minRate <= 1))) {
    throw new Error(`${fn}: strategy '${strategy}' needs minRate, a number in [0, 1], got ${minRate}`);
  }
  return { strategy, minRate, beta };
}

/** Triplet (SCML) and quadruplet (LSML) classifiers: predict ±1, score = accuracy. */
export abstract class TupleLearner extends MahalanobisLearner {
  protected abstract readonly tupleSize: 3 | 4;

  /** Triplets: d(a, n) − d(a, p); quadruplets: d(c, d) − d(a, b). Positive: the order is respected. */
  decisionFunction(tuples: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>): Float64Array {
    const what = this.tupleSize === 3 ? 'triplets' : 'quadruplets';
    const t = this.asTuples('decisionFunction', tuples, this.tupleSize, what);
    const near = this.tupleDistances('decisionFunction', t, 0, 1);
    const far = this.tupleSize === 3 ? this.tupleDistances('decisionFunction', t, 0, 2) : this.tupleDistances('decisionFunction', t, 2, 3);
    return near.map((v, i) => far[i] - v);
  }

  /** +1 where the tuple's order is respected. Triplets: decision > 0; quadruplets: its sign (0 at a tie), as metric-learn. */
  predict(tuples: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>): Int8Array {
    const f = this.decisionFunction(tuples);
    return Int8Array.from(f, (v) => (this.tupleSize === 3 ? (v > 0 ? 1 : -1) : Math.sign(v)));
  }

  /** Fraction of tuples whose order the metric respects (mean(predict)/2 + 1/2). */
  score(tuples: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>): number {
    const p = this.predict(tuples);
    let s = 0;
    for (const v of p) s += v;
    return s / p.length / 2 + 0.5;
  }
}
