// The whole wasm ABI: pointers into linear memory and sizes in, nothing allocated here.
// One line per kernel family; src/wasm/abi.ts mirrors it for TypeScript.

export function heap_base(): usize {
  return __heap_base;
}

export * from './kernels/eltwise';
export * from './kernels/reduce';
export * from './kernels/covariance';
export * from './kernels/gemm';
export * from './kernels/peak';
export * from './kernels/distance';
export * from './kernels/mahalanobis';
export * from './kernels/linalg';
export * from './kernels/loss';
export * from './kernels/loss-rows';
export * from './kernels/conv';
export * from './kernels/pool';
export * from './kernels/norm';
export * from './kernels/optim';
export * from './kernels/kmeans';
export * from './kernels/unary';
export * from './kernels/gather';
export * from './kernels/masked';
export * from './kernels/activation';
export * from './kernels/depthwise';
export * from './kernels/embedding';
export * from './kernels/eigen';
export * from './kernels/eigen-tridiag';
export * from './kernels/quant';
export * from './kernels/learner-grads';
export * from './kernels/topk';
export * from './kernels/topk-codes';
export * from './kernels/f64-linalg';
export * from './kernels/histogram';
export * from './kernels/lfda';
export * from './kernels/impostor';
