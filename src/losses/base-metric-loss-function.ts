// pytorch-metric-learning's BaseMetricLossFunction: a loss is an injected distance and
// reducer plus computeLoss(), which returns PML's unreduced loss dictionary. forward()
// validates the inputs once, sets the reference set (the batch itself unless refEmb is
// given), calls compute(), adds the embedding regulariser's term, and hands the dictionary
// to the reducer — all inside composite(), so disposing the returned loss frees every
// intermediate. A new loss implements compute() over the ops in src/ops (see CONTRIBUTING.md).
import { Tensor, composite, fmtShape } from '../autograd/tensor';
import { add, mul, sub } from '../ops/eltwise';
import { neg } from '../ops/unary';
import { indexMask, labelMask } from '../ops/masked';
import type { OptionSpec } from '../options';
import { BaseReducer } from '../reducers/base-reducer';
import { DoNothingReducer } from '../reducers/do-nothing-reducer';
import { zeroLosses, type LossDict } from '../reducers/loss-dict';
import { MultipleReducers } from '../reducers/multiple-reducers';
import { allPairsCounts, allPairsIndices, allPairsSet, checkEmbeddings, checkLabels, checkTargets, checkTuples, disposePairSet, pairSetOf, sameBatch, type Labels, type PairSet, type Tuples } from '../tuples/batch';
import { countPositive, stackRows } from '../ops/loss';
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

export interface LossStats {
  /** Terms (pairs, triplets, anchors) whose loss is > 0 in the last call. */
  active: number;
  total: number;
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
  /** Non-zero and total unreduced terms of the last forward/computeLoss. */
  lastStats: LossStats = { active: 0, total: 0 };

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
      throw new TypeError(`${name}: reducer must be a reducer object (sl.reducers.*)`);
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
    this.lastStats = statsOf(dict);
    if (this.embeddingRegularizer) {
      const r = this.embeddingRegularizer.forward(x.embeddings);
      dict.embeddingRegLoss = { losses: mul(r, this.embeddingRegWeight), indices: null, reductionType: 'already_reduced' };
    }
    return dict;
  }

  private validate(fn: string, embeddings: Tensor, labels?: Labels | null, tuples?: Tuples | null, refEmb?: Tensor | null, refLabels?: Labels | null): LossInputs {
    checkEmbeddings(fn, 'embeddings', embeddings);
    const n = embeddings.shape[0];
    const lab = labels == null ? null : checkLabels(fn, labels, n);
    let ref = embeddings;
    let refLab = lab;
    if (refEmb != null) {
      checkEmbeddings(fn, 'refEmb', refEmb);
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

  /**
   * Siamese data: pairs (a[i], b[i]), a and b [t, d], y[i] = 1 similar / 0 dissimilar: the
   * loss over the index tuples (i, t + i) of the stacked batch [a; b] (pair losses override
   * this with a paired-distance path).
   */
  pairs(a: Tensor, b: Tensor, y: ArrayLike<number>): Tensor {
    const fn = `${this.name}.pairs`;
    sameBatch(fn, { a, b });
    const t = a.shape[0];
    const targets = checkTargets(fn, y, t, false);
    const pos: number[] = [], neg: number[] = [];
    targets.forEach((v, i) => (v === 1 ? pos : neg).push(i));
    const shift = (ix: number[]) => Int32Array.from(ix, (i) => i + t);
    return composite(() => this.forward(stackRows([a, b]), null, [Int32Array.from(pos), shift(pos), Int32Array.from(neg), shift(neg)]));
  }

  /**
   * Triplet data: anchors, positives, negatives, each [t, d]: the loss over the triplets
   * (i, t + i, 2t + i) of the stacked batch [a; p; n] (triplet and pair losses override this
   * with a paired-distance path).
   */
  triplets(a: Tensor, p: Tensor, n: Tensor): Tensor {
    sameBatch(`${this.name}.triplets`, { a, p, n });
    const t = a.shape[0];
    const range = (from: number) => Int32Array.from({ length: t }, (_, i) => from + i);
    return composite(() => this.forward(stackRows([a, p, n]), null, [range(0), range(t), range(2 * t)]));
  }

  /** Reduces a dictionary built outside forward() (the paired-distance paths), anchored at `anchor`. */
  protected reduceDict(dict: LossDict, anchor: Tensor): Tensor {
    this.lastStats = statsOf(dict);
    return this.reducer.forward(dict, anchor, null) as Tensor;
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

  /** genericPairIndices, and null also when there is no positive or no negative pair (losses that contrast the two). */
  protected contrastedPairIndices(x: LossInputs): PairTuples | null {
    const pairs = this.genericPairIndices(x);
    return pairs === null || pairs[0].length === 0 || pairs[2].length === 0 ? null : pairs;
  }

  /**
   * The pairs of genericPairIndices (contrasted: of contrastedPairIndices) as masks [n, m]
   * (float32 0/1, no gradient; PML's `mask[a1, p] = 1`): [positive, negative], or null where
   * those give null. Without tuples the masks come straight from the labels in wasm
   * (labelMask), so no O(n·m) index list is built in JS.
   */
  protected pairMasks(x: LossInputs, contrasted = false): [Tensor, Tensor] | null {
    const [rows, cols] = [x.embeddings.shape[0], x.refEmb.shape[0]];
    if (x.tuples !== null || x.labels === null || x.refLabels === null) {
      const pairs = contrasted ? this.contrastedPairIndices(x) : this.genericPairIndices(x);
      if (pairs === null) return null;
      const [a1, p, a2, n] = pairs;
      return [indexMask(a1, p, rows, cols), indexMask(a2, n, rows, cols)];
    }
    const ref = x.refIsBatch ? null : x.refLabels;
    const { pos, neg } = allPairsCounts(x.labels, ref);
    if ((pos <= 1 && neg <= 1) || (contrasted && (pos === 0 || neg === 0))) return null;
    return [labelMask(x.labels, ref, true), labelMask(x.labels, ref, false)];
  }

  /**
   * The pairs as wasm columns for the fused kernels, with `indices()` giving them as
   * Int32Array columns for the dictionary: computed on demand on the every-pair path (use
   * lazyIndices), so millions of indices are not copied out unless read. `generic`: null when
   * every column has at most one entry (GenericPairLoss). The caller disposes `set`.
   */
  protected pairSet(x: LossInputs, generic: boolean): { set: PairSet; indices: () => PairTuples } | null {
    if (x.tuples !== null || x.labels === null || x.refLabels === null) {
      const pairs = generic ? this.genericPairIndices(x) : this.pairIndices(x);
      return pairs === null ? null : { set: pairSetOf(pairs), indices: () => pairs };
    }
    const [labels, ref] = [x.labels, x.refIsBatch ? null : x.refLabels];
    const set = allPairsSet(labels, ref);
    if (generic && set.pos <= 1 && set.neg <= 1) {
      disposePairSet(set);
      return null;
    }
    let cached: PairTuples | null = null;
    return { set, indices: () => (cached ??= allPairsIndices(labels, ref)) };
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
      throw new Error(`${this.name}: give labels (one per embedding)${x.refIsBatch ? '' : ' and refLabels'} or index tuples`);
    }
  }
}

function statsOf(dict: LossDict): LossStats {
  let active = 0, total = 0;
  for (const e of Object.values(dict)) {
    if (e.losses === 0 || e.reductionType === 'already_reduced') continue;
    total += e.losses.size;
    active += countPositive(e.losses);
  }
  return { active, total };
}
