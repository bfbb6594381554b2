// The fused loss ops on hand-made distance matrices: per-tuple values against the float64
// references, gradients by finite differences, on odd sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import {
  PairKind,
  TripletFlag,
  avgNonZero,
  bceWithLogits,
  int32From,
  multiSimilarityLosses,
  ntxentLosses,
  pairLosses,
  tripletMarginLosses,
  type Index,
} from '../../src/ops/loss';
import { gradcheck } from '../helpers/gradcheck';
import { allPairsRef, allTripletsRef, multiSimilarityRef, ntxentRef, type Mat } from '../ref/loss';

await sl.init();

const close = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);

// Entries on a 1/64 grid: with margins off the grid (0.3, 1.1), no hinge sits within the
// finite-difference step of its kink, and swap ties (min of equal values) split the gradient
// in half exactly as the central difference does.
function randomMatrix(n: number, seed: number, lo = 0, hi = 2): { t: sl.Tensor; m: Mat } {
  const rng = new Rng(seed);
  const m: Mat = [];
  for (let i = 0; i < n; i++) m.push(Array.from({ length: n }, () => Math.round((lo + (hi - lo) * rng.uniform()) * 64) / 64));
  return { t: sl.tensor(m), m };
}

function randomLabels(n: number, classes: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.floor(rng.uniform() * classes));
}

const ix = (buf: sl.Tensor, off = 0): Index => ({ buf, off });

const pairCases: [string, number, (v: number, m: number, y: number) => number][] = [
  ['value', PairKind.value, (v) => v],
  ['hingeAbove', PairKind.hingeAbove, (v, m) => Math.max(v - m, 0)],
  ['hingeBelow', PairKind.hingeBelow, (v, m) => Math.max(m - v, 0)],
  ['square', PairKind.square, (v) => v * v],
  ['squaredHingeBelow', PairKind.squaredHingeBelow, (v, m) => Math.max(m * m - v * v, 0)],
  ['hingeBelowSquared', PairKind.hingeBelowSquared, (v, m) => Math.max(m - v, 0) ** 2],
  ['expRegression', PairKind.expRegression, (v, _m, y) => (Math.exp(-v) - y) ** 2],
  ['regression', PairKind.regression, (v, _m, y) => (v - y) ** 2],
];

for (const [name, kind, ref] of pairCases) {
  test(`pairLosses ${name}: values and gradient on odd sizes`, () => {
    for (const n of [1, 3, 5, 17]) {
      sl.tidy(() => {
        const { t, m } = randomMatrix(n, 10 + n);
        const rng = new Rng(n);
        const count = 2 * n + 1;
        const r = Array.from({ length: count }, () => Math.floor(rng.uniform() * n));
        const c = Array.from({ length: count }, () => Math.floor(rng.uniform() * n));
        const y = Array.from({ length: count }, () => Math.fround(rng.uniform()));
        const rows = int32From(r), cols = int32From(c);
        const targets = sl.tensor(y);
        try {
          const src = { buf: t, ld: n, rows: ix(rows), cols: ix(cols), count };
          const got = pairLosses(kind as any, src, 1.1, targets).data();
          for (let k = 0; k < count; k++) close(got[k], ref(m[r[k]][c[k]], 1.1, y[k]), 1e-5, `${name} n=${n} k=${k}`);
          gradcheck((x) => pairLosses(kind as any, { ...src, buf: x }, 1.1, targets), [t]);
        } finally {
          rows.dispose();
          cols.dispose();
        }
      });
    }
  });
}

test('tripletMarginLosses: every flag combination matches the reference and gradchecks', () => {
  for (const n of [3, 7, 17]) {
    for (const flags of [0, 1, 2, 3, 4, 5, 6, 7]) {
      sl.tidy(() => {
        const { t, m } = randomMatrix(n, 100 + n);
        const labels = randomLabels(n, 3, n);
        const [a, p, q] = allTripletsRef(labels);
        const A = int32From(a), P = int32From(p), N = int32From(q);
        try {
          const src = { ap: t, an: t, pn: t, ld: n, a: ix(A), p: ix(P), n: ix(N), count: a.length };
          const got = tripletMarginLosses(src, 0.3, flags).data();
          const inv = (flags & TripletFlag.inverted) !== 0;
          a.forEach((ai, k) => {
            const ap = m[ai][p[k]];
            let an = m[ai][q[k]];
            if (flags & TripletFlag.swap) an = inv ? Math.max(an, m[p[k]][q[k]]) : Math.min(an, m[p[k]][q[k]]);
            const v = (inv ? an - ap : ap - an) + 0.3;
            const want = flags & TripletFlag.smooth ? Math.log1p(Math.exp(v)) : Math.max(v, 0);
            close(got[k], want, 1e-5, `flags ${flags} n=${n} triplet ${k}`);
          });
          gradcheck((x) => tripletMarginLosses({ ...src, ap: x, an: x, pn: x }, 0.3, flags), [t]);
        } finally {
          A.dispose();
          P.dispose();
          N.dispose();
        }
      });
    }
  }
});

test('tripletMarginLosses on three paired-distance vectors (ld 0): gradients reach each vector', () => {
  sl.tidy(() => {
    const t = 9;
    const rng = new Rng(3);
    const vec = () => sl.tensor(Array.from({ length: t }, () => rng.uniform() * 2));
    const [ap, an, pn] = [vec(), vec(), vec()];
    const all = int32From(Array.from({ length: t }, (_, i) => i));
    try {
      for (const flags of [0, TripletFlag.swap, TripletFlag.swap | TripletFlag.smooth | TripletFlag.inverted]) {
        gradcheck((x, y, z) => tripletMarginLosses({ ap: x, an: y, pn: z, ld: 0, a: ix(all), p: ix(all), n: ix(all), count: t }, 0.5, flags), [ap, an, pn]);
      }
    } finally {
      all.dispose();
    }
  });
});

function csrOf(n: number, a2: number[], q: number[]): { start: sl.Tensor; cols: sl.Tensor } {
  const start = new Array(n + 1).fill(0);
  a2.forEach((a) => start[a + 1]++);
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice();
  const cols = new Array(q.length);
  a2.forEach((a, j) => (cols[fill[a]++] = q[j]));
  return { start: int32From(start), cols: int32From(cols) };
}

test('ntxentLosses matches the reference (similarity and distance) and gradchecks', () => {
  for (const n of [2, 5, 17]) {
    for (const inverted of [true, false]) {
      sl.tidy(() => {
        const { t, m } = randomMatrix(n, 200 + n, -1, 1);
        const labels = randomLabels(n, 3, 7 + n);
        const pairs = allPairsRef(labels);
        const [a1, p, a2, q] = pairs;
        const A = int32From(a1), P = int32From(p);
        const { start, cols } = csrOf(n, a2, q);
        try {
          const temp = 0.5;
          const losses = ntxentLosses(t, ix(A), ix(P), a1.length, start, cols, temp, inverted);
          const got = a1.length ? losses.data().reduce((s, v) => s + v, 0) / a1.length : 0;
          close(got, a2.length ? ntxentRef(m, pairs, { temperature: temp, inverted }) : 0, 1e-5, `n=${n} inverted=${inverted}`);
          gradcheck((x) => ntxentLosses(x, ix(A), ix(P), a1.length, start, cols, temp, inverted), [t]);
        } finally {
          [A, P, start, cols].forEach((b) => b.dispose());
        }
      });
    }
  }
});

function maskOf(n: number, rows: number[], cols: number[]): sl.Tensor {
  const bytes = new Uint8Array(Math.ceil((n * n) / 4) * 4);
  rows.forEach((r, k) => (bytes[r * n + cols[k]] = 1));
  return int32From(new Int32Array(bytes.buffer));
}

test('multiSimilarityLosses matches the reference (similarity and distance) and gradchecks', () => {
  for (const n of [1, 4, 17]) {
    for (const inverted of [true, false]) {
      sl.tidy(() => {
        const { t, m } = randomMatrix(n, 300 + n, -1, 1);
        const labels = randomLabels(n, 3, 11 + n);
        const pairs = allPairsRef(labels);
        const pm = maskOf(n, pairs[0], pairs[1]), nm = maskOf(n, pairs[2], pairs[3]);
        try {
          const opts = { alpha: 2, beta: 5, base: 0.3, inverted };
          const got = multiSimilarityLosses(t, pm, nm, opts.alpha, opts.beta, opts.base, inverted).data();
          close(got.reduce((s, v) => s + v, 0) / n, multiSimilarityRef(m, pairs, opts), 1e-5, `n=${n} inverted=${inverted}`);
          gradcheck((x) => multiSimilarityLosses(x, pm, nm, opts.alpha, opts.beta, opts.base, inverted), [t]);
        } finally {
          pm.dispose();
          nm.dispose();
        }
      });
    }
  }
});

test('bceWithLogits is finite for huge logits, matches the reference and gradchecks', () => {
  sl.tidy(() => {
    const z = [-200, -30, -1.5, 0, 0.7, 3, 30, 200, 1e30];
    const y = [0, 1, 1, 0, 1, 0, 0, 1, 1];
    const got = bceWithLogits(sl.tensor(z), sl.tensor(y)).data();
    z.forEach((zi, i) => close(got[i], Math.max(zi, 0) - zi * y[i] + Math.log1p(Math.exp(-Math.abs(zi))), 1e-6, `z=${zi}`));
    gradcheck((x) => bceWithLogits(x, sl.tensor(y.slice(0, 7))), [sl.tensor([-3, -1.5, -0.2, 0.1, 0.7, 3, 5])]);
  });
});

test('avgNonZero: mean over positive entries, 0 with zero gradient when none, SIMD tails', () => {
  for (const n of [0, 1, 3, 4, 5, 17, 33]) {
    sl.tidy(() => {
      const rng = new Rng(n);
      const v = Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 0 : Math.fround(rng.uniform() * 2 - 0.5)));
      const x = sl.tensor(new Float32Array(v), [n], { requiresGrad: true });
      const out = avgNonZero(x);
      const pos = v.filter((e) => e > 0);
      close(out.item(), pos.length ? pos.reduce((s, e) => s + e, 0) / pos.length : 0, 1e-6, `n=${n}`);
      out.backward();
      const g = x.grad ? x.grad.data() : new Float32Array(n);
      v.forEach((e, i) => close(g[i], e > 0 ? 1 / pos.length : 0, 1e-7, `grad n=${n} i=${i}`));
    });
  }
});

test.run();
