// Typed access to the pytorch-metric-learning reference fixtures in test/fixtures/pml/*.jsonl
// (written by the gen_*.py generators beside them; the format is described in their README.md).
// Every case is checked for the fields its kind needs as it is read, so a malformed line fails
// with its file, line and id instead of as a puzzling mismatch inside a test.
import { readFileSync, readdirSync } from 'node:fs';

export type Matrix = number[][];
export type ReductionType = 'element' | 'pos_pair' | 'neg_pair' | 'triplet' | 'already_reduced';

/** A PML object passed as an option (distance, reducer, regularizer, inner loss or miner). */
export interface SpecJson {
  class: string;
  options: Record<string, unknown>;
}

/** One sub-loss of PML's unreduced loss dictionary; `losses: 0` is PML's zero-loss marker. */
export interface LossDictEntry {
  losses: number | number[];
  /** Element terms: one column; pair terms [a, p]; triplet terms [a, p, n]; null when reduced. */
  indices: number[] | number[][] | null;
  reductionType: ReductionType;
  divisor?: number;
}
export type LossDict = Record<string, LossDictEntry>;

export interface FixtureHeader {
  generator: string;
  pml_version: string;
  torch_version: string;
}

interface CaseBase {
  id: string;
  class: string;
  /** camelCase simlearn options; nested PML objects as { class, options }. */
  options: Record<string, unknown>;
  /** The PML kwargs used, for the record. */
  pyKwargs: Record<string, unknown>;
  note?: string;
}

export interface LossCase extends CaseBase {
  kind: 'loss';
  inputs: {
    embeddings: Matrix;
    labels: number[] | null;
    /** Miner tuples in PML layout; for ManifoldLoss, the flat list of meta-classes. */
    tuples: number[][] | number[] | null;
    refEmb: Matrix | null;
    refLabels: number[] | null;
    /** SubCenterArcFaceLoss.getOutliers cases: the threshold in degrees. */
    outlierThreshold?: number;
  };
  /** Learnable parameters and buffers before the call, by PML attribute name. */
  state?: Record<string, number[] | Matrix>;
  expected: {
    loss: number;
    gradEmbeddings?: Matrix;
    gradRefEmb?: Matrix;
    gradParams?: Record<string, number[] | Matrix>;
    stateAfter?: Record<string, number[] | Matrix>;
    lossDict?: LossDict;
    /** getLogits(embeddings) after the call (classification and proxy losses). */
    logits?: Matrix;
    /** SubCenterArcFaceLoss.getOutliers: outlier rows and [embeddingSize, numClasses] dominant centres (NaN columns: class absent). */
    outliers?: number[];
    dominantCenters?: Matrix;
  };
}

export interface MemoryCall {
  loss: number;
  gradEmbeddings: Matrix;
  embeddingMemory: Matrix;
  labelMemory: number[];
  queueIdx: number;
  hasBeenFilled: boolean;
}

export interface LossSequenceCase extends CaseBase {
  kind: 'lossSequence';
  inputs: { calls: { embeddings: Matrix; labels: number[]; enqueueMask: boolean[] | null }[] };
  expected: { calls: MemoryCall[] };
}

export interface MinerCase extends CaseBase {
  kind: 'miner';
  /** null for a case that records only that PML's constructor rejects the options. */
  inputs: { embeddings: Matrix; labels: number[]; refEmb: Matrix | null; refLabels: number[] | null } | null;
  expected: {
    /** Deterministic miners: PML's tuples (compare as sets). */
    tuples?: number[][];
    error?: string;
    /** DistanceWeightedMiner: properties of a random draw. */
    numTuples?: number;
    weights?: Matrix | null;
    /** UniformHistogramMiner: properties of a random draw. */
    posBinEdges?: number[];
    negBinEdges?: number[];
    posPerBin?: number[];
    negPerBin?: number[];
    numPos?: number;
    numNeg?: number;
    /** One PML draw of a random miner (for shapes only). */
    sample?: number[][];
  };
}

export interface ReducerCase extends CaseBase {
  kind: 'reducer';
  inputs: { lossDict: LossDict; embeddings: Matrix; labels: number[] };
  expected: { loss?: number; gradLosses?: Record<string, number[] | number>; lossDict?: LossDict; error?: string };
}

export interface RegularizerCase extends CaseBase {
  kind: 'regularizer';
  inputs: { embeddings?: Matrix; weights?: Matrix };
  expected: { loss: number; gradEmbeddings?: Matrix; gradWeights?: Matrix; lossDict: LossDict };
}

export interface DistanceCase extends CaseBase {
  kind: 'distance';
  inputs: { query: Matrix; ref: Matrix | null; gradOutput: Matrix };
  expected: { mat: Matrix; isInverted: boolean; gradQuery: Matrix; gradRef?: Matrix; pairwise?: number[] };
}

export interface BatchedDistanceCase extends CaseBase {
  kind: 'batchedDistance';
  inputs: { query: Matrix; ref: Matrix | null };
  expected: { blocks: { start: number; end: number; mat: Matrix }[] };
}

export interface AccuracyCase extends CaseBase {
  kind: 'accuracy';
  /** null for a case that records only that PML's constructor rejects the options. */
  inputs: {
    query: Matrix;
    queryLabels: number[];
    reference: Matrix | null;
    referenceLabels: number[] | null;
    refIncludesQuery: boolean;
  } | null;
  expected: {
    /** camelCase metric names; with returnPerClass, one value per class in ascending label order. */
    metrics?: Record<string, number | number[]>;
    /** The k of the k-NN search, and its result (squared L2, query itself removed when the reference holds it). */
    k?: number;
    knnIndices?: Matrix;
    /** The k-means labels AMI/NMI were computed from. */
    clusterLabels?: number[];
    error?: string;
  };
}

export interface LinearState {
  weight: Matrix;
  bias: number[];
}

export interface InferenceCase extends CaseBase {
  kind: 'inference';
  /** InferenceModel: its trunk and embedder, torch.nn.Linear layers. */
  state?: { trunk: LinearState; embedder?: LinearState };
  inputs: {
    /** InferenceModel: trainKnn, then addToKnn (null: none), then getNearestNeighbors(query, k). */
    train?: Matrix;
    add?: Matrix | null;
    k?: number;
    query: Matrix;
    ref: Matrix;
    /** isMatch(x, y), row by row. */
    x: Matrix;
    y: Matrix;
  };
  expected: {
    distances?: Matrix;
    indices?: Matrix;
    /** getMatches(query, ref) / getMatchingPairs(query, ref): [nq, nr]. */
    matches: boolean[][];
    /** The same with ref omitted: [nq, nq]. */
    selfMatches: boolean[][];
    isMatch: boolean[];
  };
}

/** Draw-independent facts about a PML sampler (see gen_samplers.py); labels flat, or rows for HierarchicalSampler. */
export interface SamplerCase extends CaseBase {
  kind: 'sampler';
  inputs: { labels: number[] | number[][]; x?: Matrix };
  /** TuplesToWeightsSampler: the Linear model's weight [out, in] and bias, and the miner. */
  state?: { weight: Matrix; bias: number[]; miner: SpecJson };
  expected: {
    error?: string;
    length?: number;
    /** MPerClassSampler: indices one epoch yields, the chunk (batch) size, sorted per-class counts of every chunk. */
    epochLength?: number;
    chunk?: number;
    chunkSignatures?: number[][];
    /** HierarchicalSampler: sorted [per-super counts, per-class counts] of every batch; batches per set of supers. */
    batchSignatures?: [number[], number[]][];
    superTupleCounts?: Record<string, number>;
    /** FixedSetOfTriplets: every triplet valid. */
    valid?: boolean;
    /** TuplesToWeightsSampler: the weights after one epoch. */
    weights?: number[];
  };
}

export type PmlCase = LossCase | LossSequenceCase | MinerCase | ReducerCase | RegularizerCase | DistanceCase | BatchedDistanceCase | AccuracyCase | InferenceCase | SamplerCase;
export type PmlKind = PmlCase['kind'];

export interface PmlFixture {
  file: string;
  header: FixtureHeader;
  cases: PmlCase[];
}

const DIR = new URL('../fixtures/pml/', import.meta.url);

/** Fields each kind must have: [path, check] pairs, checked on every case as it loads. */
const isNum = (v: unknown) => typeof v === 'number';
const isArr = (v: unknown) => Array.isArray(v);
const isMat = (v: unknown) => Array.isArray(v) && v.every((r) => Array.isArray(r) && r.every(isNum));
const orNull = (f: (v: unknown) => boolean) => (v: unknown) => v === null || f(v);
const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const REQUIRED: Record<PmlKind, [string, (v: unknown) => boolean][]> = {
  loss: [['inputs.embeddings', isMat], ['inputs.labels', orNull(isArr)], ['inputs.tuples', orNull(isArr)],
    ['inputs.refEmb', orNull(isMat)], ['inputs.refLabels', orNull(isArr)], ['expected.loss', isNum]],
  lossSequence: [['inputs.calls', isArr], ['expected.calls', isArr]],
  miner: [['inputs', orNull(isObj)], ['expected', (e) => isObj(e) && ['tuples', 'error', 'numTuples', 'numPos'].some((k) => k in (e as object))]],
  reducer: [['inputs.lossDict', isObj], ['inputs.embeddings', isMat], ['inputs.labels', isArr],
    ['expected', (e) => isObj(e) && ['loss', 'lossDict', 'error'].some((k) => k in (e as object))]],
  regularizer: [['inputs', (i) => isObj(i) && (isMat((i as any).embeddings) || isMat((i as any).weights))], ['expected.loss', isNum],
    ['expected.lossDict', isObj]],
  distance: [['inputs.query', isMat], ['inputs.ref', orNull(isMat)], ['inputs.gradOutput', isMat], ['expected.mat', isMat],
    ['expected.gradQuery', isMat], ['expected.isInverted', (v) => typeof v === 'boolean']],
  batchedDistance: [['inputs.query', isMat], ['inputs.ref', orNull(isMat)], ['expected.blocks', isArr]],
  sampler: [['inputs.labels', isArr], ['expected', (e) => isObj(e) && ('length' in (e as object) || 'error' in (e as object))]],
  accuracy: [['inputs', (i) => i === null || (isMat((i as any).query) && isArr((i as any).queryLabels))],
    ['expected', (e) => isObj(e) && ('metrics' in (e as object) || 'error' in (e as object))]],
  inference: [['inputs.query', isMat], ['inputs.ref', isMat], ['inputs.x', isMat], ['inputs.y', isMat],
    ['expected.matches', isArr], ['expected.selfMatches', isArr], ['expected.isMatch', isArr]],
};

function at(obj: unknown, path: string): unknown {
  let v: any = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(k in v)) return undefined;
    v = v[k];
  }
  return v;
}

/** The generators write non-finite floats as the strings "NaN", "Infinity", "-Infinity". */
function revive(_key: string, value: unknown): unknown {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value;
}

/** Names of the fixture files (without .jsonl) present in test/fixtures/pml. */
export function pmlFixtureFiles(): string[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length)).sort();
}

const cache = new Map<string, PmlFixture>();

/** Reads test/fixtures/pml/<name>.jsonl, checking the header and each case's required fields. */
export function loadPmlFixture(name: string): PmlFixture {
  const hit = cache.get(name);
  if (hit) return hit;
  const file = `${name}.jsonl`;
  const lines = readFileSync(new URL(file, DIR), 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error(`pml fixture ${file}: empty file`);
  const header = JSON.parse(lines[0]) as FixtureHeader;
  for (const k of ['generator', 'pml_version', 'torch_version'] as const) {
    if (typeof header[k] !== 'string') throw new Error(`pml fixture ${file}: header line lacks "${k}"`);
  }
  const seen = new Set<string>();
  const cases = lines.slice(1).map((line, i) => {
    const where = `pml fixture ${file} line ${i + 2}`;
    const c = JSON.parse(line, revive) as PmlCase;
    for (const k of ['id', 'class', 'kind'] as const) {
      if (typeof c[k] !== 'string') throw new Error(`${where}: missing "${k}"`);
    }
    if (!isObj(c.options) || !isObj(c.pyKwargs)) throw new Error(`${where} (${c.id}): "options" and "pyKwargs" must be objects`);
    const checks = REQUIRED[c.kind];
    if (!checks) throw new Error(`${where} (${c.id}): unknown kind "${c.kind}"`);
    for (const [path, ok] of checks) {
      if (!ok(at(c, path))) throw new Error(`${where} (${c.id}): field ${path} is missing or malformed`);
    }
    if (seen.has(c.id)) throw new Error(`${where}: duplicate id ${c.id}`);
    seen.add(c.id);
    return c;
  });
  const fixture = { file, header, cases };
  cache.set(name, fixture);
  return fixture;
}

/** Cases of one fixture file, optionally only one class and/or kind, typed by kind. */
export function pmlCases<K extends PmlKind = PmlKind>(name: string, filter: { class?: string; kind?: K } = {}): Extract<PmlCase, { kind: K }>[] {
  return loadPmlFixture(name).cases.filter(
    (c) => (filter.class === undefined || c.class === filter.class) && (filter.kind === undefined || c.kind === filter.kind),
  ) as Extract<PmlCase, { kind: K }>[];
}

/** Row-major copy of a [n][d] matrix (n may be 0) with its shape, e.g. for sl.tensor(data, shape). */
export function flat(m: Matrix, cols?: number): { data: Float64Array; shape: [number, number] } {
  const d = m.length > 0 ? m[0].length : (cols ?? 0);
  const data = new Float64Array(m.length * d);
  m.forEach((row, i) => data.set(row, i * d));
  return { data, shape: [m.length, d] };
}

/** Tuples as a set of comma-joined index rows, for order-free comparison of miner output. */
export function tupleSet(tuples: ArrayLike<number>[]): Set<string> {
  const n = tuples.length === 0 ? 0 : tuples[0].length;
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add(Array.from(tuples, (col) => col[i]).join(','));
  return out;
}
