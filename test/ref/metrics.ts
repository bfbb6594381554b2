// Plain float64 references for the evaluation metrics: full sorts and pair counting, no
// blocking or partial sorts, written straight from pytorch-metric-learning's definitions.

export function pairDist(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number, metric: string): number {
  let s = 0, dot = 0, na = 0, nb = 0;
  for (let t = 0; t < d; t++) {
    const x = a[i * d + t], y = b[j * d + t];
    s += (x - y) * (x - y);
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (metric === 'euclidean') return Math.sqrt(s);
  if (metric === 'sqeuclidean') return s;
  if (metric === 'cosine') return 1 - dot / (Math.max(Math.sqrt(na), 1e-12) * Math.max(Math.sqrt(nb), 1e-12));
  return -dot;
}

/** Other indices of `from` sorted nearest first, ties to the lower index. */
function ranked(x: ArrayLike<number>, q: ArrayLike<number>, qi: number, n: number, d: number, metric: string, skip: number): number[] {
  const idx: number[] = [];
  for (let j = 0; j < n; j++) if (j !== skip) idx.push(j);
  const dist = idx.map((j) => pairDist(q, qi, x, j, d, metric));
  const order = idx.map((_, t) => t).sort((s, t) => dist[s] - dist[t] || idx[s] - idx[t]);
  return order.map((t) => idx[t]);
}

export function retrievalRef(x: ArrayLike<number>, labels: ArrayLike<number>, n: number, d: number, ks: number[], metric = 'euclidean') {
  let used = 0, p1 = 0, rp = 0, map = 0;
  const rec = ks.map(() => 0);
  for (let q = 0; q < n; q++) {
    let R = 0;
    for (let j = 0; j < n; j++) if (j !== q && labels[j] === labels[q]) R++;
    if (R === 0) continue;
    used++;
    const rel = ranked(x, x, q, n, d, metric, q).map((j) => (labels[j] === labels[q] ? 1 : 0));
    p1 += rel[0];
    ks.forEach((k, t) => (rec[t] += rel.slice(0, k).some((r) => r === 1) ? 1 : 0));
    let c = 0, ap = 0;
    for (let i = 0; i < R; i++) {
      c += rel[i];
      ap += (rel[i] * c) / (i + 1);
    }
    rp += c / R;
    map += ap / R;
  }
  return { precisionAt1: p1 / used, recallAtK: rec.map((r) => r / used), rPrecision: rp / used, mapAtR: map / used, queries: used };
}

export function knnRef(r: ArrayLike<number>, rl: ArrayLike<number>, q: ArrayLike<number>, ql: ArrayLike<number>, nr: number, nq: number, d: number, k: number, metric = 'euclidean'): number {
  let ok = 0;
  for (let i = 0; i < nq; i++) {
    const near = ranked(r, q, i, nr, d, metric, -1).slice(0, k).map((j) => rl[j]);
    const votes = new Map<number, number>();
    for (const l of near) votes.set(l, (votes.get(l) ?? 0) + 1);
    const top = Math.max(...votes.values());
    const winner = near.find((l) => votes.get(l) === top);
    if (winner === ql[i]) ok++;
  }
  return ok / nq;
}

/** AUC by counting every (same, different) pair: same nearer 1, tie 1/2. */
export function aucRef(dist: ArrayLike<number>, same: ArrayLike<number>): number {
  let s = 0, np = 0, nn = 0;
  for (let i = 0; i < dist.length; i++) {
    if (!same[i]) continue;
    np++;
    for (let j = 0; j < dist.length; j++) {
      if (same[j]) continue;
      s += dist[i] < dist[j] ? 1 : dist[i] === dist[j] ? 0.5 : 0;
    }
  }
  for (let j = 0; j < dist.length; j++) if (!same[j]) nn++;
  return s / (np * nn);
}

/** Accuracy of "same when distance ≤ t". */
export function accuracyAt(dist: ArrayLike<number>, same: ArrayLike<number>, t: number): number {
  let ok = 0;
  for (let i = 0; i < dist.length; i++) ok += (dist[i] <= t ? 1 : 0) === (same[i] ? 1 : 0) ? 1 : 0;
  return ok / dist.length;
}

/**
 * pytorch-metric-learning's AccuracyCalculator k-NN metrics by full sorts: queries [nq, d]
 * against references [nr, d] (squared Euclidean), the query's own row skipped when the
 * references start with the queries; k neighbours (null: all). Queries whose label has no
 * other match are left out; perClass / avgOfAvgs group by query label, ascending.
 */
export function accuracyCalculatorRef(
  q: ArrayLike<number>, ql: ArrayLike<number>, r: ArrayLike<number>, rl: ArrayLike<number>, nq: number, nr: number, d: number,
  refIncludesQuery: boolean, k: number | null, mode: 'mean' | 'avgOfAvgs' | 'perClass',
): Record<string, number | number[]> {
  const rows: { label: number; v: Record<string, number> }[] = [];
  for (let i = 0; i < nq; i++) {
    let R = 0;
    for (let j = 0; j < nr; j++) if (rl[j] === ql[i] && !(refIncludesQuery && j === i)) R++;
    if (R === 0) continue;
    const order = ranked(r, q, i, nr, d, 'sqeuclidean', refIncludesQuery ? i : -1);
    const rel = order.slice(0, k ?? order.length).map((j) => (rl[j] === ql[i] ? 1 : 0));
    let c = 0, apR = 0, ap = 0, rp = 0;
    rel.forEach((x, t) => {
      c += x;
      if (x) ap += c / (t + 1);
      if (t < R) { rp += x; if (x) apR += c / (t + 1); }
    });
    const first = rel.indexOf(1);
    rows.push({ label: ql[i], v: {
      precisionAt1: rel[0], rPrecision: rp / Math.min(R, rel.length), meanAveragePrecisionAtR: apR / R,
      meanAveragePrecision: ap / R, meanReciprocalRank: first < 0 ? 0 : 1 / (first + 1),
    } });
  }
  const out: Record<string, number | number[]> = {};
  const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const labels = [...new Set(rows.map((x) => x.label))].sort((a, b) => a - b);
  for (const m of ['meanAveragePrecision', 'meanAveragePrecisionAtR', 'meanReciprocalRank', 'precisionAt1', 'rPrecision']) {
    const per = labels.map((l) => avg(rows.filter((x) => x.label === l).map((x) => x.v[m])));
    out[m] = mode === 'perClass' ? per : mode === 'avgOfAvgs' ? avg(per) : avg(rows.map((x) => x.v[m]));
  }
  return out;
}
