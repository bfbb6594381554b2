// The row-wise fused loss ops (src/ops/loss-rows.ts: RankedListLoss, AngularLoss, NCA, PNP ranks) on hand-made
// matrices: values against the float64 references of test/ref/loss-rows.ts on odd sizes (the
// f32x4 body and its scalar tail), gradients by finite differences and against float64, and the
// edge cases (no positive, no negative, identical entries, exponents near e^x's overflow, softmax
// scales that underflow every same-label term).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { angularLosses, ncaLosses, pnpRanks, rankedListLosses } from '../../src/ops/loss-rows';
import type { Tensor } from '../../src/autograd/tensor';
import { gradcheck } from '../helpers/gradcheck';
import { angularRef, ncaGradRef, ncaRef, pnpRanksGradRef, pnpRanksRef, rankedListRef } from '../ref/loss-rows';
import type { Mat } from '../ref/loss';

await sl.init();

const SIZES = [1, 3, 5, 17, 33];

function assertRel(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w)), `${what}[${i}]: got ${got[i]}, want ${w}`));
}

// Entries on a 1/64 grid, boundaries off it (b 0.8 − margin, α 1.2 + …), so that no mask
// boundary sits within the finite-difference step of an entry.
function gridMatrix(rows: number, cols: number, seed: number, lo: number, hi: number): Mat {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round((lo + (hi - lo) * rng.uniform()) * 64) / 64));
}

const labelsOf = (n: number, classes: number, seed: number): number[] => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.floor(rng.uniform() * classes));
};

const RANKED: [string, number, number, number, number, number][] = [
  // name, b, alpha, Tp, Tn, imbalance
  ['PML defaults (margin 0.4, Tn 1)', 0.8, 1.2, 0, 1, 0.5],
  ['Tp 1.5, Tn 3, imbalance 0.3', 0.51, 1.33, 1.5, 3, 0.3],
  ['Tn 30: e^x up to e^40', 0.21, 1.37, 2, 30, 0.7],
];

for (const [name, b, alpha, Tp, Tn, imb] of RANKED) {
  test(`rankedListLosses ${name}: values on odd sizes, gradient by finite differences`, () => {
    for (const n of SIZES) {
      sl.tidy(() => {
        const m = gridMatrix(n, n, 100 + n, 1 / 64, 2); // an entry at 0 would sit on the "> 0" jump
        const labels = labelsOf(n, Math.max(1, n >> 2), n);
        const lab = Int32Array.from(labels);
        const mat = sl.tensor(m);
        assertRel(rankedListLosses(mat, lab, b, alpha, Tp, Tn, imb).data(), rankedListRef(m, labels, b, alpha, Tp, Tn, imb), 2e-5, `n ${n}`);
        if (n <= 17) {
          gradcheck((t) => rankedListLosses(t, lab, b, alpha, Tp, Tn, imb), [mat], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
        }
      });
    }
  });
}

test('rankedListLosses edge cases: all one class (no negatives), all distinct (no positives), identical entries, entries ≤ 0', () => {
  sl.tidy(() => {
    const n = 9;
    const m = gridMatrix(n, n, 5, 0, 2);
    for (const labels of [new Array(n).fill(3), Array.from({ length: n }, (_, i) => i)]) {
      const got = rankedListLosses(sl.tensor(m), Int32Array.from(labels), 0.8, 1.2, 0.5, 1, 0.5).data();
      assertRel(got, rankedListRef(m, labels, 0.8, 1.2, 0.5, 1, 0.5), 2e-5, `labels ${labels.join(',')}`);
    }
    const labels = labelsOf(n, 3, 2);
    for (const v of [0, -0.5, 1]) {
      const same: Mat = Array.from({ length: n }, () => new Array(n).fill(v));
      const x = sl.tensor(same, undefined, { requiresGrad: true });
      const out = rankedListLosses(x, Int32Array.from(labels), 0.8, 1.2, 0, 1, 0.5);
      assertRel(out.data(), rankedListRef(same, labels, 0.8, 1.2, 0, 1, 0.5), 2e-5, `every entry ${v}`);
      out.sum().backward();
      // nothing kept (≤ 0) gives a zero gradient; the diagonal never has one
      const g = x.grad!.data();
      for (let i = 0; i < n; i++) assert.is(g[i * n + i], 0, `diagonal ${i}`);
      if (v <= 0) assert.ok(g.every((e) => e === 0), `every entry ${v}: zero gradient`);
    }
  });
});

/** s1 [n, m], s2 [r, m], ap [pairs], and pairs (a1 < n, p < r) with labels [n] and refLabels [m]. */
function angularCase(n: number, r: number, m: number, seed: number) {
  const rng = new Rng(seed);
  const s1 = gridMatrix(n, m, seed, -1, 1);
  const s2 = gridMatrix(r, m, seed + 1, -1, 1);
  const count = 2 * n + 1;
  const a1 = Array.from({ length: count }, () => Math.floor(rng.uniform() * n));
  const p = Array.from({ length: count }, () => Math.floor(rng.uniform() * r));
  const ap = Array.from({ length: count }, () => rng.uniform() * 2 - 1);
  const classes = Math.max(2, m >> 2);
  return { s1, s2, ap, a1, p, labels: labelsOf(n, classes, seed + 2), refLabels: labelsOf(m, classes, seed + 3) };
}

const C1 = 4 * Math.tan((40 * Math.PI) / 180) ** 2, C2 = 2 * (1 + Math.tan((40 * Math.PI) / 180) ** 2);

test('angularLosses: values on odd reference sizes, s2 separate or s1 itself; gradients to s1, s2 and ap', () => {
  for (const m of SIZES) {
    for (const shared of [false, true]) {
      sl.tidy(() => {
        const c = angularCase(shared ? m : 4, m, m, 7 * m + (shared ? 1 : 0));
        const s2m = shared ? c.s1 : c.s2;
        const s1 = sl.tensor(c.s1), s2 = shared ? s1 : sl.tensor(c.s2), ap = sl.tensor(c.ap);
        const [a1, p, lab, ref] = [c.a1, c.p, c.labels, c.refLabels].map((v) => Int32Array.from(v));
        const what = `m ${m}${shared ? ', s2 = s1' : ''}`;
        assertRel(angularLosses(s1, s2, ap, a1, p, lab, ref, C1, C2).data(), angularRef(c.s1, s2m, c.ap, c.a1, c.p, c.labels, c.refLabels, C1, C2), 2e-5, what);
        if (m <= 17) {
          const inputs = shared ? [s1, ap] : [s1, s2, ap];
          gradcheck((...t) => angularLosses(t[0], shared ? t[0] : t[1], t[t.length - 1], a1, p, lab, ref, C1, C2), inputs, { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
        }
      });
    }
  }
});

test('angularLosses: an anchor whose class is every reference gives 0 and no gradient', () => {
  sl.tidy(() => {
    const m = 6;
    const s1 = sl.tensor(gridMatrix(2, m, 3, -1, 1), undefined, { requiresGrad: true });
    const ap = sl.tensor([0.3, 0.4], undefined, { requiresGrad: true });
    const out = angularLosses(s1, s1, ap, Int32Array.of(0, 1), Int32Array.of(1, 0), Int32Array.of(2, 2), new Int32Array(m).fill(2), C1, C2);
    assert.equal(Array.from(out.data()), [0, 0]);
    out.sum().backward();
    assert.ok(s1.grad!.data().every((v) => v === 0));
    assert.ok(ap.grad!.data().every((v) => v === 0));
  });
});

test('AngularLoss at n 33 (f32x4 body and tail) with identical embeddings in a class: finite, matches the reference', () => {
  sl.tidy(() => {
    const n = 33, d = 5;
    const x = sl.randn([n, d], { seed: 9 }).data();
    const labels = Array.from({ length: n }, (_, i) => i % 4);
    for (let i = 4; i < n; i += 4) x.set(x.subarray(0, d), i * d); // class 0: one point
    const e = sl.tensor(x, [n, d], { requiresGrad: true });
    const v = new sl.losses.AngularLoss().forward(e, labels);
    // the reference: PML's formula per pair over the float64 normalised rows, mean over pairs
    const rows: Mat = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
    const nr = rows.map((r) => { const s = Math.hypot(...r); return r.map((u) => u / s); });
    const dot = (a: number[], b: number[]) => a.reduce((s, u, k) => s + u * b[k], 0);
    const s1 = nr.map((a) => rows.map((r) => dot(a, r)));
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && labels[i] === labels[j]) pairs.push([i, j]);
    const per = angularRef(s1, s1, pairs.map(([i, j]) => dot(nr[i], nr[j])), pairs.map((q) => q[0]), pairs.map((q) => q[1]), labels, labels, C1, C2);
    assertRel([v.item()], [per.reduce((s, u) => s + u, 0) / per.length], 1e-5, 'loss');
    v.backward();
    assert.ok(e.grad!.data().every(Number.isFinite));
  });
});

/** The rows NCALoss keeps: those with a same-label reference (the row itself left out when ref is null). */
function ncaRows(labels: number[], ref: number[] | null): number[] {
  return labels.flatMap((l, i) => ((ref ?? labels).some((x, j) => x === l && (ref !== null || j !== i)) ? [i] : []));
}

/** ncaLosses on a nested matrix: values, and the gradient of Σ out (twice: once overwriting, once accumulating). */
function ncaCase(mat: Mat, labels: number[], ref: number[] | null, s: number, w: number[] | null = null) {
  const rows = ncaRows(labels, ref);
  const wr = w ?? rows.map((_, r) => 0.5 + (r % 3) / 4);
  const args = [Int32Array.from(labels), ref && Int32Array.from(ref), s, Int32Array.from(rows), Float32Array.from(wr)] as const;
  const x = sl.tensor(mat, undefined, { requiresGrad: true });
  const out = ncaLosses(x, ...args);
  const values = out.data();
  // the same op twice on one input: the second backward write accumulates
  sl.add(out.sum(), ncaLosses(x, ...args).sum()).backward();
  const grad = x.grad!.data();
  return { rows, w: wr, args, x, values, grad, wantValues: ncaRef(mat, labels, ref, s, rows, wr), wantGrad: ncaGradRef(mat, labels, ref, s, rows, wr, rows.map(() => 2)).flat() };
}

/** Every |got − want| within tol of the largest |want| (entries near 0 next to large ones). */
function assertClose(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  const scale = Math.max(1e-30, ...want.map(Math.abs));
  want.forEach((w, i) => assert.ok(Number.isFinite(got[i]) && Math.abs(got[i] - w) <= tol * scale, `${what}[${i}]: got ${got[i]}, want ${w}`));
}

test('ncaLosses: values and gradients against float64 on odd sizes, the batch against itself and against a reference set (SIMD body and tail)', () => {
  for (const n of SIZES) {
    for (const withRef of [false, true]) {
      sl.tidy(() => {
        const m = withRef ? n + 2 : n;
        const mat = gridMatrix(n, m, 40 + n, 0, 4);
        const labels = labelsOf(n, Math.max(1, n >> 2), n + 1);
        const ref = withRef ? labelsOf(m, Math.max(1, n >> 2), n + 2) : null;
        const c = ncaCase(mat, labels, ref, -1.5);
        const what = `n ${n}${withRef ? `, reference of ${m}` : ''}`;
        assertRel(c.values, c.wantValues, 2e-5, what);
        assertClose(c.grad, c.wantGrad, 1e-5, `${what} gradient`);
        if (n <= 17 && c.rows.length > 0) gradcheck((t) => ncaLosses(t, ...c.args), [c.x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
      });
    }
  }
});

test('ncaLosses: a similarity (s > 0), singleton classes (their rows unlisted: zero gradient), all one class (loss 0)', () => {
  sl.tidy(() => {
    const n = 9;
    const mat = gridMatrix(n, n, 11, -1, 1);
    const single = [0, 1, 0, 2, 1, 0, 3, 4, 1]; // classes 2, 3, 4 alone (rows 3, 6, 7)
    const c = ncaCase(mat, single, null, 3);
    assert.equal(c.rows, [0, 1, 2, 4, 5, 8]);
    assertRel(c.values, c.wantValues, 2e-5, 'singletons');
    assertClose(c.grad, c.wantGrad, 1e-5, 'singletons gradient');
    for (const i of [3, 6, 7]) for (let j = 0; j < n; j++) assert.is(c.grad[i * n + j], 0, `unlisted row ${i}`);
    const same = ncaCase(mat, new Array(n).fill(7), null, 3);
    assert.ok(same.values.every((v) => v === 0), 'all one class: every loss 0');
    assertClose(same.grad, same.wantGrad, 1e-6, 'all one class gradient');
    assert.ok(same.grad.every((v) => Math.abs(v) < 1e-6));
  });
});

test('ncaLosses: huge and tiny scales stay finite where the true result is (same-label terms far below the maximum take their own shift)', () => {
  for (const n of [5, 17, 33]) {
    sl.tidy(() => {
      const mat = gridMatrix(n, n + 3, 70 + n, 0, 4);
      const labels = labelsOf(n, 3, n), ref = labelsOf(n + 3, 3, n + 9);
      for (const s of [-1e4, -300, 1e4, -1e-30]) {
        const c = ncaCase(mat, labels, ref, s);
        // losses up to ~4e4 in float32: relative 1e-6 of the largest
        assertRel(c.values, c.wantValues, 1e-6 * Math.max(1, ...c.wantValues.map(Math.abs)), `n ${n}, s ${s}`);
        assertClose(c.grad, c.wantGrad, 1e-5, `n ${n}, s ${s} gradient`);
      }
    });
  }
});

test('ncaLosses on a symmetric matrix, every row listed (f32_nca_fwd_sym): against float64 on odd sizes, zero distances off the diagonal, scales up to 1e4, and routed to f32_nca_fwd with a singleton', () => {
  for (const n of [3, 5, 17, 33, 257]) {
    // a distance of the batch to itself: symmetric, 0 on the diagonal; rows 0 and 2 identical
    const grid = gridMatrix(n, n, 90 + n, 0, 4);
    const mat = grid.map((row, i) => row.map((_, j) => (i === j || (i + j === 2 && i !== 1) ? 0 : grid[Math.min(i, j)][Math.max(i, j)])));
    const labels = Array.from({ length: n }, (_, i) => i % Math.max(1, n >> 1));
    for (const s of [-1.5, 3, -300, -1e4]) {
      sl.tidy(() => {
        const args = [Int32Array.from(labels), null, s, Int32Array.from(labels, (_, i) => i), Float32Array.from(labels, (_, r) => 0.5 + (r % 3) / 4), true] as const;
        const x = sl.tensor(mat, undefined, { requiresGrad: true });
        const out = ncaLosses(x, ...args);
        const w = Array.from(args[4]), rows = Array.from(args[3]);
        const values = out.data();
        sl.add(out.sum(), ncaLosses(x, ...args).sum()).backward();
        const what = `n ${n}, s ${s}`;
        const want = ncaRef(mat, labels, null, s, rows, w);
        assertRel(values, want, 2e-5 * Math.max(1, ...want.map(Math.abs)), what);
        assertClose(x.grad!.data(), ncaGradRef(mat, labels, null, s, rows, w, rows.map(() => 2)).flat(), 1e-5, `${what} gradient`);
        if (n === 5 && s === -1.5) {
          // a symmetric perturbation keeps the matrix a distance matrix
          const sym = (t: Tensor) => sl.mul(sl.add(t, sl.transpose(t)), 0.5);
          gradcheck((t) => ncaLosses(sym(t), ...args), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
        }
      });
    }
  }
  sl.tidy(() => {
    const n = 9;
    const grid = gridMatrix(n, n, 7, 0, 4);
    const mat = grid.map((row, i) => row.map((_, j) => (i === j ? 0 : grid[Math.min(i, j)][Math.max(i, j)])));
    const c = ncaCase(mat, [0, 1, 0, 2, 1, 0, 1, 2, 3], null, -2); // class 3 alone: its row unlisted
    const rows = c.rows;
    const sym = ncaLosses(sl.tensor(mat), Int32Array.from([0, 1, 0, 2, 1, 0, 1, 2, 3]), null, -2, Int32Array.from(rows), Float32Array.from(c.w), true);
    assertRel(sym.data(), c.wantValues, 2e-5, 'singleton, symmetric');
  });
});

/** pnpRanks's pairs: each query with another same-label sample, against every same-label sample (itself included). */
function pnpPairs(labels: number[]): [number[], number[]] {
  const pq: number[] = [], pi: number[] = [];
  labels.forEach((l, q) => {
    if (labels.filter((m) => m === l).length < 2) return;
    labels.forEach((m, i) => m === l && (pq.push(q), pi.push(i)));
  });
  return [pq, pi];
}

test('pnpRanks: values and gradients against float64 on odd sizes (SIMD body and tail), anneal 0.3 and PML\'s 0.01 (clamped exponents)', () => {
  for (const n of SIZES) {
    for (const anneal of [0.3, 0.01]) {
      sl.tidy(() => {
        // entries off the 1/64 grid by 1/7 of a step: no x at the clamp's ±50 edge within the finite-difference step
        const mat = gridMatrix(n, n, 90 + n, -1, 1).map((r) => r.map((v) => v + 1 / 448));
        const labels = labelsOf(n, Math.max(1, n >> 2), n + 5);
        const [pq, pi] = pnpPairs(labels);
        const args = [Int32Array.from(labels), Int32Array.from(pq), Int32Array.from(pi), anneal] as const;
        const x = sl.tensor(mat, undefined, { requiresGrad: true });
        const what = `n ${n}, anneal ${anneal}`;
        const out = pnpRanks(x, ...args);
        assertRel(out.data(), pnpRanksRef(mat, labels, pq, pi, anneal), 2e-5, what);
        // twice on one input: the second backward write accumulates
        const g = pq.map((_, k) => 0.5 + (k % 3) / 4);
        const gt = sl.tensor(Float32Array.from(g), [g.length]);
        sl.add(sl.sum(sl.mul(out, gt)), sl.sum(sl.mul(pnpRanks(x, ...args), gt))).backward();
        assertClose(x.grad!.data(), pnpRanksGradRef(mat, labels, pq, pi, anneal, g.map((v) => 2 * v)).flat(), 1e-5, `${what} gradient`);
        if (n <= 17 && pq.length > 0 && anneal > 0.1) gradcheck((t) => pnpRanks(t, ...args), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
      });
    }
  }
});

test('pnpRanks: no pairs, all one class (no negatives: rank 0, zero gradient), identical entries (every sigmoid ½)', () => {
  sl.tidy(() => {
    const n = 9;
    const mat = gridMatrix(n, n, 12, -1, 1);
    const none = pnpRanks(sl.tensor(mat), Int32Array.from({ length: n }, (_, i) => i), new Int32Array(0), new Int32Array(0), 0.01);
    assert.is(none.size, 0);
    const one = new Array(n).fill(2);
    const [pq, pi] = pnpPairs(one);
    const x = sl.tensor(mat, undefined, { requiresGrad: true });
    const out = pnpRanks(x, Int32Array.from(one), Int32Array.from(pq), Int32Array.from(pi), 0.01);
    assert.ok(out.data().every((v) => v === 0));
    out.sum().backward();
    assert.ok(x.grad!.data().every((v) => v === 0));
    const labels = labelsOf(n, 3, 4);
    const [sq, si] = pnpPairs(labels);
    const flat: Mat = Array.from({ length: n }, () => new Array(n).fill(0.25));
    assertRel(pnpRanks(sl.tensor(flat), Int32Array.from(labels), Int32Array.from(sq), Int32Array.from(si), 0.01).data(), pnpRanksRef(flat, labels, sq, si, 0.01), 1e-6, 'identical entries');
  });
});

test.run();
