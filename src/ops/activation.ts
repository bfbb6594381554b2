// Elementwise activations (torch.nn.functional's), one kernel pair for all of them
// (assembly/kernels/activation.ts); backward reads the saved input, as torch does.
import { Activation } from '../wasm/abi';
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record } from '../autograd/tensor';

export type ActivationName = keyof typeof Activation;

/** y = f(x) elementwise; alpha is LeakyReLU's negative slope. */
export function activation(name: ActivationName, x: Tensor, alpha = 0): Tensor {
  assertLive(name, 'x', x);
  const kind = Activation[name];
  const k = getEngine().k;
  const out = empty(x.shape);
  k.f32_activation_fwd(kind, x.ptr, out.ptr, x.size, alpha);
  return record(out, name, [x], (g) => addGrad(x, (p, acc) => k.f32_activation_bwd(kind, x.ptr, g.ptr, p, x.size, alpha, acc)));
}

export const relu6 = (x: Tensor): Tensor => activation('relu6', x);
export const hardswish = (x: Tensor): Tensor => activation('hardswish', x);
export const hardsigmoid = (x: Tensor): Tensor => activation('hardsigmoid', x);
export const silu = (x: Tensor): Tensor => activation('silu', x);
export const sigmoid = (x: Tensor): Tensor => activation('sigmoid', x);
export const tanh = (x: Tensor): Tensor => activation('tanh', x);
/** approximate 'none' (erf, the default) or 'tanh', as torch.nn.functional.gelu. */
export const gelu = (x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => activation(approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => activation('leakyRelu', x, negativeSlope);

/** x [n, c, ...] (or [n]) with weight [1] or [c]: x if x > 0 else weight·x (torch.nn.functional.prelu). */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  assertLive('prelu', 'x', x);
  assertLive('prelu', 'weight', weight);
  const c = x.ndim >= 2 ? x.shape[1] : 1;
  const na = weight.size;
  if (weight.ndim !== 1 || (na !== 1 && na !== c)) {
    throw new Error(`prelu: weight is ${fmtShape(weight.shape)} but x is ${fmtShape(x.shape)}: weight must be [1] or [${c}]`);
  }
  const n = x.ndim >= 2 ? x.shape[0] : x.size;
  const l = x.ndim >= 2 ? x.size / (n * c) : 1;
  const k = getEngine().k;
  const out = empty(x.shape);
  k.f32_prelu_fwd(x.ptr, weight.ptr, out.ptr, n, c, l, na);
  return record(out, 'prelu', [x, weight], (g) => {
    addGrad(x, (p, acc) => k.f32_prelu_bwd(x.ptr, weight.ptr, g.ptr, p, 0, n, c, l, na, acc, 0));
    addGrad(weight, (p, acc) => k.f32_prelu_bwd(x.ptr, weight.ptr, g.ptr, 0, p, n, c, l, na, 0, acc));
  });
}
