// The base of the optimisers: the parameter list, zeroGrad, per-parameter state that
// outlives every tidy scope, and checks that run before anything changes. A step is two
// phases: every check and every allocation first, then the writes; so a step that throws
// (a bad hyper-parameter, a disposed parameter, memory exhausted) leaves the parameters and
// the optimiser's own state exactly as they were, and a retry equals a clean step.
import { Tensor, fmtShape, markWritten, untracked } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';

/** A parameter ready to update: its state buffers, and whether they were made by this step. */
export interface Prepared {
  p: Tensor;
  bufs: Tensor[];
  fresh: boolean;
}

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** The class name in messages (stated, since minifiers rename classes). */
  protected readonly typeName: string;
  private readonly state = new Map<Tensor, Tensor[]>();

  constructor(name: string, params: Iterable<Tensor>) {
    if (params === null || typeof (params as any)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name}: params must be an array of Tensors (e.g. model.parameters())`);
    }
    const list = [...params];
    if (list.length === 0) throw new Error(`${name}: params is empty: an optimiser needs at least one parameter`);
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: params[${i}] is not a Tensor`);
      if (p.isDisposed) throw new Error(`${name}: params[${i}] ${fmtShape(p.shape)} was disposed`);
      if (p.gradFn) throw new Error(`${name}: params[${i}] ${p} is the result of an op, not a leaf: optimise leaf tensors`);
    });
    if (new Set(list).size !== list.length) throw new Error(`${name}: params lists a tensor more than once`);
    this.params = list;
    this.typeName = name;
  }

  /** Sets every parameter's gradient to null, freeing it (torch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Updates every parameter that has a gradient, in place. */
  abstract step(): void;

  /**
   * Throws `fn: key must be …` when a hyper-parameter is unusable. Called by the constructor
   * and by every step: the fields are public, and schedules set them between steps.
   */
  protected abstract checkHyperParameters(fn: string): void;

  /**
   * The parameters that have a gradient, each with `count` state buffers (zero-filled when
   * made). Everything that can fail happens here, before the caller writes anything: checks
   * of the hyper-parameters, of every parameter and gradient, and the allocation of all
   * missing state — undone if one allocation runs out of memory.
   */
  protected prepare(count: number): Prepared[] {
    const fn = `${this.typeName}.step`;
    this.checkHyperParameters(fn);
    this.params.forEach((p, i) => {
      if (p.isDisposed) throw new Error(`${fn}: params[${i}] ${fmtShape(p.shape)} was disposed`);
      if (p.grad === null) return;
      if (p.grad.isDisposed) throw new Error(`${fn}: the gradient of params[${i}] ${p} was disposed`);
      if (p.grad.size !== p.size) throw new Error(`${fn}: params[${i}] is ${fmtShape(p.shape)} but its gradient is ${fmtShape(p.grad.shape)}`);
    });
    const ready = this.params.filter((p) => p.grad !== null);
    // the caller writes every prepared parameter next
    for (const p of ready) markWritten(p);
    if (count === 0) return ready.map((p) => ({ p, bufs: [], fresh: false }));
    const made: Tensor[] = [];
    const out: Prepared[] = [];
    try {
      for (const p of ready) {
        const have = this.state.get(p);
        if (have) {
          out.push({ p, bufs: have, fresh: false });
          continue;
        }
        const bufs: Tensor[] = [];
        for (let b = 0; b < count; b++) {
          const t = untracked(p.shape);
          made.push(t);
          bufs.push(t);
        }
        out.push({ p, bufs, fresh: true });
      }
    } catch (err) {
      for (const t of made) t.dispose();
      throw err;
    }
    const k = getEngine().k;
    for (const t of made) k.f32_fill(t.ptr, 0, t.size);
    for (const { p, bufs, fresh } of out) if (fresh) this.state.set(p, bufs);
    return out;
  }

  /** Frees the optimiser state (momentum buffers, moments, step counts): the next step is a first step. */
  dispose(): void {
    for (const bufs of this.state.values()) for (const t of bufs) t.dispose();
    this.state.clear();
  }
}

/** Throws `fn: key must be a finite number ≥ 0, got v` unless v is one (and passes `ok`). */
export function checkNumber(fn: string, key: string, v: unknown, ok: (v: number) => boolean = (x) => x >= 0, want = 'a finite number ≥ 0'): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new Error(`${fn}: ${key} must be ${want}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
}
