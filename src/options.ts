// One check for every options object of the public API: it must be a plain object (or
// undefined), every key must be known, and every value of the declared kind. A misspelt key
// is an error that names the nearest known one, so `{ metirc: 'cosine' }` cannot silently
// run with the default metric.
import { Tensor } from './autograd/tensor';

/**
 * The kind of one option: 'number' (finite), 'integer' (safe integer), 'boolean', 'string',
 * 'function', 'tensor', 'array' (an array or typed array), 'object' (a non-null object),
 * 'null' (allows null beside the other kinds), 'any', or a list of allowed string values.
 */
export type OptionKind = 'number' | 'integer' | 'boolean' | 'string' | 'function' | 'tensor' | 'array' | 'object' | 'null' | 'any' | readonly string[];

/** Option name -> its kind, or several kinds that are each accepted. */
export type OptionSpec = Readonly<Record<string, OptionKind | readonly OptionKind[]>>;

/**
 * Validates `options` against `spec` and returns it (an empty object for undefined). Throws a
 * TypeError naming `fn`, the key and the value: for a non-object, an unknown key (with the
 * nearest known key), or a value of the wrong kind. undefined values count as absent.
 *
 * @example
 * const { metric = 'euclidean', excludeSelf = false } = checkOptions('topK', options, { metric: ['euclidean', 'cosine'], excludeSelf: 'boolean' });
 */
export function checkOptions<T extends object>(fn: string, options: unknown, spec: OptionSpec, what = 'options'): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof Tensor) {
    throw new TypeError(`${fn}: ${what} must be an object of named options, got ${describeValue(options)}`);
  }
  const known = Object.keys(spec);
  for (const key of Object.keys(options)) {
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      const near = nearest(key, known);
      const hint = near ? `; did you mean '${near}'?` : '';
      const list = known.length ? ` (known: ${known.join(', ')})` : ' (it takes none)';
      throw new TypeError(`${fn}: unknown option '${key}'${hint}${list}`);
    }
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const entry = spec[key];
    const kinds = (isKindList(entry) ? entry : [entry]) as readonly OptionKind[];
    if (!kinds.some((kind) => matches(kind, value))) {
      throw new TypeError(`${fn}: option ${key} must be ${kinds.map(kindName).join(' or ')}, got ${describeValue(value)}`);
    }
  }
  return options as Partial<T>;
}

const KINDS = new Set(['number', 'integer', 'boolean', 'string', 'function', 'tensor', 'array', 'object', 'null', 'any']);

// A spec entry that is an array is either a list of kinds (['number', 'null']) or a list of
// allowed strings (['euclidean', 'cosine']); a list of kinds holds only kind names or lists.
function isKindList(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && x.every((k) => Array.isArray(k) || KINDS.has(k as string));
}

function matches(kind: OptionKind, v: unknown): boolean {
  if (Array.isArray(kind)) return typeof v === 'string' && kind.includes(v);
  switch (kind) {
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isSafeInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'function': return typeof v === 'function';
    case 'tensor': return v instanceof Tensor;
    case 'array': return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
    case 'object': return v !== null && typeof v === 'object';
    case 'null': return v === null;
    case 'any': return true;
  }
  return false;
}

function kindName(kind: OptionKind): string {
  if (Array.isArray(kind)) return `one of ${kind.map((s) => `'${s}'`).join(', ')}`;
  switch (kind) {
    case 'number': return 'a finite number';
    case 'integer': return 'an integer';
    case 'boolean': return 'true or false';
    case 'string': return 'a string';
    case 'function': return 'a function';
    case 'tensor': return 'a Tensor';
    case 'array': return 'an array';
    case 'object': return 'an object';
    case 'null': return 'null';
    default: return 'anything';
  }
}

/** A short description of a value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return `a Tensor [${v.shape.join(', ')}]`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'no prototype'})`;
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${String(v)}`;
}

/** The known key closest to `key` (case-insensitive edit distance), if it is close enough. */
function nearest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  const a = key.toLowerCase();
  for (const k of known) {
    const d = editDistance(a, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

// Optimal string alignment distance: a swap of two neighbours (margn / mrgin) is one edit.
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
