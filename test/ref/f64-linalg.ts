// float64 oracles for assembly/kernels/f64-linalg.ts and LMNN's gradient. Never imported by src/.
type Arr = ArrayLike<number>;

/** ‖x[ia[p]] − x[ib[p]]‖² for each pair, x [·, d]. */
export function sqdistPairsRef(x: Arr, ia: Arr, ib: Arr, d: number): Float64Array {
  return Float64Array.from({ length: ia.length }, (_, p) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (x[ia[p] * d + t] - x[ib[p] * d + t]) ** 2;
    return s;
  });
}

/** Σ_p w[p] (x_ia − x_ib)(x_ia − x_ib)ᵀ as d × d outer products. */
export function weightedOuterSumRef(x: Arr, ia: Arr, ib: Arr, w: Arr, d: number): Float64Array {
  const S = new Float64Array(d * d);
  for (let p = 0; p < ia.length; p++)
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) S[a * d + b] += w[p] * (x[ia[p] * d + a] - x[ib[p] * d + a]) * (x[ia[p] * d + b] - x[ib[p] * d + b]);
  return S;
}

/**
 * metric-learn 0.7's LMNN._loss_grad, literally: every cross-class pair (in class c, out in a
 * later class) tested against both margin radii, active triplets counted per target slot,
 * the gradient 2·L·(reg·dfG + (1 − reg)·Σ± outer products). X [n, d], L [k0, d], targets [n, k].
 */
export function lmnnLossGradRef(X: Arr, n: number, d: number, L: Arr, k0: number, targets: Arr, k: number, y: Arr, reg: number): { G: Float64Array; objective: number; active: number } {
  const Lx = new Float64Array(n * k0);
  for (let i = 0; i < n; i++) for (let r = 0; r < k0; r++) for (let t = 0; t < d; t++) Lx[i * k0 + r] += L[r * d + t] * X[i * d + t];
  const sq = (i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < k0; t++) s += (Lx[i * k0 + t] - Lx[j * k0 + t]) ** 2;
    return s;
  };
  const Ni = Float64Array.from({ length: n * k }, (_, q) => 1 + sq(Math.floor(q / k), targets[q]));
  const radius = Float64Array.from({ length: n }, (_, i) => Math.max(...Array.from({ length: k }, (_, t) => Ni[i * k + t])));
  const ia: number[] = [], ib: number[] = [], w: number[] = [];
  let active = 0;
  for (let i = 0; i < n; i++)
    for (let o = 0; o < n; o++) {
      if (!(y[o] > y[i])) continue;
      const g = sq(i, o);
      if (!(g < radius[o] || g < radius[i])) continue;
      for (let t = 0; t < k; t++)
        for (const a of [i, o])
          if (g < Ni[a * k + t]) {
            active++;
            ia.push(i, a);
            ib.push(o, targets[a * k + t]);
            w.push(-1, 1);
          }
    }
  const tI = Array.from({ length: n * k }, (_, q) => Math.floor(q / k));
  const dfG = weightedOuterSumRef(X, tI, targets, new Float64Array(n * k).fill(1), d);
  const df = weightedOuterSumRef(X, ia, ib, w, d);
  const G = new Float64Array(k0 * d);
  for (let r = 0; r < k0; r++)
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) G[r * d + b] += L[r * d + a] * (reg * dfG[a * d + b] + (1 - reg) * df[a * d + b]);
  let objective = active * (1 - reg);
  for (let i = 0; i < G.length; i++) objective += G[i] * L[i];
  return { G: G.map((v) => 2 * v), objective, active };
}

/** scikit-learn's euclidean_distances(X, squared=True) as the plain float64 loop: (−2·xᵢ·xⱼ + ‖xᵢ‖²) + ‖xⱼ‖², clipped at 0, zero diagonal. */
export function sklearnSqDistancesRef(X: Arr, n: number, d: number): Float64Array {
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) sq[i] += X[i * d + t] * X[i * d + t];
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let dot = 0;
      for (let t = 0; t < d; t++) dot += X[i * d + t] * X[j * d + t];
      D[i * n + j] = Math.max(0, -2 * dot + sq[i] + sq[j]);
    }
  return D;
}
