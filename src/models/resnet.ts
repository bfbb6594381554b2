// torchvision's ResNet (He et al. 2016; torchvision.models.resnet, v1.5: the stride of a
// Bottleneck on its 3×3 conv), module for module, so that torchvision's state-dict keys
// ('layer1.0.conv1.weight', 'layer2.0.downsample.1.running_var', 'fc.bias') are ours and a
// torchvision state dict loads strictly. Same initialisation: convs kaiming-normal (fan out),
// BatchNorm weight 1, bias 0, fc as torch.nn.Linear.
import { Tensor } from '../autograd/tensor';
import { add, relu } from '../ops/eltwise';
import { flatten } from '../ops/shape';
import { checkOptions } from '../options';
import { Module } from '../nn/module';
import { Sequential } from '../nn/sequential';
import { Conv2d } from '../nn/conv2d';
import { BatchNorm2d } from '../nn/batchnorm';
import { ReLU } from '../nn/relu';
import { Linear } from '../nn/linear';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pool';
import { kaimingNormalFanOut, withInitDeferred } from '../nn/init';
import { Identity } from '../nn/activation';
import { recordsNothing, release } from '../nn/release';

/** A bias-free conv with torchvision's init and padding (k − 1)/2. */
export function convNoBias(inC: number, outC: number, k: number, stride = 1, groups = 1): Conv2d {
  const c = withInitDeferred(() => new Conv2d(inC, outC, k, { stride, padding: (k - 1) >> 1, groups, bias: false }));
  kaimingNormalFanOut(c.weight);
  return c;
}

/** conv3×3 → bn → relu → conv3×3 → bn, plus the shortcut, then relu (expansion 1). */
export class BasicBlock extends Module {
  static readonly typeName = 'BasicBlock';
  static readonly expansion = 1;
  declare conv1: Module; declare bn1: Module; declare relu: Module; declare conv2: Module; declare bn2: Module;
  declare downsample: Module | undefined;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Module | null = null) {
    super();
    this.registerModule('conv1', convNoBias(inplanes, planes, 3, stride));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('relu', new ReLU());
    this.registerModule('conv2', convNoBias(planes, planes, 3));
    this.registerModule('bn2', new BatchNorm2d(planes));
    if (downsample) this.registerModule('downsample', downsample);
  }

  forward(x: Tensor): Tensor {
    if (folded(this, x, [this.conv1, this.bn1], [this.conv2, this.bn2])) {
      const a = (this.conv1 as Conv2d).forwardInfer(x, 'relu', null);
      return lastConvShortcut(this, x, a, this.conv2 as Conv2d);
    }
    const a = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    const b = this.bn2.forward(this.conv2.forward(a));
    return shortcut(this, x, b);
  }
}

/** conv1×1 → conv3×3 (stride) → conv1×1 (×4 channels), each with bn, plus the shortcut (expansion 4). */
export class Bottleneck extends Module {
  static readonly typeName = 'Bottleneck';
  static readonly expansion = 4;
  declare conv1: Module; declare bn1: Module; declare conv2: Module; declare bn2: Module; declare conv3: Module; declare bn3: Module; declare relu: Module;
  declare downsample: Module | undefined;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Module | null = null) {
    super();
    this.registerModule('conv1', convNoBias(inplanes, planes, 1));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('conv2', convNoBias(planes, planes, 3, stride));
    this.registerModule('bn2', new BatchNorm2d(planes));
    this.registerModule('conv3', convNoBias(planes, planes * 4, 1));
    this.registerModule('bn3', new BatchNorm2d(planes * 4));
    this.registerModule('relu', new ReLU());
    if (downsample) this.registerModule('downsample', downsample);
  }

  forward(x: Tensor): Tensor {
    if (folded(this, x, [this.conv1, this.bn1], [this.conv2, this.bn2], [this.conv3, this.bn3])) {
      const a = (this.conv1 as Conv2d).forwardInfer(x, 'relu', null);
      const b = (this.conv2 as Conv2d).forwardInfer(a, 'relu', null);
      release(a, x);
      return lastConvShortcut(this, x, b, this.conv3 as Conv2d);
    }
    const a = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    const b = this.relu.forward(this.bn2.forward(this.conv2.forward(a)));
    release(a, x);
    const c = this.bn3.forward(this.conv3.forward(b));
    release(b, x);
    return shortcut(this, x, c);
  }
}

/**
 * Inference on a model from nn.fuseBatchNorm: each [conv, bn] pair a Conv2d without an
 * activation of its own and the folded BatchNorm's Identity, the block's ReLU a ReLU, and
 * nothing recorded. The block then runs its ReLUs and its shortcut in the convs' last pass
 * (bench TRUNKS: an add and a ReLU pass per block, and a ReLU per first conv, saved).
 */
function folded(block: BasicBlock | Bottleneck, x: Tensor, ...pairs: Module[][]): boolean {
  return block.relu instanceof ReLU && pairs.every(([c, bn]) => c instanceof Conv2d && c.activation === null && bn instanceof Identity) && recordsNothing(x, block);
}

/** relu(last(t) + downsample(x) or x) in last's kernel, freeing t and the shortcut. */
function lastConvShortcut(block: BasicBlock | Bottleneck, x: Tensor, t: Tensor, last: Conv2d): Tensor {
  const identity = block.downsample ? block.downsample.forward(x) : x;
  const y = last.forwardInfer(t, 'relu', identity);
  release(t, x);
  if (identity !== x) release(identity, x);
  return y;
}

/** relu(out + downsample(x) or x), freeing what inference no longer needs. */
function shortcut(block: BasicBlock | Bottleneck, x: Tensor, out: Tensor): Tensor {
  const identity = block.downsample ? block.downsample.forward(x) : x;
  const sum = add(out, identity);
  release(out, x);
  if (identity !== x) release(identity, x);
  const y = relu(sum);
  release(sum, x);
  return y;
}

type Block = typeof BasicBlock | typeof Bottleneck;

export interface ResNetOptions {
  /** Size of fc's output (default 1000, ImageNet's). */
  numClasses?: number;
}

/**
 * ResNet for [n, 3, h, w] images -> [n, numClasses] logits. `model.fc = new sl.nn.Identity()`
 * makes it return the pooled features (512 for resnet18/34, 2048 for resnet50).
 */
export class ResNet extends Module {
  static readonly typeName = 'ResNet';
  declare conv1: Module; declare bn1: Module; declare relu: Module; declare maxpool: Module;
  declare layer1: Module; declare layer2: Module; declare layer3: Module; declare layer4: Module;
  declare avgpool: Module; declare fc: Module;

  constructor(block: Block, layers: readonly number[], options: ResNetOptions = {}) {
    super();
    const { numClasses = 1000 } = checkOptions<ResNetOptions>('ResNet', options, { numClasses: 'integer' });
    if (!(numClasses >= 1)) throw new Error(`ResNet: numClasses must be a positive integer, got ${numClasses}`);
    let inplanes = 64;
    this.registerModule('conv1', convNoBias(3, 64, 7, 2));
    this.registerModule('bn1', new BatchNorm2d(64));
    this.registerModule('relu', new ReLU());
    this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    [64, 128, 256, 512].forEach((planes, i) => {
      const stride = i === 0 ? 1 : 2;
      const out = planes * block.expansion;
      const down = stride !== 1 || inplanes !== out ? new Sequential(convNoBias(inplanes, out, 1, stride), new BatchNorm2d(out)) : null;
      const blocks: Module[] = [new block(inplanes, planes, stride, down)];
      inplanes = out;
      for (let b = 1; b < layers[i]; b++) blocks.push(new block(inplanes, planes));
      this.registerModule(`layer${i + 1}`, new Sequential(...blocks));
    });
    this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.registerModule('fc', new Linear(512 * block.expansion, numClasses));
  }

  forward(x: Tensor): Tensor {
    const stem = this.conv1 instanceof Conv2d && this.conv1.activation === null && this.bn1 instanceof Identity && this.relu instanceof ReLU && recordsNothing(x, this.conv1)
      ? this.conv1.forwardInfer(x, 'relu', null)
      : stage(this.relu, stage(this.bn1, this.conv1.forward(x), x), x);
    let y = stage(this.maxpool, stem, x);
    for (const layer of [this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool]) y = stage(layer, y, x);
    return this.fc.forward(flatten(y, 1));
  }
}

/** m(t), releasing t when inference no longer needs it (never the caller's input x). */
function stage(m: Module, t: Tensor, x: Tensor): Tensor {
  const y = m.forward(t);
  if (y !== t) release(t, x);
  return y;
}

/** ResNet-18 (torchvision.models.resnet18): BasicBlocks [2, 2, 2, 2]. */
export const resnet18 = (options: ResNetOptions = {}): ResNet => new ResNet(BasicBlock, [2, 2, 2, 2], options);
/** ResNet-34: BasicBlocks [3, 4, 6, 3]. */
export const resnet34 = (options: ResNetOptions = {}): ResNet => new ResNet(BasicBlock, [3, 4, 6, 3], options);
/** ResNet-50: Bottlenecks [3, 4, 6, 3]. */
export const resnet50 = (options: ResNetOptions = {}): ResNet => new ResNet(Bottleneck, [3, 4, 6, 3], options);
