// Code numbers that cross the wasm boundary as plain i32 arguments. They are written here
// once: scripts/build-wasm.mjs reads every `export const enum` of this file and generates
// the TypeScript side (src/wasm/abi.generated.ts), so the two sides cannot drift.
// This file exports no function, so it adds nothing to the wasm exports.

/** op of f32_binary_row / f32_binary_col and the elementwise helpers. */
export const enum BinaryOp { add = 0, sub = 1, mul = 2, div = 3 }

/** Per-pair loss of f32_pair_loss_fwd/bwd (v: the pair's distance or similarity, m the margin, y a target). */
export const enum PairKind {
  value = 0, //             v
  hingeAbove = 1, //        [v − m]₊
  hingeBelow = 2, //        [m − v]₊
  square = 3, //            v²
  squaredHingeBelow = 4, // [m² − v²]₊
  hingeBelowSquared = 5, // ([m − v]₊)²
  expRegression = 6, //     (e^−v − y)²
  regression = 7, //        (v − y)²
}

/** Bit flags of f32_triplet_margin_fwd/bwd. */
export const enum TripletFlag { swap = 1, smooth = 2, inverted = 4 }

/** Which triplets f32_triplet_margin_mine keeps; `every` takes each valid triplet without reading the matrix. */
export const enum TripletType { all = 0, hard = 1, semihard = 2, easy = 3, every = 4 }

/** Logits and output of f32_pair_lse_fwd/bwd (GeneralizedLiftedStructureLoss, CircleLoss). */
export const enum PairLse { lifted = 0, circle = 1 }

/** Distance of f32_paired_bwd. */
export const enum PairedKind { sqeuclidean = 0, euclidean = 1, manhattan = 2, lp = 3, dot = 4 }

/** Elementwise op of f32_unary_fwd / f32_unary_bwd; `a`, `b` are the op's parameters. */
export const enum UnaryOp {
  exp = 0, //        eˣ
  log = 1, //        ln x
  softplus = 2, //   ln(1 + eˣ) (stable for any x)
  sigmoid = 3, //    1 / (1 + e⁻ˣ)
  sqrt = 4, //       √x
  pow = 5, //        xᵃ
  abs = 6, //        |x|
  clamp = 7, //      x clamped to a..b
  neg = 8, //        −x
  square = 9, //     x²
  logSigmoid = 10, // −softplus(−x)
  tanh = 11, //      tanh x
}

/** Comparison of f32_compare / f32_compare_scalar, written as 1 (true) or 0 (false). */
export const enum CompareOp { eq = 0, ne = 1, gt = 2, ge = 3, lt = 4, le = 5 }

/** Reduction of f32_masked_rows_fwd / f32_masked_rows_bwd over the kept entries of each row. */
export const enum MaskedReduce { sum = 0, mean = 1, max = 2, min = 3, logsumexp = 4 }
/** Elementwise activation of f32_activation_fwd/bwd (alpha: LeakyReLU's negative slope). */
export const enum Activation { relu6 = 0, hardswish = 1, hardsigmoid = 2, gelu = 3, geluTanh = 4, silu = 5, sigmoid = 6, tanh = 7, leakyRelu = 8 }

/** Activation applied in the epilogue of f32_conv2d_fwd_act / f32_dwconv2d_fwd_act (inference: no backward). */
export const enum ConvAct { none = 0, relu = 1, relu6 = 2 }

/** Reduction of f32_embedding_bag_fwd/bwd (torch.nn.EmbeddingBag's mode). */
export const enum BagMode { sum = 0, mean = 1, max = 2 }

/** Bit flags of f32_avgpool2d_fwd/bwd. */
export const enum AvgPoolFlag { countIncludePad = 1, adaptive = 2 }

/** Value of i8_topk_scan, chosen so that the k nearest are the k smallest (sqeuclidean clamped at 0). */
export const enum QuantKind {
  sqeuclidean = 0, // ‖a‖² + ‖b‖² − 2 sa·sb·(qa·qb)
  negDot = 1, //      −sa·sb·(qa·qb)
  cosine = 2, //      1 − sa·sb·(qa·qb) / (‖a‖‖b‖); 1 where a norm is 0
}

/** Objective of f64_neighbour_grad (the softmax weights of NCA and MLKR). */
export const enum NeighbourObjective { nca = 0, mlkr = 1 }

/** Value of f32_topk_scan, chosen so that the k nearest are the k smallest. */
export const enum ScanKind {
  sqeuclidean = 0, //    ‖a − b‖²
  euclidean = 1, //      ‖a − b‖
  manhattan = 2, //      ‖a − b‖₁
  lp = 3, //             ‖a − b‖_p
  negDot = 4, //         −a·b (dot product and cosine similarity: largest first)
  cosineDistance = 5, // 1 − a·b (of normalised rows)
}
