import type { Tensor } from '../autograd/tensor';
import { full } from '../autograd/create';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { mul, sub } from '../ops/eltwise';
import { transpose } from '../ops/gemm';
import { scatterAddElements } from '../ops/gather';
import { maskedLogsumexp } from '../ops/masked';
import { sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { exp } from '../ops/unary';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import type { LossInputs } from './base-metric-loss-function';
import { CLASS_WEIGHT_OPTIONS, BaseWeightedLoss, kaimingUniformInit, requireOptions, type WeightLossOptions } from './weighted-loss';

export interface SoftTripleLossOptions extends WeightLossOptions {
  numClasses: number;
  embeddingSize: number;
  /** Centres per class. Default 10. */
  centersPerClass?: number;
  /** λ, the scale of the logits. Default 20. */
  la?: number;
  /** Temperature of the softmax over a class's centres (its inverse multiplies). Default 0.1. */
  gamma?: number;
  /** δ, subtracted from the target class's similarity. Default 0.01. */
  margin?: number;
}

/**
 * SoftTriple (Qian et al. 2019), as PML's: the similarity to a class is the softmax(s/γ)-
 * weighted mean of the similarities to its centres (fc [embeddingSize, numClasses ·
 * centersPerClass], class c's centres the columns c·K … c·K + K − 1); cross-entropy over
 * la · (class similarity − margin at the target), weighted by miner tuples. Defaults
 * CosineSimilarity (a similarity is required), MeanReducer, fc ~ kaiming_uniform_(a=√5).
 *
 * @example
 * const loss = new sl.losses.SoftTripleLoss({ numClasses: 10, embeddingSize: 64 });
 */
export class SoftTripleLoss extends BaseWeightedLoss {
  readonly embeddingSize: number;
  readonly centersPerClass: number;
  readonly la: number;
  /** 1 / the gamma option, as PML stores it. */
  readonly gamma: number;
  readonly margin: number;
  /** [embeddingSize, numClasses · centersPerClass] */
  readonly fc: Tensor;

  constructor(options: SoftTripleLossOptions) {
    const name = 'SoftTripleLoss';
    const spec = { ...CLASS_WEIGHT_OPTIONS, centersPerClass: 'integer', la: 'number', gamma: 'number', margin: 'number' } as const;
    const o = requireOptions<SoftTripleLossOptions>(name, options, spec, ['numClasses', 'embeddingSize']);
    const k = o.centersPerClass ?? 10;
    if (!(k > 0)) throw new Error(`${name}: centersPerClass must be a positive integer, got ${k}`);
    super(name, o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() }, ['loss'], o.numClasses, { fc: [o.embeddingSize, o.numClasses * k] }, kaimingUniformInit);
    if (!this.distance.isInverted) throw new Error(`${name}: distance must be a similarity (PML asserts distance.is_inverted)`);
    this.embeddingSize = o.embeddingSize;
    this.centersPerClass = k;
    this.la = o.la ?? 20;
    this.gamma = 1 / (o.gamma ?? 0.1);
    this.margin = o.margin ?? 0.01;
    this.fc = this.stateDict().fc;
  }

  /** Class similarities [n, numClasses]: softmax(γ⁻¹ s)-weighted similarities to each class's centres. */
  getLogits(embeddings: Tensor): Tensor {
    const n = embeddings.shape[0], c = this.numClasses, k = this.centersPerClass;
    const sim = reshape(this.distance.pairwise(embeddings, transpose(this.fc)), [n * c, k]);
    const scaled = mul(sim, this.gamma);
    const prob = exp(sub(scaled, reshape(maskedLogsumexp(scaled, null), [n * c, 1])));
    return reshape(sum(mul(prob, sim), 1), [n, c]);
  }

  protected compute(x: LossInputs): LossDict {
    const labels = this.classLabels(x);
    this.checkSize(x, this.embeddingSize);
    const n = labels.length;
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const margin = scatterAddElements(full([n], this.margin), rows, labels, n, this.numClasses);
    const logits = mul(sub(this.getLogits(x.embeddings), margin), this.la);
    return this.withWeightReg({ loss: this.crossEntropyEntry(x, logits, labels) }, () => transpose(this.fc));
  }
}
