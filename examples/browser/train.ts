// The training page: controls, live text and charts. The work happens in train-worker.ts;
// this thread only draws (the SVG charts of examples/lib/svg.ts) and forwards clicks.
import { lineChartSvg, scatterSvg, TAB10 } from '../lib/svg';
import { JOB } from '../lib/mnist-job';
import { loadSubset, type MnistSubset } from './data';
import type { LossName, Settings, TrainMessage, TrainRequest } from './train-worker';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const startButton = $<HTMLButtonElement>('start');
const restartButton = $<HTMLButtonElement>('restart');
const lossSelect = $<HTMLSelectElement>('loss');
const marginInput = $<HTMLInputElement>('margin');
const lrInput = $<HTMLInputElement>('lr');
const text = (id: string, value: string) => ($(id).textContent = value);

/** Each loss's margin as its default (the main job's for triplet, pytorch-metric-learning's otherwise). */
const MARGINS: Record<LossName, number | null> = { triplet: JOB.margin, contrastive: 1, 'multi-similarity': null };
/** Test digits offered for a click: the first few of each class. */
const PER_CLASS = 4;

const worker = new Worker(`train-worker.js${location.search}`, { type: 'module' });
const send = (m: TrainRequest) => worker.postMessage(m);
let state: 'idle' | 'running' | 'paused' | 'done' = 'idle';
let losses: number[] = [];
let warmupSteps = 0;
let subset: MnistSubset;
let selected = -1;
let lastChart = 0;
/** The loss of the run on screen (the select may have changed since it started). */
let running: LossName = 'triplet';
let runId = 0;
/** What the charts show, for scripts driving the page (the runtime suite's Chromium test). */
const record: {
  losses: number[];
  epochs: { epoch: number; step: number; p1: number; mapR: number }[];
  /** Fraction of the step's pairs/triplets with a non-zero loss. */
  active: number[];
  /** What the chart draws: the loss averaged over every pair/triplet of the step. */
  curve: number[];
  warmupSteps: number;
  stepsPerSecond: number;
  raw?: { p1: number; mapR: number };
  error?: string;
} = { losses: [], active: [], curve: [], warmupSteps: 0, epochs: [], stepsPerSecond: 0 };
(window as unknown as { simlearnTraining: typeof record }).simlearnTraining = record;

function settings(): Settings {
  return { loss: lossSelect.value as LossName, margin: Number(marginInput.value), lr: Number(lrInput.value) };
}

function setState(s: typeof state): void {
  state = s;
  startButton.textContent = s === 'running' ? 'Pause' : s === 'paused' ? 'Resume' : 'Start';
  text('state', s === 'idle' ? 'ready' : s);
}

function drawLoss(): void {
  const marks = warmupSteps && record.curve.length > warmupSteps ? [{ at: warmupSteps + 0.5, label: running === 'triplet' ? 'batch-hard mining from here' : 'warm-up ends' }] : [];
  const over = running === 'triplet' ? ' (mean over all triplets of the step)' : '';
  $('loss-chart').innerHTML = lineChartSvg(record.curve, { title: `${running} loss${over}`, yLabel: 'loss', window: 20, marks });
}

/** A digit as a canvas, dark on white. */
function digitCanvas(index: number): HTMLCanvasElement {
  const side = subset.side;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = side;
  const img = new ImageData(side, side);
  const px = subset.testPixels.subarray(index * side * side, (index + 1) * side * side);
  for (let i = 0; i < px.length; i++) {
    const v = 255 - px[i];
    img.data.set([v, v, v, 255], 4 * i);
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
  canvas.dataset.index = String(index);
  return canvas;
}

function pickDigit(index: number): void {
  selected = index;
  document.querySelectorAll('#digits canvas').forEach((c) => c.classList.toggle('sel', Number((c as HTMLElement).dataset.index) === index));
  send({ type: 'query', index });
}

function showNeighbours(m: Extract<TrainMessage, { type: 'neighbours' }>): void {
  const labels = subset.test.labels;
  const figure = (index: number, caption: string, cls: string) => {
    const f = document.createElement('figure');
    f.className = cls;
    f.append(digitCanvas(index));
    const c = document.createElement('figcaption');
    c.textContent = caption;
    f.append(c);
    return f;
  };
  const out = $('result');
  out.textContent = '';
  out.append(figure(m.index, `query: ${labels[m.index]}`, 'query'));
  m.indices.forEach((j, i) => out.append(figure(j, `${labels[j]} · ${m.distances[i].toFixed(2)}`, `neighbour${labels[j] === labels[m.index] ? '' : ' miss'}`)));
  const hits = m.indices.filter((j) => labels[j] === labels[m.index]).length;
  text('result-note', `${hits} of ${m.indices.length} neighbours share the query's digit; searched in ${m.space}, Euclidean distance, the other 999 held-out digits.`);
}

function addEpoch(name: string, step: string, p1: number, mapR: number): void {
  const tr = ($('epochs').querySelector('tbody') as HTMLTableSectionElement).insertRow();
  for (const [v, cls] of [[name, 'l'], [step, ''], [p1.toFixed(4), ''], [mapR.toFixed(4), '']]) {
    const td = tr.insertCell();
    td.textContent = v;
    if (cls) td.className = cls;
  }
}

worker.onmessage = (e: MessageEvent<TrainMessage>) => {
  const m = e.data;
  // Messages of a run that a restart replaced may still be in flight.
  if ('id' in m && m.id !== runId) return;
  switch (m.type) {
    case 'ready': {
      const build = `${m.build} SIMD, ${m.threads === 1 ? '1 thread' : `${m.threads} threads`}${m.isolated ? ' (cross-origin isolated)' : ''}`;
      text('build', build);
      record.raw = m.raw;
      text('raw-p1', m.raw.p1.toFixed(4));
      addEpoch('raw pixels (784-d)', '–', m.raw.p1, m.raw.mapR);
      text('about', `${m.train.toLocaleString()} train / ${m.test.toLocaleString()} held-out digits: the first of the main job's seeded 8,000 / 2,000 split. ` +
        `Batches of ${JOB.batchSize} (${JOB.batchSize / JOB.mPerClass} digits × ${JOB.mPerClass}), Adam with cosine decay over ${JOB.epochs} epochs after a ${JOB.warmupSteps}-step warm-up. ` +
        `P@1 and MAP@R as pytorch-metric-learning defines them (query set = reference set, self excluded). Steps per second count training only.`);
      startButton.disabled = false;
      setState('idle');
      break;
    }
    case 'step':
      losses.push(m.loss);
      record.losses = losses;
      // The triplet loss averages over the active (non-zero) triplets only, which hides
      // progress: as the embedding improves, fewer triplets stay active and the average of the
      // rest stays near the margin. Times the active fraction it is the mean over all of them.
      // (Contrastive averages its two parts separately; multi-similarity is a plain mean.)
      record.active.push(m.active != null && m.tuples ? m.active / m.tuples : NaN);
      record.curve.push(running === 'triplet' && m.active != null && m.tuples ? (m.loss * m.active) / m.tuples : m.loss);
      record.warmupSteps = warmupSteps;
      record.stepsPerSecond = m.stepsPerSecond;
      if (m.phase === 'warm-up') warmupSteps = m.step;
      text('step', String(m.step));
      text('total', String(m.total));
      text('epoch', m.phase === 'warm-up' ? 'warm-up' : `${m.epoch + 1} / ${JOB.epochs}`);
      text('loss-value', m.loss.toFixed(4));
      text('active', m.active != null && m.tuples ? `${((100 * m.active) / m.tuples).toFixed(1)}% of ${m.tuples.toLocaleString()}` : '–');
      text('sps', m.stepsPerSecond.toFixed(1));
      // The chart at most every 250 ms: a 500-step SVG path per step would cost more than the step.
      if (performance.now() - lastChart > 250) {
        drawLoss();
        lastChart = performance.now();
      }
      break;
    case 'embedding': {
      $('pca').innerHTML = scatterSvg(m.xy, subset.test.labels, {
        title: `${subset.test.labels.length.toLocaleString()} held-out digits: PCA of the embeddings, step ${m.step}`,
        xLabel: 'PC 1', yLabel: 'PC 2',
      });
      break;
    }
    case 'epoch':
      text('p1', m.p1.toFixed(4));
      record.epochs.push({ epoch: m.epoch, step: m.step, p1: m.p1, mapR: m.mapR });
      addEpoch(m.epoch === 0 ? 'untrained network (64-d)' : `epoch ${m.epoch}`, String(m.step), m.p1, m.mapR);
      if (selected >= 0) pickDigit(selected);
      break;
    case 'neighbours':
      showNeighbours(m);
      break;
    case 'state':
      setState(m.state);
      if (m.state === 'done') drawLoss();
      break;
    case 'error':
      text('state', `error: ${m.message}`);
      record.error = m.message;
      break;
  }
};

function begin(): void {
  losses = [];
  record.losses = losses;
  record.active = [];
  record.curve = [];
  record.epochs = [];
  warmupSteps = 0;
  ($('epochs').querySelector('tbody') as HTMLTableSectionElement).replaceChildren(
    ...Array.from(($('epochs').querySelector('tbody') as HTMLTableSectionElement).rows).slice(0, 1),
  );
  restartButton.disabled = false;
  running = settings().loss;
  send({ type: 'start', settings: settings(), id: ++runId });
}

startButton.onclick = () => {
  if (state === 'idle' || state === 'done') begin();
  else if (state === 'running') send({ type: 'pause' });
  else send({ type: 'resume' });
};
restartButton.onclick = begin;
lossSelect.onchange = () => {
  const m = MARGINS[lossSelect.value as LossName];
  marginInput.disabled = m === null;
  marginInput.value = m === null ? '' : String(m);
  marginInput.title = m === null ? 'multi-similarity has no margin (alpha 2, beta 50, base 0.5)' : '';
};
lrInput.onchange = () => send({ type: 'lr', lr: Number(lrInput.value) });

// A click on a point of the PCA picture: its circles come first, in test order (the legend's after).
$('pca').addEventListener('click', (e) => {
  const target = e.target as Element;
  if (target.tagName !== 'circle') return;
  const index = Array.prototype.indexOf.call($('pca').querySelectorAll('circle'), target);
  if (index >= 0 && index < subset.test.labels.length) pickDigit(index);
});

loadSubset().then((s) => {
  subset = s;
  const shown: number[] = [];
  for (let d = 0; d < 10; d++) {
    let n = 0;
    for (let i = 0; i < s.test.labels.length && n < PER_CLASS; i++) if (s.test.labels[i] === d) shown.push(i), n++;
  }
  const digits = $('digits');
  for (const i of shown) {
    const c = digitCanvas(i);
    c.title = `held-out digit #${i} (a ${s.test.labels[i]})`;
    c.onclick = () => pickDigit(i);
    digits.append(c);
  }
});
