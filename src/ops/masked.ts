// Masks and masked reductions: comparisons that make float32 0/1 masks (no gradient),
// where/select, and reductions along each row of x [n, m] over the entries a mask keeps —
// the vocabulary of PML's mask-based losses (`lmu.logsumexp(x, keep_mask, add_one)`,
// `(pos_mask * x).sum(dim=1)`, `mat.max(dim=1)`). Kernels in assembly/kernels/masked.ts.
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, keep, record, untracked, viewOf } from '../autograd/tensor';
import { checkOptions } from '../options';
import { CompareOp, MaskedReduce } from '../wasm/abi';
import { f32, getEngine } from '../wasm/instance';
import { int32From } from './loss';

/** A view of a mask that lives as long as the op output saving it (the caller may free its own). */
const share = (t: Tensor): Tensor => keep(viewOf(t, t.shape));

// ---- comparisons ----

type CompareName = keyof typeof CompareOp;

function compare(op: CompareName, a: Tensor, b: Tensor | number): Tensor {
  assertLive(op, 'a', a);
  const k = getEngine().k;
  const out = empty(a.shape);
  if (typeof b === 'number') {
    k.f32_compare_scalar(CompareOp[op], a.ptr, b, out.ptr, a.size);
    return out;
  }
  assertLive(op, 'b', b);
  if (b.size === 1 && a.size !== 1) {
    k.f32_compare_scalar(CompareOp[op], a.ptr, f32()[b.ptr >>> 2], out.ptr, a.size);
    return out;
  }
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new Error(`${op}: a is ${fmtShape(a.shape)} but b is ${fmtShape(b.shape)}: compare same shapes, or with a number`);
  }
  k.f32_compare(CompareOp[op], a.ptr, b.ptr, out.ptr, a.size);
  return out;
}

/** 1 where a == b, else 0 (a mask: no gradient). b a tensor of a's shape, one element, or a number. */
export const eq = (a: Tensor, b: Tensor | number): Tensor => compare('eq', a, b);
/** 1 where a ≠ b (NaN ≠ anything). */
export const ne = (a: Tensor, b: Tensor | number): Tensor => compare('ne', a, b);
/** 1 where a > b. */
export const gt = (a: Tensor, b: Tensor | number): Tensor => compare('gt', a, b);
/** 1 where a ≥ b. */
export const ge = (a: Tensor, b: Tensor | number): Tensor => compare('ge', a, b);
/** 1 where a < b. */
export const lt = (a: Tensor, b: Tensor | number): Tensor => compare('lt', a, b);
/** 1 where a ≤ b. */
export const le = (a: Tensor, b: Tensor | number): Tensor => compare('le', a, b);

/**
 * Label mask [n, m] (float32 0/1, no gradient): 1 where labels[i] == refLabels[j] (`same`
 * true) or ≠ (`same` false). Without refLabels the batch is compared with itself and the
 * diagonal is 0 (a sample is not its own positive), as PML's get_matches_and_diffs.
 */
export function labelMask(labels: Int32Array, refLabels: Int32Array | null, same: boolean): Tensor {
  const ref = refLabels ?? labels;
  const n = labels.length, m = ref.length;
  const lb = int32From(labels), rb = refLabels ? int32From(ref) : lb;
  try {
    const out = empty([n, m]);
    getEngine().k.i32_label_mask(lb.ptr, n, rb.ptr, m, same ? 1 : 0, refLabels ? 0 : 1, out.ptr);
    return out;
  } finally {
    lb.dispose();
    if (rb !== lb) rb.dispose();
  }
}

// ---- where ----

function operand(fn: string, name: string, v: Tensor | number, shape: readonly number[]): Tensor {
  if (typeof v === 'number') {
    const t = untracked(shape);
    getEngine().k.f32_fill(t.ptr, v, t.size);
    return t;
  }
  assertLive(fn, name, v);
  if (v.shape.length !== shape.length || v.shape.some((s, i) => s !== shape[i])) {
    throw new Error(`${fn}: ${name} is ${fmtShape(v.shape)} but mask is ${fmtShape(shape)}: same shapes, or a number`);
  }
  return v;
}

/** mask ≠ 0 ? a : b elementwise (torch.where); a, b tensors of the mask's shape or numbers. Gradients flow to the side chosen. */
export function where(mask: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const fn = 'where';
  assertLive(fn, 'mask', mask);
  const ta = operand(fn, 'a', a, mask.shape);
  const tb = operand(fn, 'b', b, mask.shape);
  const k = getEngine().k;
  const out = empty(mask.shape);
  try {
    k.f32_where_fwd(mask.ptr, ta.ptr, tb.ptr, out.ptr, out.size);
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
  const inputs = [a, b].filter((t): t is Tensor => t instanceof Tensor);
  if (!inputs.some((t) => t.requiresGrad)) return out;
  const sm = share(mask);
  return record(
    out,
    fn,
    inputs,
    (g) => {
      if (a instanceof Tensor) addGrad(a, (p, acc) => k.f32_where_bwd(sm.ptr, g.ptr, p, out.size, 1, acc));
      if (b instanceof Tensor) addGrad(b, (p, acc) => k.f32_where_bwd(sm.ptr, g.ptr, p, out.size, 0, acc));
    },
    [sm],
  );
}

/** x with `value` where mask ≠ 0 (torch's masked_fill); the gradient flows where mask is 0. */
export const maskedFill = (x: Tensor, mask: Tensor, value: number): Tensor => where(mask, value, x);

// ---- masked row reductions ----

export interface MaskedOptions {
  /** logsumexp only: add a 1 inside the log (a zero logit), as PML's add_one. Default false. */
  addOne?: boolean;
}

function maskedRows(fn: string, op: MaskedReduce, x: Tensor, mask: Tensor | null, addOne = false): Tensor {
  assertLive(fn, 'x', x);
  if (x.shape.length !== 2) throw new Error(`${fn}: x must be a matrix [n, m], got ${fmtShape(x.shape)}`);
  if (mask !== null) {
    assertLive(fn, 'mask', mask);
    if (mask.shape.length !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]) {
      throw new Error(`${fn}: x is ${fmtShape(x.shape)} but mask is ${fmtShape(mask.shape)}: same shapes`);
    }
  }
  const [n, m] = x.shape;
  const k = getEngine().k;
  const out = empty([n]);
  const pick = op === MaskedReduce.max || op === MaskedReduce.min;
  const arg = pick ? untracked([n]) : null;
  const masked = mask ? 1 : 0;
  k.f32_masked_rows_fwd(op, x.ptr, mask ? mask.ptr : 0, masked, n, m, addOne ? 1 : 0, out.ptr, arg ? arg.ptr : 0);
  const sm = mask && x.requiresGrad ? share(mask) : null;
  const saved = [arg, sm].filter((t): t is Tensor => t !== null);
  return record(
    out,
    fn,
    [x],
    (g) => addGrad(x, (p, acc) => k.f32_masked_rows_bwd(op, x.ptr, sm ? sm.ptr : 0, masked, n, m, out.ptr, arg ? arg.ptr : 0, g.ptr, p, acc)),
    saved,
  );
}

/** Σ over the kept entries of each row of x [n, m] → [n] (mask null: every entry). */
export const maskedSum = (x: Tensor, mask: Tensor | null): Tensor => maskedRows('maskedSum', MaskedReduce.sum, x, mask);
/** Mean over the kept entries of each row → [n]; 0 for a row with none kept. */
export const maskedMean = (x: Tensor, mask: Tensor | null): Tensor => maskedRows('maskedMean', MaskedReduce.mean, x, mask);
/** Max over the kept entries of each row → [n]; 0 for a row with none; the gradient goes to the first maximum. */
export const maskedMax = (x: Tensor, mask: Tensor | null): Tensor => maskedRows('maskedMax', MaskedReduce.max, x, mask);
/** Min over the kept entries of each row → [n]; 0 for a row with none; the gradient goes to the first minimum. */
export const maskedMin = (x: Tensor, mask: Tensor | null): Tensor => maskedRows('maskedMin', MaskedReduce.min, x, mask);

/**
 * ln(Σ_kept eˣ (+ 1 with addOne)) of each row of x [n, m] → [n]; 0 for a row with nothing
 * kept — PML's `lmu.logsumexp(x, keep_mask, add_one, dim=1)` (squeezed). Stable for any x.
 */
export function maskedLogsumexp(x: Tensor, mask: Tensor | null, options: MaskedOptions = {}): Tensor {
  const { addOne = false } = checkOptions<MaskedOptions>('maskedLogsumexp', options, { addOne: 'boolean' });
  return maskedRows('maskedLogsumexp', MaskedReduce.logsumexp, x, mask, addOne);
}

/** A 0/1 mask [n, m] with 1 at each (rows[k], cols[k]) (PML's `mask[a1, p] = 1`; no gradient). */
export function indexMask(rows: Int32Array, cols: Int32Array, n: number, m: number): Tensor {
  if (rows.length !== cols.length) throw new Error(`indexMask: rows has ${rows.length} entries but cols has ${cols.length}`);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k], j = cols[k];
    if (!(i >= 0 && i < n && j >= 0 && j < m)) throw new Error(`indexMask: pair ${k} (${i}, ${j}) is outside [${n}, ${m}]`);
  }
  const out = empty([n, m]);
  const v = f32();
  const base = out.ptr >>> 2;
  v.fill(0, base, base + n * m);
  for (let k = 0; k < rows.length; k++) v[base + rows[k] * m + cols[k]] = 1;
  return out;
}
