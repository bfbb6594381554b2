// Tensor: float32, row-major, storage in wasm linear memory. Reverse-mode autograd in the
// micrograd style: each op result carries a GradFn that knows its inputs and how to push a
// gradient into them; gradients accumulate, so a tensor used twice (a shared Siamese
// tower) needs no special case.
import { f32, getEngine } from '../wasm/instance';
import { opLabel, profileBackward, profileGradWrite, profileLap, profiling } from './profile';

export type Shape = readonly number[];

/** How an op writes a gradient: into `ptr`, overwriting (acc 0) or adding (acc 1). */
export type GradWriter = (ptr: number, acc: 0 | 1) => void;

export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /**
   * Pushes g (the gradient of this op's output, same shape) into the inputs with addGrad. g is
   * the backward's own buffer, freed right after: a backward may overwrite it (a fused ReLU
   * masks it in place).
   */
  backward(g: Tensor): void;
}

interface Storage {
  ptr: number;
  refs: number;
  /** Bumped by markWritten: a derived buffer built at an older version is stale. */
  version: number;
  /** A buffer computed from these values (a conv's packed weights), freed with them. */
  derived: { key: string; version: number; t: Tensor } | null;
}

/** The intermediates of one composite() call, freed when the last of its results is disposed. */
interface OwnedGroup {
  tensors: Tensor[];
  holders: number;
}

let gradEnabled = true;
const scopes: Set<Tensor>[] = [];
let backwardGrads: Map<Tensor, Tensor> | null = null;

export class Tensor {
  readonly shape: number[];
  readonly size: number;
  requiresGrad: boolean;
  /** Gradient of a leaf after backward(); null when no gradient flowed. */
  grad: Tensor | null = null;
  gradFn: GradFn | null = null;
  private storage: Storage | null;
  /** Buffers only this tensor's backward reads (norms, argmax indices, im2col); freed with it. */
  private saved: Tensor[] | null = null;
  /** Intermediates of the composite op(s) that made this tensor; released when it is disposed. */
  private owned: OwnedGroup[] | null = null;

  /** Internal: use sl.tensor / sl.zeros / ops. `storage` shares another tensor's (reshape). */
  constructor(shape: Shape, storage?: Storage) {
    this.shape = shape.slice();
    this.size = shapeSize(shape);
    this.requiresGrad = false;
    if (storage) {
      storage.refs++;
      this.storage = storage;
    } else {
      this.storage = { ptr: getEngine().alloc.alloc(this.size * 4), refs: 1, version: 0, derived: null };
    }
    if (scopes.length > 0) scopes[scopes.length - 1].add(this);
  }

  /** Byte offset of the data in linear memory. Throws if the tensor was disposed. */
  get ptr(): number {
    if (!this.storage) throw new Error(`simlearn: tensor ${fmtShape(this.shape)} was disposed and cannot be used`);
    return this.storage.ptr;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** A Float32Array copy of the data. */
  data(): Float32Array {
    const p = this.ptr >>> 2;
    return this.size === 0 ? new Float32Array(0) : f32().slice(p, p + this.size);
  }

  /** Nested arrays in the tensor's shape (a number for a scalar). */
  toArray(): any {
    const d = this.data();
    if (this.shape.length === 0) return d[0];
    const build = (dim: number, off: number): any[] => {
      const n = this.shape[dim];
      const inner = shapeSize(this.shape.slice(dim + 1));
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = dim === this.shape.length - 1 ? d[off + i] : build(dim + 1, off + i * inner);
      return out;
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor ${fmtShape(this.shape)} has ${this.size} elements, item() needs exactly one`);
    return f32()[this.ptr >>> 2];
  }

  /** Frees the storage (shared with reshaped views until the last is disposed) and the gradient. */
  dispose(): void {
    if (!this.storage) return;
    if (--this.storage.refs === 0) {
      getEngine().alloc.free(this.storage.ptr);
      this.storage.derived?.t.dispose();
      this.storage.derived = null;
    }
    this.storage = null;
    this.gradFn = null;
    if (this.saved) {
      for (const t of this.saved) t.dispose();
      this.saved = null;
    }
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
    if (this.owned) {
      const groups = this.owned;
      this.owned = null;
      for (const g of groups) if (--g.holders === 0) for (const t of g.tensors) t.dispose();
    }
  }

  /** Reverse-mode differentiation from this tensor; without `gradient` it must be a scalar. */
  backward(gradient?: Tensor): void {
    backward(this, gradient);
  }

  /** The same storage without a history: no gradient flows back through it (torch's detach()). */
  detach(): Tensor {
    assertLive('detach', 'tensor', this);
    return viewOf(this, this.shape);
  }

  /** Marks a leaf as a parameter whose gradient is wanted; returns this. */
  requiresGrad_(flag = true): this {
    if (this.gradFn && !flag) throw new Error('requiresGrad_: only leaf tensors can stop requiring grad; use detach()');
    this.requiresGrad = flag;
    return this;
  }

  toString(): string {
    return `Tensor${fmtShape(this.shape)}`;
  }
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Internal: a tensor that shares `src`'s storage under another shape. */
export function viewOf(src: Tensor, shape: Shape): Tensor {
  src.ptr; // throws if disposed
  return new Tensor(shape, (src as any).storage as Storage);
}

/**
 * Internal: t's values were overwritten in place (an optimiser step, loadStateDict, a fold):
 * what derivedOf built from them is rebuilt at its next use. Every in-place writer of a
 * tensor that may have been read by a layer calls it.
 */
export function markWritten(t: Tensor): void {
  const st = (t as any).storage as Storage | null;
  if (st) st.version++;
}

/**
 * Internal: a buffer of `size` floats computed from t's values by `build` (a conv's weights
 * packed for its GEMM), kept with t's storage and reused while t is unwritten (markWritten)
 * and `key` (what else the layout depends on) is the same; freed when t's storage is.
 */
export function derivedOf(t: Tensor, key: string, size: number, build: (ptr: number) => void): Tensor {
  const st = (t as any).storage as Storage;
  const d = st.derived;
  if (d && d.key === key && d.version === st.version) return d.t;
  const fresh = untracked([size]);
  try {
    build(fresh.ptr);
  } catch (err) {
    fresh.dispose();
    throw err;
  }
  d?.t.dispose();
  st.derived = { key, version: st.version, t: fresh };
  return fresh;
}

/** Internal: what derivedOf(t, key, …) would return, without building it: null when absent or stale. */
export function peekDerived(t: Tensor, key: string): Tensor | null {
  const st = (t as any).storage as Storage;
  const d = st.derived;
  return d && d.key === key && d.version === st.version ? d.t : null;
}

/** Throws `fn: arg [shape] was disposed` before an op touches a freed tensor. */
export function assertLive(fn: string, arg: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}: ${arg} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.isDisposed) throw new Error(`${fn}: ${arg} ${fmtShape(t.shape)} was disposed and cannot be used`);
}

// ---- grad mode ----

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with gradient recording off (like torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Records an op: `out` requires grad when recording is on and any input does; then it
 * keeps `backward` and its inputs. `saved` are untracked buffers that only the backward
 * reads: they live as long as `out`, or are freed at once when nothing is recorded.
 * Returns out.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], backward: (g: Tensor) => void, saved?: Tensor[]): Tensor {
  if (profiling.on) profileLap(opLabel(name, out.shape));
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = { name, inputs, backward };
    if (saved) (out as any).saved = saved;
  } else if (saved) {
    for (const t of saved) t.dispose();
  }
  return out;
}

/**
 * Adds to the gradient of `t` during backward: `write` is called with the gradient buffer and
 * acc = 0 the first time (overwrite) or 1 after (accumulate). No-op when t needs no gradient.
 */
export function addGrad(t: Tensor, write: GradWriter): void {
  if (!t.requiresGrad) return;
  if (profiling.on) return profileGradWrite(t.shape, () => addGradUntimed(t, write));
  addGradUntimed(t, write);
}

function addGradUntimed(t: Tensor, write: GradWriter): void {
  if (t.gradFn) {
    const grads = backwardGrads!;
    const g = grads.get(t);
    if (g) write(g.ptr, 1);
    else {
      const fresh = untracked(t.shape);
      grads.set(t, fresh);
      write(fresh.ptr, 0);
    }
  } else if (t.grad && !t.grad.isDisposed) {
    write(t.grad.ptr, 1);
  } else {
    const fresh = untracked(t.shape);
    write(fresh.ptr, 0);
    t.grad = fresh;
  }
}

/** Whether backward should compute a gradient for t (tinygrad's needs_input_grad). */
export function needsGrad(t: Tensor): boolean {
  return t.requiresGrad;
}

function backward(root: Tensor, gradient?: Tensor): void {
  assertLive('backward', 'tensor', root);
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor ${fmtShape(root.shape)} does not require grad: no input of the computation had requiresGrad`);
  }
  if (gradient === undefined && root.size !== 1) {
    throw new Error(
      `backward: tensor ${fmtShape(root.shape)} is not a scalar; backward() without a gradient needs a one-element tensor (pass a gradient of shape ${fmtShape(root.shape)})`,
    );
  }
  if (gradient !== undefined) assertLive('backward', 'gradient', gradient);
  if (gradient !== undefined && gradient.size !== root.size) {
    throw new Error(`backward: gradient ${fmtShape(gradient.shape)} does not match tensor ${fmtShape(root.shape)}`);
  }
  const order = topoOrder(root);
  const k = getEngine().k;
  const grads = new Map<Tensor, Tensor>();
  const prev = backwardGrads;
  backwardGrads = grads;
  const prevMode = gradEnabled;
  gradEnabled = false;
  try {
    const seed = (ptr: number, acc: 0 | 1) => {
      if (gradient) (acc ? k.f32_add(ptr, gradient.ptr, ptr, root.size) : k.f32_copy(gradient.ptr, ptr, root.size));
      else acc ? k.f32_add_scalar(ptr, 1, ptr, 1) : k.f32_fill(ptr, 1, 1);
    };
    addGrad(root, seed);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      if (profiling.on) profileBackward(opLabel(t.gradFn!.name, t.shape), () => t.gradFn!.backward(g));
      else t.gradFn!.backward(g);
      grads.delete(t);
      g.dispose();
    }
  } finally {
    for (const g of grads.values()) g.dispose();
    backwardGrads = prev;
    gradEnabled = prevMode;
  }
}

/**
 * Non-leaf tensors reachable from root, inputs before outputs. Every input a backward may
 * read is checked here, so a disposed one fails before any gradient is written.
 */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (i < inputs.length) {
      top[1]++;
      const c = inputs[i];
      if (c.isDisposed) {
        throw new Error(
          `backward: input ${fmtShape(c.shape)} of '${t.gradFn!.name}' was disposed before backward(); ` +
            'call backward() inside the tidy that built the graph',
        );
      }
      if (c.requiresGrad && c.gradFn && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      if (t.gradFn) order.push(t);
    }
  }
  return order;
}

// ---- memory scopes ----

/** A tensor outside every tidy scope: gradients, optimiser state, temporaries freed by hand. */
export function untracked(shape: Shape): Tensor {
  const saved = scopes.length;
  const hidden = scopes.splice(0, saved);
  try {
    return new Tensor(shape);
  } finally {
    scopes.push(...hidden);
  }
}

/** Runs fn in a new scope that records every tensor made inside; on a throw, frees them and rethrows. */
function inScope<T>(fn: () => T): [T, Set<Tensor>] {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  try {
    return [fn(), scope];
  } catch (err) {
    for (const t of scope) t.dispose();
    throw err;
  } finally {
    scopes.pop();
  }
}

/**
 * Runs fn synchronously and disposes every tensor created inside, except the tensors it
 * returns, which move to the enclosing scope. The rule: tidy finds returned tensors in the
 * result itself and inside arrays, plain (or null-prototype) objects, Maps and Sets, at any
 * depth. It does not look into other objects (class instances): if one of those holds a
 * tensor this scope would free, tidy frees the scope and throws rather than hand back a
 * freed tensor — return the tensor in a plain structure, or `keep()` it.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy: fn must be a function, got ${fn === null ? 'null' : `${typeof fn} ${String(fn)}`}`);
  const [result, scope] = inScope(fn);
  const kept = new Set<Tensor>();
  try {
    if (result && typeof (result as any).then === 'function') {
      throw new Error('tidy: fn returned a Promise; tidy is synchronous (await outside it)');
    }
    collectTensors(result, kept, scope);
  } catch (err) {
    for (const t of scope) t.dispose();
    throw err;
  }
  const parent = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/**
 * Runs a composite op: fn builds its result from other ops. Every tensor created inside that
 * is not part of the result (a Tensor, or arrays / plain objects of them, as tidy) is owned by
 * the result and freed when the result's last tensor is disposed — so a user who disposes only
 * what an op returned leaks nothing, and the graph behind the result stays alive exactly as
 * long as the result does (backward() after an enclosing tidy still works on a kept result).
 * The result tensors go to the enclosing tidy scope as usual; the intermediates do not.
 * Tensors that must outlive the call (state, caches) are made with keep() or untracked().
 */
export function composite<T>(fn: () => T): T {
  const [result, scope] = inScope(fn);
  const outs = new Set<Tensor>();
  collectTensors(result, outs, null);
  const parent = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  const group: OwnedGroup = { tensors: [], holders: 0 };
  for (const t of scope) {
    if (outs.has(t)) parent?.add(t);
    else if (!t.isDisposed) group.tensors.push(t);
  }
  const holders = [...outs].filter((t) => scope.has(t));
  if (holders.length === 0) {
    // nothing made here is returned, so nothing can reach the intermediates
    for (const t of group.tensors) t.dispose();
  } else if (group.tensors.length > 0) {
    group.holders = holders.length;
    for (const t of holders) ((t as any).owned ??= []).push(group);
  }
  return result;
}

/** Removes t from every tidy scope, so it outlives them (like tf.keep). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Adds to `out` the tensors of a tidy result (see tidy's rule), walking each container once.
 * Inside any other object it only looks for tensors of `scope`, to refuse them (none when null).
 */
function collectTensors(root: unknown, out: Set<Tensor>, scope: Set<Tensor> | null): void {
  const seen = new Set<object>();
  const stack: [unknown, string, string | null][] = [[root, 'result', null]]; // value, path, enclosing class
  while (stack.length > 0) {
    const [x, path, inside] = stack.pop()!;
    if (x === null || typeof x !== 'object' || seen.has(x) || ArrayBuffer.isView(x)) continue;
    seen.add(x);
    if (x instanceof Tensor) {
      if (inside === null) out.add(x);
      else if (scope?.has(x)) {
        throw new Error(
          `tidy: the result holds ${x} at ${path} inside a ${inside}, which tidy does not look into, so it would be freed; ` +
            'return tensors in arrays, plain objects, Maps or Sets, or keep() them',
        );
      }
      continue;
    }
    const cls = inside ?? (Array.isArray(x) || x instanceof Map || x instanceof Set || isPlainObject(x) ? null : (x.constructor?.name || 'object'));
    const visit = (v: unknown, at: () => string) => {
      if (v !== null && typeof v === 'object') stack.push([v, at(), cls]);
    };
    if (x instanceof Map) x.forEach((v, k) => visit(v, () => `${path}.get(${JSON.stringify(k) ?? String(k)})`));
    else if (x instanceof Set) for (const v of x) visit(v, () => `${path} (a Set)`);
    else if (Array.isArray(x)) x.forEach((v, i) => visit(v, () => `${path}[${i}]`));
    else for (const [k, v] of Object.entries(x)) visit(v, () => `${path}.${k}`);
  }
}

/**
 * Writes a gradient computed by `compute(dst)` (which overwrites dst) into (ptr, acc): in
 * place when overwriting, through a temporary when accumulating.
 */
export function writeOrAdd(ptr: number, acc: 0 | 1, shape: Shape, compute: (dst: number) => void): void {
  if (!acc) {
    compute(ptr);
    return;
  }
  const tmp = untracked(shape);
  try {
    compute(tmp.ptr);
    getEngine().k.f32_add(ptr, tmp.ptr, ptr, tmp.size);
  } finally {
    tmp.dispose();
  }
}
