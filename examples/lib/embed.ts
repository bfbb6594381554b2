// Embedding a whole data set in evaluation mode, a block at a time, without gradients.
import * as sl from '../../src/index';
import type { Dataset } from '../../src/data/batch';

/** model.forward over every item of ds, in blocks of `block`; returns [n, d] as a Tensor. */
export function embedAll(model: { forward(x: sl.Tensor): sl.Tensor }, ds: Dataset, block = 500): sl.Tensor {
  const n = ds.labels.length;
  const parts: Float32Array[] = [];
  let d = 0;
  sl.noGrad(() => {
    for (let i = 0; i < n; i += block) {
      const idx = Int32Array.from({ length: Math.min(block, n - i) }, (_, t) => i + t);
      sl.tidy(() => {
        const e = model.forward(sl.data.gather(ds, idx).x);
        d = e.shape[1];
        parts.push(e.data());
      });
    }
  });
  const out = new Float32Array(n * d);
  parts.forEach((p, i) => out.set(p, i * block * d));
  return sl.tensor(out, [n, d]);
}
