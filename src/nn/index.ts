// sl.nn: layers with PyTorch layouts, names and default initialisations.
export { Module, type StateDict, type LoadStateDictOptions } from './module';
export { Sequential } from './sequential';
export { Linear, type LinearOptions } from './linear';
export { Conv2d, Conv1d, type Conv2dLayerOptions, type Conv1dLayerOptions } from './conv2d';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from './pool';
export { ReLU } from './relu';
export { ReLU6, Hardswish, Hardsigmoid, GELU, SiLU, Sigmoid, Tanh, LeakyReLU, PReLU, Identity } from './activation';
export { Flatten } from './flatten';
export { L2Normalize } from './l2normalize';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from './batchnorm';
export { LayerNorm, GroupNorm, type LayerNormOptions } from './norm';
export { Embedding, EmbeddingBag, type EmbeddingBagOptions } from './embedding';
export { fuseBatchNorm } from './fuse';
