// The common interface of distances and similarities, after pytorch-metric-learning's
// BaseDistance: optional normalisation of the embeddings, an optional power of the result,
// and `isInverted` (a similarity: larger means closer), so that losses and miners work with
// any of them through margin() and moreSimilar().
import { f32, getEngine } from '../wasm/instance';
import { Tensor, composite } from '../autograd/tensor';
import { sub } from '../ops/eltwise';
import { distPow, lpNormalize, scaleByPow2 } from '../ops/distance';
import { checkPair } from './validate';

// Inputs whose largest |value| lies in [2^-SAFE_EXP, 2^SAFE_EXP] take the ordinary kernels:
// their squares, norms and GEMM sums stay inside float32 for any realistic d (2^100·d).
// Outside, the inputs are scaled by a power of two (exact) into that range, the distance is
// computed there and scaled back by the distance's degree of homogeneity.
const SAFE_EXP = 50;

export interface DistanceOptions {
  /** L_p-normalise both inputs first (F.normalize with this distance's p, eps 1e-12). */
  normalizeEmbeddings?: boolean;
  /** Raise every distance to this power (pytorch-metric-learning's `power`). */
  power?: number;
}

export abstract class BaseDistance {
  /** True for similarities (cosine, dot): larger values mean more similar. */
  readonly isInverted: boolean;
  readonly normalizeEmbeddings: boolean;
  readonly power: number;
  /** The norm used by normalize() (2 except for LpDistance). */
  readonly p: number;
  /** Class name used in error messages (stated, since minifiers rename classes). */
  readonly name: string;
  /** How errors describe one value ('euclidean distance' for sl.cdist's metric names). */
  label: string;

  protected constructor(name: string, isInverted: boolean, normalizeEmbeddings: boolean, power: number, p = 2) {
    if (typeof power !== 'number' || !Number.isFinite(power)) {
      throw new Error(`${name}: power must be a finite number, got ${power}`);
    }
    this.name = name;
    this.label = `${name} value`;
    this.isInverted = isInverted;
    this.normalizeEmbeddings = normalizeEmbeddings;
    this.power = power;
    this.p = p;
  }

  /** Distances (or similarities) of every row of x [n, d] to every row of y [m, d] (default x): [n, m]. */
  pairwise(x: Tensor, y?: Tensor): Tensor {
    return this.pairwiseAs(`${this.name}.pairwise`, x, y ?? x);
  }

  /** Row i of x against row i of y, both [n, d]: [n]. Equals the diagonal of pairwise(x, y). */
  paired(x: Tensor, y: Tensor): Tensor {
    return this.pairedAs(`${this.name}.paired`, x, y);
  }

  /** pairwise(), with errors naming `fn` (sl.cdist, losses). */
  pairwiseAs(fn: string, x: Tensor, y: Tensor): Tensor {
    return this.evaluate(fn, x, y, 'pairwise');
  }

  /** paired(), with errors naming `fn`. */
  pairedAs(fn: string, x: Tensor, y: Tensor): Tensor {
    return this.evaluate(fn, x, y, 'paired');
  }

  private evaluate(fn: string, x: Tensor, y: Tensor, mode: 'pairwise' | 'paired'): Tensor {
    const mag = checkPair(fn, x, y, mode);
    this.checkDim(fn, x.shape[1]);
    const compute = (a: Tensor, b: Tensor) => (mode === 'pairwise' ? this.computePairwise(a, b) : this.computePaired(a, b));
    return composite(() => {
      const e = this.normalizeEmbeddings ? 0 : rangeExponent(mag);
      let out: Tensor;
      if (e !== 0) {
        // Backward exponents 0 and (k−1)·e move the factor off the intermediate gradient, which is
        // only right when no other tensor (a trainable M or L) gets its gradient through it.
        const k = this.degree();
        const moved = !this.hasTrainableMatrix();
        const xs = scaleByPow2(x, -e, moved ? 0 : -e);
        const ys = y === x ? xs : scaleByPow2(y, -e, moved ? 0 : -e);
        out = scaleByPow2(compute(xs, ys), e * k, moved ? e * (k - 1) : e * k);
      } else {
        const xn = this.maybeNormalize(x);
        out = compute(xn, y === x ? xn : this.maybeNormalize(y));
      }
      out = this.withPower(out);
      // In range and without a power or matrix of its own, no distance can overflow: skip the scan.
      if (e !== 0 || !this.boundedInRange() || (this.power !== 1 && !this.isSquaredForm())) this.checkResult(fn, out, mag, mode);
      return out;
    });
  }

  /**
   * d(s·x, s·y) = s^degree · d(x, y): 1 for norms, 2 for squared forms and dot products.
   * (Normalising distances never scale their inputs.)
   */
  protected degree(): number {
    return 1;
  }

  /**
   * Whether inputs within 2^±50 always give a float32 result (norms: at most 2^51·d; squared
   * forms and dot products 2^102·d). Not for distances with their own matrix (Mahalanobis).
   */
  protected boundedInRange(): boolean {
    return true;
  }

  /** Whether a matrix of the distance's own (Mahalanobis M, L) takes gradients. */
  protected hasTrainableMatrix(): boolean {
    return false;
  }

  /** A result beyond float32 (or NaN) is an error naming the pair, never a silent value. */
  private checkResult(fn: string, out: Tensor, mag: number, mode: 'pairwise' | 'paired'): void {
    const i = getEngine().k.f32_find_nonfinite(out.ptr, out.size);
    if (i < 0) return;
    const v = f32()[(out.ptr >>> 2) + i];
    const m = mode === 'pairwise' ? out.shape[1] : 1;
    const at = mode === 'pairwise' ? `x[${Math.floor(i / m)}] and y[${i % m}]` : `x[${i}] and y[${i}]`;
    const what = Number.isNaN(v) ? 'is NaN' : 'overflows float32 (> 3.4e+38)';
    const power = this.power !== 1 && !this.isSquaredForm() ? ` to the power ${this.power}` : '';
    throw new Error(`${fn}: the ${this.label}${power} of ${at} ${what}; inputs reach |${mag.toExponential(2)}|`);
  }

  /** Whether power is folded into the metric itself (the squared Euclidean distance). */
  protected isSquaredForm(): boolean {
    return false;
  }

  /** How far `a` is from `b` in the "b is closer" direction: a − b for distances, b − a for similarities. */
  margin(a: Tensor | number, b: Tensor | number): Tensor | number {
    const [lo, hi] = this.isInverted ? [b, a] : [a, b];
    if (typeof lo === 'number' && typeof hi === 'number') return lo - hi;
    return composite(() => (typeof lo === 'number' ? sub(hi as Tensor, lo).mul(-1) : sub(lo, hi)));
  }

  /** Whether value a means "more similar" than value b (smaller distance, larger similarity). */
  moreSimilar(a: number, b: number, orEqual = false): boolean {
    if (orEqual && a === b) return true;
    return this.isInverted ? a > b : a < b;
  }

  /** The most similar of some values: min for distances, max for similarities. */
  smallestDist(values: ArrayLike<number>): number {
    let best = this.isInverted ? -Infinity : Infinity;
    for (let i = 0; i < values.length; i++) if (this.moreSimilar(values[i], best)) best = values[i];
    return best;
  }

  /** The least similar of some values: max for distances, min for similarities. */
  largestDist(values: ArrayLike<number>): number {
    let worst = this.isInverted ? Infinity : -Infinity;
    for (let i = 0; i < values.length; i++) if (this.moreSimilar(worst, values[i])) worst = values[i];
    return worst;
  }

  /** Row-wise L_p normalisation with this distance's p (F.normalize). */
  normalize(x: Tensor): Tensor {
    return lpNormalize(x, this.p);
  }

  maybeNormalize(x: Tensor): Tensor {
    return this.normalizeEmbeddings ? this.normalize(x) : x;
  }

  protected withPower(mat: Tensor): Tensor {
    return this.power === 1 ? mat : distPow(mat, this.power);
  }

  /** Subclasses with a fixed dimension (Mahalanobis) reject others here. */
  protected checkDim(_fn: string, _d: number): void {}

  protected abstract computePairwise(x: Tensor, y: Tensor): Tensor;
  protected abstract computePaired(x: Tensor, y: Tensor): Tensor;
}

/** 0 when max |input| = mag is in the safe range, else e with mag·2^-e in [1, 2). */
function rangeExponent(mag: number): number {
  if (mag === 0 || (mag >= 2 ** -SAFE_EXP && mag <= 2 ** SAFE_EXP)) return 0;
  return Math.floor(Math.log2(mag));
}
