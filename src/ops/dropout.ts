// Inverted dropout (torch.nn.functional.dropout): in training each element is kept with
// probability 1 − p and scaled by 1/(1 − p); the mask is saved for the backward.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, record, untracked } from '../autograd/tensor';
import { rngFor } from '../random';
import { checkOptions } from '../options';

export interface DropoutOptions {
  training?: boolean;
  /** Own generator for this call; without it, the global one that manualSeed() seeds. */
  seed?: number;
}

export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  const { training = true, seed } = checkOptions<DropoutOptions>('dropout', options, { training: 'boolean', seed: 'any' });
  x.ptr;
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const k = getEngine().k;
  const out = empty(x.shape);
  const mask = untracked(x.shape);
  k.f32_dropout_fwd(x.ptr, out.ptr, mask.ptr, x.size, p, rngFor(seed, 'dropout').nextU32());
  return record(out, 'dropout', [x], (g) => addGrad(x, (ptr, acc) => k.f32_dropout_bwd(g.ptr, mask.ptr, ptr, x.size, acc)), [mask]);
}
