// Kernels that compute a range of rows or channels (threads split calls along it): on odd
// sizes, the pieces of a split land bitwise where the whole call puts them, and the whole
// call matches a float64 reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { getEngine } from '../../src/wasm/instance';
import { assertClose, randomF32 } from '../helpers/close';
import { out, put, read, withBuffers } from '../helpers/kernel-buffers';
import { mahalanobisRef } from '../ref/distance';

await sl.init();
const e = getEngine();
const k = e.k;
const ws = e.gemmWorkspace;
const rng = new Rng(20261202);

/** Cuts [0, total) into a few uneven pieces (single rows, a tail). */
const pieces = (total: number): [number, number][] => {
  const cuts = [0, Math.min(1, total), Math.min(3, total), Math.min(total, Math.ceil(total / 2) + 1), total];
  return cuts.slice(1).map((c, i) => [cuts[i], c] as [number, number]).filter(([a, b]) => b > a);
};
const bitwise = (a: Float32Array, b: Float32Array, what: string) => {
  const i = a.findIndex((v, j) => !Object.is(v, b[j]));
  assert.is(i, -1, `${what}: element ${i}: ${a[i]} vs ${b[i]}`);
};

test('f32_cdist_l2_bwd_y_rows: split rows equal the whole gradient; the whole matches −colsum(nw)⊙b + nwᵀ·a', () => {
  for (const [n, m, d] of [[1, 1, 1], [3, 5, 7], [17, 13, 33], [9, 23, 5]]) {
    for (const acc of [0, 1]) {
      withBuffers(`n=${n} m=${m} d=${d} acc=${acc}`, (w) => {
        const nw = put(randomF32(rng, n * m)), a = put(randomF32(rng, n * d)), b = put(randomF32(rng, m * d));
        const start = randomF32(rng, m * d);
        const whole = put(start), split = put(start), cs = out(m), cs2 = out(m);
        [whole, split, cs, cs2].forEach((t) => w.add(t));
        k.f32_cdist_l2_bwd_y(nw.ptr, a.ptr, b.ptr, cs.ptr, whole.ptr, n, m, d, acc, ws);
        for (const [j0, j1] of pieces(m)) k.f32_cdist_l2_bwd_y_rows(nw.ptr, a.ptr, b.ptr, cs2.ptr, split.ptr, n, m, d, acc, ws, j0, j1);
        bitwise(read(split), read(whole), 'split rows');
        const W = read(nw), A = read(a), B = read(b);
        const ref = new Float64Array(m * d);
        for (let j = 0; j < m; j++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += W[i * m + j];
          for (let p = 0; p < d; p++) {
            let v = (acc ? start[j * d + p] : 0) - s * B[j * d + p];
            for (let i = 0; i < n; i++) v += W[i * m + j] * A[i * d + p];
            ref[j * d + p] = v;
          }
        }
        assertClose(read(whole), ref, { atol: 1e-5, rtol: 1e-5 }, `n=${n} m=${m} d=${d}`);
      });
    }
  }
});

test('f32_mahalanobis_cdist_prep + _rows: split rows equal the whole forward; the whole matches (x − y)ᵀM(x − y)', () => {
  for (const [n, m, d] of [[1, 1, 1], [3, 5, 7], [17, 13, 9], [11, 3, 33]]) {
    withBuffers(`n=${n} m=${m} d=${d}`, (w) => {
      const x = put(randomF32(rng, n * d)), y = put(randomF32(rng, m * d));
      const g = randomF32(rng, d * d), sym = new Float32Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let t = 0; t < d; t++) sym[i * d + j] += g[i * d + t] * g[j * d + t];
      const M = put(sym);
      const bufs = () => ({ xc: out(n * d), yc: out(m * d), mu: out(d), xm: out(n * d), ym: out(m * d), qx: out(n), qy: out(m), o: out(n * m) });
      const A = bufs(), B = bufs();
      for (const s of [A, B]) Object.values(s).forEach((t) => w.add(t));
      k.f32_mahalanobis_cdist_fwd(x.ptr, y.ptr, M.ptr, A.xc.ptr, A.yc.ptr, A.mu.ptr, A.xm.ptr, A.ym.ptr, A.qx.ptr, A.qy.ptr, A.o.ptr, n, m, d, ws);
      k.f32_mahalanobis_cdist_prep(y.ptr, M.ptr, B.yc.ptr, B.mu.ptr, B.ym.ptr, B.qy.ptr, m, d, ws);
      for (const [i0, i1] of pieces(n)) {
        k.f32_mahalanobis_cdist_rows(x.ptr, y.ptr, M.ptr, B.xc.ptr, B.yc.ptr, B.mu.ptr, B.xm.ptr, B.ym.ptr, B.qx.ptr, B.qy.ptr, B.o.ptr, n, m, d, ws, i0, i1);
      }
      bitwise(read(B.o), read(A.o), 'split rows: distances');
      bitwise(read(B.xm), read(A.xm), 'split rows: x·M');
      bitwise(read(B.ym), read(A.ym), 'y·M');
      const ref = mahalanobisRef(read(x), read(y), sym, n, m, d);
      const scale = Math.max(1, ...Array.from(ref, Math.abs));
      assertClose(read(A.o), ref, { atol: 1e-4 * scale, rtol: 1e-4 }, `n=${n} m=${m} d=${d}`);
    });
  }
});

test('f32_conv2d_relu_bwd: g masked where y > 0 in place, the bias gradient summed; channel ranges equal the whole', () => {
  for (const [n, oc, hw] of [[1, 1, 1], [2, 3, 5], [3, 7, 17], [2, 5, 33]]) {
    for (const acc of [0, 1]) {
      withBuffers(`n=${n} oc=${oc} hw=${hw} acc=${acc}`, (w) => {
        const yv = randomF32(rng, n * oc * hw).map((v) => Math.max(v, 0));
        yv[0] = NaN; // relu(NaN) = NaN passes no gradient, as torch's
        const y = put(yv);
        const g0 = randomF32(rng, n * oc * hw), db0 = randomF32(rng, oc);
        const g = put(g0), gs = put(g0), db = put(db0), dbs = put(db0), none = put(g0);
        [g, gs, db, dbs, none].forEach((t) => w.add(t));
        k.f32_conv2d_relu_bwd(y.ptr, g.ptr, db.ptr, n, oc, hw, acc, 0, oc);
        for (const [o0, o1] of pieces(oc)) k.f32_conv2d_relu_bwd(y.ptr, gs.ptr, dbs.ptr, n, oc, hw, acc, o0, o1);
        k.f32_conv2d_relu_bwd(y.ptr, none.ptr, 0, n, oc, hw, acc, 0, oc); // no bias: the mask alone
        bitwise(read(gs), read(g), 'split g');
        bitwise(read(dbs), read(db), 'split bias');
        bitwise(read(none), read(g), 'mask without a bias');
        const gm = Array.from(g0, (v, i) => (yv[i] > 0 ? v : 0));
        assertClose(read(g), gm, { atol: 0, rtol: 0 }, 'mask');
        const ref = Array.from({ length: oc }, (_, o) => {
          let s = acc ? db0[o] : 0;
          for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) s += gm[(i * oc + o) * hw + j];
          return s;
        });
        assertClose(read(db), ref, { atol: 1e-5, rtol: 1e-5 }, 'bias');
      });
    }
  }
});

test('f32_conv2d_relu_bwd_filter_small: channel ranges equal the whole; the whole equals the ReLU pass then the filter gradient; g is left unmasked', () => {
  // [n, c, h, w], oc, k, stride, padding, group
  for (const [n, c, h, w, oc, kk, s, p, group] of [[1, 1, 1, 1, 1, 1, 1, 0, 1], [3, 1, 7, 5, 5, 3, 1, 1, 2], [2, 1, 17, 9, 7, 3, 2, 1, 1], [3, 3, 5, 5, 6, 1, 1, 0, 3], [0, 1, 5, 5, 3, 3, 1, 1, 1]]) {
    const oh = Math.floor((h + 2 * p - kk) / s) + 1, ow = Math.floor((w + 2 * p - kk) / s) + 1, ohw = oh * ow, ckk = c * kk * kk;
    const geo = [n, c, h, w, oc, kk, kk, s, s, p, p, group] as const;
    for (const acc of [0, 1]) {
      withBuffers(`[${n},${c},${h},${w}]->${oc} k=${kk} s=${s} acc=${acc}`, (bufs) => {
        const x = put(randomF32(rng, Math.max(1, n * c * h * w)));
        const yv = randomF32(rng, Math.max(1, n * oc * ohw)).map((v) => Math.max(v, 0));
        yv[0] = NaN;
        const y = put(yv), g0 = randomF32(rng, Math.max(1, n * oc * ohw));
        const dw0 = randomF32(rng, oc * ckk), db0 = randomF32(rng, oc);
        const g = put(g0), gRef = put(g0), dw = put(dw0), db = put(db0), dwS = put(dw0), dbS = put(db0), dwRef = put(dw0), dbRef = put(db0);
        const floats = k.f32_conv2d_relu_bwd_filter_small_scratch(c, kk, kk, oc, ohw, group);
        assert.ok(floats > 0, 'a narrow filter');
        const scratch = out(floats), scratchRef = out((ckk + oc) * group * ohw + 1);
        [x, y, g, gRef, dw, db, dwS, dbS, dwRef, dbRef, scratch, scratchRef].forEach((t) => bufs.add(t));
        k.f32_conv2d_relu_bwd_filter_small(x.ptr, y.ptr, g.ptr, dw.ptr, db.ptr, scratch.ptr, ...geo, acc, acc, 0, oc);
        for (const [o0, o1] of pieces(oc)) k.f32_conv2d_relu_bwd_filter_small(x.ptr, y.ptr, g.ptr, dwS.ptr, dbS.ptr, scratch.ptr, ...geo, acc, acc, o0, o1);
        bitwise(read(g), Float32Array.from(g0), 'g unmasked');
        k.f32_conv2d_relu_bwd(y.ptr, gRef.ptr, dbRef.ptr, n, oc, ohw, acc, 0, oc);
        k.f32_conv2d_bwd_filter(x.ptr, gRef.ptr, dwRef.ptr, scratchRef.ptr, ...geo, acc, ws);
        bitwise(read(dw), read(dwRef), 'filter gradient');
        bitwise(read(db), read(dbRef), 'bias gradient');
        bitwise(read(dwS), read(dw), 'split filter gradient');
        bitwise(read(dbS), read(db), 'split bias gradient');
        if (n === 0) assertClose(read(dw), acc ? dw0 : new Float32Array(oc * ckk), { atol: 0, rtol: 0 }, 'empty batch');
      });
    }
  }
  assert.is(k.f32_conv2d_relu_bwd_filter_small_scratch(1, 5, 5, 4, 16, 1), 0, 'a 5×5 filter (25 taps) is too wide');
  assert.is(k.f32_conv2d_relu_bwd_filter_small_scratch(1, 4, 4, 4, 16, 2), (16 + 4) * 2 * 16 + 20, 'a 4×4 filter: col, rows, sums');
});

test('batch-norm kernels on channel ranges equal the whole call, training statistics and both backward passes', () => {
  for (const [n, c, l] of [[2, 1, 1], [3, 5, 7], [2, 7, 17]]) {
    withBuffers(`n=${n} c=${c} l=${l}`, (w) => {
      const x = put(randomF32(rng, n * c * l)), dy = put(randomF32(rng, n * c * l)), gamma = put(randomF32(rng, c)), beta = put(randomF32(rng, c));
      const run = (ranges: [number, number][]) => {
        const mean = out(c), inv = out(c), rm = put(new Float32Array(c)), rv = put(new Float32Array(c).fill(1));
        const y = out(n * c * l), sd = out(c), sdx = out(c), dx = out(n * c * l);
        const all = [mean, inv, rm, rv, y, sd, sdx, dx];
        all.forEach((t) => w.add(t));
        for (const [c0, c1] of ranges) k.f32_batchnorm_stats(x.ptr, mean.ptr, inv.ptr, n, c, l, 1e-5, rm.ptr, rv.ptr, 0.1, c0, c1);
        for (const [c0, c1] of ranges) k.f32_batchnorm_fwd(x.ptr, mean.ptr, inv.ptr, gamma.ptr, beta.ptr, y.ptr, n, c, l, c0, c1);
        for (const [c0, c1] of ranges) k.f32_batchnorm_bwd_reduce(x.ptr, dy.ptr, mean.ptr, inv.ptr, sd.ptr, sdx.ptr, n, c, l, c0, c1);
        for (const [c0, c1] of ranges) k.f32_batchnorm_bwd_input(x.ptr, dy.ptr, mean.ptr, inv.ptr, gamma.ptr, sd.ptr, sdx.ptr, dx.ptr, n, c, l, 1, 0, c0, c1);
        return all.map(read);
      };
      const whole = run([[0, c]]), split = run(pieces(c));
      whole.forEach((v, i) => bitwise(split[i], v, `output ${i}`));
      // the batch mean of each channel, in float64
      const X = read(x);
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) s += X[(i * c + ch) * l + j];
        assert.ok(Math.abs(whole[0][ch] - s / (n * l)) <= 1e-6 * (1 + Math.abs(s)), `mean ${ch}`);
      }
    });
  }
});

test.run();
