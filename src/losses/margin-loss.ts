import { full } from '../autograd/create';
import { Tensor, fmtShape, keep } from '../autograd/tensor';
import { LpDistance } from '../distances/lp-distance';
import { checkFinite } from '../distances/validate';
import { add, mul, relu } from '../ops/eltwise';
import { gatherElements, indexSelect } from '../ops/gather';
import { countPositive } from '../ops/loss';
import { checkOptions } from '../options';
import { DivisorReducer } from '../reducers/divisor-reducer';
import { zeroLossEntry, type LossDict, type LossEntry } from '../reducers/loss-dict';
import { getEngine } from '../wasm/instance';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface MarginLossOptions extends BaseLossOptions {
  /** Default 0.2. */
  margin?: number;
  /** Weight of the beta regulariser (learnBeta). Default 0. */
  nu?: number;
  /** Initial boundary between positive and negative distances. Default 1.2. */
  beta?: number;
  /** 'all' (default) or a number of random triplets per anchor (seeded). */
  tripletsPerAnchor?: 'all' | number;
  /** Make `beta` a learnable parameter. Default false. */
  learnBeta?: boolean;
  /** One beta per class (indexed by the anchor's label). Default null: one beta. */
  numClasses?: number | null;
}

/**
 * Margin loss (Wu et al. 2017, "Sampling matters"), as PML's: per triplet (a, p, n),
 * [d_ap − β + margin]₊ + [β − d_an + margin]₊ (flipped for a similarity), β per class with
 * numClasses; sub-losses marginLoss (triplets, divided by the count of non-zero pair terms)
 * and betaRegLoss (nu·β with learnBeta). Defaults LpDistance, DivisorReducer.
 * With learnBeta the loss is a module: parameters() = [beta], stateDict() { beta }.
 *
 * @example
 * const loss = new sl.losses.MarginLoss({ learnBeta: true, nu: 0.1 });
 * const opt = new sl.optim.SGD([...model.parameters(), ...loss.parameters()], { lr: 0.01 });
 */
export class MarginLoss extends BaseMetricLossFunction {
  readonly margin: number;
  readonly nu: number;
  readonly learnBeta: boolean;
  readonly tripletsPerAnchor: 'all' | number;
  /** [1] or [numClasses]; requires grad with learnBeta. */
  readonly beta: Tensor;

  constructor(options: MarginLossOptions = {}) {
    const o = checkOptions<MarginLossOptions>('MarginLoss', options, {
      ...BASE_LOSS_OPTIONS, margin: 'number', nu: 'number', beta: 'number', tripletsPerAnchor: ['string', 'number'], learnBeta: 'boolean', numClasses: ['number', 'null'],
    });
    const t = o.tripletsPerAnchor ?? 'all';
    if (t !== 'all' && !(Number.isInteger(t) && t > 0)) throw new Error(`MarginLoss: tripletsPerAnchor must be 'all' or a positive integer, got ${JSON.stringify(t)}`);
    const k = o.numClasses ?? null;
    if (k !== null && !(Number.isInteger(k) && k > 0)) throw new Error(`MarginLoss: numClasses must be a positive integer or null, got ${k}`);
    super('MarginLoss', o, { distance: () => new LpDistance(), reducer: () => new DivisorReducer() }, ['marginLoss', 'betaRegLoss']);
    this.margin = o.margin ?? 0.2;
    this.nu = o.nu ?? 0;
    this.learnBeta = o.learnBeta ?? false;
    this.tripletsPerAnchor = t;
    // PML: torch.ones(num_classes) * beta when num_classes is truthy
    this.beta = keep(full([k ? k : 1], o.beta ?? 1.2, { requiresGrad: this.learnBeta }));
  }

  /** [beta] with learnBeta, else none (PML's beta is then a plain tensor, not a Parameter). */
  parameters(): Tensor[] {
    return this.learnBeta ? [this.beta] : [];
  }

  stateDict(): Record<string, Tensor> {
    return this.learnBeta ? { beta: this.beta } : {};
  }

  /** Copies dict.beta into the parameter (same tensor object, so optimisers keep working). */
  loadStateDict(dict: Record<string, Tensor>): void {
    const fn = 'MarginLoss.loadStateDict';
    const want = Object.keys(this.stateDict());
    const keys = dict && typeof dict === 'object' ? Object.keys(dict) : [];
    const extra = keys.filter((key) => !want.includes(key));
    if (extra.length) throw new Error(`${fn}: unexpected keys ${JSON.stringify(extra)} (expected ${JSON.stringify(want)}${this.learnBeta ? '' : ': beta is a parameter only with learnBeta'})`);
    if (!want.length) return;
    const b = dict.beta;
    if (!(b instanceof Tensor)) throw new Error(`${fn}: missing key 'beta' (keys ${JSON.stringify(keys)})`);
    if (b.size !== this.beta.size || b.shape.length !== 1) throw new Error(`${fn}: beta is ${fmtShape(b.shape)} but this loss has beta ${fmtShape(this.beta.shape)}`);
    checkFinite(fn, 'beta', b);
    getEngine().k.f32_copy(b.ptr, this.beta.ptr, b.size);
  }

  protected compute(x: LossInputs): LossDict {
    const [a, p, n] = this.tripletIndices(x, this.tripletsPerAnchor);
    if (a.length === 0) return this.zeroLosses('marginLoss', 'betaRegLoss');
    const perClass = this.beta.size > 1;
    let beta = this.beta;
    if (perClass) {
      const labels = x.labels;
      if (labels === null) throw new Error('MarginLoss: labels are required with numClasses (beta is picked by the anchor\'s label)');
      const cls = Int32Array.from(a, (i) => labels[i]);
      if (cls.some((c) => c < 0 || c >= this.beta.size)) throw new Error(`MarginLoss: labels must lie in [0, ${this.beta.size}) with numClasses ${this.beta.size}`);
      beta = indexSelect(this.beta, cls);
    }
    const mat = this.distanceMatrix(x);
    const posLoss = relu(add(this.distanceMargin(gatherElements(mat, a, p), beta), this.margin));
    const negLoss = relu(add(this.distanceMargin(beta, gatherElements(mat, a, n)), this.margin));
    const divisor = countPositive(posLoss) + countPositive(negLoss);
    let betaReg: LossEntry = zeroLossEntry();
    if (this.learnBeta) {
      const reg = mul(beta, this.nu);
      betaReg = perClass ? { losses: reg, indices: a, reductionType: 'element', divisor } : { losses: reg, indices: null, reductionType: 'already_reduced' };
    }
    return {
      marginLoss: { losses: add(posLoss, negLoss), indices: [a, p, n], reductionType: 'triplet', divisor },
      betaRegLoss: betaReg,
    };
  }
}
