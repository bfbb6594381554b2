import { Tensor } from '../autograd/tensor';
import { f32 } from '../wasm/instance';
import { embedding, embeddingBag, type Indices } from '../ops/embedding';
import { checkOptions } from '../options';
import { Module } from './module';
import { checkPositiveInt, normalParameter } from './init';

/** paddingIdx as a row number (negative counts from the end), or null. */
function paddingRow(fn: string, num: number, paddingIdx: number | undefined): number | null {
  if (paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) throw new Error(`${fn}: paddingIdx ${paddingIdx} must be in [−${num}, ${num})`);
  return paddingIdx < 0 ? num + paddingIdx : paddingIdx;
}

/** N(0, 1) rows, the padding row zeroed (torch's init). */
function table(num: number, dim: number, pad: number | null): Tensor {
  const w = normalParameter([num, dim], 1);
  if (pad !== null) f32().fill(0, (w.ptr >>> 2) + pad * dim, (w.ptr >>> 2) + (pad + 1) * dim);
  return w;
}

/**
 * A lookup table of numEmbeddings rows of embeddingDim (torch.nn.Embedding, N(0, 1) init);
 * the paddingIdx row starts at zero and gets no gradient.
 * @example new sl.nn.Embedding(1000, 32).forward([3, 1, 4]) // [3, 32]
 */
export class Embedding extends Module {
  static readonly typeName = 'Embedding';
  declare weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: { paddingIdx?: number } = {}) {
    super();
    const { paddingIdx } = checkOptions<{ paddingIdx: number }>('Embedding', options, { paddingIdx: 'integer' });
    checkPositiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    checkPositiveInt('Embedding', 'embeddingDim', embeddingDim);
    this.paddingIdx = paddingRow('Embedding', numEmbeddings, paddingIdx);
    this.weight = this.registerParameter('weight', table(numEmbeddings, embeddingDim, this.paddingIdx));
  }

  forward(indices: Indices): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }
}

export interface EmbeddingBagOptions {
  mode?: 'sum' | 'mean' | 'max';
  paddingIdx?: number;
}

/**
 * Sums, means (default) or maxima of bags of embeddings (torch.nn.EmbeddingBag): forward
 * takes 2-D indices [bags, len], or 1-D indices with offsets; paddingIdx entries are skipped.
 * @example new sl.nn.EmbeddingBag(1000, 32, { mode: 'sum' }).forward([1, 2, 4, 5, 4], [0, 2]) // [2, 32]
 */
export class EmbeddingBag extends Module {
  static readonly typeName = 'EmbeddingBag';
  declare weight: Tensor;
  readonly mode: 'sum' | 'mean' | 'max';
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingBagOptions = {}) {
    super();
    const { mode = 'mean', paddingIdx } = checkOptions<EmbeddingBagOptions>('EmbeddingBag', options, { mode: [['sum', 'mean', 'max']], paddingIdx: 'integer' });
    checkPositiveInt('EmbeddingBag', 'numEmbeddings', numEmbeddings);
    checkPositiveInt('EmbeddingBag', 'embeddingDim', embeddingDim);
    this.mode = mode;
    this.paddingIdx = paddingRow('EmbeddingBag', numEmbeddings, paddingIdx);
    this.weight = this.registerParameter('weight', table(numEmbeddings, embeddingDim, this.paddingIdx));
  }

  forward(indices: Indices, offsets: Indices | null = null): Tensor {
    return embeddingBag(indices, this.weight, offsets, this.mode, this.paddingIdx);
  }
}
