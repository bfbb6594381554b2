// Shared plumbing of the miners (PML's BaseMiner): validation of the batch and of the optional
// reference set, the distance matrix [n, m] under noGrad, the labels of both in temporary
// wasm buffers, and a kernel that streams the chosen tuples into int32 columns. Anchors index
// the batch; positives and negatives index the reference set (the batch itself by default,
// where a sample is not its own positive).
import { Tensor, fmtShape, noGrad, tidy } from '../autograd/tensor';
import { LpDistance } from '../distances/lp-distance';
import { checkDistance, type Distance } from '../tuples/checks';
import { checkEmbeddings, checkLabels, withLabels, type Labels } from '../tuples/batch';

/** A validated batch against its reference set, as the mining kernels take it. */
export interface MineInputs {
  /** The distance matrix [n, m] (no gradient). */
  mat: Tensor;
  labelsPtr: number;
  refLabelsPtr: number;
  labels: Int32Array;
  refLabels: Int32Array;
  n: number;
  m: number;
  /** 1 when the reference set is the batch itself (j ≠ i for positives), else 0. */
  self: 0 | 1;
}

export abstract class BaseMiner {
  readonly distance: Distance;
  /** Class name used in error messages. */
  readonly name: string;

  protected constructor(name: string, distance: Distance | undefined) {
    this.name = name;
    this.distance = checkDistance(name, distance, () => new LpDistance());
  }

  /** Runs `fn` with the validated batch, its reference set and their distance matrix. */
  protected withMatrix<T>(embeddings: Tensor, labels: Labels, refEmb: Tensor | null | undefined, refLabels: Labels | null | undefined, fn: (x: MineInputs) => T): T {
    const name = `${this.name}.mine`;
    checkEmbeddings(name, 'embeddings', embeddings);
    const lab = checkLabels(name, labels, embeddings.shape[0]);
    let ref = embeddings;
    let refLab = lab;
    if (refEmb != null) {
      checkEmbeddings(name, 'refEmb', refEmb);
      if (refEmb.shape[1] !== embeddings.shape[1]) throw new Error(`${name}: embeddings is ${fmtShape(embeddings.shape)} but refEmb is ${fmtShape(refEmb.shape)}: the embedding sizes must match`);
      if (refLabels == null) throw new Error(`${name}: refEmb needs refLabels (one per reference embedding)`);
      ref = refEmb;
      refLab = checkLabels(`${name} (refLabels)`, refLabels, refEmb.shape[0]);
    } else if (refLabels != null) {
      throw new Error(`${name}: refLabels were given without refEmb; give both (or neither, to mine the batch against itself)`);
    }
    // tidy frees the distance's intermediates (normalised embeddings); the matrix is freed below
    const mat = tidy(() => noGrad(() => this.distance.pairwise(embeddings, ref)));
    try {
      return withLabels(lab, (lp) =>
        withLabels(refLab, (rp) => fn({ mat, labelsPtr: lp, refLabelsPtr: rp, labels: lab, refLabels: refLab, n: lab.length, m: refLab.length, self: refEmb == null ? 1 : 0 })),
      );
    } finally {
      mat.dispose();
    }
  }
}
