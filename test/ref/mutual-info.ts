// Float64 oracle of AMI and NMI (arithmetic normaliser), written independently of
// src/metrics/mutual-info.ts: the contingency table as a dense matrix, entropies and MI from
// probabilities, and E[MI] from each cell's hypergeometric distribution built by the ratio
// P(m + 1) / P(m) = (a − m)(b − m) / ((m + 1)(N − a − b + m + 1)) and normalised to sum 1
// (no log-gamma anywhere).

function table(u: ArrayLike<number>, v: ArrayLike<number>): { t: number[][]; a: number[]; b: number[]; n: number } {
  const us = [...new Set(Array.from(u))].sort((x, y) => x - y);
  const vs = [...new Set(Array.from(v))].sort((x, y) => x - y);
  const t = us.map(() => vs.map(() => 0));
  for (let i = 0; i < u.length; i++) t[us.indexOf(u[i])][vs.indexOf(v[i])]++;
  const a = t.map((row) => row.reduce((s, x) => s + x, 0));
  const b = vs.map((_, j) => t.reduce((s, row) => s + row[j], 0));
  return { t, a, b, n: u.length };
}

const h = (sizes: number[], n: number) => -sizes.reduce((s, c) => s + (c / n) * Math.log(c / n), 0);

function mi(t: number[][], a: number[], b: number[], n: number): number {
  let s = 0;
  t.forEach((row, i) => row.forEach((c, j) => { if (c > 0) s += (c / n) * Math.log((n * c) / (a[i] * b[j])); }));
  return s;
}

/** Hypergeometric probabilities of a cell with margins a, b in N items: [lo, probabilities]. */
function hypergeometric(a: number, b: number, n: number): [number, number[]] {
  const lo = Math.max(0, a + b - n), hi = Math.min(a, b);
  const w = [1];
  for (let m = lo; m < hi; m++) {
    w.push((w[w.length - 1] * (a - m) * (b - m)) / ((m + 1) * (n - a - b + m + 1)));
    // Rescaled on the way up so the mode never overflows (the tails may underflow to 0).
    if (w[w.length - 1] > 1e200) for (let t = 0; t < w.length; t++) w[t] *= 1e-200;
  }
  const total = w.reduce((s, x) => s + x, 0);
  return [lo, w.map((x) => x / total)];
}

function emi(a: number[], b: number[], n: number): number {
  let s = 0;
  for (const ai of a) {
    for (const bj of b) {
      const [lo, p] = hypergeometric(ai, bj, n);
      p.forEach((pm, t) => {
        const m = lo + t;
        if (m > 0) s += pm * (m / n) * Math.log((n * m) / (ai * bj));
      });
    }
  }
  return s;
}

export function nmiRef(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const { t, a, b, n } = table(u, v);
  if (a.length === b.length && a.length <= 1) return 1;
  const m = mi(t, a, b, n);
  return m <= 1e-15 ? 0 : m / ((h(a, n) + h(b, n)) / 2);
}

export function amiRef(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const { t, a, b, n } = table(u, v);
  if (a.length === b.length && a.length <= 1) return 1;
  const e = emi(a, b, n);
  return (mi(t, a, b, n) - e) / ((h(a, n) + h(b, n)) / 2 - e);
}
