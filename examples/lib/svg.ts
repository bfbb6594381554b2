// Hand-written SVG charts (no dependencies): a per-step line chart, lines per series, a coloured scatter plot.

const W = 640, H = 420;
const M = { left: 64, right: 20, top: 40, bottom: 48 };
/** Tableau's ten categorical colours (matplotlib's tab10). */
export const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2));

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  return out;
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  body: string[];
}

function frame(title: string, xLabel: string, yLabel: string, xr: [number, number], yr: [number, number], showTicks = true): Frame {
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * pw;
  const y = (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * ph;
  const body = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  ];
  if (showTicks) {
    for (const t of ticks(xr[0], xr[1])) {
      body.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333"/>`);
      body.push(`<text x="${x(t).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${fmt(t)}</text>`);
    }
    for (const t of ticks(yr[0], yr[1])) {
      body.push(`<line x1="${M.left - 5}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
      body.push(`<text x="${M.left - 8}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
    }
  }
  return { x, y, body };
}

/** Per-step values as a faint line with a bold moving average of `window` steps on top. */
export function lineChartSvg(
  values: number[],
  { title = '', xLabel = 'step', yLabel = '', window = 20, marks = [] as { at: number; label: string }[] } = {},
): string {
  const n = values.length;
  const hi = Math.max(...values, 0) * 1.05 || 1;
  const f = frame(title, xLabel, yLabel, [1, Math.max(n, 2)], [0, hi]);
  const path = (vs: number[]) => vs.map((v, i) => `${i ? 'L' : 'M'}${f.x(i + 1).toFixed(1)},${f.y(v).toFixed(1)}`).join('');
  const smooth = values.map((_, i) => {
    const from = Math.max(0, i - window + 1);
    let s = 0;
    for (let j = from; j <= i; j++) s += values[j];
    return s / (i - from + 1);
  });
  f.body.push(`<path d="${path(values)}" fill="none" stroke="#1f77b4" stroke-opacity="0.3" stroke-width="1"/>`);
  f.body.push(`<path d="${path(smooth)}" fill="none" stroke="#1f77b4" stroke-width="2.2"/>`);
  for (const m of marks) {
    const mx = f.x(m.at).toFixed(1);
    f.body.push(`<line x1="${mx}" x2="${mx}" y1="${M.top}" y2="${H - M.bottom}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    f.body.push(`<text x="${(+mx + 4).toFixed(1)}" y="${M.top + 32}" fill="#d62728">${esc(m.label)}</text>`);
  }
  f.body.push(`<text x="${W - M.right - 6}" y="${M.top + 16}" text-anchor="end" fill="#555">faint: per step · bold: mean of ${window}</text>`);
  f.body.push('</svg>');
  return f.body.join('\n');
}

/**
 * One line per series over x = 1, 2, … (e.g. a metric per epoch), coloured by TAB10, with a
 * dot per value and a legend of the names; the y axis spans the values with 5 % room.
 */
export function seriesChartSvg(series: { name: string; values: number[] }[], { title = '', xLabel = '', yLabel = '' } = {}): string {
  const all = series.flatMap((s) => s.values);
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const lo = Math.min(...all), hi = Math.max(...all);
  const pad = (hi - lo) * 0.05 || 0.05;
  // Extra room on the right for the legend.
  const f = frame(title, xLabel, yLabel, [1, n + (n - 1) * 0.35], [lo - pad, hi + pad]);
  series.forEach((s, i) => {
    const colour = TAB10[i % 10];
    const pts = s.values.map((v, j) => [f.x(j + 1).toFixed(1), f.y(v).toFixed(1)]);
    f.body.push(`<path d="${pts.map(([x, y], j) => `${j ? 'L' : 'M'}${x},${y}`).join('')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [x, y] of pts) f.body.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${colour}"/>`);
    const ly = M.top + 14 + i * 17;
    f.body.push(`<line x1="${W - M.right - 118}" x2="${W - M.right - 100}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    f.body.push(`<text x="${W - M.right - 94}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  f.body.push('</svg>');
  return f.body.join('\n');
}

/** Points (x, y) coloured by class, with a legend of the class names. */
export function scatterSvg(xy: ArrayLike<number>, classes: ArrayLike<number>, { title = '', xLabel = '', yLabel = '', names = [] as string[] } = {}): string {
  const n = classes.length;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, xy[2 * i]); x1 = Math.max(x1, xy[2 * i]);
    y0 = Math.min(y0, xy[2 * i + 1]); y1 = Math.max(y1, xy[2 * i + 1]);
  }
  const px = (x1 - x0) * 0.04 || 1, py = (y1 - y0) * 0.04 || 1;
  // Extra room on the right for the legend.
  const f = frame(title, xLabel, yLabel, [x0 - px, x1 + px + (x1 - x0) * 0.12], [y0 - py, y1 + py]);
  for (let i = 0; i < n; i++) {
    f.body.push(`<circle cx="${f.x(xy[2 * i]).toFixed(1)}" cy="${f.y(xy[2 * i + 1]).toFixed(1)}" r="2.2" fill="${TAB10[classes[i] % 10]}" fill-opacity="0.7"/>`);
  }
  const labels = [...new Set(Array.from(classes))].sort((a, b) => a - b);
  labels.forEach((c, i) => {
    const ly = M.top + 14 + i * 17;
    f.body.push(`<circle cx="${W - M.right - 40}" cy="${ly}" r="5" fill="${TAB10[c % 10]}"/>`);
    f.body.push(`<text x="${W - M.right - 30}" y="${ly + 4}">${esc(names[c] ?? String(c))}</text>`);
  });
  f.body.push('</svg>');
  return f.body.join('\n');
}
