// Batch, layer and group normalisation (torch.nn.functional's batch_norm, layer_norm,
// group_norm). Batch normalisation over x [n, c, ...]: per channel,
// statistics over the batch and every spatial position. Training uses the batch's mean and
// biased variance and moves the running statistics (unbiased variance, as torch); evaluation
// uses the running statistics, which are then constants of the graph.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, composite, fmtShape, record, shapeSize, untracked } from '../autograd/tensor';
import { add, mul } from './eltwise';
import { reshape } from './shape';
import { checkOptions } from '../options';

export interface BatchNormOptions {
  training: boolean;
  momentum?: number;
  eps?: number;
}

/** x [n, c] or [n, c, ...]; runningMean/runningVar/weight/bias [c]. Running stats move in training. */
export function batchNorm(
  x: Tensor, runningMean: Tensor, runningVar: Tensor, weight: Tensor, bias: Tensor, options: BatchNormOptions,
): Tensor {
  const { training, momentum = 0.1, eps = 1e-5 } = checkOptions<BatchNormOptions>('batchNorm', options, { training: 'boolean', momentum: 'number', eps: 'number' });
  if (typeof training !== 'boolean') throw new TypeError(`batchNorm: options.training must be true or false, got ${String(training)}`);
  x.ptr, runningMean.ptr, runningVar.ptr, weight.ptr, bias.ptr;
  if (x.ndim < 2) throw new Error(`batchNorm: x must be [n, c] or [n, c, ...], got ${fmtShape(x.shape)}`);
  const [n, c] = x.shape;
  const l = x.shape.slice(2).reduce((a, b) => a * b, 1);
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t.ndim !== 1 || t.shape[0] !== c) throw new Error(`batchNorm: ${name} is ${fmtShape(t.shape)} but x is ${fmtShape(x.shape)}: it must be [${c}]`);
  }
  if (training && n * l <= 1) {
    throw new Error(`batchNorm: expected more than 1 value per channel when training, got x ${fmtShape(x.shape)}`);
  }
  const k = getEngine().k;
  const mean = untracked([c]);
  const invstd = untracked([c]);
  if (training) {
    k.f32_batchnorm_stats(x.ptr, mean.ptr, invstd.ptr, n, c, l, eps, runningMean.ptr, runningVar.ptr, momentum, 0, c);
  } else {
    // Copied, so that a later change to the running statistics does not alter this backward.
    k.f32_copy(runningMean.ptr, mean.ptr, c);
    k.f32_batchnorm_invstd(runningVar.ptr, invstd.ptr, c, eps);
  }
  const out = empty(x.shape);
  k.f32_batchnorm_fwd(x.ptr, mean.ptr, invstd.ptr, weight.ptr, bias.ptr, out.ptr, n, c, l, 0, c);
  return record(
    out,
    'batchNorm',
    [x, weight, bias],
    (g) => {
      const sums = untracked([2, c]);
      const sumDy = sums.ptr, sumDyXhat = sums.ptr + c * 4;
      try {
        k.f32_batchnorm_bwd_reduce(x.ptr, g.ptr, mean.ptr, invstd.ptr, sumDy, sumDyXhat, n, c, l, 0, c);
        addGrad(x, (p, acc) =>
          k.f32_batchnorm_bwd_input(x.ptr, g.ptr, mean.ptr, invstd.ptr, weight.ptr, sumDy, sumDyXhat, p, n, c, l, training ? 1 : 0, acc, 0, c),
        );
        addGrad(weight, (p, acc) => (acc ? k.f32_add(p, sumDyXhat, p, c) : k.f32_copy(sumDyXhat, p, c)));
        addGrad(bias, (p, acc) => (acc ? k.f32_add(p, sumDy, p, c) : k.f32_copy(sumDy, p, c)));
      } finally {
        sums.dispose();
      }
    },
    [mean, invstd],
  );
}

/** Rows of x [rows, d] to zero mean and unit variance (the core of LayerNorm and GroupNorm). */
function rowNorm(x: Tensor, rows: number, d: number, eps: number): Tensor {
  const k = getEngine().k;
  const out = empty([rows, d]);
  const stats = untracked([2, rows]);
  const mean = stats.ptr, rstd = stats.ptr + rows * 4;
  k.f32_rownorm_fwd(x.ptr, out.ptr, mean, rstd, rows, d, eps);
  const flat = reshape(x, [rows, d]);
  return record(out, 'rowNorm', [flat], (g) => addGrad(flat, (p, acc) => k.f32_rownorm_bwd(x.ptr, g.ptr, mean, rstd, p, rows, d, acc)), [stats]);
}

/**
 * x [..., *normalizedShape] normalised over its last normalizedShape.length dimensions, then
 * × weight + bias (both of normalizedShape, optional) (torch.nn.functional.layer_norm).
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  assertLive('layerNorm', 'x', x);
  const tail = x.shape.slice(x.ndim - normalizedShape.length);
  if (normalizedShape.length === 0 || normalizedShape.length > x.ndim || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new Error(`layerNorm: x is ${fmtShape(x.shape)} but must end in normalizedShape ${fmtShape(normalizedShape)}`);
  }
  const d = shapeSize(normalizedShape);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (assertLive('layerNorm', name, t), t.size !== d)) throw new Error(`layerNorm: ${name} is ${fmtShape(t.shape)} but must be ${fmtShape(normalizedShape)}`);
  }
  return composite(() => {
    let y = rowNorm(x, x.size / d, d, eps);
    if (weight) y = mul(y, reshape(weight, [d]));
    if (bias) y = add(y, reshape(bias, [d]));
    return reshape(y, x.shape);
  });
}

/**
 * x [n, c, ...] normalised over each group of c / groups channels (and every position), then
 * × weight[c] + bias[c] per channel (torch.nn.functional.group_norm).
 */
export function groupNorm(x: Tensor, groups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  assertLive('groupNorm', 'x', x);
  if (x.ndim < 2 || !Number.isInteger(groups) || groups < 1 || x.shape[1] % groups !== 0) {
    throw new Error(`groupNorm: x is ${fmtShape(x.shape)}: it must be [n, c, ...] with c divisible by groups ${groups}`);
  }
  const [n, c] = x.shape;
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (assertLive('groupNorm', name, t), t.ndim !== 1 || t.size !== c)) throw new Error(`groupNorm: ${name} is ${fmtShape(t.shape)} but must be [${c}]`);
  }
  return composite(() => {
    const y = reshape(rowNorm(x, n * groups, x.size / (n * groups), eps), [n, c, x.size / (n * c)]);
    if (!weight && !bias) return reshape(y, x.shape);
    // the per-channel affine is batchNorm's evaluation with mean 0 and variance 1
    const zero = constant([c], 0), one = constant([c], 1);
    return reshape(batchNorm(y, zero, one, weight ?? one, bias ?? zero, { training: false, eps: 0 }), x.shape);
  });
}

function constant(shape: number[], v: number): Tensor {
  const t = empty(shape);
  getEngine().k.f32_fill(t.ptr, v, t.size);
  return t;
}
