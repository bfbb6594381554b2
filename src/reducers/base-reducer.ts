// A reducer turns one entry of PML's loss dictionary into the scalar that is back-propagated,
// as pytorch-metric-learning's BaseReducer: the zero-loss marker becomes a 0 connected to the
// embeddings; otherwise the entry's shapes are checked and its reduction type picks
// elementReduction, posPairReduction, negPairReduction, tripletReduction or
// alreadyReducedReduction. An empty losses tensor reduces to 0 with a zero gradient, still
// connected to the graph (PML would give NaN for a mean of nothing).
import { Tensor, assertLive, fmtShape } from '../autograd/tensor';
import { zeroFrom } from '../ops/reduce';
import { checkLabels, type Labels } from '../tuples/batch';
import { elementEntry, hasLazyIndices, type LossDict, type LossEntry, type ReductionType } from './loss-dict';

export type { LossDict, LossEntry, ReductionType };

export abstract class BaseReducer {
  /** Class name used in error messages. */
  abstract readonly name: string;

  /**
   * The scalar loss of a dictionary with exactly one entry (MultipleReducers takes several).
   * `embeddings` [n, d] anchor the zero loss; `labels` are read by ClassWeightedReducer.
   */
  forward(lossDict: LossDict, embeddings: Tensor, labels?: Labels | null): Tensor {
    const fn = `${this.name}.forward`;
    const names = checkDict(fn, lossDict);
    if (names.length !== 1) {
      throw new Error(`${fn}: expected a loss dictionary with one entry, got ${names.length} (${names.join(', ')}); use MultipleReducers for several sub-losses`);
    }
    assertLive(fn, 'embeddings', embeddings);
    const lab = labels == null ? null : checkLabels(fn, labels, embeddings.shape[0]);
    return this.reduceEntry(lossDict[names[0]], embeddings, lab, names[0]);
  }

  /** Reduces one entry (PML's reduce_the_loss). */
  protected reduceEntry(entry: LossEntry, embeddings: Tensor, labels: Int32Array | null, name: string): Tensor {
    const { losses, reductionType } = entry;
    if (losses === 0) return zeroFrom(embeddings);
    checkEntry(`${this.name}.forward`, name, entry);
    if (reductionType === 'already_reduced') return this.alreadyReducedReduction(losses as Tensor);
    if (losses.size === 0) return zeroFrom(embeddings);
    switch (reductionType) {
      case 'element': return this.elementReduction(losses, entry, embeddings, labels);
      case 'pos_pair': return this.posPairReduction(losses, entry, embeddings, labels);
      case 'neg_pair': return this.negPairReduction(losses, entry, embeddings, labels);
      default: return this.tripletReduction(losses, entry, embeddings, labels);
    }
  }

  protected alreadyReducedReduction(losses: Tensor): Tensor {
    return losses;
  }

  /**
   * The reduction of per-sample terms. `entry.indices` is read only by reducers that need it
   * (anchorsOf(entry)): the every-triplet path computes them on first read.
   */
  protected abstract elementReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor, labels: Int32Array | null): Tensor;

  /** Pair and triplet terms reduce as elements unless a reducer says otherwise. */
  protected posPairReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor, labels: Int32Array | null): Tensor {
    return this.elementReduction(losses, entry, embeddings, labels);
  }

  protected negPairReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor, labels: Int32Array | null): Tensor {
    return this.elementReduction(losses, entry, embeddings, labels);
  }

  protected tripletReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor, labels: Int32Array | null): Tensor {
    return this.elementReduction(losses, entry, embeddings, labels);
  }

  /** The scalar of per-sample losses [t] taken as 'element' terms (indices 0 … t − 1). */
  reduce(losses: Tensor): Tensor {
    assertLive(`${this.name}.reduce`, 'losses', losses);
    return this.reduceEntry(elementEntry(losses), losses, null, 'loss');
  }
}

/** The sample each term belongs to: the element indices, or the anchors (first column) of pair and triplet terms. */
export function anchorsOf(entry: LossEntry): Int32Array {
  const ix = entry.indices;
  return ix instanceof Int32Array ? ix : (ix as Int32Array[])[0];
}

/** Every reducer, BaseReducer or DoNothingReducer (which returns the dictionary itself). */
export interface Reducer {
  readonly name: string;
  forward(lossDict: LossDict, embeddings: Tensor, labels?: Labels | null): Tensor | LossDict;
}

const TYPES: readonly ReductionType[] = ['element', 'pos_pair', 'neg_pair', 'triplet', 'already_reduced'];

/** The entry names of a loss dictionary, each checked to be an entry. */
export function checkDict(fn: string, lossDict: LossDict): string[] {
  if (lossDict === null || typeof lossDict !== 'object' || Array.isArray(lossDict) || lossDict instanceof Tensor) {
    throw new TypeError(`${fn}: lossDict must be a loss dictionary { name: { losses, indices, reductionType } }`);
  }
  const names = Object.keys(lossDict);
  for (const name of names) {
    const e = lossDict[name];
    if (e === null || typeof e !== 'object' || !TYPES.includes(e.reductionType)) {
      throw new TypeError(`${fn}: lossDict.${name} must be { losses, indices, reductionType } with reductionType one of ${TYPES.join(', ')}`);
    }
    if (e.losses !== 0) assertLive(fn, `lossDict.${name}.losses`, e.losses as Tensor);
  }
  return names;
}

/** PML's assert_sizes: element terms one index per loss, pair terms two columns, triplets three. */
function checkEntry(fn: string, name: string, e: LossEntry): void {
  const losses = e.losses as Tensor;
  const where = `${fn}: lossDict.${name}`;
  if (e.reductionType === 'already_reduced') {
    if (losses.size !== 1) throw new Error(`${where}: an 'already_reduced' loss must have one element, got ${fmtShape(losses.shape)}`);
    return;
  }
  if (losses.shape.length !== 1) throw new Error(`${where}: losses must be a vector [t], got ${fmtShape(losses.shape)}`);
  const t = losses.size;
  if (hasLazyIndices(e)) return;
  if (e.reductionType === 'element') {
    if (!(e.indices instanceof Int32Array) || e.indices.length !== t) {
      throw new Error(`${where}: 'element' losses [${t}] need indices, one Int32Array of ${t} entries`);
    }
    return;
  }
  const cols = e.reductionType === 'triplet' ? 3 : 2;
  const ok = Array.isArray(e.indices) && e.indices.length === cols && e.indices.every((c) => c instanceof Int32Array && c.length === t);
  if (!ok) throw new Error(`${where}: '${e.reductionType}' losses [${t}] need indices, ${cols} Int32Array columns of ${t} entries`);
}
