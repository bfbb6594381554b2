import { LpDistance } from '../distances/lp-distance';
import { ncaLosses } from '../ops/loss-rows';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { labelCounts } from '../tuples/batch';
import { convertToWeights } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface NCALossOptions extends BaseLossOptions {
  /** Multiplies the (negated) distances before the softmax. Default 1. */
  softmaxScale?: number;
}

/**
 * Neighbourhood components analysis as a loss (Goldberger et al. 2004), as PML's: per query i,
 * −log Σ_{j same label} softmax_j(softmaxScale · −d_ij), the query itself left out when the
 * batch is its own reference; queries with no same-label reference are dropped. Miner tuples
 * weight the queries (lmu.convert_to_weights). Defaults: LpDistance({ power: 2 }), MeanReducer.
 *
 * @example
 * new sl.losses.NCALoss({ softmaxScale: 4 }).forward(embeddings, labels).backward();
 */
export class NCALoss extends BaseMetricLossFunction {
  readonly softmaxScale: number;

  constructor(options: NCALossOptions = {}) {
    const o = checkOptions<NCALossOptions>('NCALoss', options, { ...BASE_LOSS_OPTIONS, softmaxScale: 'number' });
    super('NCALoss', o, { distance: () => new LpDistance({ power: 2 }), reducer: () => new MeanReducer() });
    this.softmaxScale = o.softmaxScale ?? 1;
  }

  protected compute(x: LossInputs): LossDict {
    const n = x.embeddings.shape[0];
    if (n <= 1) return this.zeroLosses();
    const [labels, refLabels] = this.requireLabels(x);
    return ncaComputation(this.distance, this.softmaxScale, x, labels, refLabels);
  }
}

/**
 * PML's nca_computation: per query, −log of the softmax mass (over softmaxScale · similarity)
 * on same-label references; shared by NCALoss and ProxyNCALoss (the proxies as references).
 */
export function ncaComputation(distance: Distance, softmaxScale: number, x: LossInputs, labels: Int32Array, refLabels: Int32Array): LossDict {
  const n = x.embeddings.shape[0];
  const ref = x.refIsBatch ? null : refLabels;
  const weights = convertToWeights(x.tuples, n, !x.refIsBatch);
  const mat = distance.pairwise(x.embeddings, x.refEmb);
  const kept = Int32Array.from(rowsWithAny(labels, ref));
  // one fused row op (the softmax over every reference but the query itself, as PML fills the
  // diagonal with −inf; both log-sums in one pass) instead of two label masks and two masked
  // logsumexps: npm run bench -- --only LOSSES --cases NCALoss
  const s = distance.isInverted ? softmaxScale : -softmaxScale;
  // an L_p distance of the batch to itself is symmetric (the softmax then takes e^x on half of it)
  const symmetric = x.refIsBatch && distance instanceof LpDistance;
  const losses = ncaLosses(mat, labels, ref, s, kept, Float32Array.from(kept, (i) => weights[i]), symmetric);
  return { loss: elementEntry(losses, kept) };
}

/** The queries with at least one same-label reference (the query itself excluded when ref is null), from the labels alone. */
function rowsWithAny(labels: Int32Array, ref: Int32Array | null): number[] {
  const counts = labelCounts(ref ?? labels);
  const rows: number[] = [];
  labels.forEach((l, i) => (counts.get(l) ?? 0) > (ref ? 0 : 1) && rows.push(i));
  return rows;
}
