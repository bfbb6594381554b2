// float64 oracles of the row-wise fused loss ops (src/ops/loss-rows.ts), written from
// pytorch-metric-learning's formulas by brute force. Never imported by src/.
import type { Mat } from './loss';

/** PML's RankedListLoss per row of mat [n, n] (diagonal read as 0). */
export function rankedListRef(mat: Mat, labels: number[], b: number, alpha: number, Tp: number, Tn: number, imbalance: number): number[] {
  const n = labels.length;
  return mat.map((row, i) => {
    let sp = 0, wp = 0, sn = 0, wn = 0;
    row.forEach((v0, j) => {
      const d = i === j ? 0 : v0;
      const same = labels[i] === labels[j];
      if (same && i !== j && d > b && d > 0) {
        const w = Math.exp(Tp * (d - b));
        sp += w * (d - b);
        wp += w;
      }
      if (!same && d < alpha && d > 0) {
        const w = Math.exp(Tn * (alpha - d));
        sn += w * (alpha - d);
        wn += w;
      }
    });
    return (1 - imbalance) * (sp / (wp + 1e-5 * n)) + imbalance * (sn / (wn + 1e-5 * n));
  });
}

/** PML's AngularLoss logsumexp per pair k: log(1 + Σ_{j: refLabels[j] ≠ labels[a1k]} e^{c1·(s1[a1k][j] + s2[pk][j]) − c2·ap[k]}), 0 with no j. */
export function angularRef(s1: Mat, s2: Mat, ap: number[], a1: number[], p: number[], labels: number[], refLabels: number[], c1: number, c2: number): number[] {
  return a1.map((i, k) => {
    const xs = refLabels.flatMap((l, j) => (l === labels[i] ? [] : [c1 * (s1[i][j] + s2[p[k]][j]) - c2 * ap[k]]));
    if (xs.length === 0) return 0;
    const mx = Math.max(0, ...xs);
    return mx + Math.log(Math.exp(-mx) + xs.reduce((s, x) => s + Math.exp(x - mx), 0));
  });
}
