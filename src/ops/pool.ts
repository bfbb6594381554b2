// 2-D max pooling (torch.nn.functional.max_pool2d, no padding, floor mode). The argmax
// offsets are saved as an int32 buffer for the backward scatter.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, fmtShape, record, untracked } from '../autograd/tensor';
import { pairOf, type Pair } from './conv';
import { checkOptions } from '../options';

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair;
}

/** x [n, c, h, w] -> [n, c, ⌊(h − kh)/sh⌋ + 1, ⌊(w − kw)/sw⌋ + 1], max over each window. */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  checkOptions('maxPool2d', options, { stride: ['integer', 'array'] });
  x.ptr;
  const [kh, kw] = pairOf('maxPool2d', 'kernelSize', kernelSize, 1);
  const [sh, sw] = pairOf('maxPool2d', 'stride', options.stride ?? kernelSize, 1);
  if (x.ndim !== 4) throw new Error(`maxPool2d: x must be 4-D [n, c, h, w], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (kh > h || kw > w) throw new Error(`maxPool2d: kernel ${kh}×${kw} is larger than the input ${h}×${w} (x ${fmtShape(x.shape)})`);
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const k = getEngine().k;
  const out = empty([n, c, oh, ow]);
  const idx = untracked([n, c, oh, ow]); // int32 offsets stored in a float-sized buffer
  k.f32_maxpool2d_fwd(x.ptr, out.ptr, idx.ptr, n * c, h, w, kh, kw, sh, sw);
  return record(
    out,
    'maxPool2d',
    [x],
    (g) => addGrad(x, (p, acc) => k.f32_maxpool2d_bwd(g.ptr, idx.ptr, p, n * c, h, w, oh, ow, acc)),
    [idx],
  );
}
