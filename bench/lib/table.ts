// One table for people (markdown, so docs/benchmarks.md can hold it verbatim) and JSON for machines.
import type { Row } from './harness';

const fmt = (v: number | null, digits: number) => (v === null || !Number.isFinite(v) ? '' : v.toFixed(digits));
const fmtMs = (v: number | null) => (v === null ? '' : v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

export function markdownTable(rows: Row[]): string {
  const head = ['workload', 'task', 'impl', 'median ms', 'calls', 'GFLOP/s', '% peak', 'simlearn ×', 'note'];
  const body = rows.map((r) => [
    r.workload,
    r.task,
    r.impl,
    r.status === 'ok' ? fmtMs(r.medianMs) : r.status,
    r.samples === null ? '' : String(r.samples),
    fmt(r.gflops, 2),
    fmt(r.pctPeak, 1),
    r.simlearnSpeedup === null ? '' : `${r.simlearnSpeedup.toFixed(2)}×`,
    r.note.replace(/\|/g, '/'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
