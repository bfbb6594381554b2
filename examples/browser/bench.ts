// The bench page: starts the bench worker, fills the table as each workload finishes, draws
// the ratios as bars, and copies everything as JSON.
import type { Row } from '../../bench/lib/harness';
import type { BenchMessage, BenchRequest } from './bench-worker';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const runButton = $<HTMLButtonElement>('run');
const copyButton = $<HTMLButtonElement>('copy');
const quick = $<HTMLInputElement>('quick');
const status = $('status');
const tbody = document.querySelector('#results tbody') as HTMLTableSectionElement;

const params = new URLSearchParams(location.search);
if (params.has('quick')) quick.checked = true;
const only = params.get('only')?.split(',').map((s) => s.trim().toUpperCase());

let rows: Row[] = [];
let info: { build: string; userAgent: string } | null = null;
let finished: { seconds: number } | null = null;
const worker = new Worker('bench-worker.js', { type: 'module' });

const fmt = (v: number | null, digits = 3) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(digits));

/** A row's method, from its note without what every row shares (tidy, no read-out). */
const how = (note: string) => note.replace(/,? ?(in )?tidy(, no read-out)?|, no read-out/g, '').replace(/; max abs diff.*$/, '').trim();

function addRows(workload: string, title: string, batch: Row[]): void {
  let lastTask = '';
  batch.forEach((r, i) => {
    const tr = tbody.insertRow();
    tr.className = `${r.impl === 'simlearn' ? '' : 'peer'}${r.task !== lastTask ? ' first' : ''}`;
    lastTask = r.task;
    const lastShown = i > 0 ? batch[i - 1].task : '';
    const ratio = r.simlearnSpeedup;
    const cells = [
      [i === 0 ? `${workload} ${title}` : '', 'l'], [r.task === lastShown ? '' : r.task, 'l'], [r.impl, 'l'],
      [how(r.note), 'how'],
      [r.status === 'ok' ? fmt(r.medianMs) : r.status, ''],
      [fmt(r.gflops), ''],
      [ratio == null ? '' : `${ratio.toFixed(2)}×`, ratio == null ? '' : ratio >= 1 ? 'faster' : 'slower'],
    ];
    for (const [text, cls] of cells) {
      const td = tr.insertCell();
      td.textContent = text;
      if (cls) td.className = cls;
    }
    tr.title = r.note;
    tr.dataset.workload = workload;
  });
  rows.push(...batch);
  drawChart();
}

/**
 * One bar per case: log2 of (fastest tfjs-wasm variant) / simlearn, right (green) when simlearn
 * is faster. W2 times several tfjs formulations of one distance; the bar takes tfjs's best.
 */
function drawChart(): void {
  const best = new Map<string, Row>();
  for (const r of rows) {
    const key = `${r.workload} ${r.task}`;
    const seen = best.get(key)?.simlearnSpeedup;
    if (r.impl === 'tfjs-wasm' && r.simlearnSpeedup && !(seen !== undefined && seen! <= r.simlearnSpeedup)) best.set(key, r);
  }
  const bars = [...best.entries()];
  const W = 860, rowH = 17, left = 330, right = 60, top = 34;
  const logs = bars.map(([, r]) => Math.log2(r.simlearnSpeedup!));
  const lo = Math.min(-1, ...logs), hi = Math.max(1, ...logs);
  const scale = (W - left - right) / (hi - lo);
  const mid = left + -lo * scale;
  const H = top + bars.length * rowH + 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${left + (W - left - right) / 2}" y="14" text-anchor="middle" font-size="13">tfjs-wasm time ÷ simlearn time (log scale; tfjs's fastest variant)</text>`,
    `<text x="${mid + 6}" y="28" fill="#1a7f37">simlearn faster →</text><text x="${mid - 6}" y="28" text-anchor="end" fill="#b42318">← tfjs-wasm faster</text>`,
  ];
  bars.forEach(([label, r], i) => {
    const y = top + i * rowH;
    const v = logs[i] * scale;
    out.push(`<text x="${left - 6}" y="${y + 12}" text-anchor="end">${label}</text>`);
    out.push(`<rect x="${Math.min(mid, mid + v).toFixed(1)}" y="${y + 2}" width="${Math.abs(v).toFixed(1)}" height="${rowH - 5}" fill="${v >= 0 ? '#2ca02c' : '#d62728'}" fill-opacity="0.8"/>`);
    out.push(`<text x="${(v >= 0 ? mid + v + 4 : mid + v - 4).toFixed(1)}" y="${y + 12}" text-anchor="${v >= 0 ? 'start' : 'end'}">${r.simlearnSpeedup!.toFixed(2)}×</text>`);
  });
  out.push(`<line x1="${mid}" x2="${mid}" y1="${top - 2}" y2="${top + bars.length * rowH}" stroke="#333"/>`);
  out.push('</svg>');
  $('chart').innerHTML = out.join('');
}

function report() {
  return {
    date: new Date().toISOString(),
    userAgent: info?.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    simlearnBuild: info?.build,
    quick: quick.checked,
    seconds: finished?.seconds ?? null,
    ratio: 'simlearnSpeedup = tfjs-wasm median / simlearn median (> 1: simlearn faster)',
    rows,
  };
}

worker.onmessage = (e: MessageEvent<BenchMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      info = m;
      $('env').textContent = `simlearn ${m.build} SIMD build, one thread · ${navigator.hardwareConcurrency} logical cores · ${m.userAgent}`;
      status.textContent = 'ready';
      runButton.disabled = false;
      if (params.has('autorun')) runButton.click();
      break;
    case 'log':
      status.textContent = m.text.trim();
      break;
    case 'rows':
      addRows(m.workload, m.title, m.rows);
      break;
    case 'done':
      finished = m;
      status.textContent = `done: ${rows.length} rows in ${m.seconds.toFixed(1)} s`;
      document.body.dataset.done = 'true';
      runButton.disabled = false;
      copyButton.disabled = false;
      break;
    case 'error':
      status.textContent = `error: ${m.message}`;
      document.body.dataset.done = 'error';
      break;
  }
};

runButton.onclick = () => {
  rows = [];
  finished = null;
  tbody.textContent = '';
  $('chart').textContent = '';
  delete document.body.dataset.done;
  runButton.disabled = true;
  copyButton.disabled = true;
  status.textContent = 'running…';
  worker.postMessage({ quick: quick.checked, only } satisfies BenchRequest);
};

copyButton.onclick = async () => {
  const text = JSON.stringify(report(), null, 2);
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = `copied ${rows.length} rows as JSON`;
  } catch {
    // No clipboard permission (e.g. an insecure context): show the JSON to copy by hand.
    const area = document.createElement('textarea');
    area.value = text;
    area.rows = 12;
    area.style.width = '100%';
    document.body.append(area);
    area.select();
    status.textContent = 'clipboard refused: the JSON is in the box below';
  }
  (window as unknown as { benchJson: string }).benchJson = text;
};
