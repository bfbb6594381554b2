// Constraints from class labels, as metric-learn's Constraints class builds them (its
// algorithms, our seeded generator): similar / dissimilar pairs, chunks for RCA, and
// k-nearest-neighbour triplets for SCML. Labels < 0 are unknown and never used.
import { Rng } from '../random';
import { uniqueInverse } from './input';

/** randomState: a seed (number) or null (seed 0, so runs stay reproducible). */
export function rngOf(randomState: number | null | undefined): Rng {
  return new Rng(randomState ?? 0);
}

/**
 * Up to n pairs of the same label and n of different labels (metric-learn's
 * positive_negative_pairs): [a, b] similar, [c, d] dissimilar, row indices of y. Each side
 * draws random first points and a random partner for them, without repeating a pair, for at
 * most 10 rounds. With sameLength both sides are cut to the shorter.
 */
export function positiveNegativePairs(fn: string, y: ArrayLike<number>, n: number, rng: Rng, sameLength = false): { a: Int32Array; b: Int32Array; c: Int32Array; d: Int32Array } {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${fn}: nConstraints must be a positive integer, got ${n}`);
  const [a, b] = drawPairs(y, n, true, rng);
  const [c, d] = drawPairs(y, n, false, rng);
  if (a.length === 0 || c.length === 0) throw new Error(`${fn}: the labels give no ${a.length === 0 ? 'similar' : 'dissimilar'} pairs: the constraint set would be empty (need at least two points of one class and two classes)`);
  if (sameLength && a.length !== c.length) {
    const m = Math.min(a.length, c.length);
    return { a: a.slice(0, m), b: b.slice(0, m), c: c.slice(0, m), d: d.slice(0, m) };
  }
  return { a, b, c, d };
}

function drawPairs(y: ArrayLike<number>, n: number, same: boolean, rng: Rng): [Int32Array, Int32Array] {
  const known: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] >= 0) known.push(i);
  const labels = known.map((i) => y[i]);
  const seen = new Set<number>();
  const pairs: [number, number][] = [];
  for (let it = 0; it < 10 && pairs.length < n; it++) {
    const nc = n - pairs.length;
    for (let r = 0; r < nc; r++) {
      const a = rng.int(labels.length);
      const choices: number[] = [];
      for (let j = 0; j < labels.length; j++) if ((labels[j] === labels[a]) === same && j !== a) choices.push(j);
      if (choices.length === 0) continue;
      const b = choices[rng.int(choices.length)];
      const key = a * labels.length + b;
      if (!seen.has(key)) {
        seen.add(key);
        pairs.push([a, b]);
      }
    }
  }
  const m = Math.min(n, pairs.length);
  return [Int32Array.from(pairs.slice(0, m), (p) => known[p[0]]), Int32Array.from(pairs.slice(0, m), (p) => known[p[1]])];
}

/** RCA's chunks: nChunks groups of chunkSize points of one class each, chunk ids per row (−1: in none). */
export function chunksFromLabels(fn: string, y: ArrayLike<number>, nChunks: number, chunkSize: number, rng: Rng): Int32Array {
  const chunks = new Int32Array(y.length).fill(-1);
  const { classes, inverse } = uniqueInverse(y);
  const all: Set<number>[] = [];
  classes.forEach((c, ci) => {
    if (c < 0) return;
    const s = new Set<number>();
    for (let i = 0; i < inverse.length; i++) if (inverse[i] === ci) s.add(i);
    all.push(s);
  });
  const maxChunks = all.reduce((s, set) => s + Math.floor(set.size / chunkSize), 0);
  if (maxChunks < nChunks) throw new Error(`${fn}: not enough possible chunks of ${chunkSize} elements in each class to form ${nChunks} chunks: at most ${maxChunks}`);
  let idx = 0;
  while (idx < nChunks && all.length) {
    const c = all.length === 1 ? 0 : rng.int(all.length - 1);
    const inds = all[c];
    if (inds.size < chunkSize) {
      all.splice(c, 1);
      continue;
    }
    const pool = [...inds];
    for (let r = 0; r < chunkSize; r++) {
      const j = r + rng.int(pool.length - r);
      [pool[r], pool[j]] = [pool[j], pool[r]];
      inds.delete(pool[r]);
      chunks[pool[r]] = idx;
    }
    idx++;
  }
  return chunks;
}

/**
 * metric-learn's generate_knntriplets: for each point, its kGenuine nearest neighbours of
 * the same class and kImpostor nearest of other classes, every combination a triplet
 * (point, genuine, impostor), rows grouped by point then genuine then impostor.
 * Ties in distance go to the lower index. Returns row indices of X [n, d].
 */
export function knnTriplets(fn: string, X: Float64Array, d: number, y: ArrayLike<number>, kGenuine: number, kImpostor: number): Int32Array {
  const known: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] >= 0) known.push(i);
  const { classes } = uniqueInverse(known.map((i) => y[i]));
  const out: number[] = [];
  const dist = (i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = X[i * d + t] - X[j * d + t];
      s += v * v;
    }
    return s;
  };
  const nearest = (i: number, pool: number[], k: number) =>
    pool
      .filter((j) => j !== i)
      .map((j) => [dist(i, j), j] as const)
      .sort((p, q) => p[0] - q[0] || p[1] - q[1])
      .slice(0, k)
      .map((p) => p[1]);
  for (const c of classes) {
    const gen = known.filter((i) => y[i] === c), imp = known.filter((i) => y[i] !== c);
    const kg = Math.min(kGenuine, gen.length - 1), ki = Math.min(kImpostor, imp.length);
    for (const i of gen) {
      const g = nearest(i, gen, kg), m = nearest(i, imp, ki);
      for (const a of g) for (const b of m) out.push(i, a, b);
    }
  }
  if (out.length === 0) throw new Error(`${fn}: the labels give no triplets: the constraint set would be empty (need two classes with at least two points in one)`);
  return Int32Array.from(out);
}
