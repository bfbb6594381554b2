// float64 oracles for the masked family: PML's masked reductions written the plain way.
// Never imported by src/.
type Arr = ArrayLike<number>;
export type MaskedName = 'sum' | 'mean' | 'max' | 'min' | 'logsumexp';

const keptOf = (x: Arr, mask: Arr | null, i: number, m: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let j = 0; j < m; j++) if (!mask || mask[i * m + j] !== 0) out.push([j, x[i * m + j]]);
  return out;
};

/**
 * Row reductions over the kept entries of x [n, m]; an empty row gives 0. logsumexp with
 * addOne adds e⁰ inside the log (PML's lmu.logsumexp). Returns the values and, per row, the
 * gradient of out[i] with respect to x[i, :] (the first extreme for max/min).
 */
export function maskedRowsRef(op: MaskedName, x: Arr, mask: Arr | null, n: number, m: number, addOne = false): { out: Float64Array; grad: Float64Array } {
  const out = new Float64Array(n);
  const grad = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const kept = keptOf(x, mask, i, m);
    if (kept.length === 0) continue;
    switch (op) {
      case 'sum':
        out[i] = kept.reduce((s, [, v]) => s + v, 0);
        for (const [j] of kept) grad[i * m + j] = 1;
        break;
      case 'mean':
        out[i] = kept.reduce((s, [, v]) => s + v, 0) / kept.length;
        for (const [j] of kept) grad[i * m + j] = 1 / kept.length;
        break;
      case 'max':
      case 'min': {
        let [bj, bv] = kept[0];
        for (const [j, v] of kept) if (op === 'max' ? v > bv : v < bv) [bj, bv] = [j, v];
        out[i] = bv;
        grad[i * m + bj] = 1;
        break;
      }
      case 'logsumexp': {
        const top = Math.max(...kept.map(([, v]) => v), addOne ? 0 : -Infinity);
        const s = kept.reduce((acc, [, v]) => acc + Math.exp(v - top), addOne ? Math.exp(-top) : 0);
        out[i] = top + Math.log(s);
        for (const [j, v] of kept) grad[i * m + j] = Math.exp(v - out[i]);
      }
    }
  }
  return { out, grad };
}

/** Label masks: 1 where labels[i] == ref[j] (same) or ≠, 0 on the diagonal when the batch is compared with itself. */
export function labelMaskRef(labels: Arr, ref: Arr | null, same: boolean): Float64Array {
  const r = ref ?? labels;
  const out = new Float64Array(labels.length * r.length);
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < r.length; j++) {
      const eq = labels[i] === r[j];
      out[i * r.length + j] = (same ? eq : !eq) && !(ref === null && i === j) ? 1 : 0;
    }
  }
  return out;
}
