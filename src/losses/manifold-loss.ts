// Ensemble deep manifold similarity with hard proxies (Aziere & Todorovic 2019), as PML's
// ManifoldLoss: K learnable proxies [K, l] join the batch; S = exp(2·max(sim, 0)) off the
// diagonal, normalised S̄ = D^−½ S D^−½; the random-walk similarities F = (1 − α)(I − αS̄)⁻¹.
// Each embedding's meta-class picks its own proxy; the intrinsic loss is a soft hinge of F[i, k]
// against F[i, own] (+ margin) over the other proxies, the context loss the same on the cosine
// similarity of F's embedding rows and proxy rows; loss = intrinsic + lambdaC · context
// (lambdaC = Infinity: context only). forward(embeddings, null, metaClasses?): without
// meta-classes they are drawn at random (every proxy once, the rest uniform), as PML.
import { Tensor, fmtShape, keep } from '../autograd/tensor';
import { randn, tensor } from '../autograd/create';
import { add, mul, sub } from '../ops/eltwise';
import { gatherElements } from '../ops/gather';
import { transpose, matmul } from '../ops/gemm';
import { inverseSpd } from '../ops/linalg';
import { maskedLogsumexp } from '../ops/masked';
import { narrowRows } from '../ops/narrow';
import { l2Normalize, mean, sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { clamp, exp, pow } from '../ops/unary';
import { stackRows } from '../ops/loss';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { rngFor } from '../random';
import { getEngine } from '../wasm/instance';
import type { Labels, Tuples } from '../tuples/batch';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

/** Meta-classes: N proxy indices (or PML's tuple of that one column). */
export type MetaClasses = ArrayLike<number> | Tuples | readonly [ArrayLike<number>];

export interface ManifoldLossOptions extends BaseLossOptions {
  /** Embedding size (required). */
  l: number;
  /** Number of proxies. Default 50. */
  K?: number;
  /** Weight of the context loss (≥ 0; Infinity: context only). Default 1. */
  lambdaC?: number;
  /** Random-walk parameter in (0, 1). Default 0.8. */
  alpha?: number;
  /** Default 5e-4. */
  margin?: number;
}

export class ManifoldLoss extends BaseMetricLossFunction {
  readonly l: number;
  readonly K: number;
  readonly lambdaC: number;
  readonly alpha: number;
  readonly margin: number;
  /** [K, l], learnable (PML's `proxies`, torch.randn init; seeded by sl.manualSeed). */
  readonly proxies: Tensor;
  private metaClasses: Int32Array | null = null;

  constructor(options: ManifoldLossOptions) {
    const o = checkOptions<ManifoldLossOptions>('ManifoldLoss', options, { ...BASE_LOSS_OPTIONS, l: 'integer', K: 'integer', lambdaC: 'any', alpha: 'number', margin: 'number' });
    super('ManifoldLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    if (o.l === undefined || o.l < 1) throw new Error(`ManifoldLoss: l (the embedding size) must be a positive integer, got ${String(o.l)}`);
    this.l = o.l;
    this.K = o.K ?? 50;
    if (this.K < 1) throw new Error(`ManifoldLoss: K must be a positive integer, got ${this.K}`);
    const lc = o.lambdaC ?? 1;
    if (typeof lc !== 'number' || Number.isNaN(lc) || lc < 0) throw new Error(`ManifoldLoss: lambdaC must be a non-negative number (Infinity: context loss only), got ${String(lc)}`);
    this.lambdaC = lc;
    this.alpha = o.alpha ?? 0.8;
    this.margin = o.margin ?? 5e-4;
    this.proxies = keep(randn([this.K, this.l], { requiresGrad: true }));
  }

  parameters(): Tensor[] {
    return [this.proxies];
  }

  stateDict(): Record<string, Tensor> {
    return { proxies: this.proxies };
  }

  /** Copies dict.proxies [K, l] into the parameter (the same tensor object stays). */
  loadStateDict(dict: Record<string, Tensor>): void {
    const fn = 'ManifoldLoss.loadStateDict';
    const extra = Object.keys(dict).filter((k) => k !== 'proxies');
    if (extra.length) throw new Error(`${fn}: unexpected keys ${JSON.stringify(extra)} (expected ["proxies"])`);
    const p = dict.proxies;
    if (!(p instanceof Tensor)) throw new Error(`${fn}: missing key 'proxies'`);
    if (p.shape.length !== 2 || p.shape[0] !== this.K || p.shape[1] !== this.l) throw new Error(`${fn}: proxies is ${fmtShape(p.shape)} but this loss has proxies [${this.K}, ${this.l}]`);
    getEngine().k.f32_copy(p.ptr, this.proxies.ptr, p.size);
  }

  /** Frees the proxies. */
  dispose(): void {
    this.proxies.dispose();
  }

  /** embeddings [N, l]; labels must be null; metaClasses: N proxy indices in [0, K) (PML's indices_tuple slot). */
  override forward(embeddings: Tensor, labels?: Labels | null, metaClasses?: MetaClasses | null, refEmb?: Tensor | null, refLabels?: Labels | null): Tensor {
    return this.withMeta('forward', embeddings, metaClasses, () => super.forward(embeddings, labels, null, refEmb, refLabels));
  }

  override computeLoss(embeddings: Tensor, labels?: Labels | null, metaClasses?: MetaClasses | null, refEmb?: Tensor | null, refLabels?: Labels | null): LossDict {
    return this.withMeta('computeLoss', embeddings, metaClasses, () => super.computeLoss(embeddings, labels, null, refEmb, refLabels));
  }

  private withMeta<T>(method: string, embeddings: Tensor, given: MetaClasses | null | undefined, fn: () => T): T {
    const name = `ManifoldLoss.${method}`;
    // PML's indices_tuple slot: one list of proxy indices (or a tuple holding that one column)
    const metaClasses = given != null && given.length === 1 && typeof given[0] === 'object' ? (given[0] as ArrayLike<number>) : (given as ArrayLike<number> | null | undefined);
    if (metaClasses != null && Array.from(metaClasses as ArrayLike<unknown>).some((v) => typeof v !== 'number')) {
      throw new TypeError(`${name}: metaClasses must be one list of proxy indices (an Int32Array or numbers)`);
    }
    if (metaClasses != null) {
      const n = embeddings instanceof Tensor ? embeddings.shape[0] : -1;
      if (metaClasses.length !== n) throw new Error(`${name}: metaClasses has ${metaClasses.length} entries for ${n} embeddings`);
      for (let i = 0; i < metaClasses.length; i++) {
        const v = metaClasses[i];
        if (!Number.isInteger(v) || v < 0 || v >= this.K) throw new Error(`${name}: metaClasses[${i}] is ${String(v)}: meta-classes are proxy indices in [0, ${this.K})`);
      }
    }
    this.metaClasses = metaClasses == null ? null : Int32Array.from(metaClasses);
    try {
      return fn();
    } finally {
      this.metaClasses = null;
    }
  }

  protected compute(x: LossInputs): LossDict {
    if (!x.refIsBatch) throw new Error('ManifoldLoss: refEmb is not supported (as in pytorch-metric-learning)');
    if (x.labels !== null) throw new Error('ManifoldLoss: labels are not supported (as in pytorch-metric-learning); pass null and the meta-classes third');
    const [n, l] = x.embeddings.shape;
    if (l !== this.l) throw new Error(`ManifoldLoss: embeddings is ${fmtShape(x.embeddings.shape)} but l is ${this.l}`);
    const meta = this.metaClasses ?? this.drawMetaClasses(n);
    const size = n + this.K;
    const all = stackRows([x.embeddings, this.proxies]);
    const offDiag = tensor(Float32Array.from({ length: size * size }, (_, i) => (i % (size + 1) === 0 ? 0 : 1)), [size, size]);
    const s = mul(exp(mul(clamp(this.distance.pairwise(all, all), 0, null), 2)), offDiag);
    const dInvHalf = pow(sum(s, 1), -0.5);
    const sBar = mul(mul(s, reshape(dInvHalf, [size, 1])), dInvHalf);
    const eye = tensor(Float32Array.from({ length: size * size }, (_, i) => (i % (size + 1) === 0 ? 1 : 0)), [size, size]);
    const f = mul(inverseSpd(add(mul(sBar, -this.alpha), eye)), 1 - this.alpha);
    const fE = narrowRows(f, 0, n), fP = narrowRows(f, n, size);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    let loss: Tensor | null = null;
    if (this.lambdaC !== Infinity) loss = this.hinge(transpose(narrowRows(transpose(fE), n, size)), rows, meta);
    const ctx = this.hinge(matmul(l2Normalize(fE, 1e-8), transpose(l2Normalize(fP, 1e-8))), rows, meta);
    const total = loss === null ? ctx : add(loss, mul(ctx, this.lambdaC));
    return { loss: { losses: total, indices: null, reductionType: 'already_reduced' } };
  }

  /** mean_i log(1 + Σ_{k ≠ own, v ≥ 0} e^v) with v = m[i, k] − m[i, own] + margin, m [N, K]. */
  private hinge(m: Tensor, rows: Int32Array, meta: Int32Array): Tensor {
    const own = reshape(gatherElements(m, rows, meta), [rows.length, 1]);
    const v = add(sub(m, own), this.margin);
    const vals = v.data();
    const K = this.K;
    const keepMask = tensor(Float32Array.from(vals, (val, i) => (meta[Math.floor(i / K)] === i % K || !(val >= 0) ? 0 : 1)), [rows.length, K]);
    return mean(maskedLogsumexp(v, keepMask, { addOne: true }));
  }

  /** PML without meta-classes: every proxy once, the rest uniform, shuffled (needs N ≥ K). */
  private drawMetaClasses(n: number): Int32Array {
    if (n < this.K) throw new Error(`ManifoldLoss: drawing meta-classes needs at least K = ${this.K} embeddings, got ${n}; pass metaClasses`);
    const rng = rngFor();
    const meta = Int32Array.from({ length: n }, (_, i) => (i < this.K ? i : rng.int(this.K)));
    return rng.shuffle(meta);
  }
}
