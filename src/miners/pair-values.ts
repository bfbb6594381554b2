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
  // one pass into arrays sized for every pair, cut to the count: a second counting pass over
  // n · m labels cost as much as the filling one
  const rows = new Int32Array(n * m), cols = new Int32Array(n * m), vals = new Float64Array(n * m);
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
  return { rows: rows.slice(0, t), cols: cols.slice(0, t), vals: vals.slice(0, t) };
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
