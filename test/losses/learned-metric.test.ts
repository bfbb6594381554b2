// Losses composed with a learned metric (LearnedMahalanobis, M = LᵀL): values against the
// float64 reference on projected embeddings, and gradients that reach L.
import { test } from 'uvu';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { allPairsRef, allTripletsRef, contrastiveRef, tripletRef, type Mat } from '../ref/loss';
import { batch, close } from './helpers';

await sl.init();

const { losses: L, distances: D } = sl;

/** ‖L·x_i − L·x_j‖² for every pair (float64). */
function projectedSqEuclid(rows: Mat, Lm: Mat): Mat {
  const z = rows.map((r) => Lm.map((lr) => lr.reduce((s, v, k) => s + v * r[k], 0)));
  return z.map((a) => z.map((b) => a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0)));
}

test('TripletMarginLoss and ContrastiveLoss over LearnedMahalanobis (rank 2 of 5): values and gradient w.r.t. L', () => {
  sl.tidy(() => {
    const n = 9, d = 5;
    const { x, rows } = batch(n, d, 3);
    const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2];
    const metric = new D.LearnedMahalanobis(d, { rank: 2 });
    const { x: Lt, rows: Lm } = batch(2, d, 4);
    metric.loadStateDict({ L: sl.mul(Lt, 0.5) });
    const Lhalf = Lm.map((r) => r.map((v) => Math.fround(v * 0.5)));
    const mat = projectedSqEuclid(rows, Lhalf);
    const triplet = new L.TripletMarginLoss({ margin: 0.5, distance: metric });
    close(triplet.forward(x, labels).item(), tripletRef(mat, allTripletsRef(labels), { margin: 0.5 }), 1e-4, 'triplet');
    const contrastive = new L.ContrastiveLoss({ posMargin: 0.1, negMargin: 2, distance: metric });
    close(contrastive.forward(x, labels).item(), contrastiveRef(mat, allPairsRef(labels), { posMargin: 0.1, negMargin: 2 }), 1e-4, 'contrastive');
    gradcheck(() => triplet.forward(x, labels), [metric.L], { atol: 3e-3, rtol: 3e-2 });
    gradcheck(() => contrastive.forward(x, labels), [metric.L], { atol: 3e-3, rtol: 3e-2 });
  });
});

test.run();
