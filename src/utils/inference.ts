// pytorch-metric-learning's inference helpers (utils/inference.py):
//   MatchFinder     thresholds a distance: a pair matches when its distance is ≤ threshold, or
//                   its similarity ≥ threshold (an inverted distance such as CosineSimilarity).
//   InferenceModel  embeds inputs with trunk then embedder (evaluation mode, no gradients,
//                   L2-normalised by default) and answers k-nearest-neighbour queries against an
//                   exact flat index, as PML's default faiss IndexFlatL2: squared L2 distances,
//                   ties to the lower index, rows numbered in the order trainKnn then addToKnn
//                   added them.
import { Tensor, fmtShape, keep, noGrad, tidy } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { l2Normalize } from '../ops/reduce';
import { BaseDistance } from '../distances/base-distance';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { checkOptions } from '../options';
import { topK } from '../search/topk';

export interface MatchFinderOptions {
  /** The distance or similarity compared with the threshold (a sl.distances object). */
  distance: BaseDistance;
  /** Default null: then every call must pass a threshold. */
  threshold?: number | null;
}

export class MatchFinder {
  readonly distance: BaseDistance;
  readonly threshold: number | null;

  constructor(options: MatchFinderOptions) {
    const o = checkOptions<MatchFinderOptions>('MatchFinder', options, { distance: 'object', threshold: ['number', 'null'] });
    if (!(o.distance instanceof BaseDistance)) {
      throw new TypeError(`MatchFinder: distance must be a sl.distances object (LpDistance, CosineSimilarity, ...), got ${o.distance === undefined ? 'nothing' : typeof o.distance}`);
    }
    this.distance = o.distance;
    this.threshold = o.threshold ?? null;
  }

  /**
   * Whether each query row matches each reference row (default: the queries themselves):
   * booleans [nq][nr]; with returnTuples, the matching [query, reference] index pairs in row order.
   * @example new sl.utils.MatchFinder({ distance: new sl.distances.CosineSimilarity(), threshold: 0.9 }).getMatchingPairs(q, r)
   */
  getMatchingPairs(query: Tensor, ref?: Tensor | null, threshold?: number | null, returnTuples?: false): boolean[][];
  getMatchingPairs(query: Tensor, ref: Tensor | null | undefined, threshold: number | null | undefined, returnTuples: true): [number, number][];
  getMatchingPairs(query: Tensor, ref?: Tensor | null, threshold?: number | null, returnTuples = false): boolean[][] | [number, number][] {
    const fn = 'MatchFinder.getMatchingPairs';
    const t = this.resolveThreshold(fn, threshold);
    const mat = noGrad(() => tidy(() => this.distance.pairwiseAs(fn, query, ref ?? query).data()));
    const nq = query.shape[0], nr = (ref ?? query).shape[0];
    const rows = Array.from({ length: nq }, (_, i) => Array.from({ length: nr }, (_, j) => this.passes(mat[i * nr + j], t)));
    if (!returnTuples) return rows;
    const pairs: [number, number][] = [];
    rows.forEach((row, i) => row.forEach((m, j) => m && pairs.push([i, j])));
    return pairs;
  }

  /**
   * Whether row i of x matches row i of y, for each i: [n] booleans (the diagonal of
   * getMatchingPairs(x, y), the distance computed with its normalisation and power).
   */
  isMatch(x: Tensor, y: Tensor, threshold?: number | null): boolean[] {
    const fn = 'MatchFinder.isMatch';
    const t = this.resolveThreshold(fn, threshold);
    const d = noGrad(() => tidy(() => this.distance.pairedAs(fn, x, y).data()));
    return Array.from(d, (v) => this.passes(v, t));
  }

  private passes(v: number, t: number): boolean {
    return this.distance.isInverted ? v >= t : v <= t;
  }

  private resolveThreshold(fn: string, threshold: number | null | undefined): number {
    const t = threshold ?? this.threshold;
    if (t === null) throw new Error(`${fn}: no threshold: pass one here or to the MatchFinder constructor`);
    if (typeof t !== 'number' || Number.isNaN(t)) throw new Error(`${fn}: threshold must be a number, got ${String(t)}`);
    return t;
  }
}

/** A module (anything with forward) or a function from inputs to embeddings. */
export type Embedder = ((x: Tensor) => Tensor) | { forward(x: Tensor): Tensor; eval?(): unknown };

export interface InferenceModelOptions {
  /** Maps inputs [n, ...] to features; a sl.nn module or a function. */
  trunk: Embedder;
  /** Applied after trunk (default identity). */
  embedder?: Embedder | null;
  /** Default MatchFinder({ distance: new CosineSimilarity(), threshold: 0.9 }), as PML. */
  matchFinder?: MatchFinder | null;
  /** L2-normalise the embeddings (default true). */
  normalizeEmbeddings?: boolean;
}

export class InferenceModel {
  readonly trunk: Embedder;
  readonly embedder: Embedder | null;
  readonly matchFinder: MatchFinder;
  readonly normalizeEmbeddings: boolean;
  /** The indexed embeddings [n, e] (null before trainKnn). */
  private index: Tensor | null = null;

  constructor(options: InferenceModelOptions) {
    const fn = 'InferenceModel';
    const o = checkOptions<InferenceModelOptions>(fn, options, { trunk: ['function', 'object'], embedder: ['function', 'object', 'null'], matchFinder: ['object', 'null'], normalizeEmbeddings: 'boolean' });
    if (!isEmbedder(o.trunk)) throw new TypeError(`${fn}: trunk must be a module (with forward) or a function, got ${o.trunk === undefined ? 'nothing' : typeof o.trunk}`);
    if (o.embedder != null && !isEmbedder(o.embedder)) throw new TypeError(`${fn}: embedder must be a module (with forward) or a function`);
    if (o.matchFinder != null && !(o.matchFinder instanceof MatchFinder)) throw new TypeError(`${fn}: matchFinder must be a sl.utils.MatchFinder`);
    this.trunk = o.trunk;
    this.embedder = o.embedder ?? null;
    this.matchFinder = o.matchFinder ?? new MatchFinder({ distance: new CosineSimilarity(), threshold: 0.9 });
    this.normalizeEmbeddings = o.normalizeEmbeddings ?? true;
  }

  /**
   * Embeddings [n, e] of inputs [n, ...]: embedder(trunk(x)) in evaluation mode (the modules are
   * left in it, as PML leaves them) without gradients, in batches of batchSize rows.
   */
  getEmbeddings(x: Tensor, batchSize = 64): Tensor {
    const fn = 'InferenceModel.getEmbeddings';
    checkInput(fn, 'x', x);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${fn}: batchSize must be a positive integer, got ${batchSize}`);
    for (const m of [this.trunk, this.embedder]) if (m && typeof m !== 'function' && typeof m.eval === 'function') m.eval();
    const n = x.shape[0], row = x.size / Math.max(n, 1), rest = x.shape.slice(1);
    if (n === 0) throw new Error(`${fn}: x is empty ${fmtShape(x.shape)}`);
    const parts: Float32Array[] = [];
    let width = -1;
    const src = x.data();
    for (let i0 = 0; i0 < n; i0 += batchSize) {
      const b = Math.min(batchSize, n - i0);
      const e = noGrad(() => tidy(() => {
        let h = apply(this.trunk, tensor(src.subarray(i0 * row, (i0 + b) * row), [b, ...rest]));
        if (this.embedder) h = apply(this.embedder, h);
        if (!(h instanceof Tensor) || h.shape.length !== 2 || h.shape[0] !== b) {
          throw new Error(`${fn}: trunk and embedder must map [${b}, ${rest.join(', ')}] inputs to [${b}, e] embeddings, got ${h instanceof Tensor ? fmtShape(h.shape) : typeof h}`);
        }
        return { data: (this.normalizeEmbeddings ? l2Normalize(h) : h).data(), width: h.shape[1] };
      }));
      width = e.width;
      parts.push(e.data);
    }
    const out = new Float32Array(n * width);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return tensor(out, [n, width]);
  }

  /** Replaces the index with the embeddings of x [n, ...] (PML's train_knn). */
  trainKnn(x: Tensor, batchSize = 64): void {
    const emb = keep(this.getEmbeddings(x, batchSize));
    this.index?.dispose();
    this.index = emb;
  }

  /** Appends the embeddings of x [n, ...] to the index; their rows number after the existing ones. */
  addToKnn(x: Tensor, batchSize = 64): void {
    const fn = 'InferenceModel.addToKnn';
    if (!this.index) throw new Error(`${fn}: the index is empty: call trainKnn first`);
    const emb = this.getEmbeddings(x, batchSize);
    try {
      const [n0, e0] = this.index.shape, [n1, e1] = emb.shape;
      if (e0 !== e1) throw new Error(`${fn}: x embeds to ${fmtShape(emb.shape)} but the index holds [${n0}, ${e0}]: embedding sizes must match`);
      const all = new Float32Array((n0 + n1) * e0);
      all.set(this.index.data());
      all.set(emb.data(), n0 * e0);
      const next = keep(tensor(all, [n0 + n1, e0]));
      this.index.dispose();
      this.index = next;
    } finally {
      emb.dispose();
    }
  }

  /** Rows in the index. */
  get indexSize(): number {
    return this.index ? this.index.shape[0] : 0;
  }

  /**
   * The k nearest indexed rows of each query row: [distances, indices], each [nq·k] row-major
   * ([nq, k]), nearest first; distances are squared L2 between the (normalised) embeddings.
   * @example const [d, i] = model.getNearestNeighbors(queries, 5) // i[q * 5 + c]: c-th neighbour of q
   */
  getNearestNeighbors(query: Tensor, k: number): [Float32Array, Int32Array] {
    const fn = 'InferenceModel.getNearestNeighbors';
    if (!this.index) throw new Error(`${fn}: the index is empty: call trainKnn first`);
    const n = this.index.shape[0];
    if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`${fn}: k must be an integer in [1, ${n}] (the indexed rows), got ${k}`);
    const q = this.getEmbeddings(query);
    try {
      if (q.shape[1] !== this.index.shape[1]) throw new Error(`${fn}: query embeds to ${fmtShape(q.shape)} but the index holds ${fmtShape(this.index.shape)}`);
      const { distances, indices } = noGrad(() => topK(q, this.index!, k, { metric: 'sqeuclidean' }));
      return [distances, indices];
    } finally {
      q.dispose();
    }
  }

  /** matchFinder.getMatchingPairs on the embeddings of query and ref (default: query). */
  getMatches(query: Tensor, ref?: Tensor | null, threshold?: number | null): boolean[][] {
    return this.withEmbeddings([query, ref ?? query], ([q, r]) => this.matchFinder.getMatchingPairs(q, r, threshold));
  }

  /** matchFinder.isMatch on the embeddings of x and y, row by row. */
  isMatch(x: Tensor, y: Tensor, threshold?: number | null): boolean[] {
    return this.withEmbeddings([x, y], ([a, b]) => this.matchFinder.isMatch(a, b, threshold));
  }

  /** Frees the index. */
  dispose(): void {
    this.index?.dispose();
    this.index = null;
  }

  private withEmbeddings<T>(inputs: Tensor[], fn: (emb: Tensor[]) => T): T {
    const emb: Tensor[] = [];
    try {
      for (const x of inputs) emb.push(this.getEmbeddings(x));
      return fn(emb);
    } finally {
      for (const e of emb) e.dispose();
    }
  }
}

function isEmbedder(m: unknown): m is Embedder {
  return typeof m === 'function' || (m !== null && typeof m === 'object' && typeof (m as { forward?: unknown }).forward === 'function');
}

function apply(m: Embedder, x: Tensor): Tensor {
  return typeof m === 'function' ? m(x) : m.forward(x);
}

function checkInput(fn: string, arg: string, x: unknown): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: ${arg} must be a Tensor [n, ...], got ${x === null ? 'null' : typeof x}`);
  if (x.shape.length < 1) throw new Error(`${fn}: ${arg} must be [n, ...], got a scalar`);
}
