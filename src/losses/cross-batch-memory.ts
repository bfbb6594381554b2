// PML's CrossBatchMemory (Wang et al. 2020, XBM): a ring buffer of the last memorySize
// embeddings (detached) and labels. Each call enqueues the batch (or the rows of enqueueMask),
// then computes the wrapped loss of the batch against the memory as its reference set, with
// every pair of the batch × memory (or the miner's tuples) minus each sample's pair with its
// own copy in the memory, plus any tuples given. The buffers live across calls: dispose()
// frees them.
import { Tensor, assertLive, composite, fmtShape, keep, untracked } from '../autograd/tensor';
import { indexSelect } from '../ops/gather';
import { narrowRows } from '../ops/narrow';
import { checkOptions } from '../options';
import { checkEmbeddings, checkLabels, checkTuples, type Labels, type Tuples } from '../tuples/batch';
import { convertToPairs, convertToTriplets, getAllPairsIndices } from '../tuples/pairs';
import { f32 } from '../wasm/instance';
import type { BaseMetricLossFunction } from './base-metric-loss-function';
import { checkMiner, checkWrappedLoss, type TupleMiner } from './loss-wrapper';
import { MemoryPairsLoss } from './memory-pairs';

export interface CrossBatchMemoryOptions {
  /** The wrapped loss (required); one of CrossBatchMemory.supportedLosses. */
  loss: BaseMetricLossFunction;
  /** Embedding size d of the memory (required). */
  embeddingSize: number;
  /** Rows of the memory. Default 1024. */
  memorySize?: number;
  /** Mines tuples of the batch against the memory. Default none (every pair). */
  miner?: TupleMiner | null;
}

export class CrossBatchMemory {
  static readonly supportedLosses = [
    'AngularLoss', 'CircleLoss', 'ContrastiveLoss', 'GeneralizedLiftedStructureLoss', 'IntraPairVarianceLoss',
    'LiftedStructureLoss', 'MarginLoss', 'MultiSimilarityLoss', 'NCALoss', 'NTXentLoss',
    'SignalToNoiseRatioContrastiveLoss', 'SupConLoss', 'TripletMarginLoss', 'TupletMarginLoss',
  ] as const;

  readonly name = 'CrossBatchMemory';
  readonly loss: BaseMetricLossFunction;
  readonly miner: TupleMiner | null;
  readonly embeddingSize: number;
  readonly memorySize: number;
  /** [memorySize, embeddingSize], zeros until filled (PML's embedding_memory buffer). */
  embeddingMemory: Tensor;
  /** memorySize labels (PML's label_memory). */
  labelMemory: Int32Array;
  /** The next row to write. */
  queueIdx = 0;
  /** The ring has wrapped at least once: the whole memory is the reference set. */
  hasBeenFilled = false;

  constructor(options: CrossBatchMemoryOptions) {
    const fn = 'CrossBatchMemory';
    const o = checkOptions<CrossBatchMemoryOptions>(fn, options, { loss: 'object', embeddingSize: 'integer', memorySize: 'integer', miner: ['object', 'null'] });
    this.loss = checkWrappedLoss(fn, o.loss, CrossBatchMemory.supportedLosses);
    if (o.embeddingSize === undefined || o.embeddingSize < 1) throw new Error(`${fn}: embeddingSize must be a positive integer, got ${String(o.embeddingSize)}`);
    this.embeddingSize = o.embeddingSize;
    this.memorySize = o.memorySize ?? 1024;
    if (this.memorySize < 1) throw new Error(`${fn}: memorySize must be a positive integer, got ${this.memorySize}`);
    this.miner = o.miner == null ? null : checkMiner(fn, 'miner', o.miner);
    this.labelMemory = new Int32Array(this.memorySize);
    this.embeddingMemory = CrossBatchMemory.zeroMemory(this.memorySize, this.embeddingSize);
  }

  private static zeroMemory(rows: number, d: number): Tensor {
    const t = keep(untracked([rows, d]));
    f32().fill(0, t.ptr >> 2, (t.ptr >> 2) + t.size);
    return t;
  }

  /** PML's reset_queue: an empty memory. */
  resetQueue(): void {
    assertLive('CrossBatchMemory.resetQueue', 'embeddingMemory', this.embeddingMemory);
    f32().fill(0, this.embeddingMemory.ptr >> 2, (this.embeddingMemory.ptr >> 2) + this.embeddingMemory.size);
    this.labelMemory.fill(0);
    this.queueIdx = 0;
    this.hasBeenFilled = false;
  }

  /** Frees the memory buffer; the wrapper is unusable afterwards. */
  dispose(): void {
    this.embeddingMemory.dispose();
  }

  /**
   * The wrapped loss of embeddings [n, d] against the memory, after enqueuing them (or only
   * the rows where enqueueMask is true; the others are the batch). tuples (mutually
   * exclusive with enqueueMask) index the batch × memory and are added to the pairs used.
   */
  forward(embeddings: Tensor, labels: Labels, tuples?: Tuples | null, enqueueMask?: ArrayLike<boolean> | null): Tensor {
    const fn = 'CrossBatchMemory.forward';
    assertLive(fn, 'embeddingMemory (the wrapper was disposed)', this.embeddingMemory);
    checkEmbeddings(fn, 'embeddings', embeddings);
    const [n, d] = embeddings.shape;
    if (d !== this.embeddingSize) throw new Error(`${fn}: embeddings is ${fmtShape(embeddings.shape)} but embeddingSize is ${this.embeddingSize}`);
    const lab = checkLabels(fn, labels, n);
    if (tuples != null && enqueueMask != null) throw new Error(`${fn}: tuples and enqueueMask are mutually exclusive`);
    let mask: boolean[] | null = null;
    if (enqueueMask != null) {
      if (enqueueMask.length !== n) throw new Error(`${fn}: enqueueMask has ${enqueueMask.length} entries for a batch of ${n}`);
      mask = Array.from(enqueueMask, (v, i) => {
        if (typeof v !== 'boolean') throw new TypeError(`${fn}: enqueueMask[${i}] must be true or false, got ${String(v)}`);
        return v;
      });
      if (mask.every((v) => v)) throw new Error(`${fn}: enqueueMask enqueues every row, leaving no batch to compute the loss of`);
    } else if (n > this.memorySize) {
      throw new Error(`${fn}: a batch of ${n} does not fit a memory of ${this.memorySize}`);
    }
    const queued = mask === null ? null : mask.flatMap((v, i) => (v ? [i] : []));
    const kept = mask === null ? null : mask.flatMap((v, i) => (v ? [] : [i]));
    const batchLabels = kept === null ? lab : Int32Array.from(kept, (i) => lab[i]);
    const batchSize = kept === null ? n : kept.length;
    // validated before the memory changes, so an error leaves the state as it was
    const memRowsAfter = this.hasBeenFilled ? this.memorySize : Math.min(this.memorySize, this.queueIdx + (queued === null ? n : queued.length));
    const given = tuples == null ? null : checkTuples(fn, tuples, batchSize, this.memorySize);
    if (given !== null) {
      for (let c = 1; c < given.length; c += given.length === 3 ? 1 : 2) {
        for (const v of given[c]) if (v >= memRowsAfter) throw new Error(`${fn}: tuple index ${v} is past the ${memRowsAfter} filled rows of the memory`);
      }
    }

    const currIdx = this.enqueue(embeddings, lab, queued);
    return composite(() => {
      const batch = kept === null ? embeddings : indexSelect(embeddings, kept);
      const rows = this.hasBeenFilled ? this.memorySize : this.queueIdx;
      const memEmb = rows === this.memorySize ? this.embeddingMemory : narrowRows(this.embeddingMemory, 0, rows);
      const memLab = this.labelMemory.slice(0, rows);
      if (this.miner === null && given === null && this.loss instanceof MemoryPairsLoss) {
        // every pair of the batch × memory, as the labels give them (see memory-pairs.ts)
        if (mask !== null) return this.loss.forward(batch, batchLabels, null, memEmb, memLab);
        return this.loss.forwardExcludingOwn(batch, batchLabels, memEmb, memLab, ownCopies(currIdx, n, this.memorySize));
      }
      let t: Int32Array[] = this.miner !== null ? this.miner.mine(batch, batchLabels, memEmb, memLab) : getAllPairsIndices(batchLabels, memLab);
      if (mask === null) t = removeSelfComparisons(t, currIdx, this.memorySize);
      if (given !== null) {
        const conv = given.length === 3 && t.length === 4 ? convertToPairs(given, batchLabels)
          : given.length === 4 && t.length === 3 ? convertToTriplets(given, batchLabels) : given;
        t = t.map((c, i) => concat(c, conv[i]));
      }
      return this.loss.forward(batch, batchLabels, t as unknown as Tuples, memEmb, memLab);
    });
  }

  /** PML's add_to_memory: writes rows (detached) at queueIdx, wrapping; returns their memory rows. */
  private enqueue(embeddings: Tensor, labels: Int32Array, rows: number[] | null): Int32Array {
    const d = this.embeddingSize;
    const src = rows ?? Array.from({ length: labels.length }, (_, i) => i);
    const idx = Int32Array.from(src, (_, j) => (this.queueIdx + j) % this.memorySize);
    const heap = f32();
    const from = embeddings.ptr >> 2, to = this.embeddingMemory.ptr >> 2;
    src.forEach((r, j) => {
      heap.copyWithin(to + idx[j] * d, from + r * d, from + (r + 1) * d);
      this.labelMemory[idx[j]] = labels[r];
    });
    const prev = this.queueIdx;
    this.queueIdx = (this.queueIdx + src.length) % this.memorySize;
    if (!this.hasBeenFilled && this.queueIdx <= prev) this.hasBeenFilled = true;
    return idx;
  }
}

/**
 * own[i]: the memory row that removeSelfComparisons drops from anchor i's positive pairs (−1:
 * none) — the row p just written whose position pc, computed as there, is i. p ↦ pc is
 * one-to-one, so each anchor has at most one.
 */
function ownCopies(curr: Int32Array, n: number, size: number): Int32Array {
  const own = new Int32Array(n).fill(-1);
  const s = curr[0], e = curr[curr.length - 1];
  for (const p of curr) {
    let pc = p - s;
    if (e <= s && pc <= e - s) pc += size;
    if (pc >= 0 && pc < n) own[pc] = p;
  }
  return own;
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * lmu.remove_self_comparisons: drops the positive pairs (a, p) whose p is the memory row
 * where anchor a was just written. As PML, the row is located relative to the batch's first
 * row s and last row e, shifted by memorySize only when e ≤ s — so a batch of one row, or
 * one that wraps, keeps PML's exact behaviour.
 */
function removeSelfComparisons(t: Int32Array[], curr: Int32Array, size: number): Int32Array[] {
  const s = curr[0], e = curr[curr.length - 1];
  const inBatch = new Set(curr);
  const [a, p] = t;
  const keep: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (inBatch.has(p[i])) {
      let pc = p[i] - s;
      if (e <= s && pc <= e - s) pc += size;
      if (a[i] === pc) continue;
    }
    keep.push(i);
  }
  const pick = (c: Int32Array) => Int32Array.from(keep, (i) => c[i]);
  return t.length === 3 ? [pick(t[0]), pick(t[1]), pick(t[2])] : [pick(t[0]), pick(t[1]), t[2], t[3]];
}

