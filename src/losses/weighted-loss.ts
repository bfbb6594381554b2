// PML's WeightRegularizerMixin and WeightMixin over BaseMetricLossFunction: a loss that owns
// learnable weights (W, proxies, fc, weight) under PML's attribute names and layouts, so a PML
// state dict loads; the weights are initialised by weightInitFunc (PML's default per loss,
// drawn from the global generator that sl.manualSeed seeds); a weightRegularizer adds
// weightRegWeight · regularizer(weights) as the sub-loss weightRegLoss. Also the pieces the
// classification losses share: labels checked against numClasses, miner weights, the
// per-sample cross-entropy entry.
import { tensor } from '../autograd/create';
import { Tensor, fmtShape, keep, markWritten, noGrad } from '../autograd/tensor';
import { checkFinite } from '../distances/validate';
import { mul } from '../ops/eltwise';
import { crossEntropyLosses } from '../ops/cross-entropy';
import { checkOptions, type OptionSpec } from '../options';
import { rngFor } from '../random';
import { elementEntry, type LossEntry } from '../reducers/loss-dict';
import { convertToWeights } from '../tuples/pairs';
import { getEngine } from '../wasm/instance';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs, type Regularizer } from './base-metric-loss-function';
import type { BaseReducer } from '../reducers/base-reducer';
import type { Distance } from '../tuples/checks';

/** Fills a weight tensor in place (PML's weight_init_func, e.g. torch.nn.init.normal_). */
export type WeightInitFunc = (weight: Tensor) => void;

/** The options of PML's WeightRegularizerMixin. */
export interface WeightLossOptions extends BaseLossOptions {
  /** Regularises the weights (as PML passes them: W.t(), proxies, fc.t()). Default none. */
  weightRegularizer?: Regularizer | null;
  /** Default 1. */
  weightRegWeight?: number;
  /** Fills the weights at construction. Default: the loss's own (PML's). */
  weightInitFunc?: WeightInitFunc | null;
}

export const WEIGHT_LOSS_OPTIONS: OptionSpec = { weightRegularizer: ['object', 'null'], weightRegWeight: 'number', weightInitFunc: ['function', 'null'] };

/** Every option of a loss with class weights but its own hyper-parameters. */
export const CLASS_WEIGHT_OPTIONS: OptionSpec = { ...BASE_LOSS_OPTIONS, ...WEIGHT_LOSS_OPTIONS, numClasses: 'integer', embeddingSize: 'integer' };

/** checkOptions plus PML's positional arguments as required keys. */
export function requireOptions<T extends object>(fn: string, options: unknown, spec: OptionSpec, required: readonly string[]): T {
  const o = checkOptions<T>(fn, options, spec) as Record<string, unknown>;
  const missing = required.filter((k) => o[k] === undefined);
  if (missing.length) throw new Error(`${fn}: missing required option${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')}`);
  for (const k of required) if (typeof o[k] === 'number' && !((o[k] as number) > 0)) throw new Error(`${fn}: ${k} must be a positive integer, got ${o[k]}`);
  return o as T;
}

/** Writes values (row-major, the weight's layout) into a weight tensor. */
export function fillWeight(weight: Tensor, values: ArrayLike<number>): void {
  const t = tensor(Float32Array.from(values), weight.shape);
  markWritten(weight);
  getEngine().k.f32_copy(t.ptr, weight.ptr, weight.size);
  t.dispose();
}

/** torch.nn.init.normal_: N(0, 1), from the global generator. */
export const normalInit: WeightInitFunc = (w) => {
  const rng = rngFor(undefined, 'normalInit');
  fillWeight(w, Array.from({ length: w.size }, () => rng.normal()));
};

/** torch's fans of a 2-D weight [out, in]: fanIn = in, fanOut = out. */
const fans = (w: Tensor): { fanIn: number; fanOut: number } => ({ fanIn: w.shape[1], fanOut: w.shape[0] });

/** torch.nn.init.kaiming_normal_(mode='fan_out'): N(0, 2 / fanOut). */
export const kaimingNormalFanOutInit: WeightInitFunc = (w) => {
  const rng = rngFor(undefined, 'kaimingNormalInit');
  const std = Math.sqrt(2 / fans(w).fanOut);
  fillWeight(w, Array.from({ length: w.size }, () => std * rng.normal()));
};

/** torch.nn.init.kaiming_uniform_(a=√5): U(−1/√fanIn, 1/√fanIn). */
export const kaimingUniformInit: WeightInitFunc = (w) => {
  const rng = rngFor(undefined, 'kaimingUniformInit');
  const bound = 1 / Math.sqrt(fans(w).fanIn);
  fillWeight(w, Array.from({ length: w.size }, () => (2 * rng.uniform() - 1) * bound));
};

export abstract class BaseWeightedLoss extends BaseMetricLossFunction {
  readonly weightRegularizer: Regularizer | null;
  readonly weightRegWeight: number;
  readonly numClasses: number;
  private readonly weights: Record<string, Tensor> = {};

  /**
   * @param weights the learnable weights by PML attribute name with their shapes, filled by
   *   options.weightInitFunc ?? defaultInit
   */
  protected constructor(
    name: string,
    options: WeightLossOptions,
    defaults: { distance: () => Distance; reducer: () => BaseReducer },
    subLosses: readonly string[],
    numClasses: number,
    weights: Record<string, number[]>,
    defaultInit: WeightInitFunc,
  ) {
    const reg = options.weightRegularizer ?? null;
    if (reg !== null && typeof reg.forward !== 'function') throw new TypeError(`${name}: weightRegularizer must be a regularizer (sl.regularizers.*) with forward(weights)`);
    super(name, options, defaults, reg ? [...subLosses, 'weightRegLoss'] : subLosses);
    this.weightRegularizer = reg;
    this.weightRegWeight = options.weightRegWeight ?? 1;
    this.numClasses = numClasses;
    const init = options.weightInitFunc ?? defaultInit;
    for (const [key, shape] of Object.entries(weights)) {
      for (const s of shape) if (!(Number.isInteger(s) && s > 0)) throw new Error(`${name}: ${key} would be ${fmtShape(shape)}; numClasses and the embedding size must be positive integers`);
      const w = keep(new Tensor(shape));
      noGrad(() => init(w));
      checkFinite(`${name} (weightInitFunc)`, key, w);
      w.requiresGrad = true;
      this.weights[key] = w;
    }
  }

  /** The learnable weights, in stateDict() order (the same tensor objects). */
  parameters(): Tensor[] {
    return Object.values(this.weights);
  }

  /** The weights by PML attribute name, in PML's layouts. */
  stateDict(): Record<string, Tensor> {
    return { ...this.weights };
  }

  /** Copies every entry of dict into the weight of that name (same tensor objects, so optimisers keep working). */
  loadStateDict(dict: Record<string, Tensor>): void {
    const fn = `${this.name}.loadStateDict`;
    const want = Object.keys(this.weights);
    const keys = dict && typeof dict === 'object' ? Object.keys(dict) : [];
    const extra = keys.filter((key) => !want.includes(key));
    if (extra.length) throw new Error(`${fn}: unexpected keys ${JSON.stringify(extra)} (expected ${JSON.stringify(want)})`);
    for (const key of want) {
      const v = dict[key], w = this.weights[key];
      if (!(v instanceof Tensor)) throw new Error(`${fn}: missing key '${key}' (keys ${JSON.stringify(keys)})`);
      if (v.shape.length !== w.shape.length || v.shape.some((s, i) => s !== w.shape[i])) throw new Error(`${fn}: ${key} is ${fmtShape(v.shape)} but this loss has ${key} ${fmtShape(w.shape)}`);
      checkFinite(fn, key, v);
    }
    for (const key of want) {
      markWritten(this.weights[key]);
      getEngine().k.f32_copy(dict[key].ptr, this.weights[key].ptr, this.weights[key].size);
    }
  }

  /** PML's weight_regularization_loss, added to the dictionary when there is a regulariser. */
  protected withWeightReg<T extends Record<string, LossEntry>>(dict: T, weights: () => Tensor): T {
    if (this.weightRegularizer === null) return dict;
    const r = this.weightRegularizer.forward(weights());
    return { ...dict, weightRegLoss: { losses: mul(r, this.weightRegWeight), indices: null, reductionType: 'already_reduced' } };
  }

  /** Labels required, in [0, numClasses); no reference set (PML's labels_required, ref_not_supported). */
  protected classLabels(x: LossInputs): Int32Array {
    if (!x.refIsBatch) throw new Error(`${this.name}: refEmb is not supported (the loss compares embeddings with its own weights)`);
    const labels = x.labels;
    if (labels === null) throw new Error(`${this.name}: labels are required`);
    const bad = labels.findIndex((l) => l < 0 || l >= this.numClasses);
    if (bad >= 0) throw new Error(`${this.name}: labels must lie in [0, ${this.numClasses}) (numClasses ${this.numClasses}), got ${labels[bad]} at ${bad}`);
    return labels;
  }

  /** The embedding size the weights expect, checked against the batch. */
  protected checkSize(x: LossInputs, d: number): void {
    if (x.embeddings.shape[1] !== d) throw new Error(`${this.name}: embeddings are ${fmtShape(x.embeddings.shape)} but the loss's weights expect embedding size ${d}`);
  }

  /** Per-sample softmax cross-entropy of logits [n, numClasses], weighted by miner tuples (lmu.convert_to_weights). */
  protected crossEntropyEntry(x: LossInputs, logits: Tensor, labels: Int32Array): LossEntry {
    const n = labels.length;
    const w = convertToWeights(x.tuples, n);
    const ce = crossEntropyLosses(logits, labels);
    return elementEntry(w.every((v) => v === 1) ? ce : mul(ce, tensor(w, [n])));
  }
}

/** The losses whose weights are one proxy per class: proxies [numClasses, embeddingSize]. */
export abstract class BaseProxyLoss extends BaseWeightedLoss {
  readonly embeddingSize: number;
  /** [numClasses, embeddingSize] */
  readonly proxies: Tensor;

  protected constructor(
    name: string,
    o: WeightLossOptions & { numClasses: number; embeddingSize: number },
    defaults: { distance: () => Distance; reducer: () => BaseReducer },
    subLosses: readonly string[],
    defaultInit: WeightInitFunc,
  ) {
    super(name, o, defaults, subLosses, o.numClasses, { proxies: [o.numClasses, o.embeddingSize] }, defaultInit);
    this.embeddingSize = o.embeddingSize;
    this.proxies = this.stateDict().proxies;
  }

  /** The distance matrix [n, numClasses] between the embeddings and the proxies (PML's get_logits). */
  getLogits(embeddings: Tensor): Tensor {
    return this.distance.pairwise(embeddings, this.proxies);
  }
}
