// pytorch-metric-learning's BaseMetricLossFunction: a loss is an injected distance and
// reducer plus computeLoss(), which returns PML's unreduced loss dictionary. forward()
// validates the inputs once, sets the reference set (the batch itself unless refEmb is
// given), calls compute(), adds the embedding regulariser's term, and hands the dictionary
// to the reducer — all inside composite(), so disposing the returned loss frees every
// intermediate. A new loss implements compute() over the ops in src/ops (see CONTRIBUTING.md).
import { Tensor, assertLive, composite, fmtShape } from '../autograd/tensor';
import { add, mul, sub } from '../ops/eltwise';
import { neg } from '../ops/unary';
import type { OptionSpec } from '../options';
import { BaseReducer } from '../reducers/base-reducer';
import { DoNothingReducer } from '../reducers/do-nothing-reducer';
import { zeroLosses, type LossDict } from '../reducers/loss-dict';
import { MultipleReducers } from '../reducers/multiple-reducers';
import { checkLabels, checkTuples, type Labels, type Tuples } from '../tuples/batch';
import { checkDistance, type Distance } from '../tuples/checks';
import { convertToPairs, convertToTriplets, type PairTuples, type TripletTuples } from '../tuples/pairs';
import { Rng } from '../random';

/** What an embedding regulariser is: PML's BaseRegularizer, forward(embeddings [n, d]) -> scalar. */
export interface Regularizer {
  forward(x: Tensor): Tensor;
}

/** The options every metric loss takes (PML's BaseMetricLossFunction kwargs). */
export interface BaseLossOptions {
  /** Default: the loss's own (LpDistance() for most, CosineSimilarity() for some). */
  distance?: Distance;
  /** Default: the loss's own (MeanReducer for most). One reducer per sub-loss when there are several. */
  reducer?: BaseReducer | DoNothingReducer;
  /** Adds embeddingRegWeight · regularizer(embeddings) as the sub-loss embeddingRegLoss. Default none. */
  embeddingRegularizer?: Regularizer | null;
  /** Default 1. */
  embeddingRegWeight?: number;
}

/** The checkOptions spec of BaseLossOptions, to spread into a loss's own spec. */
export const BASE_LOSS_OPTIONS: OptionSpec = {
  distance: 'object',
  reducer: 'object',
  embeddingRegularizer: ['object', 'null'],
  embeddingRegWeight: 'number',
};

/** A loss's inputs after validation, as compute() receives them. */
export interface LossInputs {
  /** [n, d] */
  embeddings: Tensor;
  /** n labels, or null (losses that need none, or tuples only). */
  labels: Int32Array | null;
  /** Validated tuples [a, p, n] or [a1, p, a2, n] (anchors index embeddings, the others refEmb), or null. */
  tuples: TripletTuples | PairTuples | null;
  /** [m, d]: the given reference set, or the embeddings themselves. */
  refEmb: Tensor;
  /** m labels, or null. */
  refLabels: Int32Array | null;
  /** No refEmb was given: the batch is compared with itself (a sample is not its own positive). */
  refIsBatch: boolean;
}

export abstract class BaseMetricLossFunction {
  /** Class name used in error messages. */
  readonly name: string;
  readonly distance: Distance;
  readonly reducer: BaseReducer | DoNothingReducer;
  readonly embeddingRegularizer: Regularizer | null;
  readonly embeddingRegWeight: number;
  /** Random draws (tripletsPerAnchor, ...) come from here; seeded for determinism. */
  protected rng = new Rng(0);

  /**
   * @param name the class name (errors, checkOptions)
   * @param options checked options (BASE_LOSS_OPTIONS spread into the loss's spec)
   * @param defaults the loss's default distance and reducer (PML's get_default_*)
   * @param subLosses the names of compute()'s entries (PML's _sub_loss_names), camelCase
   */
  protected constructor(
    name: string,
    options: BaseLossOptions,
    defaults: { distance: () => Distance; reducer: () => BaseReducer },
    subLosses: readonly string[] = ['loss'],
  ) {
    this.name = name;
    this.distance = checkDistance(name, options.distance, defaults.distance);
    const reg = options.embeddingRegularizer ?? null;
    if (reg !== null && typeof reg.forward !== 'function') throw new TypeError(`${name}: embeddingRegularizer must be a regularizer (sl.regularizers.*) with forward(embeddings)`);
    this.embeddingRegularizer = reg;
    this.embeddingRegWeight = options.embeddingRegWeight ?? 1;
    const r = options.reducer;
    if (r !== undefined && !(r instanceof BaseReducer) && !(r instanceof DoNothingReducer)) {
      throw new TypeError(`${name}: reducer must be a reducer (sl.reducers.*)`);
    }
    // PML's set_reducer: several sub-losses get one reducer each, wrapped in MultipleReducers
    const names = reg ? [...subLosses, 'embeddingRegLoss'] : subLosses;
    if (r instanceof MultipleReducers || r instanceof DoNothingReducer) this.reducer = r;
    else if (names.length === 1) this.reducer = r ?? defaults.reducer();
    else this.reducer = new MultipleReducers({ reducers: Object.fromEntries(names.map((n) => [n, r ?? defaults.reducer()])) });
  }

  /**
   * The loss of a batch (a scalar tensor; the dictionary itself with DoNothingReducer):
   * computeLoss() reduced by the reducer. embeddings [n, d]; labels n integers (or null
   * where the loss allows); tuples [a, p, n] or [a1, p, a2, n] Int32Array columns (e.g. from
   * a miner); refEmb [m, d] and refLabels: compare the batch with this reference set
   * instead of itself.
   */
  forward(embeddings: Tensor, labels?: Labels | null, tuples?: Tuples | null, refEmb?: Tensor | null, refLabels?: Labels | null): Tensor {
    const x = this.validate(`${this.name}.forward`, embeddings, labels, tuples, refEmb, refLabels);
    return composite(() => {
      const dict = this.dictionary(x);
      return this.reducer.forward(dict, x.embeddings, x.labels) as Tensor;
    });
  }

  /** PML's compute_loss (plus the embedding regulariser's entry): the unreduced loss dictionary. */
  computeLoss(embeddings: Tensor, labels?: Labels | null, tuples?: Tuples | null, refEmb?: Tensor | null, refLabels?: Labels | null): LossDict {
    const x = this.validate(`${this.name}.computeLoss`, embeddings, labels, tuples, refEmb, refLabels);
    return composite(() => this.dictionary(x));
  }

  /** The unreduced terms of validated inputs, one entry per sub-loss (camelCase names). */
  protected abstract compute(x: LossInputs): LossDict;

  private dictionary(x: LossInputs): LossDict {
    const dict = this.compute(x);
    if (this.embeddingRegularizer) {
      const r = this.embeddingRegularizer.forward(x.embeddings);
      dict.embeddingRegLoss = { losses: mul(r, this.embeddingRegWeight), indices: null, reductionType: 'already_reduced' };
    }
    return dict;
  }

  private validate(fn: string, embeddings: Tensor, labels?: Labels | null, tuples?: Tuples | null, refEmb?: Tensor | null, refLabels?: Labels | null): LossInputs {
    batch(fn, 'embeddings', embeddings);
    const n = embeddings.shape[0];
    const lab = labels == null ? null : checkLabels(fn, labels, n);
    let ref = embeddings;
    let refLab = lab;
    if (refEmb != null) {
      batch(fn, 'refEmb', refEmb);
      if (refEmb.shape[1] !== embeddings.shape[1]) {
        throw new Error(`${fn}: embeddings is ${fmtShape(embeddings.shape)} but refEmb is ${fmtShape(refEmb.shape)}: the embedding sizes must match`);
      }
      ref = refEmb;
      refLab = refLabels == null ? null : checkLabels(`${fn} (refLabels)`, refLabels, refEmb.shape[0]);
    } else if (refLabels != null) {
      throw new Error(`${fn}: refLabels were given without refEmb; give both (or neither, to compare the batch with itself)`);
    }
    const tup = tuples == null ? null : checkTuples(fn, tuples, n, ref.shape[0]);
    return { embeddings, labels: lab, tuples: tup, refEmb: ref, refLabels: refLab, refIsBatch: refEmb == null };
  }

  // ---- helpers for compute() ----

  /** PML's zero_losses(): a zero-loss marker for each sub-loss name. */
  protected zeroLosses(...names: string[]): LossDict {
    return zeroLosses(names.length ? names : ['loss']);
  }

  /** The distance matrix [n, m] between the batch and the reference set. */
  protected distanceMatrix(x: LossInputs): Tensor {
    return this.distance.pairwise(x.embeddings, x.refEmb);
  }

  /**
   * PML's distance.margin(a, b): a − b for a distance, b − a for a similarity, so a loss
   * written for distances reads the same for similarities.
   */
  protected distanceMargin(a: Tensor | number, b: Tensor | number): Tensor {
    const [x, y] = this.distance.isInverted ? [b, a] : [a, b];
    if (x instanceof Tensor) return sub(x, y);
    return add(neg(y as Tensor), x);
  }

  /**
   * Pairs as PML's GenericPairLoss takes them: the tuples as pairs, or every pair of the
   * labels; null when every column has at most one entry (GenericPairLoss then returns zero losses).
   */
  protected genericPairIndices(x: LossInputs): PairTuples | null {
    const pairs = this.pairIndices(x);
    return pairs.every((c) => c.length <= 1) ? null : pairs;
  }

  /** Pairs [a1, p, a2, n]: the tuples as pairs, or every pair of the labels (lmu.convert_to_pairs). */
  protected pairIndices(x: LossInputs): PairTuples {
    this.requireLabelsOrTuples(x);
    return convertToPairs(x.tuples, x.labels, x.refIsBatch ? null : x.refLabels);
  }

  /** Triplets [a, p, n]: the tuples as triplets, or every (or tPerAnchor random) triplet of the labels. */
  protected tripletIndices(x: LossInputs, tPerAnchor: 'all' | number = 'all'): TripletTuples {
    this.requireLabelsOrTuples(x);
    return convertToTriplets(x.tuples, x.labels, x.refIsBatch ? null : x.refLabels, tPerAnchor, this.rng);
  }

  /** Labels of the reference set (the batch's own when refIsBatch), for losses that need them. */
  protected requireLabels(x: LossInputs): [Int32Array, Int32Array] {
    if (x.labels === null || x.refLabels === null) throw new Error(`${this.name}: labels are required${x.refIsBatch ? '' : ' (and refLabels with refEmb)'}`);
    return [x.labels, x.refLabels];
  }

  private requireLabelsOrTuples(x: LossInputs): void {
    if (x.tuples === null && (x.labels === null || x.refLabels === null)) {
      throw new Error(`${this.name}: give labels${x.refIsBatch ? '' : ' and refLabels'} or index tuples`);
    }
  }
}

function batch(fn: string, name: string, x: unknown): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor [n, d], got ${x === null ? 'null' : typeof x}`);
  assertLive(fn, name, x);
  if (x.shape.length !== 2) throw new Error(`${fn}: ${name} is ${fmtShape(x.shape)}: expected a 2-D batch [n, d]`);
}
