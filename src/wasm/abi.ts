// TypeScript view of the wasm exports. The kernel signatures and the code numbers both
// sides share are generated from assembly/ by scripts/gen-abi.mjs (`npm run build:wasm`),
// so they are written once, in the kernels.
import type { KernelExports } from './abi.generated';

export { Activation, AvgPoolFlag, BagMode, BinaryOp, CompareOp, ConvAct, MaskedReduce, NeighbourObjective, PairKind, PairLse, PairedKind, QuantKind, ScanKind, TripletFlag, TripletType, UnaryOp } from './abi.generated';

export interface Kernels extends KernelExports {
  memory: WebAssembly.Memory;
}
