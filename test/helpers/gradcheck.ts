// Finite-difference gradient check. The output is projected to a scalar with fixed random
// weights, L = Σ w ⊙ f(x), accumulated in float64; the analytic gradient comes from
// f(x).backward(w) and is compared element by element with (L(x + h) − L(x − h)) / 2h.
// Inputs should stay away from kinks (ReLU at 0, |·| at 0) by more than h.
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { f32 } from '../../src/wasm/instance';
import { markWritten } from '../../src/autograd/tensor';

export interface GradcheckOptions {
  /** Step, relative to max(1, |x|). float32 forward passes make 1e-2..1e-3 the useful range. */
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
  /** Indices of the inputs to check (default: all). */
  wrt?: number[];
}

export interface GradcheckResult {
  ok: boolean;
  worst: { input: number; index: number; analytic: number; numeric: number; err: number } | null;
}

/** Throws with the worst element when any gradient differs; returns the result otherwise. */
export function gradcheck(fn: (...xs: sl.Tensor[]) => sl.Tensor, inputs: sl.Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-3, atol = 1e-3, rtol = 1e-2, seed = 7 } = opts;
  const wrt = opts.wrt ?? inputs.map((_, i) => i);
  for (const i of wrt) {
    inputs[i].requiresGrad = true;
    inputs[i].grad?.dispose();
    inputs[i].grad = null;
  }
  const rng = new Rng(seed);
  const probe = sl.noGrad(() => fn(...inputs));
  const w = new Float64Array(probe.size);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform() * 2 - 1;
  const outShape = probe.shape.slice();
  probe.dispose();

  const lossAt = (): number =>
    sl.tidy(() => {
      const d = sl.noGrad(() => fn(...inputs)).data();
      let s = 0;
      for (let i = 0; i < d.length; i++) s += w[i] * d[i];
      return s;
    });

  sl.tidy(() => {
    const out = fn(...inputs);
    out.backward(sl.tensor(Float32Array.from(w), outShape));
  });

  let worst: GradcheckResult['worst'] = null;
  let ok = true;
  for (const i of wrt) {
    const x = inputs[i];
    const analytic = x.grad ? x.grad.data() : new Float32Array(x.size);
    for (let j = 0; j < x.size; j++) {
      const orig = get(x, j);
      const h = eps * Math.max(1, Math.abs(orig));
      set(x, j, orig + h);
      const lp = lossAt();
      set(x, j, orig - h);
      const lm = lossAt();
      set(x, j, orig);
      const numeric = (lp - lm) / (2 * h);
      const err = Math.abs(analytic[j] - numeric);
      const bad = !(err <= atol + rtol * Math.abs(numeric));
      if (bad) ok = false;
      if (!worst || err > worst.err || (bad && worst.err <= atol)) worst = { input: i, index: j, analytic: analytic[j], numeric, err };
    }
  }
  if (!ok) {
    throw new Error(
      `gradcheck failed: input ${worst!.input} element ${worst!.index}: analytic ${worst!.analytic} vs numeric ${worst!.numeric} (|diff| ${worst!.err})`,
    );
  }
  return { ok, worst };
}

// Reads and writes one element in place through a fresh view (memory may have grown).
function get(t: sl.Tensor, j: number): number {
  return viewOf(t)[j];
}
function set(t: sl.Tensor, j: number, v: number): void {
  markWritten(t); // a layer may keep a copy derived from t (a conv's packed weights)
  viewOf(t)[j] = v;
}
function viewOf(t: sl.Tensor): Float32Array {
  return f32().subarray(t.ptr >>> 2, (t.ptr >>> 2) + t.size);
}
