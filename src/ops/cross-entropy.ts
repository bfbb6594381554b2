// Softmax cross-entropy per sample (torch.nn.CrossEntropyLoss(reduction='none')), built from
// the masked-row logsumexp (max-shifted, so stable for any logits) and an element gather:
// loss_i = logsumexp_j z_ij − z_{i,y_i}; the gradient softmax(z_i) − onehot(y_i) comes from
// the two ops' own backwards.
import { Tensor, assertLive, composite, fmtShape } from '../autograd/tensor';
import { sub } from './eltwise';
import { mean } from './reduce';
import { gatherElements } from './gather';
import { maskedLogsumexp } from './masked';

/** logits [n, c], targets n class indices in [0, c) → losses [n]. */
export function crossEntropyLosses(logits: Tensor, targets: ArrayLike<number>, fn = 'crossEntropyLosses'): Tensor {
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
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  return sub(maskedLogsumexp(logits, null), gatherElements(logits, rows, cols));
}

/**
 * Mean softmax cross-entropy of logits [n, c] against class labels (integers in [0, c)),
 * torch.nn.functional.cross_entropy: a classifier's loss (pre-training a trunk).
 */
export function crossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  return composite(() => mean(crossEntropyLosses(logits, labels, 'crossEntropy')));
}
