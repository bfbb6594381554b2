// pytorch-metric-learning's AngularMiner (Wang et al. 2017, "Deep metric learning with angular
// loss"): every triplet whose angle at the negative, atan(‖a − p‖ / (2‖n − c‖)) with c the
// anchor–positive midpoint, exceeds `angle` degrees. As PML, the lengths are
// torch.pairwise_distance's ‖x − y + 1e-6‖ on the embeddings as given (not normalised).
import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { getAllTripletsIndices, type TripletTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import type { Labels } from '../tuples/batch';
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
 * Triplets [a, p, n] with angle > `angle`° (strictly). O(triplets · d), as PML.
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
    const [a, p, n, E, R] = this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => {
      const E = embeddings.data();
      return [...getAllTripletsIndices(x.labels, x.self ? null : x.refLabels), E, x.self ? E : refEmb!.data()] as const;
    });
    const d = embeddings.shape[1];
    const threshold = (this.angle * Math.PI) / 180;
    const keep: number[] = [];
    // getAllTripletsIndices lists each (anchor, positive) pair's negatives together: the pair's
    // length and midpoint are computed once per run of triplets, the same operations in the
    // same order as per triplet, so the values are unchanged
    const half = new Float64Array(d);
    let pa = -1, pp = -1, apLen = 0;
    for (let t = 0; t < a.length; t++) {
      const ea = a[t] * d, ep = p[t] * d, en = n[t] * d;
      if (a[t] !== pa || p[t] !== pp) {
        [pa, pp] = [a[t], p[t]];
        let ap = 0;
        for (let k = 0; k < d; k++) {
          const u = E[ea + k] - R[ep + k] + PAIRWISE_EPS;
          ap += u * u;
          half[k] = (E[ea + k] + R[ep + k]) / 2;
        }
        apLen = Math.sqrt(ap);
      }
      let nc = 0;
      for (let k = 0; k < d; k++) {
        const w = R[en + k] - half[k] + PAIRWISE_EPS;
        nc += w * w;
      }
      if (Math.atan(apLen / (2 * Math.sqrt(nc))) > threshold) keep.push(t);
    }
    return [Int32Array.from(keep, (t) => a[t]), Int32Array.from(keep, (t) => p[t]), Int32Array.from(keep, (t) => n[t])];
  }
}
