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

/**
 * PML's nca_computation per listed row: w·(logsumexp_j z − logsumexp over same-label j), z = s·mat[i][j]
 * rounded to float32 as the op forms it (at |s| = 1e4 that rounding alone moves a loss by 1e-3), the
 * diagonal left out when refLabels is null.
 */
export function ncaRef(mat: Mat, labels: number[], refLabels: number[] | null, s: number, rows: number[], w: number[]): number[] {
  const lse = (v: number[]) => {
    const mx = Math.max(...v);
    return mx + Math.log(v.reduce((t, x) => t + Math.exp(x - mx), 0));
  };
  return rows.map((i, r) => {
    const ref = refLabels ?? labels;
    const z = mat[i].map((v, j) => (refLabels === null && j === i ? null : Math.fround(s * v)));
    const all = z.filter((v): v is number => v !== null);
    const same = z.filter((v, j): v is number => v !== null && ref[j] === labels[i]);
    return w[r] * (lse(all) - lse(same));
  });
}

/** ∂(Σ_r g[r]·out[r])/∂mat of ncaRef: s·w·g·(softmax over all − [same]·softmax over same), 0 elsewhere. */
export function ncaGradRef(mat: Mat, labels: number[], refLabels: number[] | null, s: number, rows: number[], w: number[], g: number[]): Mat {
  const grad = mat.map((row) => row.map(() => 0));
  const ref = refLabels ?? labels;
  rows.forEach((i, r) => {
    const kept = mat[i].map((_, j) => refLabels !== null || j !== i);
    const z = mat[i].map((v) => Math.fround(s * v));
    const same = kept.map((k, j) => k && ref[j] === labels[i]);
    const lseOf = (mask: boolean[]) => {
      const mx = Math.max(...z.filter((_, j) => mask[j]));
      return mx + Math.log(z.reduce((t, x, j) => t + (mask[j] ? Math.exp(x - mx) : 0), 0));
    };
    const la = lseOf(kept), lp = lseOf(same);
    z.forEach((x, j) => {
      if (!kept[j]) return;
      grad[i][j] = s * w[r] * g[r] * (Math.exp(x - la) - (same[j] ? Math.exp(x - lp) : 0));
    });
  });
  return grad;
}

/** PML's PNPLoss rank per pair k: Σ_{j: labels[j] ≠ labels[q]} 1/(1 + e^x), x = clamp((mat[q][i] − mat[q][j])/anneal, ±50), q = pq[k], i = pi[k]. */
export function pnpRanksRef(mat: Mat, labels: number[], pq: number[], pi: number[], anneal: number): number[] {
  return pq.map((q, k) => labels.reduce((t, l, j) => {
    if (l === labels[q]) return t;
    const x = Math.min(50, Math.max(-50, (mat[q][pi[k]] - mat[q][j]) / anneal));
    return t + 1 / (1 + Math.exp(x));
  }, 0));
}

/** ∂(Σ_k g[k]·rank[k])/∂mat of pnpRanksRef: σ(1 − σ)/anneal at (q, j), minus it at (q, i); 0 where the clamp held x. */
export function pnpRanksGradRef(mat: Mat, labels: number[], pq: number[], pi: number[], anneal: number, g: number[]): Mat {
  const grad = mat.map((row) => row.map(() => 0));
  pq.forEach((q, k) => labels.forEach((l, j) => {
    const x = (mat[q][pi[k]] - mat[q][j]) / anneal;
    if (l === labels[q] || Math.abs(x) > 50) return;
    const s = 1 / (1 + Math.exp(x));
    const d = (g[k] * s * (1 - s)) / anneal;
    grad[q][j] += d;
    grad[q][pi[k]] -= d;
  }));
  return grad;
}
