// The errors section of the contract holds in the shipped bundle too: dist/simlearn.js is
// minified, which renames classes, so a message built from `constructor.name` would read
// "VA.step" instead of "Adam.step". The source is bundled here the way scripts/build-dist.mjs
// does (esbuild, minify, neutral platform, es2022) and its messages are checked by name.
// (`SIMLEARN_CONTRACT=dist npm test -- api/` runs every contract test against dist/ itself.)
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as SL from '../../src/index';
import { thrown } from './helpers';

const entry = new URL('../../src/index.ts', import.meta.url).pathname;
const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', minify: true, write: false, logLevel: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'simlearn-bundle-'));
const file = join(dir, 'simlearn.js');
writeFileSync(file, out.outputFiles[0].text);
const sl: typeof SL = await import(pathToFileURL(file).href);
rmSync(dir, { recursive: true, force: true });
await sl.init();

test('the minified bundle computes what the source does', () => {
  const d = sl.cdist(sl.tensor([[0, 0], [1, 1]]), sl.tensor([[3, 4]]), 'euclidean');
  assert.equal(Array.from(d.data()), [5, Math.fround(Math.hypot(2, 3))]);
});

test('optimiser errors name the optimiser in the minified bundle', () => {
  for (const [name, make] of [
    ['SGD', (p: SL.Tensor[]) => new sl.optim.SGD(p, { lr: 0.1 })],
    ['Adam', (p: SL.Tensor[]) => new sl.optim.Adam(p)],
    ['AdamW', (p: SL.Tensor[]) => new sl.optim.AdamW(p)],
  ] as const) {
    const p = sl.tensor([1, 2, 3], { requiresGrad: true });
    const opt = make([p]);
    p.sum().backward();
    p.grad!.dispose();
    assert.match(thrown(() => opt.step()), new RegExp(`^${name}\\.step: the gradient of params\\[0\\]`), name);
  }
});

test('layer, model, distance and loss errors name their class in the minified bundle', () => {
  assert.match(
    thrown(() => new sl.nn.Linear(2, 3).loadStateDict({ weight: sl.zeros([2, 3]), bias: sl.zeros([3]) })),
    /^loadStateDict: Linear: 'weight' is \[2, 3\] but the module's is \[3, 2\]/,
  );
  assert.match(thrown(() => new sl.nn.Sequential(new sl.nn.ReLU()).loadStateDict({ x: sl.zeros([1]) })), /^loadStateDict: Sequential: unexpected keys 'x'/);
  assert.match(thrown(() => new sl.nn.BatchNorm1d(3).forward(sl.zeros([2, 4]))), /^BatchNorm1d: x is \[2, 4\]/);
  assert.match(thrown(() => new sl.nn.BatchNorm2d(3).forward(sl.zeros([2, 3]))), /^BatchNorm2d: x is \[2, 3\]/);
  assert.match(thrown(() => new sl.nn.BatchNorm2d(0)), /^BatchNorm2d: numFeatures must be a positive integer/);
  assert.match(thrown(() => new sl.nn.Sequential({} as any)), /^Sequential: child '0' is not an sl\.nn\.Module/);
  assert.match(thrown(() => new sl.models.Siamese({} as any, new sl.distances.LpDistance())), /^Siamese: embedder/);
  assert.match(thrown(() => new sl.distances.LpDistance({ power: NaN })), /^LpDistance: option power must be a finite number/);
  assert.match(thrown(() => new sl.distances.CosineSimilarity({ power: Infinity })), /^CosineSimilarity: option power must be a finite number/);
  assert.match(thrown(() => new sl.distances.Mahalanobis({ M: sl.zeros([2, 2]) }).pairwise(sl.zeros([1, 3]))), /^Mahalanobis\.pairwise: inputs have dimension 3/);
  assert.match(thrown(() => new sl.losses.ContrastiveLoss().forward(sl.zeros([2, 2]), [0, NaN])), /^ContrastiveLoss\.forward: labels\[1\] is NaN/);
  assert.match(thrown(() => new sl.miners.BatchHardMiner().mine(sl.zeros([2, 2]), [0])), /^BatchHardMiner\.mine: labels has 1 entries/);
});

test.run();
