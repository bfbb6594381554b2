// Reads test/fixtures/metric-learn/learners.jsonl (gen_learners.py: metric-learn 0.7 on
// scikit-learn datasets) and gives the learner tests their splits and cases.
import { readFileSync } from 'node:fs';

export interface Dataset {
  X: number[][];
  y: number[];
  train: number[];
  test: number[];
}

export const cases: any[] = readFileSync(new URL('../fixtures/metric-learn/learners.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));

const datasets = new Map<string, Dataset>(cases.filter((c) => c.kind === 'dataset').map((c) => [c.name, c]));

export function split(name: string): { Xtr: number[][]; ytr: number[]; Xte: number[][]; yte: number[] } {
  const D = datasets.get(name)!;
  return { Xtr: D.train.map((i) => D.X[i]), ytr: D.train.map((i) => D.y[i]), Xte: D.test.map((i) => D.X[i]), yte: D.test.map((i) => D.y[i]) };
}

export const learnerCases = (learner: string) => cases.filter((c) => c.kind === 'learner' && c.learner === learner);
export const find = (kind: string, data: string) => cases.find((c) => c.kind === kind && c.data === data);

/** max |A − B| / max |B| over two [d, d] matrices. */
export function relErr(A: ArrayLike<number>, B: number[][]): number {
  const flat = B.flat();
  let num = 0, den = 0;
  for (let i = 0; i < flat.length; i++) {
    num = Math.max(num, Math.abs(A[i] - flat[i]));
    den = Math.max(den, Math.abs(flat[i]));
  }
  return num / den;
}

/** Held-out k-NN accuracy (k = 3, majority, ties to the nearest neighbour's class as scikit-learn's mode picks the smallest label) in the space x ↦ Lx. */
export function knnAccuracy(L: Float64Array, k: number, d: number, Xtr: number[][], ytr: number[], Xte: number[][], yte: number[], K = 3): number {
  const map = (x: number[]) => Array.from({ length: k }, (_, r) => x.reduce((s, v, j) => s + L[r * d + j] * v, 0));
  const tr = Xtr.map(map), te = Xte.map(map);
  let ok = 0;
  te.forEach((q, i) => {
    const nn = tr.map((p, j) => [p.reduce((s, v, t) => s + (v - q[t]) ** 2, 0), j]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, K);
    const votes = new Map<number, number>();
    for (const [, j] of nn) votes.set(ytr[j], (votes.get(ytr[j]) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    if (best === yte[i]) ok++;
  });
  return ok / yte.length;
}

/** Held-out k-NN regression mean squared error (k = 5, uniform weights). */
export function knnMse(L: Float64Array, k: number, d: number, Xtr: number[][], ytr: number[], Xte: number[][], yte: number[], K = 5): number {
  const map = (x: number[]) => Array.from({ length: k }, (_, r) => x.reduce((s, v, j) => s + L[r * d + j] * v, 0));
  const tr = Xtr.map(map), te = Xte.map(map);
  let se = 0;
  te.forEach((q, i) => {
    const nn = tr.map((p, j) => [p.reduce((s, v, t) => s + (v - q[t]) ** 2, 0), j]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, K);
    const pred = nn.reduce((s, [, j]) => s + ytr[j], 0) / K;
    se += (pred - yte[i]) ** 2;
  });
  return se / yte.length;
}
