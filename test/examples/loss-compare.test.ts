// The loss comparison's pieces: its metrics against the float64 AccuracyCalculator reference
// (full ranking, where the comparison stops at the largest class), its tables, its chart, and
// every family's training wiring on a tiny data set (one batch per epoch).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { accuracyCalculatorRef } from '../ref/metrics';
import { mapAtR, markdownTable, scores, textTable, type CompareRow } from '../../examples/lib/compare-table';
import { LOSS_FAMILIES, trainFamily } from '../../examples/lib/loss-families';
import { JOB, tripletCnn } from '../../examples/lib/mnist-job';
import { LOSS_NAMES } from '../../examples/lib/train-args';
import { seriesChartSvg } from '../../examples/lib/svg';

await sl.init();

/** n points in d dimensions around `classes` centres `spread` apart, unbalanced labels. */
function blobs(n: number, d: number, classes: number, spread: number, seed: number) {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes * d }, () => spread * rng.normal());
  const labels = Int32Array.from({ length: n }, (_, i) => (i * i + 3 * i) % classes);
  const x = Float32Array.from({ length: n * d }, (_, t) => centres[labels[Math.floor(t / d)] * d + (t % d)] + rng.normal());
  return { x, labels };
}

test('scores and mapAtR: PML metrics of the full ranking (float64 reference), though they retrieve only max R', () => {
  for (const [n, d, classes] of [[57, 5, 4], [33, 3, 7], [101, 17, 10]]) {
    const { x, labels } = blobs(n, d, classes, 0.8, n);
    const ref = accuracyCalculatorRef(x, labels, x, labels, n, n, d, true, null, 'mean');
    const got = scores(sl.tensor(x, [n, d]), labels);
    for (const [ours, theirs] of [[got.precisionAt1, ref.precisionAt1], [got.mapAtR, ref.meanAveragePrecisionAtR], [got.rPrecision, ref.rPrecision]] as const) {
      assert.ok(Math.abs(ours - (theirs as number)) < 1e-12, `n ${n}: ${ours} vs ${theirs}`);
    }
    assert.ok(Math.abs(mapAtR(sl.tensor(x, [n, d]), labels) - (ref.meanAveragePrecisionAtR as number)) < 1e-12);
    assert.ok(got.nmi > 0 && got.nmi < 1, `overlapping classes: NMI ${got.nmi} strictly inside (0, 1)`);
  }
  // Classes far apart: k-means finds them exactly, NMI 1, every metric 1.
  const { x, labels } = blobs(40, 3, 4, 100, 1);
  assert.equal(scores(sl.tensor(x, [40, 3]), labels), { precisionAt1: 1, mapAtR: 1, rPrecision: 1, nmi: 1 });
});

const rows: CompareRow[] = [
  { name: 'raw pixels (784-d)', epochs: null, precisionAt1: 0.90454, mapAtR: 0.2982, rPrecision: 0.4025, nmi: 0.4956, seconds: null },
  { name: 'supcon', epochs: 10, precisionAt1: 0.98, mapAtR: 0.95123, rPrecision: 0.96, nmi: 0.9, seconds: 41.6 },
  { name: 'arcface', epochs: 2, precisionAt1: 0.99, mapAtR: 0.9, rPrecision: 0.95, nmi: 0.91, seconds: 9.2 },
];

test('textTable: a header, a row per entry, aligned columns, dashes for untrained rows', () => {
  const lines = textTable(rows).split('\n');
  assert.is(lines.length, 4);
  assert.ok(lines.every((l) => l.length === lines[0].length), 'every line as wide as the header');
  assert.equal(lines[0].trim().split(/\s{2,}/), ['loss', 'epochs', 'P@1', 'MAP@R', 'R-precision', 'NMI', 'training s']);
  assert.equal(lines[1].trim().split(/\s{2,}/), ['raw pixels (784-d)', '–', '0.9045', '0.2982', '0.4025', '0.4956', '–']);
  assert.equal(lines[2].trim().split(/\s{2,}/), ['supcon', '10', '0.9800', '0.9512', '0.9600', '0.9000', '42']);
});

test('markdownTable: the best value of each metric column in bold', () => {
  const md = markdownTable(rows).split('\n');
  assert.is(md[1], '|---|---:|---:|---:|---:|---:|---:|');
  assert.is(md[3], '| supcon | 10 | 0.9800 | **0.9512** | **0.9600** | 0.9000 | 42 |');
  assert.is(md[4], '| arcface | 2 | **0.9900** | 0.9000 | 0.9500 | **0.9100** | 9 |');
});

test('seriesChartSvg: a line with a dot per value and a legend entry per series', () => {
  const svg = seriesChartSvg([{ name: 'a & b', values: [0.5, 0.7, 0.8] }, { name: 'c', values: [0.6, 0.9] }], { title: 't' });
  assert.ok(svg.startsWith('<svg') && svg.endsWith('</svg>') && svg.includes('a &amp; b'));
  const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1].split(/[ML]/).filter(Boolean).length);
  assert.equal(paths, [3, 2]);
  assert.is((svg.match(/<circle /g) ?? []).length, 5);
  // the highest value sits higher (smaller y) than the lowest
  const ys = [...svg.matchAll(/<circle cx="[^"]+" cy="([^"]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys[4] < ys[0], `${ys}`);
});

// 64 noisy digit-shaped inputs, 8 per class: one batch per epoch.
function tinyDigits(seed: number) {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: 64 }, (_, i) => i % 8);
  const x = Float32Array.from({ length: 64 * 784 }, (_, t) => ((Math.floor(t / 784) % 8) === Math.floor((t % 784) / 98) ? 1 : 0) + 0.1 * rng.normal());
  return { x, labels, itemShape: [1, 28, 28] };
}

test('trainFamily: every family trains one step per epoch, deterministically, the loss weights moving only where it has them', async () => {
  const data = tinyDigits(3);
  for (const name of LOSS_NAMES) {
    const epochsSeen: number[] = [];
    const run = async () =>
      trainFamily(name, data, {
        epochs: 2,
        progress: false,
        onEpoch: (epoch) => {
          epochsSeen.push(epoch);
          const until = performance.now() + 60;
          while (performance.now() < until);
        },
      });
    const a = await run();
    // the loss's initial weights: the same seed, the trunk drawn first
    sl.manualSeed(JOB.seed);
    tripletCnn();
    const setup = LOSS_FAMILIES[name].setup(64, 8);
    assert.equal(epochsSeen, [1, 2], name);
    assert.is(a.history.steps, 2, name);
    assert.is(a.warm?.steps ?? 0, name === 'triplet' ? 50 : 0, name);
    assert.is(!!setup.lossOptimizer, ['proxy-anchor', 'arcface', 'soft-triple'].includes(name), name);
    const before = (setup.loss as { parameters?(): sl.Tensor[] }).parameters?.() ?? [];
    const after = (a.loss as { parameters?(): sl.Tensor[] }).parameters?.() ?? [];
    assert.is(after.length, before.length, name);
    after.forEach((p, i) => {
      const p0 = before[i].data(), p1 = p.data();
      assert.ok(p1.length === p0.length && p1.some((v, j) => v !== p0[j]), `${name}: loss weight ${i} trained`);
    });
    assert.ok(a.history.loss.every(Number.isFinite), `${name}: ${a.history.loss}`);
    // the 120 ms spent in onEpoch is not training time
    assert.ok(a.seconds <= (a.warm?.seconds ?? 0) + a.history.seconds - 0.119, `${name}: ${a.seconds} s`);
    const b = await run();
    assert.equal(b.history.loss, a.history.loss, `${name}: same seed, same losses`);
    const wa = a.model.stateDict(), wb = b.model.stateDict();
    for (const k of Object.keys(wa)) assert.equal(wb[k].data(), wa[k].data(), `${name}: same weights (${k})`);
  }
});

test.run();
