// What every miner of the PML catalogue starts from, as PML's BaseMiner.forward: validated
// embeddings and labels, the reference set (the batch itself unless refEmb / refLabels are
// given), and the distance matrix [n, m] read out of wasm under noGrad. `self` says the
// reference is the batch, so an item is not its own positive (PML's `ref_labels is labels`).
import { Tensor, noGrad, tidy } from '../autograd/tensor';
import type { Distance } from '../tuples/checks';
import { checkEmbeddings, checkLabels, type Labels } from '../tuples/batch';

export interface MiningInput {
  embeddings: Tensor;
  ref: Tensor;
  labels: Int32Array;
  refLabels: Int32Array;
  n: number;
  m: number;
  self: boolean;
}

/** Checks mine()'s arguments, naming `fn`; refEmb and refLabels come together. */
export function miningInput(fn: string, embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): MiningInput {
  checkEmbeddings(fn, 'embeddings', embeddings);
  const n = embeddings.shape[0];
  const lab = checkLabels(fn, labels, n);
  const hasRef = refEmb !== undefined && refEmb !== null;
  if (!hasRef && refLabels !== undefined && refLabels !== null) throw new Error(`${fn}: refLabels were given without refEmb`);
  if (!hasRef || refEmb === embeddings) {
    const refLab = hasRef && refLabels !== undefined && refLabels !== null ? checkLabels(fn, refLabels, n) : lab;
    return { embeddings, ref: embeddings, labels: lab, refLabels: refLab, n, m: n, self: true };
  }
  checkEmbeddings(fn, 'refEmb', refEmb);
  if (refEmb.shape[1] !== embeddings.shape[1]) {
    throw new Error(`${fn}: embeddings are [${embeddings.shape}] but refEmb is [${refEmb.shape}]: embedding sizes must match`);
  }
  if (refLabels === undefined || refLabels === null) throw new Error(`${fn}: refEmb needs refLabels (one label per reference row)`);
  const m = refEmb.shape[0];
  return { embeddings, ref: refEmb, labels: lab, refLabels: checkLabels(fn, refLabels, m), n, m, self: false };
}

/** The distance matrix [n, m] of the batch against the reference, as a plain array. */
export function distanceMatrix(distance: Distance, input: MiningInput): Float32Array {
  const mat = tidy(() => noGrad(() => distance.pairwise(input.embeddings, input.ref)));
  try {
    return mat.data();
  } finally {
    mat.dispose();
  }
}
