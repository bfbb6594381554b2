// Runs PML loss and reducer fixture cases (test/fixtures/pml/*.jsonl) against simlearn: builds
// the case's options (nested PML objects become sl.* instances by class name), calls forward
// and computeLoss, and compares the value, the gradients and the loss dictionary with PML's
// float64 references. Tolerance: 1e-4 relative, plus 1e-4 of the largest expected magnitude
// for entries near zero (float32 against float64).
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertClose } from './close';
import { flat, pmlCases, type LossCase, type LossDict, type Matrix, type ReducerCase } from './pml-fixtures';

const NAMESPACES: Record<string, Record<string, unknown>> = {
  distances: sl.distances as any,
  reducers: sl.reducers as any,
  losses: sl.losses as any,
  miners: sl.miners as any,
  regularizers: ((sl as any).regularizers ?? {}) as any,
};

/** Options with every nested { class, options } replaced by a new instance of that sl class. */
export function buildOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) out[k] = build(v);
  return out;
}

function build(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(build);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o.class === 'string' && o.options && typeof o.options === 'object') {
    for (const ns of Object.values(NAMESPACES)) {
      const C = ns[o.class] as any;
      if (typeof C === 'function') return new C(buildOptions(o.options as Record<string, unknown>));
    }
    throw new Error(`pml-loss: no sl class ${o.class}`);
  }
  return buildOptions(o);
}

export const tensorOf = (m: Matrix, requiresGrad = false, cols?: number): sl.Tensor => {
  const { data, shape } = flat(m, cols);
  return sl.tensor(Float32Array.from(data), shape, { requiresGrad });
};

const maxAbs = (xs: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) m = Math.max(m, Math.abs(xs[i]));
  return m;
};

/** |actual − expected| ≤ rtol·|expected| + rtol·max|expected| (+ a tiny floor). */
export function assertPmlClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, rtol = 1e-4): void {
  assertClose(actual, expected, { rtol, atol: rtol * maxAbs(expected) + 1e-6 }, label);
}

const int32 = (c: unknown): Int32Array => Int32Array.from(c as number[]);

/** Tuples of a case as Int32Array columns (null when none). */
export const tuplesOf = (t: LossCase['inputs']['tuples']): Int32Array[] | null => (t === null ? null : (t as number[][]).map(int32));

/** Compares a simlearn loss dictionary with PML's (values, indices as given, reduction types). */
export function assertLossDict(actual: sl.reducers.LossDict, expected: LossDict, label: string, rtol = 1e-4): void {
  assert.equal(Object.keys(actual).sort(), Object.keys(expected).sort(), `${label}: sub-loss names`);
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    assert.is(a.reductionType, e.reductionType, `${label}: ${name}.reductionType`);
    if (typeof e.losses === 'number' && e.reductionType === 'already_reduced' && e.indices === null && a.losses === 0) continue;
    // PML's zero-loss marker (or a term over no tuple) indexes nothing; a computed 0 over some
    // samples (PNPLoss with no negatives) is compared as a value
    const indexesNothing = e.indices === null || (e.indices as unknown[]).every((c) => Array.isArray(c) && c.length === 0) || e.indices.length === 0;
    if (e.losses === 0 && indexesNothing) {
      assert.is(a.losses, 0, `${label}: ${name} is PML's zero-loss marker`);
      continue;
    }
    assert.ok(a.losses instanceof sl.Tensor, `${label}: ${name}.losses is a Tensor`);
    const got = (a.losses as sl.Tensor).data();
    assertPmlClose(got, Array.isArray(e.losses) ? e.losses : [e.losses], `${label}: ${name}.losses`, rtol);
    if (e.indices === null) assert.is(a.indices, null, `${label}: ${name}.indices`);
    else if (Array.isArray(e.indices[0])) {
      assert.equal((a.indices as Int32Array[]).map((c) => Array.from(c)), e.indices, `${label}: ${name}.indices`);
    } else assert.equal(Array.from(a.indices as Int32Array), e.indices, `${label}: ${name}.indices`);
  }
}

/** A state entry (a vector or a matrix) as a tensor of its own shape. */
const stateTensor = (v: number[] | Matrix): sl.Tensor =>
  Array.isArray(v[0]) ? tensorOf(v as Matrix) : sl.tensor(Float32Array.from(v as number[]), [v.length]);

/**
 * One loss case: forward value and gradients (embeddings, refEmb, and the parameters of
 * `state`, loaded by PML attribute name through loadStateDict) and, when the fixture has it,
 * the computeLoss dictionary. `make` builds the loss from the case's built options.
 */
export function checkLossCase(c: LossCase, make: (options: Record<string, unknown>) => any, rtol = 1e-4): void {
  sl.tidy(() => {
    const { embeddings, labels, tuples, refEmb, refLabels } = c.inputs;
    const d = embeddings[0]?.length ?? 0;
    const emb = tensorOf(embeddings, true, d);
    const ref = refEmb ? tensorOf(refEmb, true, d) : null;
    const loss = make(buildOptions(c.options));
    if (c.state) loss.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, stateTensor(v)])));
    const value = loss.forward(emb, labels, tuplesOf(tuples), ref, refLabels);
    assertPmlClose([value.item()], [c.expected.loss], `${c.id}: loss`, rtol);
    if (c.expected.gradEmbeddings && value.requiresGrad) {
      value.backward();
      const g = emb.grad ? emb.grad.data() : new Float32Array(emb.size);
      assertPmlClose(g, flat(c.expected.gradEmbeddings, d).data, `${c.id}: gradEmbeddings`, rtol);
      if (ref && c.expected.gradRefEmb) {
        const gr = ref.grad ? ref.grad.data() : new Float32Array(ref.size);
        assertPmlClose(gr, flat(c.expected.gradRefEmb, d).data, `${c.id}: gradRefEmb`, rtol);
      }
      for (const [k, want] of Object.entries(c.expected.gradParams ?? {})) {
        const p = loss.stateDict()[k] as sl.Tensor;
        const g = p.grad ? p.grad.data() : new Float32Array(p.size);
        assertPmlClose(g, Array.isArray(want[0]) ? flat(want as Matrix).data : (want as number[]), `${c.id}: gradParams.${k}`, rtol);
      }
    } else if (c.expected.gradEmbeddings) {
      assert.ok(c.expected.gradEmbeddings.every((r) => r.every((v) => v === 0)), `${c.id}: PML has a gradient but the loss does not require grad`);
    }
    if (c.expected.lossDict) assertLossDict(loss.computeLoss(emb, labels, tuplesOf(tuples), ref, refLabels), c.expected.lossDict, c.id, rtol);
  });
}

/** A PML loss dictionary of a reducer case as simlearn's (losses as tensors requiring grad). */
export function lossDictOf(d: LossDict): sl.reducers.LossDict {
  const out: sl.reducers.LossDict = {};
  for (const [name, e] of Object.entries(d)) {
    const losses = typeof e.losses === 'number' && e.indices === null && e.reductionType === 'already_reduced' && e.losses === 0
      ? 0
      : sl.tensor(Float32Array.from(Array.isArray(e.losses) ? e.losses : [e.losses]), Array.isArray(e.losses) ? [e.losses.length] : [], { requiresGrad: true });
    const indices = e.indices === null ? null : Array.isArray(e.indices[0]) ? (e.indices as number[][]).map(int32) : int32(e.indices);
    out[name] = { losses, indices, reductionType: e.reductionType, ...(e.divisor !== undefined ? { divisor: e.divisor } : {}) };
  }
  return out;
}

export type { ReducerCase };

/**
 * Registers one uvu test per PML loss fixture case of `cls` in `fixture` (losses.jsonl by
 * default; value, gradients, loss dictionary)
 * and one that the fixtures hold at least `minCases` cases. A case where PML's loss is NaN
 * because its dictionary is empty (a mean of nothing) is checked as simlearn's 0 with a zero
 * gradient, the dictionary still compared as is (simlearn's reducers reduce empty terms to 0).
 */
export function pmlLossTests(test: (name: string, fn: () => void) => void, cls: string, make: (options: Record<string, unknown>) => any, minCases: number, rtol = 1e-4, fixture = 'losses'): void {
  const cases = pmlCases(fixture, { class: cls, kind: 'loss' });
  test(`fixtures cover ${cls}`, () => assert.ok(cases.length >= minCases, `${cases.length} cases`));
  for (const c of cases) {
    if (Number.isNaN(c.expected.loss)) {
      test(`PML ${c.id}: empty loss dictionary; 0, not PML's NaN`, () => {
        const zero = c.inputs.embeddings.map((r) => r.map(() => 0));
        checkLossCase({ ...c, expected: { ...c.expected, loss: 0, gradEmbeddings: zero } }, make, rtol);
      });
    } else test(`PML ${c.id}: value, gradients, loss dictionary`, () => checkLossCase(c, make, rtol));
  }
}
