// sl.nn: layers with PyTorch layouts, names and default initialisations.
export { Module, type StateDict, type LoadStateDictOptions } from './module';
export { Sequential } from './sequential';
export { Linear, type LinearOptions } from './linear';
export { Conv2d, type Conv2dLayerOptions } from './conv2d';
export { MaxPool2d } from './maxpool2d';
export { ReLU } from './relu';
export { Flatten } from './flatten';
export { L2Normalize } from './l2normalize';
export { Dropout } from './dropout';
export { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from './batchnorm';
