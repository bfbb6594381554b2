// sl.io: weights in the safetensors format, exchangeable with PyTorch.
export { saveSafetensors, loadSafetensors, safetensorsMetadata, type StateDict } from './safetensors';
