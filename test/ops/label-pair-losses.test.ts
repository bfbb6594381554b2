// f32_label_pair_loss_fwd/_bwd: the per-pair losses of every positive or negative pair of a
// labelled batch against a reference set, streamed from the labels, against float64 on odd
// sizes around the 4-lane label groups: every pair kind, the batch against itself (self), each
// anchor's own copy left out (own), and the backward adding into a gradient already holding values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { int32From } from '../../src/ops/loss';
import { untracked } from '../../src/autograd/tensor';
import { f32, getEngine } from '../../src/wasm/instance';
import { assertClose } from '../helpers/close';
import { labelPairsRef, pairKindRef } from '../ref/loss';

await sl.init();
const rng = new Rng(31);

test('label pair losses vs float64: kinds 0–5, positives and negatives, self and own, odd sizes', () => {
  const k = getEngine().k;
  for (const n of [1, 3, 5, 17]) {
    for (const m of [1, 3, 4, 5, 17, 33]) {
      for (const variant of ['plain', 'self', 'own'] as const) {
        if (variant === 'self' && m !== n) continue;
        const classes = 1 + Math.floor(rng.uniform() * 4);
        const labels = Array.from({ length: n }, () => Math.floor(rng.uniform() * classes));
        const refLabels = variant === 'self' ? labels : Array.from({ length: m }, () => Math.floor(rng.uniform() * classes));
        // own rows: some anchors with one (of their label or not), some with none
        const own = variant === 'own' ? labels.map(() => (rng.uniform() < 0.7 ? Math.floor(rng.uniform() * m) : -1)) : null;
        const mat = Float32Array.from({ length: n * m }, () => rng.uniform() * 2);
        const self = variant === 'self';
        for (let kind = 0; kind <= 5; kind++) {
          for (const positive of [true, false]) {
            const pairs = labelPairsRef(labels, refLabels, positive, self, own);
            const margin = 0.3 + rng.uniform();
            const g = Float32Array.from(pairs, () => rng.uniform() * 2 - 1);
            const prev = Float32Array.from({ length: n * m }, () => rng.uniform() - 0.5);
            const bufs = [int32From(labels), int32From(refLabels), ...(own ? [int32From(own)] : [])];
            const tm = untracked([n * m]), out = untracked([n * m]), tg = untracked([Math.max(1, pairs.length)]), dm = untracked([n * m]);
            try {
              const heap = f32();
              heap.set(mat, tm.ptr >> 2);
              heap.set(g, tg.ptr >> 2);
              heap.set(prev, dm.ptr >> 2);
              const args = [kind, tm.ptr, n, m, bufs[0].ptr, bufs[1].ptr, self ? 1 : 0, own ? bufs[2].ptr : 0, positive ? 1 : 0, margin] as const;
              const count = k.f32_label_pair_loss_fwd(...args, out.ptr);
              const label = `n ${n} m ${m} ${variant} kind ${kind} ${positive ? 'pos' : 'neg'}`;
              assert.is(count, pairs.length, `${label}: count`);
              const ref = pairs.map(([i, j]) => pairKindRef(kind, mat[i * m + j], margin));
              assertClose(f32().slice(out.ptr >> 2, (out.ptr >> 2) + count), ref.map((r) => r.value), { rtol: 1e-6, atol: 1e-6 }, `${label}: losses`);
              k.f32_label_pair_loss_bwd(...args, tg.ptr, dm.ptr);
              const grad = Float64Array.from(prev);
              pairs.forEach(([i, j], c) => (grad[i * m + j] += g[c] * ref[c].slope));
              assertClose(f32().slice(dm.ptr >> 2, (dm.ptr >> 2) + n * m), grad, { rtol: 1e-6, atol: 1e-6 }, `${label}: gradient`);
            } finally {
              for (const b of [...bufs, tm, out, tg, dm]) b.dispose();
            }
          }
        }
      }
    }
  }
});

test.run();
