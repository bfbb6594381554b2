// Builds the two browser pages of examples/browser/ into build/pages/ (npm run demo serves
// them; the runtime suite tests them in Chromium):
//   train.html + train.js + train-worker.js   the triplet CNN trained in a Web Worker
//   bench.html + bench.js + bench-worker.js   the bench/ workloads beside tfjs-backend-wasm
//   mnist-subset.bin                          3,000 train / 1,000 test digits (examples/browser/data.ts)
//   tfjs/*.wasm                               tfjs-backend-wasm's binaries, fetched by the bench worker
// The pages import simlearn from src/index.ts, bundled by esbuild like dist/simlearn.js.
// Run directly (`node scripts/build-pages.mjs`) it builds and prints what it wrote.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PAGES_DIR = resolve('build/pages');
const SRC = 'examples/browser';
const TRAIN = 3000;
const TEST = 1000;
const SUBSET_MAGIC = 0x4e4d4c53; // examples/browser/data.ts reads this layout

/**
 * The first TRAIN train and TEST test digits of loadMnist()'s seeded 8,000 / 2,000 split (the
 * main job's), so the page's held-out digits are held out from the main job too.
 */
async function writeMnistSubset(out) {
  const file = join(out, 'mnist-subset.bin');
  if (existsSync(file)) return file;
  const loader = resolve('build/load-mnist.mjs');
  await build({ entryPoints: ['src/data/mnist.ts'], bundle: true, format: 'esm', platform: 'node', outfile: loader, logLevel: 'warning' });
  const { loadMnist } = await import(pathToFileURL(loader).href);
  const { train, test } = loadMnist();
  const side = train.itemShape[1];
  const px = side * side;
  const bytes = new Uint8Array(16 + (TRAIN + TEST) * (1 + px));
  new Uint32Array(bytes.buffer, 0, 4).set([SUBSET_MAGIC, TRAIN, TEST, side]);
  let at = 16;
  const put = (values) => {
    for (let i = 0; i < values.length; i++) bytes[at + i] = Math.round(values[i] * 255);
    at += values.length;
  };
  const label = (l) => bytes.set(l, (at += l.length) - l.length);
  label(train.labels.subarray(0, TRAIN));
  label(test.labels.subarray(0, TEST));
  put(train.x.subarray(0, TRAIN * px));
  put(test.x.subarray(0, TEST * px));
  writeFileSync(file, bytes);
  return file;
}

/**
 * The bench workloads of bench/ as they are, with their two Node-only helpers swapped for
 * browser ones: bench/lib/tfjs.ts (Node's wasm paths, gradients bundled by esbuild) and
 * bench/lib/relaxed.ts (a child process running the relaxed build).
 */
const browserBenchLibs = {
  name: 'browser-bench-libs',
  setup(b) {
    const swap = { 'bench/lib/tfjs.ts': `${SRC}/bench/tfjs.ts`, 'bench/lib/relaxed.ts': `${SRC}/bench/relaxed.ts` };
    b.onResolve({ filter: /\/lib\/(tfjs|relaxed)$/ }, (args) => {
      const target = resolve(args.resolveDir, args.path) + '.ts';
      for (const [from, to] of Object.entries(swap)) if (target === resolve(from)) return { path: resolve(to) };
      return undefined;
    });
  },
};

export async function buildPages({ out = PAGES_DIR, minify = true } = {}) {
  mkdirSync(join(out, 'tfjs'), { recursive: true });
  await build({
    entryPoints: ['train', 'train-worker', 'bench', 'bench-worker'].map((f) => `${SRC}/${f}.ts`),
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // benchmark.js finds its global object through `global` (else it takes the CommonJS
    // wrapper's `this`, an empty exports object, and has no Object, Date or setTimeout).
    define: { global: 'globalThis' },
    plugins: [browserBenchLibs],
  });
  for (const page of ['train.html', 'bench.html']) copyFileSync(`${SRC}/${page}`, join(out, page));
  const tfjsWasm = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(join(tfjsWasm, f), join(out, 'tfjs', f));
  await writeMnistSubset(out);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await buildPages();
  console.log(`pages built into ${out}`);
}
