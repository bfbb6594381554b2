// sl.models: networks built around one shared embedder, and torchvision's trunks.
export { Siamese } from './siamese';
export { Triplet, type TripletDistances } from './triplet';
export type { PairedDistance } from './embedding-model';
export { ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, type ResNetOptions } from './resnet';
export { MobileNetV2, InvertedResidual, mobilenetV2, type MobileNetV2Options } from './mobilenet';
