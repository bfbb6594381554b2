// Every positive (or negative) pair of a batch against its reference set with its matrix
// value, in row-major order (PML's torch.where order), as typed arrays: the input of the
// miners that rank or bin all pairs (HDCMiner, UniformHistogramMiner). Counted first, then
// filled, so no per-pair allocation.
import type { MineInputs } from './base-miner';

export interface PairValues {
  rows: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

export function pairValues(mat: Float32Array, x: MineInputs, positive: boolean): PairValues {
  const { n, m, labels, refLabels, self } = x;
  const isPair = (i: number, j: number) => (labels[i] === refLabels[j] ? positive && !(self && i === j) : !positive);
  let count = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) if (isPair(i, j)) count++;
  const out: PairValues = { rows: new Int32Array(count), cols: new Int32Array(count), vals: new Float64Array(count) };
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0, o = i * m; j < m; j++) {
      if (!isPair(i, j)) continue;
      out.rows[t] = i;
      out.cols[t] = j;
      out.vals[t++] = mat[o + j];
    }
  }
  return out;
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
