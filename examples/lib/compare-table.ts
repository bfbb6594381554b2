// The comparison's metrics and its table: pytorch-metric-learning's AccuracyCalculator on the
// held-out digits (query set = reference set, self excluded), printed as text and as Markdown.
import * as sl from '../../src/index';

export interface CompareRow {
  name: string;
  /** Epochs trained; null for a row that is not trained (raw pixels). */
  epochs: number | null;
  precisionAt1: number;
  mapAtR: number;
  rPrecision: number;
  nmi: number;
  /** Training wall time; null when not trained. */
  seconds: number | null;
}

export type Scores = Pick<CompareRow, 'precisionAt1' | 'mapAtR' | 'rPrecision' | 'nmi'>;

// k = the largest class count: MAP@R and R-precision need R neighbours, P@1 one, so the full
// ranking PML's default (k = None) computes gives the same values at a fraction of the cost.
const perEpoch = () => new sl.metrics.AccuracyCalculator({ include: ['meanAveragePrecisionAtR'], k: 'max_bin_count' });
const final = () => new sl.metrics.AccuracyCalculator({ include: ['precisionAt1', 'meanAveragePrecisionAtR', 'rPrecision', 'NMI'], k: 'max_bin_count' });

/** MAP@R of embeddings [n, d] against themselves: the cheap per-epoch check. */
export function mapAtR(embeddings: sl.Tensor, labels: ArrayLike<number>): number {
  return perEpoch().getAccuracy(embeddings, labels).meanAveragePrecisionAtR as number;
}

/** P@1, MAP@R, R-precision and NMI (k-means with as many clusters as classes, seed 0). */
export function scores(embeddings: sl.Tensor, labels: ArrayLike<number>): Scores {
  const r = final().getAccuracy(embeddings, labels);
  return { precisionAt1: r.precisionAt1 as number, mapAtR: r.meanAveragePrecisionAtR as number, rPrecision: r.rPrecision as number, nmi: r.NMI as number };
}

const HEAD = ['loss', 'epochs', 'P@1', 'MAP@R', 'R-precision', 'NMI', 'training s'];

function cells(r: CompareRow): string[] {
  return [r.name, r.epochs === null ? '–' : String(r.epochs), ...[r.precisionAt1, r.mapAtR, r.rPrecision, r.nmi].map((v) => v.toFixed(4)), r.seconds === null ? '–' : r.seconds.toFixed(0)];
}

/** The table as aligned text: the name left-aligned, the numbers right-aligned. */
export function textTable(rows: CompareRow[]): string {
  const body = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, c) => Math.max(...body.map((r) => r[c].length)));
  return body.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ')).join('\n');
}

/** The table in Markdown, the best value of each metric column in bold. */
export function markdownTable(rows: CompareRow[]): string {
  const metric = (r: CompareRow) => [r.precisionAt1, r.mapAtR, r.rPrecision, r.nmi];
  const best = [0, 1, 2, 3].map((m) => Math.max(...rows.map((r) => metric(r)[m])));
  const lines = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const c = cells(r);
    metric(r).forEach((v, m) => {
      if (v === best[m]) c[2 + m] = `**${c[2 + m]}**`;
    });
    lines.push(`| ${c.join(' | ')} |`);
  }
  return lines.join('\n');
}
