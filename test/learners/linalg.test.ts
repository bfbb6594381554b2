// The learners' float64 linear algebra (assembly/kernels/eigen.ts through src/ops/eigen.ts)
// against numpy / scipy / scikit-learn (test/fixtures/metric-learn/gen_linalg.py) and the
// float64 residual checks of test/ref/eigen.ts, including ill-conditioned (Hilbert,
// condition 1e12) and rank-deficient matrices; sl.optim.LBFGS against torch.optim.LBFGS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';
import { choleskyF64, generalizedSymEig, graphicalLasso, logdetSpd, pinvh, psdProject, symEig, symEigTridiag } from '../../src/ops/eigen';
import { assertClose } from '../helpers/close';
import { eigResidualRef, orthonormalityRef } from '../ref/eigen';

await sl.init();
const cases = readFileSync(new URL('../fixtures/metric-learn/linalg.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const of = (kind: string) => cases.filter((c) => c.kind === kind);
const scale = (a: number[]) => Math.max(1e-300, ...a.map(Math.abs));

test('symEig: eigenvalues as numpy.linalg.eigh, residual and orthonormality at f64 rounding', () => {
  for (const c of of('eigh')) {
    const { values, vectors } = symEig(c.A, c.d);
    // Jacobi's eigenvalues are accurate to a few f64 ulps of the largest one
    assertClose(values, c.w, { atol: 1e-11 * scale(c.w) }, `eigh ${c.name}`);
    assert.ok(eigResidualRef(c.A, values, vectors, c.d) < 1e-13, `${c.name}: residual ${eigResidualRef(c.A, values, vectors, c.d)}`);
    assert.ok(orthonormalityRef(vectors, c.d) < 1e-13, `${c.name}: orthonormality`);
  }
});

test('symEigTridiag: eigenvalues to eps·‖A‖, residual and orthonormality', () => {
  for (const c of of('eigh')) {
    const { values, vectors } = symEigTridiag(c.A, c.d);
    assertClose(values, c.w, { atol: 1e-11 * scale(c.w) + 1e-300 }, `tridiag ${c.name}`);
    assert.ok(eigResidualRef(c.A, values, vectors, c.d) < 1e-13, `${c.name}: residual`);
    assert.ok(orthonormalityRef(vectors, c.d) < 1e-12, `${c.name}: orthonormality`);
  }
});

test('symEig: graded matrix keeps small eigenvalues to relative accuracy (condition 1e12)', () => {
  const c = of('eigh').find((c) => c.name === 'spd_cond1e12');
  const { values } = symEig(c.A, c.d);
  // the fixture's inputs are rounded to 6 digits, so compare against numpy on the same matrix
  assertClose(values, c.w, { rtol: 1e-6, atol: 1e-15 }, 'graded eigenvalues');
});

test('generalizedSymEig: scipy.linalg.eigh(A, B) values, B-orthonormal vectors', () => {
  for (const c of of('geneigh')) {
    const { values, vectors } = generalizedSymEig(c.A, c.B, c.d);
    assertClose(values, c.w, { atol: 1e-9 * scale(c.w), rtol: 1e-9 }, `geneigh d=${c.d}`);
    assert.ok(eigResidualRef(c.A, values, vectors, c.d, c.B) < 1e-10, `geneigh d=${c.d}: residual`);
    assert.ok(orthonormalityRef(vectors, c.d, c.B) < 1e-8, `geneigh d=${c.d}: B-orthonormality`);
  }
});

test('generalizedSymEig with tridiag: scipy.linalg.eigh(A, B) values, B-orthonormal vectors', () => {
  for (const c of of('geneigh')) {
    const { values, vectors } = generalizedSymEig(c.A, c.B, c.d, 'generalizedSymEig', true);
    assertClose(values, c.w, { atol: 1e-9 * scale(c.w), rtol: 1e-9 }, `geneigh tridiag d=${c.d}`);
    assert.ok(eigResidualRef(c.A, values, vectors, c.d, c.B) < 1e-10, `geneigh tridiag d=${c.d}: residual`);
    assert.ok(orthonormalityRef(vectors, c.d, c.B) < 1e-8, `geneigh tridiag d=${c.d}: B-orthonormality`);
  }
  assert.throws(() => generalizedSymEig([1, 0, 0, 1], [1, 0, 0, -1], 2, 'LFDA.fit', true), /LFDA.fit: B \[2, 2\] is not positive definite \(Cholesky pivot 1/);
});

test('generalizedSymEig: B not positive definite is a clear error', () => {
  assert.throws(() => generalizedSymEig([1, 0, 0, 1], [1, 0, 0, -1], 2), /B \[2, 2\] is not positive definite \(Cholesky pivot 1/);
  assert.throws(() => generalizedSymEig([1, 0, 0], [1, 0, 0, 1], 2), /A has 3 entries but \[2, 2\] needs 4/);
  assert.throws(() => symEig([1, NaN, NaN, 1], 2), /A\[0, 1\] is NaN/);
});

test('psdProject and pinvh: numpy references, rank-deficient and indefinite inputs', () => {
  for (const c of of('psd')) assertClose(psdProject(c.A, c.d), c.out, { atol: 1e-11 * Math.max(1, scale(c.A)) }, `psd ${c.name}`);
  for (const c of of('pinvh')) {
    const r = pinvh(c.A, c.d);
    assertClose(r.inverse, c.out, { atol: 1e-9 * scale(c.out), rtol: 1e-7 }, `pinvh ${c.name}`);
    assert.is(r.rank, c.rank, `pinvh ${c.name} rank`);
  }
});

test('choleskyF64 and logdetSpd: numpy, and a clear failure on non-PD input', () => {
  for (const c of of('chol')) {
    assertClose(choleskyF64(c.A, c.d) as Float64Array, c.L, { atol: 1e-10 * scale(c.L) }, `chol d=${c.d}`);
    assert.ok(Math.abs(logdetSpd(c.A, c.d) - c.logdet) < 1e-9 * Math.max(1, Math.abs(c.logdet)), `logdet d=${c.d}`);
  }
  assert.is(choleskyF64([1, 2, 2, 1], 2), 1);
  assert.ok(Number.isNaN(logdetSpd([1, 2, 2, 1], 2)));
});

test('graphicalLasso: scikit-learn graphical_lasso (mode cd)', () => {
  for (const c of of('glasso')) {
    const r = graphicalLasso(c.emp, c.d, c.alpha);
    assertClose(r.precision, c.precision, { atol: 1e-6 * scale(c.precision) }, `glasso d=${c.d} precision`);
    assertClose(r.covariance, c.covariance, { atol: 1e-6 * scale(c.covariance) }, `glasso d=${c.d} covariance`);
    assert.is(r.nIter, c.nIter, `glasso d=${c.d} iterations`);
  }
  assert.throws(() => graphicalLasso([1, 0, 0, 1], 2, 0), /alpha must be > 0/);
});

test('sl.optim.LBFGS: torch.optim.LBFGS trajectories (float32 parameters)', () => {
  for (const c of of('lbfgs')) {
    const x = sl.tensor(Float32Array.from(c.x0), [c.x0.length], { requiresGrad: true });
    const opt = new sl.optim.LBFGS([x], c.options);
    const lossOf = c.problem === 'rosenbrock' ? rosenbrock : (x: sl.Tensor) => lsq(x, c.A, c.b);
    const closure = () => {
      opt.zeroGrad();
      return sl.tidy(() => {
        const l = lossOf(x);
        l.backward();
        return l.item();
      });
    };
    // Rosenbrock with unit steps and no line search is chaotic: torch's float32 history and
    // ours in float64 part after two steps (losses 1.248 vs 1.115 at the third), so that case
    // is compared on its first two steps; every other trajectory on all three.
    const chaotic = c.problem === 'rosenbrock' && !c.options.lineSearchFn && c.options.lr === undefined;
    for (let s = 0; s < (chaotic ? 2 : 3); s++) {
      const l = opt.step(closure);
      assert.ok(Math.abs(l - c.losses[s]) <= 1e-3 * Math.max(1, Math.abs(c.losses[s])), `${c.problem} ${JSON.stringify(c.options)} step ${s}: loss ${l} vs torch ${c.losses[s]}`);
      if (!chaotic) assertClose(x.data(), c.xs[s], { atol: 2e-3, rtol: 2e-3 }, `${c.problem} ${JSON.stringify(c.options)} step ${s} x`);
    }
    opt.dispose();
    x.dispose();
  }
  assert.throws(() => new sl.optim.LBFGS([sl.zeros([2])], { lineSearch: 'strong_wolfe' } as any), /unknown option 'lineSearch'; did you mean 'lineSearchFn'/);
  assert.throws(() => new sl.optim.LBFGS([sl.zeros([2])]).step(), /a closure is required/);
});

function rosenbrock(x: sl.Tensor): sl.Tensor {
  {
    const v = x.data();
    // Σ 100 (x[i+1] − x[i]²)² + (1 − x[i])², built from ops so the gradient flows
    let total: sl.Tensor | null = null;
    for (let i = 0; i + 1 < v.length; i++) {
      const xi = pick(x, i), xj = pick(x, i + 1);
      const a = sl.sub(xj, sl.mul(xi, xi));
      const b = sl.sub(sl.ones([1]), xi);
      const term = sl.add(sl.mul(sl.mul(a, a), sl.full([1], 100)), sl.mul(b, b));
      total = total ? sl.add(total, term) : term;
    }
    return sl.sum(total!);
  }
}
function pick(x: sl.Tensor, i: number): sl.Tensor {
  const e = new Float32Array(x.size);
  e[i] = 1;
  return sl.matmul(sl.reshape(x, [1, x.size]), sl.tensor(e, [x.size, 1])).reshape([1]);
}
function lsq(x: sl.Tensor, A: number[][], b: number[]): sl.Tensor {
  // Σ (A x − b)² + 0.1 Σ x⁴
  {
    const r = sl.sub(sl.matmul(sl.tensor(A), sl.reshape(x, [x.size, 1])), sl.tensor(b.map((v) => [v])));
    const x2 = sl.mul(x, x);
    return sl.add(sl.sum(sl.mul(r, r)), sl.mul(sl.sum(sl.mul(x2, x2)), sl.full([], 0.1)));
  }
}

test.run();
