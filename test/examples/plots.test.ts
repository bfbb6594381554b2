import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/random';
import { pca } from '../../examples/lib/pca';
import { lineChartSvg, scatterSvg, ticks } from '../../examples/lib/svg';

test('pca: 2-D components and variances match the closed-form eigen-decomposition', () => {
  const rng = new Rng(3);
  const n = 501;
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const a = 2 * rng.normal(), b = 0.5 * rng.normal();
    x[2 * i] = a + b;
    x[2 * i + 1] = 0.6 * a - b + 7; // an offset: pca centres the data
  }
  // Sample covariance and its eigenvalues λ = (s11 + s22)/2 ± sqrt(((s11 − s22)/2)² + s12²).
  let m0 = 0, m1 = 0;
  for (let i = 0; i < n; i++) { m0 += x[2 * i] / n; m1 += x[2 * i + 1] / n; }
  let s11 = 0, s22 = 0, s12 = 0;
  for (let i = 0; i < n; i++) {
    const u = x[2 * i] - m0, v = x[2 * i + 1] - m1;
    s11 += (u * u) / (n - 1); s22 += (v * v) / (n - 1); s12 += (u * v) / (n - 1);
  }
  const mid = (s11 + s22) / 2, rad = Math.sqrt(((s11 - s22) / 2) ** 2 + s12 ** 2);
  const r = pca(x, n, 2, 2);
  assert.ok(Math.abs(r.variances[0] - (mid + rad)) < 1e-9, `λ1 ${r.variances[0]} vs ${mid + rad}`);
  assert.ok(Math.abs(r.variances[1] - (mid - rad)) < 1e-9, `λ2 ${r.variances[1]} vs ${mid - rad}`);
  // Eigenvector of λ1: (s12, λ1 − s11), normalised; pca's sign makes the largest entry positive.
  const ex = s12, ey = mid + rad - s11, en = Math.hypot(ex, ey);
  const dot = (r.components[0] * ex + r.components[1] * ey) / en;
  assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-9, `first component ∥ eigenvector (cos ${dot})`);
  // Projections are centred and their variance is the eigenvalue.
  let pm = 0, pv = 0;
  for (let i = 0; i < n; i++) pm += r.projected[2 * i] / n;
  for (let i = 0; i < n; i++) pv += (r.projected[2 * i] - pm) ** 2 / (n - 1);
  assert.ok(Math.abs(pm) < 1e-9 && Math.abs(pv - r.variances[0]) < 1e-9);
});

test('pca: components in 5-D are orthonormal and deterministic', () => {
  const rng = new Rng(5);
  const n = 33, d = 5;
  const x = Float64Array.from({ length: n * d }, (_, i) => rng.normal() * (1 + (i % d)));
  const a = pca(x, n, d, 3), b = pca(x, n, d, 3);
  assert.equal(Array.from(a.components), Array.from(b.components));
  for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += a.components[p * d + j] * a.components[q * d + j];
    assert.ok(Math.abs(s - (p === q ? 1 : 0)) < 1e-8, `c${p}·c${q} = ${s}`);
  }
  assert.ok(a.variances[0] >= a.variances[1] && a.variances[1] >= a.variances[2]);
  assert.throws(() => pca(x, n, d + 1), /pca: x must hold n·d/);
});

test('svg: ticks are round and cover the range; charts hold one mark per value', () => {
  assert.equal(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(ticks(1, 500), [100, 200, 300, 400, 500]);
  assert.equal(ticks(-3, 3, 3), [-2, 0, 2]);
  const line = lineChartSvg([0.5, 0.4, 0.45, 0.2, 0.1], { title: 'a < b', window: 2 });
  assert.ok(line.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && line.endsWith('</svg>'));
  assert.ok(line.includes('a &lt; b'), 'text is escaped');
  const paths = [...line.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1].split(/[ML]/).filter(Boolean).length);
  assert.equal(paths, [5, 5], 'raw and smoothed lines have a vertex per step');
  const xy = [0, 0, 1, 1, 2, 0.5];
  const sc = scatterSvg(xy, [3, 1, 3]);
  assert.is((sc.match(/<circle /g) ?? []).length, 3 + 2, 'three points and a legend entry per class');
});

test.run();
