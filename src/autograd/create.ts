// Tensor constructors. Data is copied into wasm memory once; shapes are validated first.
import { f32, getEngine } from '../wasm/instance';
import { rngFor } from '../random';
import { Tensor, fmtShape, shapeSize, type Shape } from './tensor';
import { checkOptions } from '../options';

export interface TensorOptions {
  requiresGrad?: boolean;
}

type Nested = number | readonly Nested[];

const TENSOR_OPTIONS = { requiresGrad: 'boolean' } as const;
const RANDOM_OPTIONS = { ...TENSOR_OPTIONS, seed: 'any' } as const; // the seed is checked by rngFor, with its own message

/**
 * A tensor from nested arrays (`sl.tensor([[1, 2], [3, 4]])`), or from flat data and a shape
 * (`sl.tensor(new Float32Array(6), [2, 3])`). A number gives a scalar of shape [].
 */
export function tensor(data: Nested | ArrayLike<number>, shape?: Shape | TensorOptions, options: TensorOptions = {}): Tensor {
  if (shape !== undefined && shape !== null && !Array.isArray(shape) && typeof shape === 'object') {
    options = shape as TensorOptions; // tensor(nested, { requiresGrad })
    shape = undefined;
  }
  checkOptions('tensor', options, TENSOR_OPTIONS);
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(data)) {
    flat = data as unknown as ArrayLike<number>;
    inferred = [flat.length];
  } else if (typeof data === 'number') {
    flat = [data];
    inferred = [];
  } else if (Array.isArray(data)) {
    inferred = inferShape(data);
    flat = (data as any[]).flat(Infinity) as number[];
  } else {
    throw new TypeError(`tensor: data must be a number, a (nested) array or a typed array, got ${typeof data}`);
  }
  const finalShape = shape ? checkShape('tensor', shape as Shape) : inferred;
  if (shapeSize(finalShape) !== flat.length) {
    throw new Error(`tensor: data has ${flat.length} elements but shape ${fmtShape(finalShape)} needs ${shapeSize(finalShape)}`);
  }
  const t = new Tensor(finalShape);
  if (t.size > 0) f32().set(flat, t.ptr >>> 2);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: readonly Nested[]): number[] {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const check = (x: Nested, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number') throw new TypeError(`tensor: element ${path} is ${typeof x}, expected a number`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new Error(`tensor: ragged nested array: ${path || 'top level'} has ${Array.isArray(x) ? x.length : 'no'} entries, expected ${shape[dim]}`);
    }
    x.forEach((v, i) => check(v, dim + 1, `${path}[${i}]`));
  };
  check(data, 0, '');
  return shape;
}

export function checkShape(fn: string, shape: Shape, what = 'shape'): number[] {
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(`${fn}: ${what} must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const n = shapeSize(shape);
  if (n * 4 > WASM32_BYTES) {
    throw new RangeError(
      `${fn}: ${what} ${fmtShape(shape)} has ${n} elements (${((n * 4) / 2 ** 30).toFixed(1)} GiB of float32), more than the 4 GiB a wasm32 memory holds`,
    );
  }
  return shape.slice();
}

const WASM32_BYTES = 2 ** 32;

/** An uninitialised tensor (internal: ops write every element). */
export function empty(shape: Shape): Tensor {
  return new Tensor(shape);
}

export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

function filled(fn: string, shape: Shape, value: number, options: TensorOptions): Tensor {
  checkOptions(fn, options, TENSOR_OPTIONS);
  const t = new Tensor(checkShape(fn, shape));
  getEngine().k.f32_fill(t.ptr, value, t.size);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

export interface RandomOptions extends TensorOptions {
  /** Own generator for this call; without it, the global one that manualSeed() seeds. */
  seed?: number;
}

/** Standard normal samples. */
export function randn(shape: Shape, options: RandomOptions = {}): Tensor {
  checkOptions('randn', options, RANDOM_OPTIONS);
  const rng = rngFor(options.seed, 'randn');
  const n = shapeSize(checkShape('randn', shape));
  const buf = new Float32Array(n);
  for (let i = 0; i < n; i++) buf[i] = rng.normal();
  return tensor(buf, shape, { requiresGrad: options.requiresGrad });
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, options: RandomOptions = {}): Tensor {
  checkOptions('rand', options, RANDOM_OPTIONS);
  const rng = rngFor(options.seed, 'rand');
  const n = shapeSize(checkShape('rand', shape));
  const buf = new Float32Array(n);
  for (let i = 0; i < n; i++) buf[i] = rng.uniform();
  return tensor(buf, shape, { requiresGrad: options.requiresGrad });
}
