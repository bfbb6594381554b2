// PML's unreduced loss dictionary, in camelCase: what a loss's computeLoss() returns and a
// reducer's forward() takes. One entry per sub-loss (`loss`, or `posLoss` and `negLoss`, ...).
import type { Tensor } from '../autograd/tensor';

/** How a reducer reads an entry's losses (PML's reduction_type). */
export type ReductionType = 'element' | 'pos_pair' | 'neg_pair' | 'triplet' | 'already_reduced';

export interface LossEntry {
  /**
   * The unreduced terms [t] (a one-element tensor for 'already_reduced'), or the number 0:
   * PML's zero-loss marker, which every reducer turns into a 0 connected to the embeddings.
   */
  losses: Tensor | 0;
  /**
   * What each term is about: one Int32Array (the sample) for 'element', columns [a, p] for
   * pair terms and [a, p, n] for 'triplet'; null for 'already_reduced'.
   */
  indices: Int32Array | Int32Array[] | null;
  reductionType: ReductionType;
  /** DivisorReducer's divisor (every reduction type but 'already_reduced'). */
  divisor?: number;
}

export type LossDict = Record<string, LossEntry>;

/** PML's zero_loss(): what a loss returns for a sub-loss with no valid pair or triplet. */
export function zeroLossEntry(): LossEntry {
  return { losses: 0, indices: null, reductionType: 'already_reduced' };
}

/** One zeroLossEntry() per name (PML's zero_losses()). */
export function zeroLosses(names: readonly string[]): LossDict {
  return Object.fromEntries(names.map((n) => [n, zeroLossEntry()]));
}

/** An 'element' entry whose indices are 0 … t − 1 (PML's torch_arange_from_size). */
export function elementEntry(losses: Tensor, indices?: Int32Array): LossEntry {
  return { losses, indices: indices ?? iota(losses.shape[0] ?? 1), reductionType: 'element' };
}

/** 0 … n − 1 (a plain loop: Int32Array.from with a map function is several times slower). */
function iota(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Gives an entry indices computed on first read (then kept): for the every-pair and
 * every-triplet paths, whose millions of indices would otherwise be copied out of wasm on
 * every call though most reducers never read them. Reducers trust lazy indices' sizes. The
 * property is not enumerable, so walking the dictionary's values (tidy, composite) does not read it.
 */
export function lazyIndices(entry: LossEntry, compute: () => Int32Array | Int32Array[]): LossEntry {
  let cached: Int32Array | Int32Array[] | null = null;
  Object.defineProperty(entry, 'indices', { get: () => (cached ??= compute()), enumerable: false, configurable: true });
  return entry;
}

/** Whether an entry's indices are lazy (not yet read out). */
export const hasLazyIndices = (e: LossEntry): boolean => typeof Object.getOwnPropertyDescriptor(e, 'indices')?.get === 'function';
