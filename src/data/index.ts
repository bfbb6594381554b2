// sl.data: samplers, pair/triplet builders and batching. (The MNIST loader lives in
// src/data/mnist.ts, outside the bundle: it reads the `mnist` devDependency from disk.)
export { MPerClassSampler, type MPerClassSamplerOptions } from './MPerClassSampler';
export { makePairs, makeTriplets, type Pairs, type Triplets, type PairOptions } from './tuples';
export { gather, type Dataset } from './batch';
