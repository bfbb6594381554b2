// Batch normalisation folded into the convolution before it, for inference: in eval mode
// BN(conv(x)) = conv'(x) with, per output channel o and s = γ[o] / √(var[o] + eps),
//   W'[o] = s · W[o],   b'[o] = s · (b[o] − mean[o]) + β[o].
// Inside a Sequential (where the order of the children is the order they run), a ReLU or
// ReLU6 right after the folded BatchNorm goes into the conv too (Conv2d.activation), so it
// runs in the conv kernel's bias pass: MobileNetV2's 35 ReLU6 layers then cost no pass of
// their own (bench TRUNKS).
import { f32 } from '../wasm/instance';
import { markWritten, untracked } from '../autograd/tensor';
import { Module, copyModule } from './module';
import { Conv2d } from './conv2d';
import { BatchNorm2d } from './batchnorm';
import { Identity, ReLU6 } from './activation';
import { ReLU } from './relu';
import { Sequential } from './sequential';

/**
 * A copy of model for inference in which every BatchNorm2d registered right after a Conv2d
 * of the same parent (torchvision's conv1/bn1 and Conv2dNormActivation layouts) is folded
 * into that conv and replaced by an Identity; the conv gains a bias if it had none. In a
 * Sequential, a ReLU / ReLU6 right after such a BatchNorm is fused into the conv as well
 * (Conv2d.activation) and replaced by an Identity. The copy is in eval mode and gives the
 * model's eval-mode outputs; the model itself is untouched.
 * @example const fast = sl.nn.fuseBatchNorm(model); fast.forward(x)
 */
export function fuseBatchNorm<M extends Module>(model: M): M {
  if (!(model instanceof Module)) throw new TypeError(`fuseBatchNorm: model must be an sl.nn.Module, got ${model === null ? 'null' : typeof model}`);
  const copy = copyModule(model).eval();
  const visit = (parent: Module): void => {
    let prev: Module | null = null;
    const children = parent.namedChildren();
    for (let i = 0; i < children.length; i++) {
      const [name, child] = children[i];
      if (prev instanceof Conv2d && child instanceof BatchNorm2d && prev.outChannels === child.numFeatures) {
        fold(prev, child);
        (parent as any)[name] = new Identity();
        child.dispose();
        const next = children[i + 1]?.[1];
        if (parent instanceof Sequential && prev.activation === null && (next instanceof ReLU || next instanceof ReLU6)) {
          prev.activation = next instanceof ReLU ? 'relu' : 'relu6';
          (parent as any)[children[i + 1][0]] = new Identity();
          i++;
        }
        prev = null;
        continue;
      }
      visit(child);
      prev = child;
    }
  };
  visit(copy);
  return copy;
}

function fold(conv: Conv2d, bn: BatchNorm2d): void {
  const oc = conv.outChannels;
  if (!conv.bias) {
    const b = untracked([oc]);
    f32().fill(0, b.ptr >>> 2, (b.ptr >>> 2) + oc);
    conv.bias = (conv as any).registerParameter('bias', b);
  }
  markWritten(conv.weight);
  markWritten(conv.bias!);
  const mem = f32();
  const w = conv.weight.ptr >>> 2, b = conv.bias!.ptr >>> 2;
  const g = bn.weight.ptr >>> 2, beta = bn.bias.ptr >>> 2, mean = bn.runningMean.ptr >>> 2, v = bn.runningVar.ptr >>> 2;
  const per = conv.weight.size / oc;
  for (let o = 0; o < oc; o++) {
    const s = mem[g + o] / Math.sqrt(mem[v + o] + bn.eps);
    for (let j = 0; j < per; j++) mem[w + o * per + j] *= s;
    mem[b + o] = s * (mem[b + o] - mem[mean + o]) + mem[beta + o];
  }
}
