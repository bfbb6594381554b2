// Matrix products on the GEMM kernels. Forward and backward of each op side by side:
//   matmul  C = A·B          dA = dC·Bᵀ (nt)   dB = Aᵀ·dC (tn)
//   linear  Y = X·Wᵀ + b     dX = dY·W  (nn)   dW = dYᵀ·X (tn)   db = Σ_rows dY
import { BinaryOp } from '../wasm/abi';
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, derivedOf, fmtShape, isGradEnabled, record, shapeSize, writeOrAdd } from '../autograd/tensor';

function gemm(form: 'nn' | 'tn' | 'nt', a: number, b: number, c: number, m: number, k: number, n: number, acc: 0 | 1): void {
  const e = getEngine();
  e.k[`f32_gemm_${form}`](a, b, c, m, k, n, acc, e.gemmWorkspace);
}

function need2d(fn: string, name: string, t: Tensor): void {
  assertLive(fn, name, t);
  if (t.shape.length !== 2) throw new Error(`${fn}: ${name} must be 2-D, got ${fmtShape(t.shape)}`);
}

/**
 * [n, k] · [k, m] -> [n, m]. As torch.matmul, a 1-D a is a row [1, k] and a 1-D b a column
 * [k, 1], whose unit dimension is dropped from the result (vector · vector is a scalar);
 * the memory layout is the same, so no copy is made.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  need1or2d('matmul', 'a', a);
  need1or2d('matmul', 'b', b);
  const [n, k] = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const [k2, m] = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  if (k !== k2) throw new Error(`matmul: a is ${fmtShape(a.shape)} but b is ${fmtShape(b.shape)}: inner dimensions must match`);
  const out = empty([...(a.shape.length === 2 ? [n] : []), ...(b.shape.length === 2 ? [m] : [])]);
  gemm('nn', a.ptr, b.ptr, out.ptr, n, k, m, 0);
  return record(out, 'matmul', [a, b], (g) => {
    addGrad(a, (p, acc) => gemm('nt', g.ptr, b.ptr, p, n, m, k, acc));
    addGrad(b, (p, acc) => gemm('tn', a.ptr, g.ptr, p, k, n, m, acc));
  });
}

function need1or2d(fn: string, name: string, t: Tensor): void {
  assertLive(fn, name, t);
  if (t.shape.length !== 1 && t.shape.length !== 2) throw new Error(`${fn}: ${name} must be 1-D or 2-D, got ${fmtShape(t.shape)}`);
}

/** x [..., in] · weight [out, in]ᵀ + bias [out] -> [..., out] (torch.nn.functional.linear) */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp(x, weight, bias ?? null, false);
}

/**
 * linear; with packWeight (nn.Linear's forward), when nothing is recorded the weight is packed
 * for the GEMM once and kept with it, not at every call (bench TRUNKS: MobileNetV2's 1.3 M
 * classifier weights were packed for each batch-1 forward).
 */
export function linearOp(x: Tensor, weight: Tensor, bias: Tensor | null, packWeight: boolean): Tensor {
  if (bias) assertLive('linear', 'bias', bias);
  assertLive('linear', 'x', x);
  if (x.shape.length === 0) throw new Error('linear: x must have at least one dimension, got a scalar');
  need2d('linear', 'weight', weight);
  // Leading dimensions of x are rows, as in F.linear: [..., in] is laid out as [n, in].
  const inF = x.shape[x.shape.length - 1];
  const n = shapeSize(x.shape.slice(0, -1));
  const [outF, inW] = weight.shape;
  if (inF !== inW) throw new Error(`linear: x is ${fmtShape(x.shape)} but weight is ${fmtShape(weight.shape)}: x's last dimension must equal weight's second`);
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias is ${fmtShape(bias.shape)} but weight is ${fmtShape(weight.shape)}: bias must be [${outF}]`);
  }
  const k = getEngine().k;
  const out = empty([...x.shape.slice(0, -1), outF]);
  if (packWeight && !(isGradEnabled() && (x.requiresGrad || weight.requiresGrad || !!bias?.requiresGrad))) {
    // inference (nothing recorded): the layer's weight packed once, kept with it (derivedOf)
    const packed = derivedOf(weight, 'linear packed', k.f32_pack_bt_panels_floats(outF, inF), (p) => k.f32_pack_bt_panels(weight.ptr, p, outF, inF));
    k.f32_gemm_nt_packed(x.ptr, packed.ptr, out.ptr, n, inF, outF, 0, getEngine().gemmWorkspace);
  } else gemm('nt', x.ptr, weight.ptr, out.ptr, n, inF, outF, 0);
  if (bias) k.f32_binary_row(BinaryOp.add, out.ptr, bias.ptr, out.ptr, n, outF);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, 'linear', inputs, (g) => {
    addGrad(x, (p, acc) => gemm('nn', g.ptr, weight.ptr, p, n, outF, inF, acc));
    addGrad(weight, (p, acc) => gemm('tn', g.ptr, x.ptr, p, outF, n, inF, acc));
    if (bias) addGrad(bias, (p, acc) => k.f32_sum_cols(g.ptr, p, n, outF, acc));
  });
}

/** 2-D transpose (a copy). */
export function transpose(a: Tensor): Tensor {
  need2d('transpose', 'a', a);
  const [n, d] = a.shape;
  const k = getEngine().k;
  const out = empty([d, n]);
  k.f32_transpose(a.ptr, out.ptr, n, d);
  return record(out, 'transpose', [a], (g) =>
    addGrad(a, (p, acc) => writeOrAdd(p, acc, a.shape, (dst) => k.f32_transpose(g.ptr, dst, d, n))),
  );
}
