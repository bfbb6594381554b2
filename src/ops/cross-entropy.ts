// Softmax cross-entropy per sample (torch.nn.CrossEntropyLoss(reduction='none')) as one op
// (f32_softmax_xent_fwd/bwd in assembly/kernels/masked.ts, max-shifted, so stable for any
// logits): loss_i = logsumexp_j s·z_ij − s·z_{i,y_i} with a logit scale s (1 by default;
// InstanceLoss's γ), gradient s·(softmax(s·z_i) − onehot(y_i)), the softmax kept from the forward.
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, composite, fmtShape, record, untracked } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';
import { int32From } from './loss';
import { mean } from './reduce';

/** logits [n, c] (times `scale`), targets n class indices in [0, c) → losses [n]. */
export function crossEntropyLosses(logits: Tensor, targets: ArrayLike<number>, fn = 'crossEntropyLosses', scale = 1): Tensor {
  assertLive(fn, 'logits', logits);
  if (logits.shape.length !== 2) throw new Error(`${fn}: logits must be a matrix [n, classes], got ${fmtShape(logits.shape)}`);
  const [n, c] = logits.shape;
  if (targets.length !== n) throw new Error(`${fn}: logits are ${fmtShape(logits.shape)} but there are ${targets.length} targets`);
  const cols = Int32Array.from(targets);
  const bad = cols.findIndex((t) => !(t >= 0 && t < c));
  if (bad >= 0 || cols.some((t, i) => t !== targets[i])) {
    const i = bad >= 0 ? bad : cols.findIndex((t, j) => t !== targets[j]);
    throw new Error(`${fn}: labels[${i}] is ${targets[i]}, outside [0, ${c})`);
  }
  const k = getEngine().k;
  const tb = int32From(cols);
  const probs = untracked([n, c]);
  const out = empty([n]);
  k.f32_softmax_xent_fwd(logits.ptr, n, c, scale, tb.ptr, probs.ptr, out.ptr);
  return record(
    out,
    fn,
    [logits],
    (g) => addGrad(logits, (p, acc) => k.f32_softmax_xent_bwd(probs.ptr, n, c, scale, tb.ptr, g.ptr, p, acc)),
    [tb, probs],
  );
}

/**
 * Mean softmax cross-entropy of logits [n, c] against class labels (integers in [0, c)),
 * torch.nn.functional.cross_entropy: a classifier's loss (pre-training a trunk).
 */
export function crossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  return composite(() => mean(crossEntropyLosses(logits, labels, 'crossEntropy')));
}

/**
 * crossEntropyLosses(scale·x·xᵀ, targets) for x [n, d] as one op (InstanceLoss on normalised
 * rows): the product's tiles on and above the diagonal only (f32_gemm_nt_self), e^x of the
 * softmax on the upper triangle only (f32_softmax_xent_fwd_sym), and backward
 * (G + Gᵀ)·x, G + Gᵀ made in place over G (f32_add_transpose): one GEMM. targets in [0, n).
 */
export function selfCrossEntropyLosses(x: Tensor, targets: Int32Array, scale: number): Tensor {
  const e = getEngine();
  const k = e.k;
  const [n, d] = x.shape;
  const tb = int32From(targets);
  const probs = untracked([n, n]);
  const out = empty([n]);
  const logits = untracked([n, n]);
  const inv = untracked([n]);
  try {
    k.f32_gemm_nt_self(x.ptr, logits.ptr, n, d, e.gemmWorkspace);
    k.f32_softmax_xent_fwd_sym(logits.ptr, n, scale, tb.ptr, probs.ptr, out.ptr, inv.ptr);
  } finally {
    logits.dispose();
    inv.dispose();
  }
  return record(out, 'selfCrossEntropyLosses', [x], (g) => {
    const sym = untracked([n, n]);
    try {
      // G (the logits' gradient) then G + Gᵀ in place: the in-place pass stays in cache
      k.f32_softmax_xent_bwd(probs.ptr, n, n, scale, tb.ptr, g.ptr, sym.ptr, 0);
      k.f32_add_transpose(sym.ptr, 0, sym.ptr, n, 1);
      addGrad(x, (p, acc) => k.f32_gemm_nn(sym.ptr, x.ptr, p, n, n, d, acc, e.gemmWorkspace));
    } finally {
      sym.dispose();
    }
  }, [tb, probs]);
}
