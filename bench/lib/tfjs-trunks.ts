// torchvision's ResNet-18 and MobileNetV2 forward written with tfjs-core ops (NHWC), built
// from a torchvision state dict (name → values and shape) so that tfjs runs the same model as
// simlearn and onnxruntime-web. BatchNorm is folded into the conv before it here, as
// fuseBatchNorm and torch.onnx.export (eval) fold it on the other sides; each conv is one
// tf.fused.conv2d / tf.fused.depthwiseConv2d with bias and ReLU / ReLU6 fused, with torch's
// symmetric explicit padding (tfjs 'same' at stride 2 would pad after only).
import * as tf from '@tensorflow/tfjs-core';

export interface Weights {
  get(name: string): { values: Float32Array; shape: number[] };
}

interface ConvBn {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  stride: number;
  pad: number;
  depthwise: boolean;
}

/** conv `conv` [oc, ic/g, kh, kw] folded with BatchNorm `bn`: s = γ / √(var + eps), W' = s·W, b' = β − s·mean. */
function convBn(wts: Weights, conv: string, bn: string, stride: number, depthwise = false): ConvBn {
  const w = wts.get(`${conv}.weight`);
  const [oc, icg, kh, kw] = w.shape;
  const g = wts.get(`${bn}.weight`).values, beta = wts.get(`${bn}.bias`).values;
  const mean = wts.get(`${bn}.running_mean`).values, v = wts.get(`${bn}.running_var`).values;
  const b = new Float32Array(oc);
  // [kh, kw, ic, oc] for conv2d; [kh, kw, c, 1] for depthwise (icg = 1, the channel is o)
  const f = new Float32Array(w.values.length);
  for (let o = 0; o < oc; o++) {
    const s = g[o] / Math.sqrt(v[o] + 1e-5);
    b[o] = beta[o] - s * mean[o];
    for (let i = 0; i < icg; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const at = depthwise ? (y * kw + x) * oc + o : ((y * kw + x) * icg + i) * oc + o;
          f[at] = s * w.values[((o * icg + i) * kh + y) * kw + x];
        }
  }
  const shape: [number, number, number, number] = depthwise ? [kh, kw, oc, 1] : [kh, kw, icg, oc];
  return { filter: tf.tensor4d(f, shape), bias: tf.tensor1d(b), stride, pad: (kh - 1) >> 1, depthwise };
}

function apply(l: ConvBn, x: tf.Tensor4D, activation: 'relu' | 'relu6' | 'linear'): tf.Tensor4D {
  const args = { x, filter: l.filter, strides: l.stride, pad: l.pad, bias: l.bias, activation } as const;
  return l.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
}

function linear(wts: Weights, name: string): { w: tf.Tensor2D; b: tf.Tensor1D } {
  const w = wts.get(`${name}.weight`);
  return { w: tf.transpose(tf.tensor2d(w.values, w.shape as [number, number])), b: tf.tensor1d(wts.get(`${name}.bias`).values) };
}

export interface TfTrunk {
  /** x NHWC [n, 224, 224, 3] -> logits [n, 1000]; call inside tf.tidy. */
  forward(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

function trunk(layers: { dispose(): void }[], forward: (x: tf.Tensor4D) => tf.Tensor2D): TfTrunk {
  return { forward, dispose: () => layers.forEach((t) => t.dispose()) };
}

const convTensors = (ls: ConvBn[]) => ls.flatMap((l) => [l.filter, l.bias]);

/** torchvision.models.resnet18: conv 7×7/2, maxpool 3/2, four stages of two BasicBlocks, avgpool, fc. */
export function tfResnet18(wts: Weights): TfTrunk {
  const stem = convBn(wts, 'conv1', 'bn1', 2);
  const blocks: { c1: ConvBn; c2: ConvBn; down: ConvBn | null }[] = [];
  for (let s = 1; s <= 4; s++) {
    for (let b = 0; b < 2; b++) {
      const p = `layer${s}.${b}`;
      const stride = s > 1 && b === 0 ? 2 : 1;
      blocks.push({
        c1: convBn(wts, `${p}.conv1`, `${p}.bn1`, stride),
        c2: convBn(wts, `${p}.conv2`, `${p}.bn2`, 1),
        down: s > 1 && b === 0 ? convBn(wts, `${p}.downsample.0`, `${p}.downsample.1`, 2) : null,
      });
    }
  }
  const fc = linear(wts, 'fc');
  const all = [stem, ...blocks.flatMap((b) => (b.down ? [b.c1, b.c2, b.down] : [b.c1, b.c2]))];
  return trunk([...convTensors(all), fc.w, fc.b], (x) => {
    let y = tf.maxPool(apply(stem, x, 'relu'), 3, 2, 1);
    for (const b of blocks) {
      const out = apply(b.c2, apply(b.c1, y, 'relu'), 'linear');
      y = tf.relu(tf.add(out, b.down ? apply(b.down, y, 'linear') : y)) as tf.Tensor4D;
    }
    return tf.add(tf.matMul(tf.mean(y, [1, 2]) as tf.Tensor2D, fc.w), fc.b);
  });
}

// torchvision's inverted residual setting [t, c, n, s]
const MOBILENET_V2 = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

/** torchvision.models.mobilenet_v2: conv 3×3/2, 17 inverted residuals, conv 1×1 to 1280, avgpool, classifier. */
export function tfMobilenetV2(wts: Weights): TfTrunk {
  const stem = convBn(wts, 'features.0.0', 'features.0.1', 2);
  const blocks: { layers: ConvBn[]; residual: boolean }[] = [];
  let idx = 1, input = 32;
  for (const [t, c, n, s] of MOBILENET_V2) {
    for (let i = 0; i < n; i++) {
      const p = `features.${idx++}.conv`;
      const stride = i === 0 ? s : 1;
      const layers = t === 1
        ? [convBn(wts, `${p}.0.0`, `${p}.0.1`, stride, true), convBn(wts, `${p}.1`, `${p}.2`, 1)]
        : [convBn(wts, `${p}.0.0`, `${p}.0.1`, 1), convBn(wts, `${p}.1.0`, `${p}.1.1`, stride, true), convBn(wts, `${p}.2`, `${p}.3`, 1)];
      blocks.push({ layers, residual: stride === 1 && input === c });
      input = c;
    }
  }
  const head = convBn(wts, `features.${idx}.0`, `features.${idx}.1`, 1);
  const fc = linear(wts, 'classifier.1');
  return trunk([...convTensors([stem, head, ...blocks.flatMap((b) => b.layers)]), fc.w, fc.b], (x) => {
    let y = apply(stem, x, 'relu6');
    for (const b of blocks) {
      let z = y;
      b.layers.forEach((l, j) => (z = apply(l, z, j === b.layers.length - 1 ? 'linear' : 'relu6')));
      y = b.residual ? tf.add(y, z) : z;
    }
    const f = tf.mean(apply(head, y, 'relu6'), [1, 2]) as tf.Tensor2D;
    return tf.add(tf.matMul(f, fc.w), fc.b);
  });
}
