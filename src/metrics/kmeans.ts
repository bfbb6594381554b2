// k-means clustering for AccuracyCalculator's AMI and NMI: Lloyd's iterations in wasm
// (assembly/kernels/kmeans.ts: the assignment through one GEMM, the update summed in f64),
// seeded by greedy k-means++ and restarted nInit times, keeping the run of least inertia —
// scikit-learn's KMeans (n_init = 10, max_iter = 300, tol = 1e-4) in its essentials.
// An empty cluster takes the point farthest from its centre, as scikit-learn relocates one.
import { f32, getEngine, i32 } from '../wasm/instance';
import { Rng } from '../random';

export interface KMeansOptions {
  /** Restarts from independent k-means++ seedings; the run of least inertia wins. Default 10. */
  nInit?: number;
  /** Lloyd iterations per run at most. Default 300. */
  maxIter?: number;
  /** Stop when the centres move less than tol × the mean per-feature variance (squared). Default 1e-4. */
  tol?: number;
  /** Seed of the k-means++ draws. Default 0. */
  seed?: number;
}

export interface KMeansResult {
  /** [n] cluster of each row, 0 ≤ label < nClusters. */
  labels: Int32Array;
  /** [nClusters, d] row-major. */
  centres: Float32Array;
  /** Σ of squared distances of the rows to their centres. */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
}

/** Clusters the rows of x [n, d] (row-major) into nClusters groups (1 ≤ nClusters ≤ n). */
export function kmeans(x: Float32Array, n: number, d: number, nClusters: number, options: KMeansOptions = {}): KMeansResult {
  const fn = 'kmeans';
  const { nInit = 10, maxIter = 300, tol = 1e-4, seed = 0 } = options;
  const k = nClusters;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`${fn}: nClusters must be an integer in [1, n = ${n}], got ${k}`);
  if (x.length !== n * d) throw new Error(`${fn}: x has ${x.length} values but [n, d] = [${n}, ${d}]`);
  for (const [name, v] of [['nInit', nInit], ['maxIter', maxIter]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  if (!(tol >= 0)) throw new Error(`${fn}: tol must be ≥ 0, got ${tol}`);

  const e = getEngine();
  const sizes = { x: n * d * 4, mu: d * 8, xn: n * 4, c: k * d * 4, old: k * d * 4, cn: k * 4, dots: n * k * 4, labels: n * 4, dmin: n * 4, tmp: n * 4, sums: k * d * 8, counts: k * 4 };
  const ptr = {} as Buffers;
  try {
    for (const key of Object.keys(sizes) as (keyof Buffers)[]) ptr[key] = e.alloc.alloc(Math.max(sizes[key], 16));
    f32().set(x, ptr.x >>> 2);
    // Centred in place; the tolerance scales with the mean per-feature variance (scikit-learn's).
    const totalVar = e.k.f32_kmeans_centre(ptr.x, ptr.mu, n, d);
    const tolAbs = d === 0 ? 0 : (tol * totalVar) / d;
    const mu = new Float64Array(e.k.memory.buffer, ptr.mu, d).slice();
    e.k.f32_kmeans_sqnorms(ptr.x, ptr.xn, n, d);

    const rng = new Rng(seed);
    let best: KMeansResult | null = null;
    for (let run = 0; run < nInit; run++) {
      seedPlusPlus(ptr, n, d, k, rng);
      const r = lloyd(ptr, n, d, k, maxIter, tolAbs);
      const inertia = e.k.f32_kmeans_inertia(ptr.x, ptr.c, ptr.labels, n, d);
      if (best === null || inertia < best.inertia) {
        const labels = i32().slice(ptr.labels >>> 2, (ptr.labels >>> 2) + n);
        const centres = f32().slice(ptr.c >>> 2, (ptr.c >>> 2) + k * d);
        best = { labels, centres, inertia, iterations: r.iterations };
      }
    }
    for (let j = 0; j < k; j++) for (let p = 0; p < d; p++) best!.centres[j * d + p] += mu[p];
    return best!;
  } finally {
    for (const p of Object.values(ptr)) e.alloc.free(p);
  }
}

type Buffers = Record<'x' | 'mu' | 'xn' | 'c' | 'old' | 'cn' | 'dots' | 'labels' | 'dmin' | 'tmp' | 'sums' | 'counts', number>;

/**
 * Greedy k-means++ (scikit-learn's): each new centre is the best, by the potential it leaves,
 * of 2 + ⌊ln k⌋ candidates drawn with probability proportional to the squared distance to
 * the nearest centre chosen so far. Leaves the centres in c and the distances in dmin.
 */
function seedPlusPlus(b: Buffers, n: number, d: number, k: number, rng: Rng): void {
  const e = getEngine();
  const row = (i: number) => b.x + i * d * 4;
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.min(n - 1, Math.floor(rng.uniform() * n));
  e.k.f32_copy(row(first), b.c, d);
  e.k.f32_fill(b.dmin, Infinity, n);
  let pot = e.k.f32_kmeans_mindist(b.x, row(first), b.dmin, b.dmin, n, d);
  for (let c = 1; c < k; c++) {
    let bestIdx = -1, bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      const cand = e.k.f32_kmeans_pick(b.dmin, n, rng.uniform() * pot);
      const p = e.k.f32_kmeans_mindist(b.x, row(cand), b.dmin, b.tmp, n, d);
      if (p < bestPot) { bestPot = p; bestIdx = cand; }
    }
    pot = e.k.f32_kmeans_mindist(b.x, row(bestIdx), b.dmin, b.dmin, n, d);
    e.k.f32_copy(row(bestIdx), b.c + c * d * 4, d);
  }
}

/** Lloyd's iterations from the centres in c; the labels end in b.labels, consistent with c. */
function lloyd(b: Buffers, n: number, d: number, k: number, maxIter: number, tolAbs: number): { iterations: number } {
  const e = getEngine();
  i32().fill(-1, b.labels >>> 2, (b.labels >>> 2) + n);
  for (let it = 1; it <= maxIter; it++) {
    const changed = e.k.f32_kmeans_assign(b.x, b.xn, b.c, b.cn, b.dots, b.labels, b.dmin, n, k, d, e.gemmWorkspace);
    // Labels unchanged: the centres are already the means of their clusters.
    if (it > 1 && changed === 0) return { iterations: it - 1 };
    e.k.f32_copy(b.c, b.old, k * d);
    const empty = e.k.f32_kmeans_update(b.x, b.labels, b.c, b.sums, b.counts, n, k, d);
    if (empty > 0) relocateEmpty(b, n, d, k);
    const c = f32(), cb = b.c >>> 2, ob = b.old >>> 2;
    let shift = 0;
    for (let t = 0; t < k * d; t++) shift += (c[cb + t] - c[ob + t]) ** 2;
    if (shift <= tolAbs || it === maxIter) {
      e.k.f32_kmeans_assign(b.x, b.xn, b.c, b.cn, b.dots, b.labels, b.dmin, n, k, d, e.gemmWorkspace);
      return { iterations: it };
    }
  }
  return { iterations: maxIter };
}

/** Each empty cluster's centre becomes the not yet used point farthest from its own centre. */
function relocateEmpty(b: Buffers, n: number, d: number, k: number): void {
  const e = getEngine();
  const counts = i32().slice(b.counts >>> 2, (b.counts >>> 2) + k);
  const dm = f32().slice(b.dmin >>> 2, (b.dmin >>> 2) + n);
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => dm[q] - dm[p] || p - q);
  let next = 0;
  for (let j = 0; j < k; j++) {
    if (counts[j] !== 0) continue;
    e.k.f32_copy(b.x + order[next++] * d * 4, b.c + j * d * 4, d);
  }
}
