// Batch normalisation (torch.nn.functional.batch_norm) over x [n, c, ...]: per channel,
// statistics over the batch and every spatial position. Training uses the batch's mean and
// biased variance and moves the running statistics (unbiased variance, as torch); evaluation
// uses the running statistics, which are then constants of the graph.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, fmtShape, record, untracked } from '../autograd/tensor';
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
    k.f32_batchnorm_stats(x.ptr, mean.ptr, invstd.ptr, n, c, l, eps, runningMean.ptr, runningVar.ptr, momentum);
  } else {
    // Copied, so that a later change to the running statistics does not alter this backward.
    k.f32_copy(runningMean.ptr, mean.ptr, c);
    k.f32_batchnorm_invstd(runningVar.ptr, invstd.ptr, c, eps);
  }
  const out = empty(x.shape);
  k.f32_batchnorm_fwd(x.ptr, mean.ptr, invstd.ptr, weight.ptr, bias.ptr, out.ptr, n, c, l);
  return record(
    out,
    'batchNorm',
    [x, weight, bias],
    (g) => {
      const sums = untracked([2, c]);
      const sumDy = sums.ptr, sumDyXhat = sums.ptr + c * 4;
      try {
        k.f32_batchnorm_bwd_reduce(x.ptr, g.ptr, mean.ptr, invstd.ptr, sumDy, sumDyXhat, n, c, l);
        addGrad(x, (p, acc) =>
          k.f32_batchnorm_bwd_input(x.ptr, g.ptr, mean.ptr, invstd.ptr, weight.ptr, sumDy, sumDyXhat, p, n, c, l, training ? 1 : 0, acc),
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
