// The base of the optimisers: the parameter list, zeroGrad, per-parameter state that
// outlives every tidy scope, and option checks that run before anything changes.
import { Tensor, fmtShape, untracked } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  private readonly state = new Map<Tensor, Tensor[]>();

  constructor(name: string, params: Iterable<Tensor>) {
    if (params === null || typeof (params as any)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name}: params must be an array of Tensors (e.g. model.parameters())`);
    }
    const list = [...params];
    if (list.length === 0) throw new Error(`${name}: params is empty: an optimiser needs at least one parameter`);
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: params[${i}] is not a Tensor`);
      if (p.gradFn) throw new Error(`${name}: params[${i}] ${p} is the result of an op, not a leaf: optimise leaf tensors`);
    });
    if (new Set(list).size !== list.length) throw new Error(`${name}: params lists a tensor more than once`);
    this.params = list;
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

  /** The parameters that have a gradient; throws (before any update) if one is unusable. */
  protected withGrads(name: string): Tensor[] {
    const ready = this.params.filter((p) => p.grad !== null);
    ready.forEach((p) => {
      const i = this.params.indexOf(p);
      if (p.isDisposed) throw new Error(`${name}.step: params[${i}] ${p} was disposed`);
      if (p.grad!.isDisposed) throw new Error(`${name}.step: the gradient of params[${i}] ${p} was disposed`);
      if (p.grad!.size !== p.size) throw new Error(`${name}.step: params[${i}] is ${fmtShape(p.shape)} but its gradient is ${fmtShape(p.grad!.shape)}`);
    });
    return ready;
  }

  /** `count` zero-filled state buffers of p's shape, made on first use; `fresh` says so. */
  protected stateOf(p: Tensor, count: number): { bufs: Tensor[]; fresh: boolean } {
    let bufs = this.state.get(p);
    const fresh = !bufs;
    if (!bufs) {
      const k = getEngine().k;
      bufs = Array.from({ length: count }, () => {
        const t = untracked(p.shape);
        k.f32_fill(t.ptr, 0, t.size);
        return t;
      });
      this.state.set(p, bufs);
    }
    return { bufs, fresh };
  }

  /** Frees the optimiser state (momentum buffers, moments). */
  dispose(): void {
    for (const bufs of this.state.values()) for (const t of bufs) t.dispose();
    this.state.clear();
  }
}

export function checkNumber(name: string, key: string, v: number, ok: (v: number) => boolean, want: string): void {
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${name}: ${key} must be ${want}, got ${v}`);
}
