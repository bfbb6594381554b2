// src/optim/lbfgsb.ts replays scipy 1.10's L-BFGS-B (no bounds) on the runs of
// test/fixtures/gen_lbfgsb.py: the same number of iterations and evaluations, the same stopping
// reason, the same minimiser. Rosenbrock from random starts, ill-conditioned quadratics
// (n = 1, 3, 33), and a softplus sum whose line searches bracket and interpolate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { minimizeLbfgsB } from '../../src/optim/lbfgsb';

interface Case {
  name: string;
  spec: { kind: 'rosenbrock' } | { kind: 'quadratic'; A: number[][]; b: number[] } | { kind: 'softplus'; w: number[] };
  x0: number[];
  options: { maxiter?: number; gtol?: number; ftol?: number };
  x: number[];
  fun: number;
  nit: number;
  nfev: number;
  message: string;
}
const { cases } = JSON.parse(readFileSync(new URL('../fixtures/lbfgsb.json', import.meta.url), 'utf8')) as { cases: Case[] };

function objective(spec: Case['spec']): (x: Float64Array, g: Float64Array) => number {
  if (spec.kind === 'rosenbrock')
    return (x, g) => {
      let f = 0;
      g.fill(0);
      for (let i = 0; i + 1 < x.length; i++) {
        const a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        f += 100 * a * a + b * b;
        g[i] += -400 * x[i] * a - 2 * b;
        g[i + 1] += 200 * a;
      }
      return f;
    };
  if (spec.kind === 'quadratic')
    return (x, g) => {
      let f = 0;
      spec.A.forEach((row, i) => {
        const ax = row.reduce((s, a, j) => s + a * x[j], 0);
        f += 0.5 * x[i] * ax - spec.b[i] * x[i];
        g[i] = ax - spec.b[i];
      });
      return f;
    };
  return (x, g) => {
    let f = 0, n2 = 0;
    for (let i = 0; i < x.length; i++) n2 += x[i] * x[i];
    for (let i = 0; i < x.length; i++) {
      const z = spec.w[i] * x[i];
      f += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
      g[i] = spec.w[i] / (1 + Math.exp(-z)) + n2 * x[i];
    }
    return f + 0.25 * n2 * n2;
  };
}

test('minimizeLbfgsB: scipy L-BFGS-B’s iterations, evaluations, stopping reason and minimiser', () => {
  assert.ok(cases.length >= 9);
  for (const c of cases) {
    const fun = objective(c.spec);
    let calls = 0;
    const r = minimizeLbfgsB((x, g) => (calls++, fun(x, g)), Float64Array.from(c.x0), { maxIter: c.options.maxiter ?? 15000, ...(c.options.gtol === undefined ? {} : { pgtol: c.options.gtol }), ...(c.options.ftol === undefined ? {} : { ftol: c.options.ftol }) });
    assert.is(r.message, c.message, c.name);
    assert.is(r.nIter, c.nit, `${c.name}: iterations`);
    assert.is(r.funcEvals, c.nfev, `${c.name}: evaluations`);
    assert.is(calls, c.nfev, `${c.name}: calls`);
    assert.ok(Math.abs(r.loss - c.fun) <= 1e-9 * Math.max(1, Math.abs(c.fun)), `${c.name}: f ${r.loss} vs ${c.fun}`);
    const g = new Float64Array(c.x0.length);
    assert.ok(Math.abs(fun(r.x, g) - r.loss) === 0, `${c.name}: loss is f(x)`);
    for (let i = 0; i < c.x.length; i++) assert.ok(Math.abs(r.x[i] - c.x[i]) <= 1e-6 * Math.max(1, Math.abs(c.x[i])), `${c.name}: x[${i}] ${r.x[i]} vs ${c.x[i]}`);
  }
});

test('minimizeLbfgsB: a stationary start costs one evaluation; a gradient that lies ends after 20 line-search evaluations, where it started', () => {
  const r = minimizeLbfgsB((x, g) => (g.fill(0), 3), new Float64Array([1, 2]), { maxIter: 10 });
  assert.is(r.funcEvals, 1);
  assert.is(r.nIter, 0);
  assert.equal(Array.from(r.x), [1, 2]);
  // f rises along −g: every trial step fails the decrease test, and with no history to drop
  // the search gives up (scipy's ABNORMAL_TERMINATION) at the starting point
  const up = minimizeLbfgsB((x, g) => (g[0] = -1, x[0]), new Float64Array([0]), { maxIter: 10 });
  assert.is(up.message, 'ABNORMAL_TERMINATION_IN_LNSRCH');
  assert.equal(Array.from(up.x), [0]);
  assert.is(up.funcEvals, 21);
  assert.is(up.loss, 0);
});

test.run();
