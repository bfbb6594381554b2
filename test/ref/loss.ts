// float64 oracles for losses, reducers and miners (pytorch-metric-learning semantics),
// written from the formulas, by brute force. Never imported by src/.

export type Mat = number[][];
export type Reduction = 'mean' | 'sum' | 'avgNonZero';
export type Pairs = [number[], number[], number[], number[]];
export type Triplets = [number[], number[], number[]];

/** Rows of x, L2-normalised (F.normalize, eps 1e-12). */
export function normalizeRef(x: Mat): Mat {
  return x.map((r) => {
    const nrm = Math.max(Math.sqrt(r.reduce((s, v) => s + v * v, 0)), 1e-12);
    return r.map((v) => v / nrm);
  });
}

/** Euclidean distance matrix (of L2-normalised rows by default, like LpDistance()), to a power. */
export function euclidRef(x: Mat, { normalize = true, power = 1 } = {}): Mat {
  const y = normalize ? normalizeRef(x) : x;
  return y.map((a) => y.map((b) => Math.pow(Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0)), power)));
}

/** Cosine similarity matrix (CosineSimilarity()). */
export function cosineRef(x: Mat): Mat {
  const y = normalizeRef(x);
  return y.map((a) => y.map((b) => a.reduce((s, v, k) => s + v * b[k], 0)));
}

export function reduceRef(losses: number[], how: Reduction): number {
  if (losses.length === 0) return 0;
  const sum = losses.reduce((s, v) => s + v, 0);
  if (how === 'sum') return sum;
  if (how === 'mean') return sum / losses.length;
  const nz = losses.filter((v) => v > 0);
  return nz.length === 0 ? 0 : nz.reduce((s, v) => s + v, 0) / nz.length;
}

/** Every ordered pair i ≠ j, row-major: [a1, p, a2, n]. */
export function allPairsRef(labels: number[]): Pairs {
  const out: Pairs = [[], [], [], []];
  labels.forEach((li, i) =>
    labels.forEach((lj, j) => {
      if (i === j) return;
      if (li === lj) out[0].push(i), out[1].push(j);
      else out[2].push(i), out[3].push(j);
    }),
  );
  return out;
}

/** Every valid triplet in a-p-n order. */
export function allTripletsRef(labels: number[]): Triplets {
  const out: Triplets = [[], [], []];
  const n = labels.length;
  for (let a = 0; a < n; a++)
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let q = 0; q < n; q++) if (labels[q] !== labels[a]) out[0].push(a), out[1].push(p), out[2].push(q);
    }
  return out;
}

export function contrastiveRef(mat: Mat, [a1, p, a2, n]: Pairs, { posMargin = 0, negMargin = 1, inverted = false, reduction = 'avgNonZero' as Reduction } = {}): number {
  const pos = a1.map((a, i) => (inverted ? Math.max(posMargin - mat[a][p[i]], 0) : Math.max(mat[a][p[i]] - posMargin, 0)));
  const neg = a2.map((a, i) => (inverted ? Math.max(mat[a][n[i]] - negMargin, 0) : Math.max(negMargin - mat[a][n[i]], 0)));
  return reduceRef(pos, reduction) + reduceRef(neg, reduction);
}

/** forms 'squared' and 'hadsell': mean over all pairs. */
export function contrastiveFormRef(mat: Mat, [a1, p, a2, n]: Pairs, form: 'squared' | 'hadsell', m: number): number {
  const pos = a1.map((a, i) => mat[a][p[i]] ** 2);
  const neg = a2.map((a, i) => {
    const d = mat[a][n[i]];
    return form === 'squared' ? Math.max(m * m - d * d, 0) : Math.max(m - d, 0) ** 2;
  });
  const all = [...pos, ...neg];
  return all.length === 0 ? 0 : all.reduce((s, v) => s + v, 0) / all.length;
}

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export function tripletRef(mat: Mat, [a, p, n]: Triplets, { margin = 0.05, swap = false, smooth = false, inverted = false, reduction = 'avgNonZero' as Reduction } = {}): number {
  const losses = a.map((ai, k) => {
    const ap = mat[ai][p[k]];
    let an = mat[ai][n[k]];
    if (swap) an = inverted ? Math.max(an, mat[p[k]][n[k]]) : Math.min(an, mat[p[k]][n[k]]);
    const v = (inverted ? an - ap : ap - an) + margin;
    return smooth ? softplus(v) : Math.max(v, 0);
  });
  return reduceRef(losses, reduction);
}

/** NT-Xent per positive pair over the negatives of the same anchor, mean over positive pairs. */
export function ntxentRef(mat: Mat, [a1, p, a2, n]: Pairs, { temperature = 0.07, inverted = true } = {}): number {
  if (a1.length === 0 || a2.length === 0) return 0;
  const s = (v: number) => (inverted ? v : -v) / temperature;
  const losses = a1.map((a, k) => {
    const v = s(mat[a][p[k]]);
    const xs = a2.map((b, j) => (b === a ? s(mat[a][n[j]]) : null)).filter((x): x is number => x !== null);
    const mx = Math.max(v, ...xs);
    const lse = mx + Math.log(Math.exp(v - mx) + xs.reduce((acc, x) => acc + Math.exp(x - mx), 0));
    return lse - v;
  });
  return losses.reduce((acc, v) => acc + v, 0) / losses.length;
}

/** Multi-similarity per anchor (masks from the pairs, duplicates collapsed), mean over anchors. */
export function multiSimilarityRef(mat: Mat, [a1, p, a2, n]: Pairs, { alpha = 2, beta = 50, base = 0.5, inverted = true } = {}): number {
  const N = mat.length;
  const pos = mat.map(() => new Set<number>());
  const neg = mat.map(() => new Set<number>());
  a1.forEach((a, i) => pos[a].add(p[i]));
  a2.forEach((a, i) => neg[a].add(n[i]));
  const lse1 = (xs: number[]) => (xs.length === 0 ? 0 : Math.log(1 + xs.reduce((s, x) => s + Math.exp(x), 0)));
  let total = 0;
  for (let i = 0; i < N; i++) {
    const px = [...pos[i]].map((j) => alpha * (inverted ? base - mat[i][j] : mat[i][j] - base));
    const nx = [...neg[i]].map((j) => beta * (inverted ? mat[i][j] - base : base - mat[i][j]));
    total += lse1(px) / alpha + lse1(nx) / beta;
  }
  return total / N;
}

/** Mean (s − y)² with s = v (similarity) or e^−v (distance). */
export function regressionRef(values: number[], targets: number[], inverted: boolean): number {
  if (values.length === 0) return 0;
  return values.reduce((acc, v, i) => acc + ((inverted ? v : Math.exp(-v)) - targets[i]) ** 2, 0) / values.length;
}

/** Mean BCE with logits z = scale·(margin − d) (scale·(s − margin) for a similarity). */
export function pairClassificationRef(values: number[], targets: number[], { margin = 1, scale = 1, inverted = false } = {}): number {
  if (values.length === 0) return 0;
  return (
    values.reduce((acc, v, i) => {
      const z = scale * (inverted ? v - margin : margin - v);
      return acc + Math.max(z, 0) - z * targets[i] + Math.log1p(Math.exp(-Math.abs(z)));
    }, 0) / values.length
  );
}

// ---- miners, by brute force over all triplets / pairs ----

export function tripletMarginMinerRef(mat: Mat, labels: number[], margin: number, type: 'all' | 'hard' | 'semihard' | 'easy', inverted = false): Triplets {
  const [a, p, n] = allTripletsRef(labels);
  const out: Triplets = [[], [], []];
  a.forEach((ai, k) => {
    const ap = mat[ai][p[k]], an = mat[ai][n[k]];
    const tm = inverted ? ap - an : an - ap;
    const keep = type === 'easy' ? tm > margin : tm <= margin && (type === 'hard' ? tm <= 0 : type === 'semihard' ? tm > 0 : true);
    if (keep) out[0].push(ai), out[1].push(p[k]), out[2].push(n[k]);
  });
  return out;
}

export function batchHardRef(mat: Mat, labels: number[], inverted = false): Triplets {
  const out: Triplets = [[], [], []];
  labels.forEach((la, a) => {
    let bp = -1, bn = -1;
    labels.forEach((l, j) => {
      if (j === a) return;
      const v = mat[a][j];
      if (l === la) {
        if (bp < 0 || (inverted ? v < mat[a][bp] : v > mat[a][bp])) bp = j;
      } else if (bn < 0 || (inverted ? v > mat[a][bn] : v < mat[a][bn])) bn = j;
    });
    if (bp >= 0 && bn >= 0) out[0].push(a), out[1].push(bp), out[2].push(bn);
  });
  return out;
}

export function pairMarginMinerRef(mat: Mat, labels: number[], posMargin: number, negMargin: number, inverted = false): Pairs {
  const [a1, p, a2, n] = allPairsRef(labels);
  const out: Pairs = [[], [], [], []];
  a1.forEach((a, i) => {
    const v = mat[a][p[i]];
    if (inverted ? v < posMargin : v > posMargin) out[0].push(a), out[1].push(p[i]);
  });
  a2.forEach((a, i) => {
    const v = mat[a][n[i]];
    if (inverted ? v > negMargin : v < negMargin) out[2].push(a), out[3].push(n[i]);
  });
  return out;
}

// ---- tuple conversions (lmu.convert_to_pairs / convert_to_triplets) ----

export function toPairsRef(t: Triplets | Pairs): Pairs {
  if (t.length === 4) return t;
  return [t[0].slice(), t[1].slice(), t[0].slice(), t[2].slice()];
}

export function toTripletsRef(t: Triplets | Pairs): Triplets {
  if (t.length === 3) return t;
  const [a1, p, a2, n] = t;
  const out: Triplets = [[], [], []];
  a1.forEach((a, i) => a2.forEach((b, j) => b === a && (out[0].push(a), out[1].push(p[i]), out[2].push(n[j]))));
  return out;
}

/** Paired Euclidean distances of L2-normalised rows (LpDistance().paired). */
export function pairedEuclidRef(a: Mat, b: Mat): number[] {
  const x = normalizeRef(a), y = normalizeRef(b);
  return x.map((r, i) => Math.sqrt(r.reduce((s, v, k) => s + (v - y[i][k]) ** 2, 0)));
}

/**
 * pairLseLosses in float64: per row, P = log Σ_pos e^x, N = log Σ_neg e^x (0 when empty) with
 * x = a·(s − b) (lifted) or a·w·(s − b), w = [o − s]₊ / [s − o]₊ (circle, positives / negatives);
 * out = relu(P + N) (lifted) or softplus(P + N), 0 without both sides (circle). grad[i, j] =
 * ∂out_i/∂s_ij (the circle's w held constant).
 */
export function pairLseRef(kind: 'lifted' | 'circle', s: ArrayLike<number>, pos: ArrayLike<number>, neg: ArrayLike<number>, n: number, m: number, ps: { a: number; b: number; o?: number }, ns: { a: number; b: number; o?: number }): { out: number[]; grad: number[] } {
  const out: number[] = [], grad = new Array(n * m).fill(0);
  const side = (v: number, sp: typeof ps, isPos: boolean): [number, number] => {
    if (kind === 'lifted') return [sp.a * (v - sp.b), sp.a];
    const w = Math.max(isPos ? sp.o! - v : v - sp.o!, 0);
    return [sp.a * w * (v - sp.b), sp.a * w];
  };
  for (let i = 0; i < n; i++) {
    const lse = (mask: ArrayLike<number>, sp: typeof ps, isPos: boolean) => {
      const xs: [number, number, number][] = [];
      for (let j = 0; j < m; j++) if (mask[i * m + j]) xs.push([j, ...side(s[i * m + j], sp, isPos)]);
      if (xs.length === 0) return { v: 0, xs, any: false };
      const top = Math.max(...xs.map((t) => t[1]));
      return { v: top + Math.log(xs.reduce((acc, t) => acc + Math.exp(t[1] - top), 0)), xs, any: true };
    };
    const P = lse(pos, ps, true), N = lse(neg, ns, false);
    const v = P.v + N.v;
    let o: number, c: number;
    if (kind === 'lifted') [o, c] = [Math.max(v, 0), v > 0 ? 1 : 0];
    else if (P.any && N.any) [o, c] = [Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))), 1 / (1 + Math.exp(-v))];
    else [o, c] = [0, 0];
    out.push(o);
    for (const { v: l, xs } of [P, N]) for (const [j, x, slope] of xs) grad[i * m + j] += c * Math.exp(x - l) * slope;
  }
  return { out, grad };
}

/** A PairKind's loss (kinds 0–5) and its slope at v, margin m. */
export function pairKindRef(kind: number, v: number, m: number): { value: number; slope: number } {
  switch (kind) {
    case 0: return { value: v, slope: 1 };
    case 1: return { value: Math.max(v - m, 0), slope: v > m ? 1 : 0 };
    case 2: return { value: Math.max(m - v, 0), slope: m > v ? -1 : 0 };
    case 3: return { value: v * v, slope: 2 * v };
    case 4: return { value: Math.max(m * m - v * v, 0), slope: m * m > v * v ? -2 * v : 0 };
    default: return { value: Math.max(m - v, 0) ** 2, slope: m > v ? -2 * (m - v) : 0 };
  }
}

/**
 * The pairs (i, j) of labels × refLabels, row-major, with (labels[i] = refLabels[j]) = positive,
 * leaving out j = i when self and, for positives, j = own[i].
 */
export function labelPairsRef(labels: number[], refLabels: number[], positive: boolean, self: boolean, own: number[] | null): [number, number][] {
  const out: [number, number][] = [];
  labels.forEach((l, i) => refLabels.forEach((r, j) => {
    if ((l === r) !== positive || (self && i === j) || (positive && own !== null && own[i] === j)) return;
    out.push([i, j]);
  }));
  return out;
}

/**
 * PML's AngularMiner in float64, per triplet: keep (a, p, n) when atan(‖x_a − r_p + ε‖ /
 * (2‖r_n − (x_a + r_p)/2 + ε‖)) > angle°, ε = 1e-6 added to each difference. r = x (and
 * p ≠ a) without a reference set.
 */
export function angularMinerRef(x: Mat, labels: number[], angle: number, r: Mat | null = null, refLabels: number[] | null = null): Triplets {
  const ref = r ?? x, rl = refLabels ?? labels;
  const out: Triplets = [[], [], []];
  const eps = 1e-6;
  labels.forEach((la, a) => rl.forEach((lp, p) => {
    if (lp !== la || (r === null && p === a)) return;
    rl.forEach((ln, n) => {
      if (ln === la) return;
      let ap = 0, nc = 0;
      for (let k = 0; k < x[a].length; k++) {
        ap += (x[a][k] - ref[p][k] + eps) ** 2;
        nc += (ref[n][k] - (x[a][k] + ref[p][k]) / 2 + eps) ** 2;
      }
      if (Math.atan(Math.sqrt(ap) / (2 * Math.sqrt(nc))) > (angle * Math.PI) / 180) out[0].push(a), out[1].push(p), out[2].push(n);
    });
  }));
  return out;
}
