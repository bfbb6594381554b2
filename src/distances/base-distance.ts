// The common interface of distances and similarities, after pytorch-metric-learning's
// BaseDistance: optional normalisation of the embeddings, an optional power of the result,
// and `isInverted` (a similarity: larger means closer), so that losses and miners work with
// any of them through margin() and moreSimilar().
import { Tensor } from '../autograd/tensor';
import { sub } from '../ops/eltwise';
import { distPow, lpNormalize } from '../ops/distance';
import { checkPair } from './validate';

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

  protected constructor(name: string, isInverted: boolean, normalizeEmbeddings: boolean, power: number, p = 2) {
    if (typeof power !== 'number' || !Number.isFinite(power)) {
      throw new Error(`${name}: power must be a finite number, got ${power}`);
    }
    this.name = name;
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
    checkPair(fn, x, y, mode);
    this.checkDim(fn, x.shape[1]);
    const xn = this.maybeNormalize(x);
    const yn = y === x ? xn : this.maybeNormalize(y);
    return this.withPower(mode === 'pairwise' ? this.computePairwise(xn, yn) : this.computePaired(xn, yn));
  }

  /** How far `a` is from `b` in the "b is closer" direction: a − b for distances, b − a for similarities. */
  margin(a: Tensor | number, b: Tensor | number): Tensor | number {
    const [lo, hi] = this.isInverted ? [b, a] : [a, b];
    if (typeof lo === 'number' && typeof hi === 'number') return lo - hi;
    return typeof lo === 'number' ? sub(hi as Tensor, lo).mul(-1) : sub(lo, hi);
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
