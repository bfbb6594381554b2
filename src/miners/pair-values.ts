// Every positive (or negative) pair of a batch against its reference set with its matrix
// value, in row-major order (PML's torch.where order), as typed arrays: the input of the
// miners that rank or bin all pairs (HDCMiner, UniformHistogramMiner). Sized from the label
// counts, then filled, so no per-pair allocation. The arrays are views of buffers kept for
// the next call of the same kind (up to SCRATCH_PAIRS pairs): on this VM a fresh
// megabyte-sized typed array costs its page faults on every call, more than the filling.
import { allPairsCounts } from '../tuples/batch';
import type { MineInputs } from './base-miner';

export interface PairValues {
  rows: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/** Pairs of one kind whose buffers are kept between calls (8 MB at most with both kinds). */
export const SCRATCH_PAIRS = 1 << 18;
const kept: (PairValues | null)[] = [null, null];

/** size pairs' arrays: views of the kind's kept buffers (grown as needed) or, past SCRATCH_PAIRS, new ones. */
function buffers(kind: number, size: number): PairValues {
  if (size > SCRATCH_PAIRS) return { rows: new Int32Array(size), cols: new Int32Array(size), vals: new Float64Array(size) };
  let b = kept[kind];
  if (b === null || b.rows.length < size) b = kept[kind] = { rows: new Int32Array(size), cols: new Int32Array(size), vals: new Float64Array(size) };
  return { rows: b.rows.subarray(0, size), cols: b.cols.subarray(0, size), vals: b.vals.subarray(0, size) };
}

/** Valid until the next call for the same kind (positive or negative): read, don't keep. */
export function pairValues(mat: Float32Array, x: MineInputs, positive: boolean): PairValues {
  const { n, m, labels, refLabels, self } = x;
  // sized from the label counts (no second pass over the n · m labels, no cut copies)
  const sizes = allPairsCounts(labels, self ? null : refLabels);
  const { rows, cols, vals } = buffers(positive ? 1 : 0, positive ? sizes.pos : sizes.neg);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i], o = i * m, skip = positive && self ? i : -1;
    for (let j = 0; j < m; j++) {
      if ((refLabels[j] === li) !== positive || j === skip) continue;
      rows[t] = i;
      cols[t] = j;
      vals[t++] = mat[o + j];
    }
  }
  return { rows, cols, vals };
}

/** The pairs at positions `keep` (a list of indices into the pair arrays). */
export function pairsAt(p: PairValues, keep: Int32Array): [Int32Array, Int32Array] {
  const rows = new Int32Array(keep.length), cols = new Int32Array(keep.length);
  for (let k = 0; k < keep.length; k++) {
    rows[k] = p.rows[keep[k]];
    cols[k] = p.cols[keep[k]];
  }
  return [rows, cols];
}
