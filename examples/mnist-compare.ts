// npm run train -- --loss <family>|all [--epochs N]: the loss families of
// examples/lib/loss-families.ts trained one after the other on the main job's split, trunk,
// sampler and seed. After every epoch, MAP@R on the 2,000 held-out digits; at the end one
// table (P@1, MAP@R, R-precision, NMI, training seconds) beside raw pixels. `all` writes
// out/compare.md and out/compare.svg (MAP@R per epoch, one line per loss); one family writes
// out/compare-<name>.md and .svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as sl from '../src/index';
import { loadMnist } from '../src/data/mnist';
import { embedAll } from './lib/embed';
import { LOSS_FAMILIES, trainFamily } from './lib/loss-families';
import { mapAtR, markdownTable, scores, textTable, type CompareRow } from './lib/compare-table';
import { seriesChartSvg } from './lib/svg';
import type { LossName } from './lib/train-args';

const OUT = 'out';

export async function compareJob(names: readonly LossName[], epochs: number | null, command: string): Promise<void> {
  const t0 = performance.now();
  await sl.init();
  const { train, test } = loadMnist();
  console.log(`MNIST: ${train.labels.length} train / ${test.labels.length} test digits (seeded split) · wasm build: ${sl.engineInfo().build}`);
  const raw = sl.tensor(test.x, [test.labels.length, 28 * 28]);
  const rows: CompareRow[] = [{ name: 'raw pixels (784-d)', epochs: null, seconds: null, ...scores(raw, test.labels) }];
  raw.dispose();
  const curves: { name: string; values: number[] }[] = [];

  for (const name of names) {
    const n = epochs ?? LOSS_FAMILIES[name].epochs;
    console.log(`\n── ${name} ──`);
    const curve: number[] = [];
    const run = await trainFamily(name, train, {
      epochs: n,
      log: (line) => console.log(line),
      onEpoch: (epoch, model) => {
        const emb = embedAll(model, test);
        curve.push(mapAtR(emb, test.labels));
        emb.dispose();
        console.log(`epoch ${epoch}/${n}: held-out MAP@R ${curve[curve.length - 1].toFixed(4)}`);
      },
    });
    const steps = run.history.steps + (run.warm?.steps ?? 0);
    console.log(`trained ${steps} steps in ${run.seconds.toFixed(1)} s (${((1000 * run.seconds) / steps).toFixed(1)} ms/step)`);
    const emb = embedAll(run.model, test);
    rows.push({ name, epochs: n, seconds: run.seconds, ...scores(emb, test.labels) });
    emb.dispose();
    console.log(textTable(rows.slice(-1)).split('\n')[1]);
    curves.push({ name, values: curve });
  }

  const wall = (performance.now() - t0) / 1000;
  console.log(`\nheld-out digits (${test.labels.length}; query = reference set, self excluded; NMI: k-means with 10 clusters)`);
  console.log(textTable(rows));
  console.log(`total time ${wall.toFixed(0)} s`);

  mkdirSync(OUT, { recursive: true });
  const stem = names.length === 1 ? `compare-${names[0]}` : 'compare';
  const setups = names.map((name) => `- ${name}: ${LOSS_FAMILIES[name].describe}`).join('\n');
  writeFileSync(
    `${OUT}/${stem}.md`,
    `${markdownTable(rows)}\n\n\`${command}\`: ${wall.toFixed(0)} s in all (wasm build ${sl.engineInfo().build}).\n` +
      `Held-out digits (${test.labels.length}), query = reference set, self excluded; NMI from k-means with 10 clusters.\n\n${setups}\n`,
  );
  writeFileSync(
    `${OUT}/${stem}.svg`,
    seriesChartSvg(curves, { title: `Held-out MAP@R per epoch (${test.labels.length} digits)`, xLabel: 'epoch', yLabel: 'MAP@R' }),
  );
  console.log(`wrote ${OUT}/${stem}.md and ${OUT}/${stem}.svg`);
}
