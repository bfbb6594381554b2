// simlearn: the public API. Everything users import comes from here.
import './autograd/methods';

export { init, engineInfo, hasWasmSimd, hasRelaxedSimd, type InitOptions, type SimdBuild } from './wasm/instance';
export { manualSeed } from './random';
export { Tensor, tidy, noGrad, keep } from './autograd/tensor';
export { tensor, zeros, ones, full, randn, rand, type TensorOptions, type RandomOptions } from './autograd/create';
export { add, sub, mul, div, relu } from './ops/eltwise';
export { sum, mean, l2Normalize } from './ops/reduce';
export { matmul, transpose, linear } from './ops/gemm';
export { reshape, flatten, cat } from './ops/shape';
export { crossEntropy, crossEntropyLosses } from './ops/cross-entropy';

// distances and search
export * from './distances/functions';
export { checkMetricAxioms, type MetricAxiomsReport, type AxiomCheck, type CheckMetricAxiomsOptions } from './distances/axioms';
export * as distances from './distances/index';
export * as search from './search/index';

// losses, reducers, miners
export * as losses from './losses/index';
export * as reducers from './reducers/index';
export * as miners from './miners/index';
export * as regularizers from './regularizers/index';

// layers, models, optimisers, data, training, metrics, io
export { conv2d, conv1d, type Conv2dOptions, type Conv1dOptions } from './ops/conv';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './ops/pool';
export { batchNorm, layerNorm, groupNorm, type BatchNormOptions } from './ops/norm';
export { relu6, hardswish, hardsigmoid, gelu, silu, sigmoid, tanh, leakyRelu, prelu } from './ops/activation';
export { embedding, embeddingBag } from './ops/embedding';
export { dropout, type DropoutOptions } from './ops/dropout';
export * as nn from './nn/index';
export * as models from './models/index';
export * as optim from './optim/index';
export * as learners from './learners/index';
export * as data from './data/index';
export * as samplers from './samplers/index';
export * as train from './train/index';
export * as metrics from './metrics/index';
export * as io from './io/index';
export * as utils from './utils/index';
