// pytorch-metric-learning's BatchEasyHardMiner (Xuan et al. 2020, "Improved embeddings with
// easy positive triplet mining"): per anchor one positive and one negative chosen by strategy
// ('easy', 'semihard', 'hard', or 'all' pairs), optionally restricted to a range of distances.
// Each choice is one pass over a row of the distance matrix, so a call is O(n·m) typed-array
// work after the matrix (the hot path PML spends in masked min/max over dense copies).
import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { getAllPairsIndices, type PairTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import type { Labels } from '../tuples/batch';
import { BaseMiner, type MineInputs } from './base-miner';

export type BatchMiningStrategy = 'easy' | 'semihard' | 'hard' | 'all';
const STRATEGIES: readonly BatchMiningStrategy[] = ['hard', 'semihard', 'easy', 'all'];

export interface BatchEasyHardMinerOptions {
  /** Default 'easy': the closest positive. */
  posStrategy?: BatchMiningStrategy;
  /** Default 'semihard': the closest negative farther than the chosen positive. */
  negStrategy?: BatchMiningStrategy;
  /** [lo, hi]: only positives with lo ≤ distance ≤ hi. Default null (any). */
  allowedPosRange?: readonly [number, number] | null;
  /** [lo, hi]: only negatives with lo ≤ distance ≤ hi. Default null (any). */
  allowedNegRange?: readonly [number, number] | null;
  /** Default LpDistance(). */
  distance?: Distance;
}

/** The per-row choice: the column picked, its value, and whether the row had a candidate. */
interface RowPick {
  idx: Int32Array;
  val: Float64Array;
  keep: Uint8Array;
}

/**
 * Pairs [a1, p, a2, n]. Without 'all': one (a, p) and one (a, n) per anchor that has both, a1 = a2.
 * With 'all' on one side, every pair of that side and the chosen pairs of the other. 'hard'
 * positive = farthest, 'easy' = closest; 'hard' negative = closest, 'easy' = farthest;
 * 'semihard' picks relative to the other side's choice (PML). Rejected as in PML: both
 * 'semihard', and 'semihard' with 'all'.
 * @example
 * const pairs = new sl.miners.BatchEasyHardMiner({ posStrategy: 'easy', negStrategy: 'semihard' }).mine(embeddings, labels);
 */
export class BatchEasyHardMiner extends BaseMiner {
  readonly posStrategy: BatchMiningStrategy;
  readonly negStrategy: BatchMiningStrategy;
  readonly allowedPosRange: readonly [number, number] | null;
  readonly allowedNegRange: readonly [number, number] | null;

  constructor(options: BatchEasyHardMinerOptions = {}) {
    const fn = 'BatchEasyHardMiner';
    const o = checkOptions<BatchEasyHardMinerOptions>(fn, options, {
      posStrategy: STRATEGIES, negStrategy: STRATEGIES, allowedPosRange: ['array', 'null'], allowedNegRange: ['array', 'null'], distance: 'object',
    });
    const pos = o.posStrategy ?? 'easy', neg = o.negStrategy ?? 'semihard';
    if (pos === 'semihard' && neg === 'semihard') throw new Error(`${fn}: posStrategy and negStrategy cannot both be 'semihard'`);
    if ((pos === 'all' && neg === 'semihard') || (neg === 'all' && pos === 'semihard')) {
      throw new Error(`${fn}: 'semihard' cannot be used in combination with 'all' (posStrategy '${pos}', negStrategy '${neg}')`);
    }
    super(fn, o.distance);
    this.posStrategy = pos;
    this.negStrategy = neg;
    this.allowedPosRange = checkRange(fn, 'allowedPosRange', o.allowedPosRange);
    this.allowedNegRange = checkRange(fn, 'allowedNegRange', o.allowedNegRange);
  }

  /** Pairs [a1, p, a2, n] (Int32Array columns); refEmb / refLabels replace the batch as the other side. */
  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): PairTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => this.choose(x.mat.data(), x));
  }

  private choose(mat: Float32Array, x: MineInputs): PairTuples {
    const pos = this.posStrategy, neg = this.negStrategy;
    let P: RowPick | null = null, N: RowPick | null = null;
    if (pos === 'semihard' && neg !== 'all') {
      N = this.negatives(mat, x, null);
      P = this.positives(mat, x, N.val);
    } else if (neg === 'semihard' && pos !== 'all') {
      P = this.positives(mat, x, null);
      N = this.negatives(mat, x, P.val);
    } else {
      if (pos !== 'all') P = this.positives(mat, x, null);
      if (neg !== 'all') N = this.negatives(mat, x, null);
    }
    const all = pos === 'all' || neg === 'all' ? getAllPairsIndices(x.labels, x.self ? null : x.refLabels) : null;
    if (P && N) {
      const rows = rowsWhere(x.n, (i) => P!.keep[i] === 1 && N!.keep[i] === 1);
      return [rows, pick(P.idx, rows), rows.slice(), pick(N.idx, rows)];
    }
    if (N) {
      const rows = rowsWhere(x.n, (i) => N!.keep[i] === 1);
      return [all![0], all![1], rows, pick(N.idx, rows)];
    }
    if (P) {
      const rows = rowsWhere(x.n, (i) => P!.keep[i] === 1);
      return [rows, pick(P.idx, rows), all![2], all![3]];
    }
    return all!;
  }

  // 'hard'/'semihard' positives: the largest distance (smallest similarity); 'easy' the opposite.
  private positives(mat: Float32Array, x: MineInputs, thresholds: Float64Array | null): RowPick {
    const wantMax = (this.posStrategy === 'easy') === this.distance.isInverted;
    return pickPerRow(mat, x, true, wantMax, this.allowedPosRange, thresholds);
  }

  // A 'hard'/'semihard' negative is the closest one, the one PML's "easy" row function finds.
  private negatives(mat: Float32Array, x: MineInputs, thresholds: Float64Array | null): RowPick {
    const wantMax = (this.negStrategy === 'easy') !== this.distance.isInverted;
    return pickPerRow(mat, x, false, wantMax, this.allowedNegRange, thresholds);
  }
}

/**
 * Per row, the max (or min) over the positive (or negative) columns within the range and, with thresholds,
 * strictly beyond thresholds[i] (below it for max, above it for min); the first column on
 * ties; ±Infinity and keep 0 for a row with no candidate (PML's get_x_per_row).
 */
function pickPerRow(
  mat: Float32Array, x: MineInputs, positives: boolean, wantMax: boolean,
  range: readonly [number, number] | null, thresholds: Float64Array | null,
): RowPick {
  const { n, m } = x;
  const out: RowPick = { idx: new Int32Array(n), val: new Float64Array(n), keep: new Uint8Array(n) };
  const lo = range ? range[0] : -Infinity, hi = range ? range[1] : Infinity;
  const lab = x.labels, ref = x.refLabels, self = x.self;
  for (let i = 0; i < n; i++) {
    let best = wantMax ? -Infinity : Infinity, at = 0, any = 0;
    const t = thresholds ? thresholds[i] : NaN, li = lab[i];
    for (let j = 0, o = i * m; j < m; j++) {
      if (positives ? li !== ref[j] || (self && i === j) : li === ref[j]) continue;
      const v = mat[o + j];
      if (v > hi || v < lo) continue;
      if (thresholds && (wantMax ? v >= t : v <= t)) continue;
      any = 1;
      if (wantMax ? v > best : v < best) {
        best = v;
        at = j;
      }
    }
    out.idx[i] = at;
    out.val[i] = best;
    out.keep[i] = any;
  }
  return out;
}

function rowsWhere(n: number, keep: (i: number) => boolean): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) rows.push(i);
  return Int32Array.from(rows);
}

function pick(values: Int32Array, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (i) => values[i]);
}

function checkRange(fn: string, name: string, r: readonly number[] | null | undefined): readonly [number, number] | null {
  if (r === undefined || r === null) return null;
  if (r.length !== 2 || !r.every((v) => typeof v === 'number' && !Number.isNaN(v)) || r[0] > r[1]) {
    throw new Error(`${fn}: ${name} must be [lo, hi] with lo ≤ hi, got ${JSON.stringify(Array.from(r))}`);
  }
  return [r[0], r[1]];
}
