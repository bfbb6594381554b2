// Per-row reductions over index pairs, for losses that PML writes as a [pairs × pairs] matrix
// (TupletMarginLoss, LiftedStructureLoss: "every negative pair of this positive pair's
// anchor"). The terms of a row depend only on the anchor, so one masked reduction per row of
// the [n, m] matrix gives the same numbers in O(n·m) instead of O(pairs²) memory.
import { tensor } from '../autograd/create';
import type { Tensor } from '../autograd/tensor';
import { add } from '../ops/eltwise';
import { maskedLogsumexp } from '../ops/masked';

/**
 * ln Σ_k e^{x[rows[k], cols[k]]} per row of x [n, m] → [n] (0 for a row with no pair), a pair
 * listed twice counted twice (as PML's matrix form does), and the number of pairs per row.
 */
export function pairRowLogsumexp(x: Tensor, rows: Int32Array, cols: Int32Array): { lse: Tensor; counts: Int32Array } {
  const [n, m] = x.shape;
  const count = new Float32Array(n * m);
  const counts = new Int32Array(n);
  let repeated = false;
  for (let k = 0; k < rows.length; k++) {
    const c = ++count[rows[k] * m + cols[k]];
    counts[rows[k]]++;
    if (c > 1) repeated = true;
  }
  const mask = tensor(count.map((c) => (c > 0 ? 1 : 0)), [n, m]);
  // a pair listed c times contributes c·eˣ = e^{x + ln c}
  const xs = repeated ? add(x, tensor(count.map((c) => (c > 1 ? Math.log(c) : 0)), [n, m])) : x;
  return { lse: maskedLogsumexp(xs, mask), counts };
}
