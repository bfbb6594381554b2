// Module: the base of every layer and model, as torch.nn.Module. A module owns parameters
// (trainable tensors), buffers (state such as BatchNorm's running statistics) and child
// modules, each under a name; state-dict keys join the names with '.' ('0.weight',
// '3.running_mean'), in torch's order: own parameters, own buffers, then each child.
// Parameters and buffers live outside every tidy scope until dispose().
import { getEngine } from '../wasm/instance';
import { Tensor, fmtShape, markWritten, untracked } from '../autograd/tensor';
import { checkOptions } from '../options';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Reject missing and unexpected keys (default true, as torch). */
  strict?: boolean;
}

export abstract class Module {
  /** Training mode (the default): BatchNorm uses batch statistics, Dropout drops. */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(...inputs: any[]): any;

  /**
   * The class name in messages. Built-in layers declare `static readonly typeName`, since
   * minifiers rename classes (dist/simlearn.js); a user's own subclass reports its own name.
   */
  get typeName(): string {
    const ctor = this.constructor as { typeName?: string; name: string };
    return Object.prototype.hasOwnProperty.call(ctor, 'typeName') ? ctor.typeName! : ctor.name;
  }

  /** Registers a trainable tensor under `name` (it is marked requiresGrad). */
  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.ownParams.set(name, t);
    return t;
  }

  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.ownBuffers.set(name, t);
    return t;
  }

  /**
   * A child under `name`; the name '' adds the child's keys unprefixed (a model's embedder).
   * The child is also the property `name`, and assigning a Module to that property replaces
   * the child and its state-dict keys, as in torch: `model.fc = new sl.nn.Identity()`.
   */
  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`${this.typeName}: child '${name}' is not an sl.nn.Module`);
    this.children.set(name, m);
    // (a property already holding something else, such as a model's distance object, stays)
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (name !== '' && (!own || ('value' in own && (own.value === undefined || own.value === m)))) Object.defineProperty(this, name, childProperty(name));
    return m;
  }

  /** [name, child] for the direct children, in registration order (torch's named_children). */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** [name, parameter] in state-dict order. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.visit('', (prefix, m) => {
      for (const [n, t] of m.ownParams) out.push([prefix + n, t]);
    });
    return dedupe(out);
  }

  /** The trainable tensors, in the order of stateDict() (the same tensor objects). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** [name, buffer] in state-dict order. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.visit('', (prefix, m) => {
      for (const [n, t] of m.ownBuffers) out.push([prefix + n, t]);
    });
    return out;
  }

  /** Parameters and buffers by name (the module's own tensors, not copies), torch's keys and order. */
  stateDict(): StateDict {
    const out: StateDict = {};
    this.visit('', (prefix, m) => {
      for (const [n, t] of m.ownParams) out[prefix + n] = t;
      for (const [n, t] of m.ownBuffers) out[prefix + n] = t;
    });
    return out;
  }

  /**
   * Copies `dict`'s values into this module's parameters and buffers. Names and shapes are all
   * checked first; on any mismatch nothing changes and the error lists every problem.
   */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): void {
    const { strict = true } = checkOptions<LoadStateDictOptions>('loadStateDict', options, { strict: 'boolean' });
    if (dict === null || typeof dict !== 'object') throw new TypeError('loadStateDict: dict must be an object of name → Tensor');
    const own = this.stateDict();
    const problems: string[] = [];
    const missing = Object.keys(own).filter((n) => !Object.hasOwn(dict, n)); // own keys: 'constructor' is a name like any other
    const unexpected = Object.keys(dict).filter((n) => !Object.hasOwn(own, n));
    if (strict && missing.length) problems.push(`missing keys ${missing.map((n) => `'${n}'`).join(', ')}`);
    if (strict && unexpected.length) problems.push(`unexpected keys ${unexpected.map((n) => `'${n}'`).join(', ')}`);
    for (const [name, src] of Object.entries(dict)) {
      const dst = Object.hasOwn(own, name) ? own[name] : undefined;
      if (!dst) continue;
      if (!(src instanceof Tensor)) problems.push(`'${name}' is not a Tensor`);
      else if (src.isDisposed) problems.push(`'${name}' was disposed`);
      else if (src.shape.length !== dst.shape.length || src.shape.some((s, i) => s !== dst.shape[i])) {
        problems.push(`'${name}' is ${fmtShape(src.shape)} but the module's is ${fmtShape(dst.shape)}`);
      }
    }
    if (problems.length) throw new Error(`loadStateDict: ${this.typeName}: ${problems.join('; ')}; nothing was loaded`);
    const k = getEngine().k;
    for (const [name, src] of Object.entries(dict)) {
      const dst = Object.hasOwn(own, name) ? own[name] : undefined;
      if (dst && dst !== src) {
        markWritten(dst);
        k.f32_copy(src.ptr, dst.ptr, dst.size);
      }
    }
  }

  /** Sets training mode here and in every child; returns this. */
  train(mode = true): this {
    this.visit('', (_, m) => {
      m.training = mode;
    });
    return this;
  }

  /** Evaluation mode (train(false)); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (torch's zero_grad with set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    this.visit('', (_, m) => {
      for (const t of m.ownParams.values()) t.dispose();
      for (const t of m.ownBuffers.values()) t.dispose();
    });
  }

  private visit(prefix: string, fn: (prefix: string, m: Module) => void): void {
    fn(prefix, this);
    for (const [name, child] of this.children) child.visit(name === '' ? prefix : `${prefix}${name}.`, fn);
  }
}

/** The accessor of a child's name: reads the current child, replaces it on assignment. */
function childProperty(name: string): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: Module) {
      return (this as any).children.get(name);
    },
    set(this: Module, m: unknown) {
      if (!(m instanceof Module)) throw new TypeError(`${this.typeName}: ${name} must be an sl.nn.Module to replace the child '${name}', got ${m === null ? 'null' : typeof m}`);
      (this as any).children.set(name, m);
    },
  };
}

/**
 * A deep copy of m: the same classes and options, fresh copies of every parameter and buffer,
 * children copied recursively (a child shared inside m stays shared inside the copy).
 */
export function copyModule<M extends Module>(m: M, seen = new Map<Module, Module>()): M {
  const done = seen.get(m);
  if (done) return done as M;
  const c = Object.create(Object.getPrototypeOf(m)) as M;
  seen.set(m, c);
  const src = m as any, dst = c as any;
  const tensors = new Map<Tensor, Tensor>();
  const copyTensor = (t: Tensor): Tensor => {
    const u = untracked(t.shape);
    getEngine().k.f32_copy(t.ptr, u.ptr, t.size);
    u.requiresGrad = t.requiresGrad;
    tensors.set(t, u);
    return u;
  };
  dst.ownParams = new Map([...src.ownParams].map(([n, t]: [string, Tensor]) => [n, copyTensor(t)]));
  dst.ownBuffers = new Map([...src.ownBuffers].map(([n, t]: [string, Tensor]) => [n, copyTensor(t)]));
  dst.children = new Map([...src.children].map(([n, ch]: [string, Module]) => [n, copyModule(ch, seen)]));
  for (const key of Reflect.ownKeys(m)) {
    if (key === 'ownParams' || key === 'ownBuffers' || key === 'children') continue;
    const desc = Object.getOwnPropertyDescriptor(m, key)!;
    if ('value' in desc) {
      const v = desc.value;
      if (v instanceof Tensor) desc.value = tensors.get(v) ?? v;
      else if (v instanceof Module) desc.value = copyModule(v, seen);
      else if (Array.isArray(v)) desc.value = v.map((x) => (x instanceof Module ? copyModule(x, seen) : x instanceof Tensor ? tensors.get(x) ?? x : x));
    }
    Object.defineProperty(c, key, desc);
  }
  return c;
}

/** A module reached twice (shared) lists its parameters once, as torch does. */
function dedupe(list: [string, Tensor][]): [string, Tensor][] {
  const seen = new Set<Tensor>();
  return list.filter(([, t]) => (seen.has(t) ? false : (seen.add(t), true)));
}
