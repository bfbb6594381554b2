// npm run train (or `-- --loss triplet`) — the main job: a Triplet CNN on 8,000 MNIST digits
// with batch-hard mining, evaluated on the 2,000 held-out digits beside raw pixels; writes
// out/model.safetensors, out/loss.svg and out/embeddings-pca.svg.
//
//   conv 1→32 3×3, ReLU, max-pool 2, conv 32→64 3×3, ReLU, max-pool 2, flatten,
//   Linear 1600 → 64, L2-normalise
//   MPerClassSampler (m per class), BatchHardMiner, TripletMarginLoss, Adam, cosine lr decay
//
// The warm-up (every valid triplet for the first steps, then batch-hard mining) and the
// configuration are explained in examples/lib/mnist-job.ts, shared with the training page;
// the training itself is the triplet family of examples/lib/loss-families.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as sl from '../src/index';
import { loadMnist } from '../src/data/mnist';
import { embedAll } from './lib/embed';
import { pca } from './lib/pca';
import { lineChartSvg, scatterSvg } from './lib/svg';
import { JOB as CONFIG } from './lib/mnist-job';
import { trainFamily } from './lib/loss-families';

const OUT = 'out';

export async function tripletJob(epochs: number = CONFIG.epochs): Promise<void> {
  const t0 = performance.now();
  await sl.init();
  sl.manualSeed(CONFIG.seed);
  const { train, test } = loadMnist();
  console.log(`MNIST: ${train.labels.length} train / ${test.labels.length} test digits (seeded split) · wasm build: ${sl.engineInfo().build}`);

  const { model, warm, history, seconds: trainSeconds } = await trainFamily('triplet', train, { epochs, log: (line) => console.log(line) });
  const allSteps = warm!.steps + history.steps;
  console.log(`trained ${allSteps} steps in ${trainSeconds.toFixed(1)} s (${((1000 * trainSeconds) / allSteps).toFixed(1)} ms/step)`);

  // ---- evaluation on the held-out digits ----
  const testEmb = embedAll(model, test);
  const trainEmb = embedAll(model, train);
  const flat = (ds: typeof train) => sl.tensor(ds.x, [ds.labels.length, 28 * 28]);
  const rawTest = flat(test), rawTrain = flat(train);
  const evaluate = (testX: sl.Tensor, trainX: sl.Tensor) => {
    const r = sl.metrics.retrieval(testX, test.labels, { k: [1, 5] });
    const knn = sl.metrics.knnAccuracy(trainX, train.labels, testX, test.labels, { k: 1 });
    return { ...r, knn };
  };
  const ours = evaluate(testEmb, trainEmb);
  const raw = evaluate(rawTest, rawTrain);
  const row = (name: string, r: typeof ours) =>
    `${name.padEnd(22)}${r.precisionAt1.toFixed(4).padStart(10)}${r.mapAtR.toFixed(4).padStart(10)}${r.rPrecision.toFixed(4).padStart(10)}` +
    `${r.recallAtK[1].toFixed(4).padStart(10)}${r.knn.toFixed(4).padStart(10)}`;
  console.log(`\nheld-out digits (${test.labels.length}, query = reference set, self excluded; kNN: 1-NN over the train split)`);
  console.log(`${''.padEnd(22)}${'P@1'.padStart(10)}${'MAP@R'.padStart(10)}${'R-prec'.padStart(10)}${'R@5'.padStart(10)}${'kNN acc'.padStart(10)}`);
  console.log(row('raw pixels (784-d)', raw));
  console.log(row(`triplet CNN (${CONFIG.embeddingSize}-d)`, ours));

  // ---- weights, round-tripped as a check ----
  mkdirSync(OUT, { recursive: true });
  const weightsPath = `${OUT}/model.safetensors`;
  writeFileSync(weightsPath, sl.io.saveSafetensors(model.stateDict(), { format: 'pt', source: 'simlearn examples/mnist-triplet.ts' }));
  const reloaded = sl.io.loadSafetensors(readFileSync(weightsPath));
  const same = Object.entries(model.stateDict()).every(([k, t]) => reloaded[k].data().every((v, i) => Object.is(v, t.data()[i])));
  console.log(`\nsaved ${weightsPath} (${Object.keys(reloaded).length} tensors; reloads bit-identical: ${same})`);

  // ---- pictures ----
  writeFileSync(
    `${OUT}/loss.svg`,
    lineChartSvg([...warm!.loss, ...history.loss], {
      title: `Triplet loss on MNIST (margin ${CONFIG.margin})`,
      yLabel: 'loss',
      window: 25,
      marks: [{ at: warm!.steps + 0.5, label: 'batch-hard mining from here' }],
    }),
  );
  const { projected, variances } = pca(testEmb.data(), test.labels.length, CONFIG.embeddingSize, 2);
  const total = variances.reduce((s, v) => s + v, 0);
  writeFileSync(
    `${OUT}/embeddings-pca.svg`,
    scatterSvg(projected, test.labels, {
      title: `2,000 held-out digits: PCA of the ${CONFIG.embeddingSize}-d embeddings`,
      xLabel: `PC 1`,
      yLabel: `PC 2`,
    }),
  );
  console.log(`wrote ${OUT}/loss.svg and ${OUT}/embeddings-pca.svg (top-2 PCA variances ${variances.map((v) => v.toFixed(3)).join(', ')}; sum ${total.toFixed(3)})`);
  console.log(`total time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
