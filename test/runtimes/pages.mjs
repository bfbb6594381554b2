// The two browser pages of examples/browser/ in headless Chromium, served by scripts/demo.mjs
// as `npm run demo` serves them (cross-origin isolated). The runtime suite runs both checks;
// run alone (`node test/runtimes/pages.mjs --docs`) it trains longer, runs the full bench and
// writes the README's screenshots to docs/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPages } from '../../scripts/build-pages.mjs';
import { serve } from '../../scripts/demo.mjs';
import { launchChromium } from './runtimes.mjs';

const TIMEOUT_MS = 120_000;
/** The training test runs the warm-up and one epoch of the main phase (3,000 digits / 64 = 46 steps). */
const TEST_EPOCHS = 1;
/**
 * The bench test's workloads: a quick run of all five takes ~3 minutes on a busy 2-core machine
 * (tfjs-wasm's composed W4 step, W2's 4096² cases and W3's backward passes dominate), so the
 * suite runs these two.
 */
export const TEST_WORKLOADS = ['W1', 'TOPK'];
const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;

/** Builds the pages and serves them; `use(browser, base)` runs with Chromium open. */
export async function withPages(use) {
  const server = await serve(await buildPages());
  const browser = await launchChromium();
  try {
    return await use(browser, `http://127.0.0.1:${server.address().port}`);
  } finally {
    await browser.close();
    server.close();
  }
}

async function openPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1320, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  return { context, page, errors };
}

/**
 * Start, train until `epochs` epochs of the main phase are evaluated, then click a digit.
 * Returns the figures and a list of problems (empty when the page did what it says).
 */
export async function trainingPage(browser, base, { epochs = TEST_EPOCHS, screenshot } = {}) {
  const { context, page, errors } = await openPage(browser, `${base}/train.html`);
  try {
    const started = performance.now();
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: TIMEOUT_MS });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.waitForFunction((n) => window.simlearnTraining.error || window.simlearnTraining.epochs.some((e) => e.epoch >= n), epochs, { timeout: TIMEOUT_MS });
    // The record and the text in one evaluation: training goes on meanwhile.
    const { rec, shown } = await page.evaluate(() => ({
      rec: window.simlearnTraining,
      shown: {
        step: document.getElementById('step').textContent,
        loss: document.getElementById('loss-value').textContent,
        sps: document.getElementById('sps').textContent,
        build: document.getElementById('build').textContent,
        pcaPoints: document.querySelectorAll('#pca circle').length,
      },
    }));
    if (rec.error) throw new Error(`the page reports: ${rec.error}`);
    // A digit of the click strip: the first 7 (digits are offered in class order, 4 each).
    await page.locator('#digits canvas').nth(29).click();
    await page.waitForFunction(() => document.querySelectorAll('#result figure.neighbour').length > 0, null, { timeout: 30_000 });
    const neighbours = await page.evaluate(() => ({
      count: document.querySelectorAll('#result figure.neighbour').length,
      query: document.querySelector('#result figure.query figcaption').textContent,
      captions: [...document.querySelectorAll('#result figure.neighbour figcaption')].map((f) => f.textContent),
    }));
    if (screenshot) {
      await page.getByRole('button', { name: 'Pause', exact: true }).click().catch(() => {});
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    // The loss as the chart draws it, in each phase: the warm-up (every triplet) and batch-hard
    // mining measure different triplets, so each phase's first 10 steps against its last 10.
    const losses = rec.losses;
    const phases = [['warm-up', rec.curve.slice(0, rec.warmupSteps)], ['main', rec.curve.slice(rec.warmupSteps)]];
    const fell = phases.map(([name, v]) => ({ name, first: mean(v.slice(0, 10)), last: mean(v.slice(-10)) }));
    const final = rec.epochs.at(-1);
    const problems = [];
    for (const f of fell) if (!(f.last < f.first)) problems.push(`the loss did not fall in the ${f.name} phase: mean of its first 10 steps ${f.first}, of its last 10 ${f.last}`);
    if (!(final.p1 > rec.raw.p1)) problems.push(`held-out P@1 ${final.p1} is not above raw pixels' ${rec.raw.p1}`);
    if (neighbours.count !== 8) problems.push(`${neighbours.count} neighbours shown, expected 8`);
    if (Number(shown.step) !== losses.length || !(rec.warmupSteps > 10 && losses.length - rec.warmupSteps > 20) || !(Number(shown.sps) > 0) || !Number.isFinite(Number(shown.loss))) {
      problems.push(`the text shows step ${shown.step}, loss ${shown.loss}, ${shown.sps} steps/s; the page recorded ${losses.length} steps`);
    }
    if (!/^(relaxed|baseline) SIMD/.test(shown.build)) problems.push(`the wasm build shown is '${shown.build}'`);
    if (shown.pcaPoints < 1000) problems.push(`the PCA picture has ${shown.pcaPoints} points, expected the 1,000 held-out digits`);
    if (errors.length) problems.push(`page errors: ${errors.join('; ')}`);
    return {
      problems, isolated, build: shown.build, steps: losses.length, loss: fell, stepsPerSecond: rec.stepsPerSecond,
      raw: rec.raw, epochs: rec.epochs, neighbours, seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await context.close();
  }
}

/** Runs the bench page (quick unless told otherwise), checks every row, copies the JSON. */
export async function benchPage(browser, base, { quick = true, only = null, screenshot } = {}) {
  const query = [quick && 'quick', only && `only=${only.join(',')}`].filter(Boolean).join('&');
  const { context, page, errors } = await openPage(browser, `${base}/bench.html${query ? `?${query}` : ''}`);
  try {
    const started = performance.now();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: TIMEOUT_MS });
    await page.getByRole('button', { name: 'Run benchmarks' }).click();
    await page.waitForFunction(() => document.body.dataset.done, null, { timeout: quick ? TIMEOUT_MS : 30 * 60_000 });
    const status = await page.locator('#status').textContent();
    const rows = await page.evaluate(() => [...document.querySelectorAll('#results tbody tr')].map((tr) => [tr.dataset.workload, ...[...tr.cells].slice(1).map((c) => c.textContent)]));
    await page.getByRole('button', { name: 'Copy results as JSON' }).click();
    await page.waitForFunction(() => window.benchJson, null, { timeout: 10_000 });
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    if (screenshot) {
      // The chart and the first rows of the table: the whole table of a full run is ~2,000 px tall.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: 0, width: 1320, height: Math.min(height, 1500) } });
      writeFileSync(screenshot.replace(/\.png$/, '.json'), JSON.stringify(copied, null, 2) + '\n');
    }
    const problems = [];
    if (rows.length === 0) problems.push(`no rows (${status})`);
    for (const r of rows) {
      if (!(Number(r[4]) > 0)) problems.push(`${r[0]} ${r[1]} ${r[2]}: median '${r[4]}'`);
      if (r[2] === 'tfjs-wasm' && !/^\d+\.\d+×$/.test(r[6])) problems.push(`${r[0]} ${r[1]}: ratio '${r[6]}'`);
    }
    const ids = new Set(rows.map((r) => r[0]));
    for (const id of only ?? ['W1', 'W2', 'W3', 'W4', 'TOPK']) if (!ids.has(id)) problems.push(`workload ${id} is missing`);
    if (copied.rows?.length !== rows.length) problems.push(`the copied JSON holds ${copied.rows?.length} rows, the table ${rows.length}`);
    if (errors.length) problems.push(`page errors: ${errors.join('; ')}`);
    const ratios = copied.rows.filter((r) => r.impl === 'tfjs-wasm').map((r) => ({ case: `${r.workload} ${r.task}`, ratio: r.simlearnSpeedup }));
    return { problems, rows: rows.length, ratios, build: copied.simlearnBuild, seconds: (performance.now() - started) / 1000 };
  } finally {
    await context.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const docs = process.argv.includes('--docs');
  const dir = resolve(docs ? 'docs' : '.runtimes/screenshots');
  mkdirSync(dir, { recursive: true });
  await withPages(async (browser, base) => {
    const t = await trainingPage(browser, base, { epochs: docs ? 3 : TEST_EPOCHS, screenshot: join(dir, 'train-page.png') });
    console.log(JSON.stringify(t, null, 1));
    const b = await benchPage(browser, base, { quick: !docs, only: docs ? null : TEST_WORKLOADS, screenshot: join(dir, 'bench-page.png') });
    console.log(JSON.stringify(b, null, 1));
  });
}
