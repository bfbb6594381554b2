// pytorch-metric-learning's AngularMiner (Wang et al. 2017, "Deep metric learning with angular
// loss"): every triplet whose angle at the negative, atan(‖a − p‖ / (2‖n − c‖)) with c the
// anchor–positive midpoint, exceeds `angle` degrees. As PML, the lengths are
// torch.pairwise_distance's ‖x − y + 1e-6‖ on the embeddings as given (not normalised).
import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { withF64Scope } from '../ops/f64-linalg';
import { mineTriplets, type Labels, type TripletTuples } from '../tuples/batch';
import { getEngine } from '../wasm/instance';
import type { Distance } from '../tuples/checks';
import { BaseMiner } from './base-miner';
import { requireUnitL2 } from './require-distance';

export interface AngularMinerOptions {
  /** The angle threshold in degrees. Default 20. */
  angle?: number;
  /** Must be LpDistance() with PML's defaults (p 2, power 1, normalised), as PML asserts. */
  distance?: Distance;
}

/** torch.nn.functional.pairwise_distance's default eps. */
const PAIRWISE_EPS = 1e-6;

/**
 * Triplets [a, p, n] with angle > `angle`° (strictly). O(triplets · d), as PML; one kernel
 * (f32_angular_mine) streams the triplets from the labels and tests each.
 * @example
 * const triplets = new sl.miners.AngularMiner({ angle: 35 }).mine(embeddings, labels);
 */
export class AngularMiner extends BaseMiner {
  /** In degrees, as given. */
  readonly angle: number;

  constructor(options: AngularMinerOptions = {}) {
    const fn = 'AngularMiner';
    const o = checkOptions<AngularMinerOptions>(fn, options, { angle: 'number', distance: 'object' });
    super(fn, o.distance);
    requireUnitL2(fn, this.distance);
    this.angle = o.angle ?? 20;
  }

  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): TripletTuples {
    // (withMatrix validates the batch and reference; the angles need the raw embeddings, not the matrix)
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => {
      const d = embeddings.shape[1];
      const ref = x.self ? embeddings : refEmb!;
      const threshold = (this.angle * Math.PI) / 180;
      return mineTriplets(x.labels, x.self ? null : x.refLabels, (a, p, n) =>
        withF64Scope((s) => getEngine().k.f32_angular_mine(embeddings.ptr, ref.ptr, d, x.labelsPtr, x.n, x.refLabelsPtr, x.m, x.self, PAIRWISE_EPS, threshold, s.out64(d), a, p, n)),
      );
    });
  }
}
