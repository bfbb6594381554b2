// Shared plumbing of the miners: validation, the distance matrix under noGrad, labels in a
// temporary wasm buffer, and a kernel that streams the chosen tuples into int32 columns.
import { Tensor, noGrad, tidy } from '../autograd/tensor';
import { LpDistance } from '../distances/lp-distance';
import { checkDistance, type Distance } from '../tuples/checks';
import { checkEmbeddings, checkLabels, withLabels, type Labels } from '../tuples/batch';

export abstract class BaseMiner {
  readonly distance: Distance;
  /** Class name used in error messages. */
  abstract readonly name: string;

  protected constructor(distance: Distance | undefined, fn: string) {
    this.distance = checkDistance(fn, distance, () => new LpDistance());
  }

  /** Runs `fn` with the distance matrix [n, n] of a validated batch and its labels in wasm. */
  protected withMatrix<T>(embeddings: Tensor, labels: Labels, fn: (mat: Tensor, labelsPtr: number, labels: Int32Array) => T): T {
    const name = `${this.name}.mine`;
    checkEmbeddings(name, 'embeddings', embeddings);
    const lab = checkLabels(name, labels, embeddings.shape[0]);
    // tidy frees the distance's intermediates (normalised embeddings); the matrix is freed below
    const mat = tidy(() => noGrad(() => this.distance.pairwise(embeddings, embeddings)));
    try {
      return withLabels(lab, (lp) => fn(mat, lp, lab));
    } finally {
      mat.dispose();
    }
  }
}
