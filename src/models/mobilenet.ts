// torchvision's MobileNetV2 (Sandler et al. 2018; torchvision.models.mobilenet_v2), module for
// module: 'features.N' are Conv2dNormActivation (conv, bn, ReLU6 as '0', '1', '2') and
// InvertedResidual blocks ('features.N.conv.…'), 'classifier' is Dropout(0.2) then Linear;
// so torchvision's state-dict keys are ours. Same initialisation: convs kaiming-normal (fan
// out), BatchNorm 1/0, the classifier N(0, 0.01) with zero bias.
import { Tensor } from '../autograd/tensor';
import { add } from '../ops/eltwise';
import { adaptiveAvgPool2d } from '../ops/pool';
import { flatten } from '../ops/shape';
import { checkOptions } from '../options';
import { Module } from '../nn/module';
import { Sequential } from '../nn/sequential';
import { BatchNorm2d } from '../nn/batchnorm';
import { Identity, ReLU6 } from '../nn/activation';
import { Conv2d } from '../nn/conv2d';
import { Dropout } from '../nn/dropout';
import { Linear } from '../nn/linear';
import { fillNormal, withInitDeferred } from '../nn/init';
import { convNoBias } from './resnet';
import { recordsNothing, release } from '../nn/release';

/** torchvision's _make_divisible: v rounded to a multiple of divisor, never below 90% of v. */
function makeDivisible(v: number, divisor = 8): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** conv (padding (k − 1)/2, no bias) → BatchNorm2d → ReLU6, keys '0', '1', '2' (torchvision's Conv2dNormActivation). */
function convBnReLU6(inC: number, outC: number, k: number, stride = 1, groups = 1): Sequential {
  return new Sequential(convNoBias(inC, outC, k, stride, groups), new BatchNorm2d(outC), new ReLU6());
}

/** 1×1 expansion (skipped when expandRatio is 1), 3×3 depthwise (stride), 1×1 projection; residual when shapes allow. */
export class InvertedResidual extends Module {
  static readonly typeName = 'InvertedResidual';
  declare conv: Sequential;
  readonly useResConnect: boolean;

  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = expandRatio !== 1 ? [convBnReLU6(inp, hidden, 1)] : [];
    layers.push(convBnReLU6(hidden, hidden, 3, stride, hidden), convNoBias(hidden, oup, 1), new BatchNorm2d(oup));
    this.registerModule('conv', new Sequential(...layers));
  }

  forward(x: Tensor): Tensor {
    // on a model from nn.fuseBatchNorm (the projection's BatchNorm an Identity), nothing
    // recorded: the shortcut is added in the projection conv's last pass (bench TRUNKS)
    const layers = this.conv.layers;
    const proj = layers[layers.length - 2];
    if (this.useResConnect && proj instanceof Conv2d && proj.activation === null && layers[layers.length - 1] instanceof Identity && recordsNothing(x, this)) {
      let h = x;
      for (const m of layers.slice(0, -2)) {
        const next = m.forward(h);
        if (next !== h) release(h, x);
        h = next;
      }
      const out = proj.forwardInfer(h, null, x);
      release(h, x);
      return out;
    }
    const y = this.conv.forward(x);
    if (!this.useResConnect) return y;
    const out = add(x, y);
    release(y, x);
    return out;
  }
}

export interface MobileNetV2Options {
  numClasses?: number;
  /** Channel multiplier (default 1); channels round to multiples of 8. */
  widthMult?: number;
  /** Rows [t, c, n, s] of (expansion, channels, repeats, first stride); default the paper's seven. */
  invertedResidualSetting?: readonly (readonly number[])[];
  /** The classifier's dropout (default 0.2). */
  dropout?: number;
}

const SETTING = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

/**
 * MobileNetV2 for [n, 3, h, w] images -> [n, numClasses] logits. `model.classifier = new
 * sl.nn.Identity()` makes it return the pooled features (lastChannel, 1280 at width 1).
 */
export class MobileNetV2 extends Module {
  static readonly typeName = 'MobileNetV2';
  declare features: Sequential;
  declare classifier: Module;
  readonly lastChannel: number;

  constructor(options: MobileNetV2Options = {}) {
    super();
    const o = checkOptions<MobileNetV2Options>('mobilenetV2', options, { numClasses: 'integer', widthMult: 'number', invertedResidualSetting: 'array', dropout: 'number' });
    const { numClasses = 1000, widthMult = 1, invertedResidualSetting = SETTING, dropout = 0.2 } = o;
    if (!(numClasses >= 1)) throw new Error(`mobilenetV2: numClasses must be a positive integer, got ${numClasses}`);
    if (!(widthMult > 0)) throw new Error(`mobilenetV2: widthMult must be > 0, got ${widthMult}`);
    if (invertedResidualSetting.some((r) => !Array.isArray(r) || r.length !== 4)) {
      throw new Error(`mobilenetV2: invertedResidualSetting must be rows of 4 numbers [t, c, n, s], got ${JSON.stringify(invertedResidualSetting)}`);
    }
    let input = makeDivisible(32 * widthMult);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult));
    const features: Module[] = [convBnReLU6(3, input, 3, 2)];
    for (const [t, c, n, s] of invertedResidualSetting) {
      const out = makeDivisible(c * widthMult);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(input, out, i === 0 ? s : 1, t));
        input = out;
      }
    }
    features.push(convBnReLU6(input, this.lastChannel, 1));
    this.registerModule('features', new Sequential(...features));
    const fc = withInitDeferred(() => new Linear(this.lastChannel, numClasses));
    fillNormal(fc.weight, 0.01);
    this.registerModule('classifier', new Sequential(new Dropout(dropout), fc));
  }

  forward(x: Tensor): Tensor {
    const f = this.features.forward(x);
    const pooled = adaptiveAvgPool2d(f, 1);
    release(f, x);
    return this.classifier.forward(flatten(pooled, 1));
  }
}

/** MobileNetV2 (torchvision.models.mobilenet_v2). */
export const mobilenetV2 = (options: MobileNetV2Options = {}): MobileNetV2 => new MobileNetV2(options);
