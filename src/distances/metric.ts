// Metric arguments (names, { p }, distance objects) resolved to distance objects.
import { BaseDistance } from './base-distance';
import { CosineDistance } from './cosine-distance';
import { DotProductSimilarity } from './dot-product-similarity';
import { LpDistance } from './lp-distance';
import { checkOptions } from '../options';
import { describe } from './validate';

export type MetricName = 'euclidean' | 'sqeuclidean' | 'manhattan' | 'cosine' | 'dot';
/** A metric name, an L_p norm `{ p }` (p >= 1), or a distance object (sl.distances.*). */
export type Metric = MetricName | { p: number } | BaseDistance;

const METRIC_NAMES: readonly MetricName[] = ['euclidean', 'sqeuclidean', 'manhattan', 'cosine', 'dot'];

/**
 * The distance object behind a metric. Names never normalise (like torch.cdist / scipy):
 * 'cosine' is 1 − cos, 'dot' the raw dot product (a similarity).
 */
export function resolveMetric(fn: string, metric: Metric): BaseDistance {
  if (metric instanceof BaseDistance) return metric;
  // Named metrics are stateless objects, made once (sl.cdist on small inputs is call-bound).
  const cached = typeof metric === 'string' ? NAMED.get(metric) : undefined;
  if (cached) return cached;
  const d = resolveNamed(fn, metric);
  d.label = typeof metric === 'string' ? (metric === 'dot' ? 'dot product' : `${metric} distance`) : `L${(metric as { p: number }).p} distance`;
  if (typeof metric === 'string') NAMED.set(metric, d);
  return d;
}

const NAMED = new Map<string, BaseDistance>();

function resolveNamed(fn: string, metric: Exclude<Metric, BaseDistance>): BaseDistance {
  switch (metric) {
    case 'euclidean': return new LpDistance({ p: 2, normalizeEmbeddings: false });
    case 'sqeuclidean': return new LpDistance({ p: 2, power: 2, normalizeEmbeddings: false });
    case 'manhattan': return new LpDistance({ p: 1, normalizeEmbeddings: false });
    case 'cosine': return new CosineDistance();
    case 'dot': return new DotProductSimilarity({ normalizeEmbeddings: false });
  }
  if (metric !== null && typeof metric === 'object' && Object.getPrototypeOf(metric) === Object.prototype) {
    checkOptions(fn, metric, { p: 'any' }, 'metric { p }');
    const p = (metric as { p: unknown }).p;
    if (typeof p !== 'number' || !(p >= 1) || !Number.isFinite(p)) throw new Error(`${fn}: metric { p } needs a finite p >= 1, got ${String(p)}`);
    return new LpDistance({ p, normalizeEmbeddings: false });
  }
  const shown = typeof metric === 'string' ? JSON.stringify(metric) : describe(metric);
  throw new Error(`${fn}: unknown metric ${shown}: use one of ${METRIC_NAMES.map((m) => `'${m}'`).join(', ')}, { p }, or a distance object`);
}
