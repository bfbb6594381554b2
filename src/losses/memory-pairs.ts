// Pair losses that CrossBatchMemory runs over every pair of the batch × memory without index
// tuples. PML's CrossBatchMemory builds those pairs as index columns (262k at batch 256,
// memory 1024), drops each sample's positive pair with its own copy in the memory
// (remove_self_comparisons) and hands them to the loss, which checks them again; here the
// loss takes the labels and the memory as its reference set, and leaves out the pair
// (i, own[i]) itself: in the pairs streamed from the labels (f32_label_pair_loss_fwd, the pair
// losses that set labelPairs), in the wasm pair columns (i32_drop_own_pairs) or in the u8 masks
// (u8_label_masks). At batch 256 and memory 1024 that took CrossBatchMemory(ContrastiveLoss)
// from 0.6× to 1.8× PML's speed (LOSSES workload, bench/losses-miners.ts, CPU time).
import type { Tensor } from '../autograd/tensor';
import { untracked } from '../autograd/tensor';
import { int32From } from '../ops/loss';
import { allPairsCounts, allPairsIndices, allPairsSet, disposePairSet, withCounts, type PairSet } from '../tuples/batch';
import type { PairTuples } from '../tuples/pairs';
import { getEngine } from '../wasm/instance';
import { BaseMetricLossFunction, type LossInputs } from './base-metric-loss-function';

/** u8 masks [n, m] (in float32-sized storage) of the positive and negative pairs; the caller disposes both. */
export interface PairMasks {
  pos: Tensor;
  neg: Tensor;
}

/** Every pair of a batch's labels, as MemoryPairsLoss.labelPairsOf gives them. */
export interface LabelPairs {
  labels: Int32Array;
  refLabels: Int32Array;
  /** The reference labels, or null for the batch against itself. */
  ref: Int32Array | null;
  /** Each anchor's own copy to leave out, or null. */
  own: Int32Array | null;
  /** Pair counts without the own copies. */
  pos: number;
  neg: number;
}

export abstract class MemoryPairsLoss extends BaseMetricLossFunction {
  /** Set for the length of one forwardExcludingOwn call. */
  private own: Int32Array | null = null;

  /**
   * forward(embeddings, labels, null, refEmb, refLabels) over every pair of the batch against
   * the reference set except each anchor i's positive pair with own[i] (−1: none) — what
   * CrossBatchMemory passes as index tuples, without building them.
   */
  forwardExcludingOwn(embeddings: Tensor, labels: Int32Array, refEmb: Tensor, refLabels: Int32Array, own: Int32Array): Tensor {
    if (own.length !== labels.length) throw new Error(`${this.name}.forwardExcludingOwn: own has ${own.length} entries for a batch of ${labels.length}`);
    this.own = own;
    try {
      return this.forward(embeddings, labels, null, refEmb, refLabels);
    } finally {
      this.own = null;
    }
  }

  /** The own copies to leave out in this call (labels against a given reference set only), or null. */
  protected ownOf(x: LossInputs): Int32Array | null {
    return this.own !== null && x.tuples === null && !x.refIsBatch && x.labels !== null && x.refLabels !== null ? this.own : null;
  }

  /** Every pair of x's labels as the label-streaming kernels take them, or null with tuples or without labels. */
  protected labelPairsOf(x: LossInputs): LabelPairs | null {
    if (x.tuples !== null || x.labels === null || x.refLabels === null) return null;
    const [labels, refLabels, own] = [x.labels, x.refLabels, this.ownOf(x)];
    const ref = x.refIsBatch ? null : refLabels;
    let { pos, neg } = allPairsCounts(labels, ref);
    if (own) own.forEach((p, i) => (pos -= p >= 0 && refLabels[p] === labels[i] ? 1 : 0));
    return { labels, refLabels, ref, own, pos, neg };
  }

  protected pairSet(x: LossInputs, generic: boolean): { set: PairSet; indices: () => PairTuples } | null {
    const own = this.ownOf(x);
    if (own === null) return super.pairSet(x, generic);
    const [labels, ref] = [x.labels!, x.refLabels!];
    const set = allPairsSet(labels, ref);
    const ownBuf = int32From(own);
    try {
      set.pos = getEngine().k.i32_drop_own_pairs(set.cols[0].ptr, set.cols[1].ptr, set.pos, ownBuf.ptr);
    } finally {
      ownBuf.dispose();
    }
    if (generic && set.pos <= 1 && set.neg <= 1) {
      disposePairSet(set);
      return null;
    }
    let cached: PairTuples | null = null;
    return { set, indices: () => (cached ??= dropOwnPairs(allPairsIndices(labels, ref), own)) };
  }

  /**
   * The pairs as u8 masks [n, m] (the fused kernels read bytes; pairMasks gives float tensors): from the labels straight into the masks (no pair columns),
   * or from the tuples; null when `generic` and every column has at most one entry.
   */
  protected pairByteMasks(x: LossInputs, generic: boolean): PairMasks | null {
    const k = getEngine().k;
    const n = x.embeddings.shape[0], m = x.refEmb.shape[0];
    const masks = { pos: untracked([Math.ceil((n * m) / 4)]), neg: untracked([Math.ceil((n * m) / 4)]) };
    const free = () => (masks.pos.dispose(), masks.neg.dispose());
    try {
      if (x.tuples !== null || x.labels === null || x.refLabels === null) {
        const pairs = this.pairSet(x, generic);
        if (pairs === null) return (free(), null);
        const { set } = pairs;
        k.u8_pair_mask(set.cols[0].ptr, set.cols[1].ptr, set.pos, n, m, masks.pos.ptr);
        k.u8_pair_mask(set.cols[2].ptr, set.cols[3].ptr, set.neg, n, m, masks.neg.ptr);
        disposePairSet(set);
        return masks;
      }
      const own = this.ownOf(x);
      const bufs = [int32From(x.labels), int32From(x.refLabels), ...(own ? [int32From(own)] : [])];
      let pos = 0, neg = 0;
      try {
        [, pos, neg] = withCounts((c) => k.u8_label_masks(bufs[0].ptr, n, bufs[1].ptr, m, x.refIsBatch ? 1 : 0, own ? bufs[2].ptr : 0, masks.pos.ptr, masks.neg.ptr, c));
      } finally {
        for (const b of bufs) b.dispose();
      }
      if (generic && pos <= 1 && neg <= 1) return (free(), null);
      return masks;
    } catch (e) {
      free();
      throw e;
    }
  }
}

/** The pairs without each anchor's positive pair with its own copy (own[a] = p). */
export function dropOwnPairs([a1, p, a2, n]: PairTuples, own: Int32Array): PairTuples {
  const keep: number[] = [];
  for (let k = 0; k < a1.length; k++) if (p[k] !== own[a1[k]]) keep.push(k);
  return [Int32Array.from(keep, (k) => a1[k]), Int32Array.from(keep, (k) => p[k]), a2, n];
}
