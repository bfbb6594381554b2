// Pair verification: how well a distance separates same pairs from different pairs.
import { Tensor } from '../autograd/tensor';

export interface VerificationResult {
  /** Area under the ROC curve of "same when distance is small"; ties count one half. */
  rocAuc: number;
  /** Call a pair the same when its distance ≤ threshold; the accuracy-maximising cut. */
  threshold: number;
  /** Accuracy at that threshold. */
  accuracy: number;
}

function valuesOf(fn: string, arg: string, x: Tensor | ArrayLike<number | boolean>): ArrayLike<number | boolean> {
  if (x instanceof Tensor) return x.data();
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<number>).length !== 'number') {
    throw new Error(`${fn}: ${arg} must be a Tensor, typed array or array, got ${x === null ? 'null' : typeof x}`);
  }
  return x;
}

/**
 * ROC-AUC and the accuracy-maximising threshold of pair distances: `same[i]` (1/true or
 * 0/false) says whether pair i is a same pair. AUC is the Mann–Whitney statistic from
 * average ranks, so tied distances count one half. The threshold sits midway between the
 * two distinct distances where the best cut falls (the largest distance if every pair is
 * best called same, below the smallest if none is); ties in accuracy go to the smaller cut.
 * @example const { rocAuc, threshold } = sl.metrics.verification(siamese.forward(a, b), same)
 */
export function verification(distances: Tensor | ArrayLike<number>, same: Tensor | ArrayLike<number | boolean>): VerificationResult {
  const fn = 'verification';
  const dist = valuesOf(fn, 'distances', distances) as ArrayLike<number>;
  const lab = valuesOf(fn, 'same', same);
  const n = dist.length;
  if (lab.length !== n) throw new Error(`${fn}: distances has ${n} entries but same has ${lab.length}`);
  const pos = new Uint8Array(n);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(dist[i])) throw new Error(`${fn}: distances[${i}] is ${dist[i]}; distances must be finite`);
    const s = lab[i];
    if (s !== 0 && s !== 1 && s !== true && s !== false) throw new Error(`${fn}: same[${i}] is ${s}; use 1/true (same) or 0/false (different)`);
    pos[i] = s === 1 || s === true ? 1 : 0;
    nPos += pos[i];
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`${fn}: ${nPos} same and ${nNeg} different pairs; ROC-AUC needs at least one of each`);

  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[a] - dist[b]);
  // Positives should rank high in score = −distance; walking distances upwards, group ranks
  // (1-based, by score) of a tie group share their average.
  let rankSumPos = 0;
  let tp = 0, fp = 0;
  let bestAcc = nNeg / n, bestThreshold = dist[order[0]] - 1, i = 0;
  while (i < n) {
    let j = i;
    let groupPos = 0;
    while (j < n && dist[order[j]] === dist[order[i]]) groupPos += pos[order[j++]];
    const avgRank = n - (i + j - 1) / 2; // score ranks of positions i..j-1 are n-i .. n-j+1
    rankSumPos += groupPos * avgRank;
    tp += groupPos;
    fp += j - i - groupPos;
    const acc = (tp + (nNeg - fp)) / n;
    if (acc > bestAcc) {
      bestAcc = acc;
      bestThreshold = j < n ? (dist[order[i]] + dist[order[j]]) / 2 : dist[order[i]];
    }
    i = j;
  }
  const rocAuc = (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
  return { rocAuc, threshold: bestThreshold, accuracy: bestAcc };
}
