// Mutual information between two labellings of the same items, with scikit-learn's
// definitions (natural log, the arithmetic mean of the entropies as the normaliser):
//   NMI = MI / ((H(U) + H(V)) / 2)
//   AMI = (MI − E[MI]) / ((H(U) + H(V)) / 2 − E[MI])
// E[MI] is the expected mutual information of two random labellings with the same cluster
// sizes (Vinh, Epps & Bailey 2010), summed over the hypergeometric distribution of each cell.
// Everything is float64. Both return 1 when the two labellings are each a single cluster
// (or empty), as scikit-learn does.

interface Contingency {
  n: number;
  /** Row sums (sizes of U's clusters) and column sums (V's). */
  a: number[];
  b: number[];
  /** Non-zero cells n_ij with their row and column. */
  cells: { i: number; j: number; v: number }[];
}

function contingency(u: ArrayLike<number>, v: ArrayLike<number>): Contingency {
  const ui = new Map<number, number>(), vi = new Map<number, number>();
  const cell = new Map<string, { i: number; j: number; v: number }>();
  const a: number[] = [], b: number[] = [];
  for (let t = 0; t < u.length; t++) {
    let i = ui.get(u[t]);
    if (i === undefined) { i = a.length; ui.set(u[t], i); a.push(0); }
    let j = vi.get(v[t]);
    if (j === undefined) { j = b.length; vi.set(v[t], j); b.push(0); }
    a[i]++;
    b[j]++;
    const key = `${i},${j}`;
    const c = cell.get(key);
    if (c) c.v++;
    else cell.set(key, { i, j, v: 1 });
  }
  return { n: u.length, a, b, cells: [...cell.values()] };
}

function entropy(sizes: number[], n: number): number {
  if (sizes.length <= 1) return 0;
  let h = 0;
  for (const s of sizes) h -= (s / n) * (Math.log(s) - Math.log(n));
  return h;
}

function mutualInfo(c: Contingency): number {
  if (c.a.length === 1 || c.b.length === 1) return 0;
  let mi = 0;
  for (const { i, j, v } of c.cells) {
    const term = (v / c.n) * (Math.log(v) - Math.log(c.n)) + (v / c.n) * (Math.log(c.n) + Math.log(c.n) - Math.log(c.a[i] * c.b[j]));
    // scikit-learn zeroes terms below the float64 epsilon.
    if (Math.abs(term) >= Number.EPSILON) mi += term;
  }
  return Math.max(mi, 0);
}

/** ln Γ(m + 1) = ln m! for an integer m ≥ 0: a table below 256, Stirling's series above. */
function makeLogFactorial(): (m: number) => number {
  const table = new Float64Array(256);
  for (let m = 2; m < 256; m++) table[m] = table[m - 1] + Math.log(m);
  return (m) => {
    if (m < 256) return table[m];
    const x = m, x2 = x * x;
    return x * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI * x) + 1 / (12 * x) - 1 / (360 * x * x2) + 1 / (1260 * x2 * x2 * x);
  };
}
const logFactorial = makeLogFactorial();

/** E[MI] over the hypergeometric distribution of each cell given the margins a, b. */
function expectedMutualInfo(c: Contingency): number {
  const { n, a, b } = c;
  const lfN = logFactorial(n);
  let emi = 0;
  for (const ai of a) {
    for (const bj of b) {
      const lo = Math.max(1, ai + bj - n), hi = Math.min(ai, bj);
      const fixed = logFactorial(ai) + logFactorial(bj) + logFactorial(n - ai) + logFactorial(n - bj) - lfN;
      for (let nij = lo; nij <= hi; nij++) {
        const logP = fixed - logFactorial(nij) - logFactorial(ai - nij) - logFactorial(bj - nij) - logFactorial(n - ai - bj + nij);
        emi += (nij / n) * (Math.log(n) + Math.log(nij) - Math.log(ai) - Math.log(bj)) * Math.exp(logP);
      }
    }
  }
  return emi;
}

function checkPair(fn: string, u: ArrayLike<number>, v: ArrayLike<number>): void {
  if (u.length !== v.length) throw new Error(`${fn}: labelsTrue has ${u.length} entries but labelsPred has ${v.length}`);
}

/** scikit-learn's normalized_mutual_info_score (average_method 'arithmetic'). */
export function normalizedMutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  checkPair('normalizedMutualInfo', labelsTrue, labelsPred);
  const c = contingency(labelsTrue, labelsPred);
  if (c.a.length === c.b.length && c.a.length <= 1) return 1;
  const mi = mutualInfo(c);
  if (mi === 0) return 0;
  return mi / ((entropy(c.a, c.n) + entropy(c.b, c.n)) / 2);
}

/** scikit-learn's adjusted_mutual_info_score (average_method 'arithmetic'). */
export function adjustedMutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  checkPair('adjustedMutualInfo', labelsTrue, labelsPred);
  const c = contingency(labelsTrue, labelsPred);
  if (c.a.length === c.b.length && c.a.length <= 1) return 1;
  const mi = mutualInfo(c);
  const emi = expectedMutualInfo(c);
  const normaliser = (entropy(c.a, c.n) + entropy(c.b, c.n)) / 2;
  let denominator = normaliser - emi;
  // Keeps the sign when rounding puts E[MI] at or just past the normaliser (a perfect match).
  denominator = denominator < 0 ? Math.min(denominator, -Number.EPSILON) : Math.max(denominator, Number.EPSILON);
  return (mi - emi) / denominator;
}
