// Convolution for inference (nothing recorded), as nn.Conv2d runs it under noGrad:
//   y = act(conv2d(x, W) + b + residual)
// The weights are packed for the GEMM's microkernel once and kept with the weight tensor
// (derivedOf: rebuilt after an optimiser step or loadStateDict writes the weight, freed with
// it) instead of at every call, and a block's shortcut (ResNet's add + ReLU, MobileNetV2's
// add) runs in the conv's bias pass instead of passes of its own. Bitwise conv2d, then add,
// then the activation. bench TRUNKS: the per-call packing was 3.5 M floats per image for
// MobileNetV2 (per image at batch 32) and 11 M for ResNet-18.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, assertLive, composite, derivedOf, fmtShape } from '../autograd/tensor';
import { ConvAct } from '../wasm/abi';
import { conv2d, conv2dActivated, convGeometry, convGroup, convOutSize, withScratch, type Conv2dOptions } from './conv';
import { add, relu } from './eltwise';
import { activation } from './activation';

export type ConvActivation = 'relu' | 'relu6' | null;

/**
 * act(conv2d(x, weight, bias, options) + residual) with nothing recorded (the caller checks
 * that no backward can follow: isRecorded). residual: null or a tensor of the output's shape.
 */
export function conv2dInfer(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions, act: ConvActivation, residual: Tensor | null = null): Tensor {
  const { stride, dilation, groups, pads } = convGeometry(x, weight, bias, options);
  const [n, c, h, w] = x.shape;
  const [oc, , kh, kw] = weight.shape;
  const dense = groups === 1 && dilation[0] === 1 && dilation[1] === 1 && pads[0] === pads[2] && pads[1] === pads[3];
  if (residual) {
    assertLive('conv2d', 'residual', residual);
    const [sh, sw] = stride;
    const oh = Math.floor((h + pads[0] + pads[2] - dilation[0] * (kh - 1) - 1) / sh) + 1;
    const ow = Math.floor((w + pads[1] + pads[3] - dilation[1] * (kw - 1) - 1) / sw) + 1;
    const want = [n, oc, oh, ow];
    if (residual.ndim !== 4 || residual.shape.some((s, i) => s !== want[i])) {
      throw new Error(`conv2d: residual is ${fmtShape(residual.shape)} but the output is ${fmtShape(want)} (x ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)})`);
    }
  }
  // depthwise, grouped, dilated or unevenly padded: the ops (the activation in the kernel when
  // there is no shortcut), else then the shortcut and the activation
  if (!dense) {
    if (!residual) return act ? conv2dActivated(x, weight, bias, options, act) : conv2d(x, weight, bias, options);
    return composite(() => {
      const y = add(conv2d(x, weight, bias, options), residual);
      return act === 'relu' ? relu(y) : act === 'relu6' ? activation('relu6', y) : y;
    });
  }
  const [sh, sw] = stride;
  const [ph, pw] = pads;
  const [oh, ow] = convOutSize(x, weight, stride, [ph, pw]);
  const e = getEngine();
  const k = e.k;
  const ckk = c * kh * kw;
  const kb = k.f32_conv2d_packed_kblock(c, h, w, oc, kh, kw, sh, sw, ph, pw);
  const packed = derivedOf(weight, `conv2d packed ${kb}`, k.f32_pack_a_panels_floats(oc, ckk), (p) => k.f32_pack_a_panels(weight.ptr, p, oc, ckk, kb));
  // a pointwise conv gathers several images per GEMM only for maps under 128 pixels: measured
  // (interleaved A/B of the kernel at batch 32) 4-8% faster on MobileNetV2's 7×7 layers, no gain at 14×14
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0;
  const group = pointwise && oh * ow >= 128 ? 1 : convGroup(n, oh * ow);
  const scratch = k.f32_conv2d_fwd_packed_scratch(c, h, w, oc, kh, kw, sh, sw, ph, pw, group);
  const code = act === 'relu' ? ConvAct.relu : act === 'relu6' ? ConvAct.relu6 : ConvAct.none;
  const out = empty([n, oc, oh, ow]);
  withScratch(scratch, (s) =>
    k.f32_conv2d_fwd_packed(x.ptr, packed.ptr, bias ? bias.ptr : 0, residual ? residual.ptr : 0, out.ptr, s, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group, e.gemmWorkspace, code),
  );
  return out;
}
