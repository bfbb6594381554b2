// pytorch-metric-learning's AccuracyCalculator: retrieval metrics from the k nearest
// references of each query (exact squared-Euclidean k-NN through sl.search.topK, ties to the
// lower index, as faiss's IndexFlatL2), and AMI / NMI between the query labels and a k-means
// clustering of the queries with as many clusters as query classes.
//
// PML's behaviour kept: a query whose label has no other match in the reference (a "lone"
// query) is left out of every k-NN metric; R(q) counts the reference items matching q's label
// (minus q itself when the reference holds the queries) and is not clipped to k in the
// denominators of MAP and MAP@R; meanReciprocalRank is averaged in float32; with
// returnPerClass each metric lists one value per remaining query class, in ascending label
// order. Sums and averages of the other metrics are float64.
import { Tensor, fmtShape } from '../autograd/tensor';
import { checkOptions } from '../options';
import { exactKnn, type KnnResult } from './exact-knn';
import { rowsOf } from './neighbours';
import { kmeans } from './kmeans';
import { adjustedMutualInfo, normalizedMutualInfo } from './mutual-info';

export type AccuracyMetric = 'AMI' | 'NMI' | 'meanAveragePrecision' | 'meanAveragePrecisionAtR' | 'meanReciprocalRank' | 'precisionAt1' | 'rPrecision';

/** Every metric, in PML's (alphabetical) order. */
export const ACCURACY_METRICS: readonly AccuracyMetric[] = ['AMI', 'NMI', 'meanAveragePrecision', 'meanAveragePrecisionAtR', 'meanReciprocalRank', 'precisionAt1', 'rPrecision'];
const CLUSTERING: readonly AccuracyMetric[] = ['AMI', 'NMI'];

export interface AccuracyCalculatorOptions {
  /** Metrics to compute (default all). */
  include?: readonly AccuracyMetric[];
  /** Metrics to leave out (default none). */
  exclude?: readonly AccuracyMetric[];
  /** Average per class, then over classes (default false). */
  avgOfAvgs?: boolean;
  /** One value per class instead of the average (default false). */
  returnPerClass?: boolean;
  /** Neighbours retrieved: a positive integer, null (every reference) or 'max_bin_count' (the largest R). Default null. */
  k?: number | null | 'max_bin_count';
  /** Whether a query label matches a reference label (default equality). Not with AMI / NMI. */
  labelComparisonFn?: ((queryLabel: number, referenceLabel: number) => boolean) | null;
  /** Seed of the k-means++ seeding (default 0). */
  seed?: number;
  /**
   * PML's knn_func: the k nearest references of each query, the query itself left out when
   * refIncludesQuery (default: exact squared Euclidean through sl.search.topK).
   */
  knnFunc?: ((query: Tensor, k: number, reference: Tensor, refIncludesQuery: boolean) => KnnResult) | null;
  /** PML's kmeans_func: a cluster label per query row (default: k-means++ seeded k-means in wasm, 10 restarts). */
  kmeansFunc?: ((x: Tensor, nClusters: number) => ArrayLike<number>) | null;
}

export type AccuracyResult = Partial<Record<AccuracyMetric, number | number[]>>;

const FN = 'AccuracyCalculator';
export type { KnnResult };

export class AccuracyCalculator {
  readonly avgOfAvgs: boolean;
  readonly returnPerClass: boolean;
  readonly k: number | null | 'max_bin_count';
  readonly seed: number;
  private readonly metrics: AccuracyMetric[];
  private readonly compare: ((a: number, b: number) => boolean) | null;
  private readonly knnFunc: NonNullable<AccuracyCalculatorOptions['knnFunc']>;
  private readonly kmeansFunc: NonNullable<AccuracyCalculatorOptions['kmeansFunc']>;

  constructor(options: AccuracyCalculatorOptions = {}) {
    const o = checkOptions<AccuracyCalculatorOptions>(FN, options, {
      include: 'array', exclude: 'array', avgOfAvgs: 'boolean', returnPerClass: 'boolean', k: ['integer', 'null', ['max_bin_count']],
      labelComparisonFn: ['function', 'null'], seed: 'integer', knnFunc: ['function', 'null'], kmeansFunc: ['function', 'null'],
    });
    const include = checkNames('include', o.include ?? []);
    const exclude = checkNames('exclude', o.exclude ?? []);
    this.metrics = selectMetrics(ACCURACY_METRICS, include, exclude);
    this.avgOfAvgs = o.avgOfAvgs ?? false;
    this.returnPerClass = o.returnPerClass ?? false;
    if (this.avgOfAvgs && this.returnPerClass) throw new Error(`${FN}: avg_of_avgs and return_per_class are mutually exclusive (avgOfAvgs and returnPerClass are both true)`);
    const k = o.k ?? null;
    if (k !== null && k !== 'max_bin_count' && !(k >= 1)) {
      throw new Error(`${FN}: k must be an integer greater than 0, or None, or 'max_bin_count' (null or 'max_bin_count' here), got ${k}`);
    }
    this.k = k;
    this.seed = o.seed ?? 0;
    this.compare = o.labelComparisonFn ?? null;
    if (this.compare && this.metrics.some((m) => CLUSTERING.includes(m))) {
      throw new Error(`${FN}: Unsupported: clustering + custom label comparison (exclude 'AMI' and 'NMI' to use labelComparisonFn)`);
    }
    this.knnFunc = o.knnFunc ?? exactKnn;
    this.kmeansFunc = o.kmeansFunc ?? ((x, nc) => kmeans(x.data(), x.shape[0], x.shape[1], nc, { seed: this.seed }).labels);
  }

  /** The metrics getAccuracy computes, in PML's order. */
  getCurrMetrics(): AccuracyMetric[] {
    return [...this.metrics];
  }

  /**
   * The metrics of query embeddings [nq, d] retrieving from reference [nr, d] (default: the
   * queries themselves, each query's own row left out). With refIncludesQuery, the first nq
   * reference rows and labels must be the queries'. include / exclude narrow the metrics of
   * this call.
   * @example new sl.metrics.AccuracyCalculator({ k: 'max_bin_count' }).getAccuracy(emb, labels).meanAveragePrecisionAtR
   */
  getAccuracy(
    query: Tensor, queryLabels: ArrayLike<number>, reference?: Tensor | null, referenceLabels?: ArrayLike<number> | null,
    refIncludesQuery = false, include: readonly AccuracyMetric[] = [], exclude: readonly AccuracyMetric[] = [],
  ): AccuracyResult {
    const fn = `${FN}.getAccuracy`;
    if (reference == null) {
      if (referenceLabels != null) throw new Error(`${fn}: referenceLabels given without reference`);
      reference = query;
      referenceLabels = queryLabels;
      refIncludesQuery = true;
    }
    const q = rowsOf(fn, 'query', query);
    const r = rowsOf(fn, 'reference', reference);
    if (q.d !== r.d) throw new Error(`${fn}: query is ${fmtShape(query.shape)} but reference is ${fmtShape(reference.shape)}: row sizes must match`);
    const ql = labelArray(fn, 'queryLabels', queryLabels);
    const rl = labelArray(fn, 'referenceLabels', referenceLabels);
    if (ql.length !== q.n || rl.length !== r.n) {
      throw new Error(`${fn}: embeddings and labels must have the same length (query ${fmtShape(query.shape)} with ${ql.length} labels, reference ${fmtShape(reference.shape)} with ${rl.length} labels)`);
    }
    if (typeof refIncludesQuery !== 'boolean') throw new Error(`${fn}: refIncludesQuery must be true or false, got ${String(refIncludesQuery)}`);
    if (refIncludesQuery && !startsWithQuery(q.data, ql, r.data, rl)) {
      throw new Error(`${fn}: when refIncludesQuery is true, the first ${q.n} rows of reference and referenceLabels must equal query and queryLabels`);
    }
    const metrics = selectMetrics(this.metrics, checkNames('include', include), checkNames('exclude', exclude));
    if (q.n === 0) throw new Error(`${fn}: query is empty ${fmtShape(query.shape)}`);

    const out: AccuracyResult = {};
    const wanted = (m: AccuracyMetric) => metrics.includes(m);
    if (metrics.some((m) => !CLUSTERING.includes(m))) {
      const knnMetrics = this.knnMetrics(fn, query, ql, reference, rl, refIncludesQuery);
      for (const m of metrics) if (!CLUSTERING.includes(m)) out[m] = knnMetrics(m);
    }
    if (wanted('AMI') || wanted('NMI')) {
      const nClusters = new Set(ql).size;
      const clusters = labelArray(fn, 'kmeansFunc result', this.kmeansFunc(query, nClusters));
      if (clusters.length !== q.n) throw new Error(`${fn}: kmeansFunc returned ${clusters.length} labels for ${q.n} queries`);
      if (wanted('AMI')) out.AMI = adjustedMutualInfo(ql, clusters);
      if (wanted('NMI')) out.NMI = normalizedMutualInfo(ql, clusters);
    }
    // PML's order of keys.
    return Object.fromEntries(metrics.map((m) => [m, out[m]!])) as AccuracyResult;
  }

  /** The k-NN search once, then each k-NN metric on demand. */
  private knnMetrics(fn: string, query: Tensor, ql: Float64Array, reference: Tensor, rl: Float64Array, refIncludesQuery: boolean): (m: AccuracyMetric) => number | number[] {
    const same = this.compare ?? ((a: number, b: number) => a === b);
    const nq = ql.length, nr = rl.length;
    // R per query label: matching reference items, minus the query itself when the reference holds it.
    const uniq = [...new Set(ql)].sort((a, b) => a - b);
    const matchCount = new Map<number, number>(uniq.map((u) => [u, 0]));
    if (this.compare) {
      for (const u of uniq) {
        let c = 0;
        for (let j = 0; j < nr; j++) if (this.compare(u, rl[j])) c++;
        matchCount.set(u, c);
      }
    } else {
      for (let j = 0; j < nr; j++) {
        const c = matchCount.get(rl[j]);
        if (c !== undefined) matchCount.set(rl[j], c + 1);
      }
    }
    const selfCount = refIncludesQuery ? 1 : 0;
    const isLone = (u: number) => (refIncludesQuery ? matchCount.get(u)! - (same(u, u) ? 1 : 0) <= 0 : matchCount.get(u) === 0);
    const kept: number[] = [];
    for (let i = 0; i < nq; i++) if (!isLone(ql[i])) kept.push(i);
    const nan = (): number | number[] => (this.returnPerClass ? uniq.map(() => NaN) : NaN);
    if (kept.length === 0) return nan;

    const maxBin = Math.max(...matchCount.values());
    const K = this.k === 'max_bin_count' ? maxBin - selfCount : this.k === null ? nr - selfCount : this.k;
    const avail = nr - selfCount;
    if (K > avail) throw new Error(`${fn}: k = ${K} but the reference ${fmtShape(reference.shape)} holds only ${avail} candidate${avail === 1 ? '' : 's'} per query${refIncludesQuery ? ' (besides the query itself)' : ''}`);
    const [, indices] = this.knnFunc(query, K, reference, refIncludesQuery);
    if (indices.length !== nq * K) throw new Error(`${fn}: knnFunc returned ${indices.length} indices for ${nq} queries × k = ${K}`);

    // hit[t·K + c]: the c-th neighbour of kept query t matches its label.
    const n = kept.length;
    const hit = new Uint8Array(n * K);
    const R = new Float64Array(n);
    const labels = new Float64Array(n);
    kept.forEach((i, t) => {
      labels[t] = ql[i];
      R[t] = matchCount.get(ql[i])! - selfCount;
      const l = ql[i], o = t * K, src = i * K;
      if (this.compare) for (let c = 0; c < K; c++) hit[o + c] = this.compare(l, rl[indices[src + c]]) ? 1 : 0;
      else for (let c = 0; c < K; c++) hit[o + c] = rl[indices[src + c]] === l ? 1 : 0;
    });
    const perQuery = (m: AccuracyMetric): Float64Array => {
      const acc = new Float64Array(n);
      for (let t = 0; t < n; t++) {
        const row = hit.subarray(t * K, t * K + K);
        const rel = Math.min(R[t], K); // the relevance mask covers the first R columns
        switch (m) {
          case 'precisionAt1': acc[t] = row[0]; break;
          case 'rPrecision': {
            let s = 0;
            for (let c = 0; c < rel; c++) s += row[c];
            acc[t] = s / rel;
            break;
          }
          case 'meanAveragePrecision':
          case 'meanAveragePrecisionAtR': {
            const depth = m === 'meanAveragePrecisionAtR' ? rel : K;
            let correct = 0, s = 0;
            for (let c = 0; c < depth; c++) if (row[c]) s += ++correct / (c + 1);
            acc[t] = s / R[t];
            break;
          }
          case 'meanReciprocalRank': {
            const first = row.indexOf(1);
            acc[t] = first < 0 ? 0 : Math.fround(1 / (first + 1));
            break;
          }
        }
      }
      return acc;
    };
    return (m) => {
      const v = this.average(perQuery(m), labels);
      // PML averages the reciprocal ranks in float32.
      if (m !== 'meanReciprocalRank') return v;
      return Array.isArray(v) ? v.map(Math.fround) : Math.fround(v);
    };
  }

  /** PML's maybe_get_avg_of_avgs: the mean, the mean of per-class means, or the per-class means. */
  private average(acc: Float64Array, labels: Float64Array): number | number[] {
    if (!this.avgOfAvgs && !this.returnPerClass) return mean(acc);
    const classes = [...new Set(labels)].sort((a, b) => a - b);
    const perClass = classes.map((c) => mean(acc.filter((_, t) => labels[t] === c)));
    return this.returnPerClass ? perClass : mean(Float64Array.from(perClass));
  }
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

function checkNames(arg: string, names: unknown): AccuracyMetric[] {
  if (!Array.isArray(names)) throw new TypeError(`${FN}: ${arg} must be an array of metric names, got ${typeof names}`);
  for (const m of names) {
    if (!ACCURACY_METRICS.includes(m)) {
      throw new Error(`${FN}: unknown metric ${JSON.stringify(m)} in ${arg}; primary metrics must be one or more of: ${ACCURACY_METRICS.join(', ')}`);
    }
  }
  return names as AccuracyMetric[];
}

/** PML's get_function_dict: include (all when empty) minus exclude, in `from`'s order. */
function selectMetrics(from: readonly AccuracyMetric[], include: readonly AccuracyMetric[], exclude: readonly AccuracyMetric[]): AccuracyMetric[] {
  return from.filter((m) => (include.length === 0 || include.includes(m)) && !exclude.includes(m));
}

/** Labels as float32-rounded numbers (PML casts labels to float32 too). */
function labelArray(fn: string, arg: string, labels: unknown): Float64Array {
  if (labels === null || typeof labels !== 'object' || typeof (labels as ArrayLike<number>).length !== 'number') {
    throw new Error(`${fn}: ${arg} must be an array of numbers, got ${labels === null ? 'null' : typeof labels}`);
  }
  const a = labels as ArrayLike<number>;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) throw new Error(`${fn}: ${arg}[${i}] is ${a[i]}; labels must be finite numbers`);
    out[i] = Math.fround(a[i]);
  }
  return out;
}

/** torch.allclose(query, reference[:nq]) (rtol 1e-5, atol 1e-8) and equal leading labels. */
function startsWithQuery(q: Float32Array, ql: Float64Array, r: Float32Array, rl: Float64Array): boolean {
  if (r.length < q.length || rl.length < ql.length) return false;
  for (let i = 0; i < q.length; i++) if (!(Math.abs(q[i] - r[i]) <= 1e-8 + 1e-5 * Math.abs(r[i]))) return false;
  for (let i = 0; i < ql.length; i++) if (!(Math.abs(ql[i] - rl[i]) <= 1e-8 + 1e-5 * Math.abs(rl[i]))) return false;
  return true;
}
