import type { Tensor } from '../autograd/tensor';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { checkOptions } from '../options';
import { gatherElements } from '../ops/gather';
import { MeanReducer } from '../reducers/mean-reducer';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { BASE_REGULARIZER_OPTIONS, BaseRegularizer, type BaseRegularizerOptions } from './base-regularizer';

/**
 * Per class, the similarity to its most similar other class (RegularFace, Zhao et al. 2019),
 * reduced (default mean) — PML's RegularFaceRegularizer; the distance must be a similarity.
 */
export class RegularFaceRegularizer extends BaseRegularizer {
  constructor(options: BaseRegularizerOptions = {}) {
    const o = checkOptions<BaseRegularizerOptions>('RegularFaceRegularizer', options, BASE_REGULARIZER_OPTIONS);
    super('RegularFaceRegularizer', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    if (!this.distance.isInverted) throw new Error('RegularFaceRegularizer: distance must be a similarity (isInverted), as PML asserts');
  }

  computeLoss(weights: Tensor): LossDict {
    const cos = this.distance.pairwise(weights, weights);
    const [c] = cos.shape;
    // the nearest other class, chosen without gradient (first on ties, as torch.max)
    const v = cos.data();
    const rows = Int32Array.from({ length: c }, (_, i) => i);
    const cols = rows.map((i) => {
      let best = -1;
      for (let j = 0; j < c; j++) if (j !== i && (best < 0 || v[i * c + j] > v[i * c + best])) best = j;
      return best < 0 ? i : best;
    });
    return { loss: elementEntry(gatherElements(cos, rows, cols)) };
  }
}
