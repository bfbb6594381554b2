// Threshold calibration of the pair learners (metric-learn's calibrate_threshold), on the
// scores −pairDistance: the threshold returned is on the distance (its negation).
export interface CalibrationOptions {
  strategy?: 'accuracy' | 'f_beta' | 'max_tpr' | 'max_tnr';
  minRate?: number | null;
  beta?: number;
}

/** scikit-learn's _binary_clf_curve: cumulative false/true positives at each distinct score, descending. */
function binaryClfCurve(scores: ArrayLike<number>, y: ArrayLike<number>): { fps: number[]; tps: number[]; thr: number[] } {
  const idx = Array.from(scores, (_, i) => i).sort((a, b) => scores[b] - scores[a] || b - a);
  const fps: number[] = [], tps: number[] = [], thr: number[] = [];
  let tp = 0;
  for (let r = 0; r < idx.length; r++) {
    if (y[idx[r]] === 1) tp++;
    if (r === idx.length - 1 || scores[idx[r + 1]] !== scores[idx[r]]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thr.push(scores[idx[r]]);
    }
  }
  return { fps, tps, thr };
}

/** scikit-learn 1.2's roc_curve (drop_intermediate, first threshold = max + 1). */
function rocCurve(scores: ArrayLike<number>, y: ArrayLike<number>): { fpr: number[]; tpr: number[]; thr: number[] } {
  let { fps, tps, thr } = binaryClfCurve(scores, y);
  if (fps.length > 2) {
    const keep = fps.map((_, i) => i === 0 || i === fps.length - 1 || fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0);
    fps = fps.filter((_, i) => keep[i]);
    tps = tps.filter((_, i) => keep[i]);
    thr = thr.filter((_, i) => keep[i]);
  }
  tps = [0, ...tps];
  fps = [0, ...fps];
  thr = [thr[0] + 1, ...thr];
  const fl = fps[fps.length - 1], tl = tps[tps.length - 1];
  return { fpr: fps.map((v) => v / fl), tpr: tps.map((v) => v / tl), thr };
}

/** The distance threshold for pair scores (−distances) and labels ±1. */
export function calibrate(scores: Float64Array, y: ArrayLike<number>, o: { strategy: string; minRate: number | null; beta: number }): number {
  const n = scores.length;
  if (o.strategy === 'accuracy') {
    const idx = Array.from(scores, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
    const sorted = [scores[idx[0]] + 1, ...idx.map((i) => scores[i])];
    const cumTp = [0];
    for (const i of idx) cumTp.push(cumTp[cumTp.length - 1] + (y[i] === 1 ? 1 : 0));
    const cumTn = new Array(n + 1).fill(0);
    for (let r = n - 1; r >= 0; r--) cumTn[r] = cumTn[r + 1] + (y[idx[r]] === -1 ? 1 : 0);
    let best = -1, imax = 0;
    for (let r = 0; r <= n; r++) {
      const acc = (cumTp[r] + cumTn[r]) / n;
      if (acc > best) {
        best = acc;
        imax = r;
      }
    }
    return -sorted[imax];
  }
  if (o.strategy === 'f_beta') {
    const { fps, tps, thr } = binaryClfCurve(scores, y);
    const last = tps[tps.length - 1];
    // precision/recall reversed (ascending thresholds) with the (1, 0) end point, as scikit-learn
    const T = thr.length;
    let best = -Infinity, imax = 0;
    const b2 = o.beta * o.beta;
    for (let r = 0; r <= T; r++) {
      let p = 1, rc = 0;
      if (r < T) {
        const i = T - 1 - r;
        const ps = tps[i] + fps[i];
        p = ps !== 0 ? tps[i] / ps : 0;
        rc = last === 0 ? 1 : tps[i] / last;
      }
      let f = ((1 + b2) * (p * rc)) / (b2 * p + rc);
      if (Number.isNaN(f)) f = 0;
      if (f > best) {
        best = f;
        imax = r;
      }
    }
    return -thr[T - 1 - imax];
  }
  const { fpr, tpr, thr } = rocCurve(scores, y);
  const minRate = o.minRate as number;
  const indices: number[] = [];
  for (let i = 0; i < fpr.length; i++) if (o.strategy === 'max_tpr' ? 1 - fpr[i] >= minRate : tpr[i] >= minRate) indices.push(i);
  let imax = 0, best = -Infinity;
  indices.forEach((i, r) => {
    const v = o.strategy === 'max_tpr' ? tpr[i] : 1 - fpr[i];
    if (v > best) {
      best = v;
      imax = r;
    }
  });
  const iv = indices[imax];
  return iv === thr.length ? -(thr[iv] - 1) : -thr[iv];
}
