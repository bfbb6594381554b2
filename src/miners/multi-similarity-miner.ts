// pytorch-metric-learning's MultiSimilarityMiner (Wang et al. 2019): a positive pair is kept
// when it is less similar (by epsilon) than the anchor's most similar negative, a negative pair
// when it is more similar (by epsilon) than the anchor's least similar positive. Two passes
// over each row of the matrix, O(n·m), where PML sorts every row.
import { Tensor } from '../autograd/tensor';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { checkOptions } from '../options';
import type { PairTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import type { Labels } from '../tuples/batch';
import { BaseMiner, type MineInputs } from './base-miner';

export interface MultiSimilarityMinerOptions {
  /** The margin ε. Default 0.1. */
  epsilon?: number;
  /** Default CosineSimilarity(), as PML. */
  distance?: Distance;
}

/**
 * Pairs [a1, p, a2, n]. For a similarity s: positives with s_ap − ε < max_n s_an, negatives with
 * s_an + ε > min_p s_ap; for a distance the mirror image. No pairs at all when the batch has no
 * positive pair or no negative pair.
 * @example
 * const pairs = new sl.miners.MultiSimilarityMiner({ epsilon: 0.1 }).mine(embeddings, labels);
 */
export class MultiSimilarityMiner extends BaseMiner {
  readonly epsilon: number;

  constructor(options: MultiSimilarityMinerOptions = {}) {
    const fn = 'MultiSimilarityMiner';
    const o = checkOptions<MultiSimilarityMinerOptions>(fn, options, { epsilon: 'number', distance: 'object' });
    super(fn, o.distance ?? new CosineSimilarity());
    this.epsilon = o.epsilon ?? 0.1;
  }

  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): PairTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => this.hardPairs(x.mat.data(), x));
  }

  private hardPairs(mat: Float32Array, x: MineInputs): PairTuples {
    const { n, m } = x;
    const inv = this.distance.isInverted, eps = this.epsilon;
    // per row: the most similar negative and the least similar positive
    const hardestNeg = new Float64Array(n).fill(inv ? -Infinity : Infinity);
    const easiestPos = new Float64Array(n).fill(inv ? Infinity : -Infinity);
    let anyPos = false, anyNeg = false;
    {
      const lab = x.labels, ref = x.refLabels, self = x.self;
      for (let i = 0; i < n; i++) {
        const li = lab[i];
        let hn = hardestNeg[i], ep = easiestPos[i];
        for (let j = 0, o = i * m; j < m; j++) {
          const v = mat[o + j];
          if (li !== ref[j]) {
            anyNeg = true;
            if (inv ? v > hn : v < hn) hn = v;
          } else if (!(self && i === j)) {
            anyPos = true;
            if (inv ? v < ep : v > ep) ep = v;
          }
        }
        hardestNeg[i] = hn;
        easiestPos[i] = ep;
      }
    }
    // Filled in place and cut to length: a push per pair costs more than the test itself.
    const a1 = new Int32Array(n * m), p = new Int32Array(n * m), a2 = new Int32Array(n * m), ng = new Int32Array(n * m);
    let np = 0, nn = 0;
    if (anyPos && anyNeg) {
      const lab = x.labels, ref = x.refLabels, self = x.self;
      for (let i = 0; i < n; i++) {
        const li = lab[i], posCut = easiestPos[i], negCut = hardestNeg[i];
        for (let j = 0, o = i * m; j < m; j++) {
          const v = mat[o + j];
          if (li !== ref[j]) {
            if (inv ? v + eps > posCut : v - eps < posCut) (a2[nn] = i), (ng[nn++] = j);
          } else if (!(self && i === j) && (inv ? v - eps < negCut : v + eps > negCut)) {
            a1[np] = i;
            p[np++] = j;
          }
        }
      }
    }
    return [a1.slice(0, np), p.slice(0, np), a2.slice(0, nn), ng.slice(0, nn)];
  }
}
