// npm run example:siamese — a Siamese network trained from (x₁, x₂, same) pairs of MNIST
// digits with ContrastiveLoss (its pairs API). The verification threshold is calibrated on
// pairs from the train split, stored on the model, and used by isMatch on held-out pairs.
import * as sl from '../src/index';
import { loadMnist } from '../src/data/mnist';

const CONFIG = { seed: 1, steps: 300, pairsPerBatch: 64, lr: 2e-3, posMargin: 0, negMargin: 1 };

await sl.init();
sl.manualSeed(CONFIG.seed);
const { train, test } = loadMnist();

const embedder = new sl.nn.Sequential(
  new sl.nn.Conv2d(1, 32, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
  new sl.nn.Conv2d(32, 64, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
  new sl.nn.Flatten(), new sl.nn.Linear(64 * 5 * 5, 32), new sl.nn.L2Normalize(),
);
const model = new sl.models.Siamese(embedder, new sl.distances.LpDistance());
const loss = new sl.losses.ContrastiveLoss({ posMargin: CONFIG.posMargin, negMargin: CONFIG.negMargin });
const optimizer = new sl.optim.Adam(model.parameters(), { lr: CONFIG.lr });

// One pair set per step, half same-digit pairs, seeded.
const batches = Array.from({ length: CONFIG.steps }, (_, i) => sl.data.makePairs(train.labels, CONFIG.pairsPerBatch, { seed: 1000 + i }));
const rows = (ds: typeof train, idx: Int32Array) => sl.data.gather(ds, idx).x;
console.log(`Siamese CNN: ${CONFIG.steps} steps of ${CONFIG.pairsPerBatch} pairs, ContrastiveLoss(posMargin ${CONFIG.posMargin}, negMargin ${CONFIG.negMargin}), Adam lr ${CONFIG.lr}`);
const history = await sl.train.fit({
  model: embedder,
  optimizer,
  data: batches,
  step: (p: sl.data.Pairs) => loss.pairs(embedder.forward(rows(train, p.a)), embedder.forward(rows(train, p.b)), p.same),
});
console.log(`trained in ${history.seconds.toFixed(1)} s (${history.msPerStep.toFixed(1)} ms/step)`);

model.eval();
const distancesOf = (ds: typeof train, p: sl.data.Pairs) => sl.tidy(() => sl.noGrad(() => model.forward(rows(ds, p.a), rows(ds, p.b)).data()));
const calib = sl.data.makePairs(train.labels, 2000, { seed: 7 });
const calibrated = sl.metrics.verification(distancesOf(train, calib), calib.same);
model.threshold = calibrated.threshold;

const held = sl.data.makePairs(test.labels, 2000, { seed: 8 });
const heldOut = sl.metrics.verification(distancesOf(test, held), held.same);
const calls = sl.tidy(() => model.isMatch(rows(test, held.a), rows(test, held.b)));
const accuracy = calls.reduce((s, c, i) => s + (+c === held.same[i] ? 1 : 0), 0) / calls.length;

// Raw pixels for comparison: Euclidean distance between the two images.
const rawDist = (ds: typeof train, p: sl.data.Pairs) =>
  Float64Array.from(p.a, (a, i) => {
    let s = 0;
    for (let t = 0; t < 784; t++) s += (ds.x[a * 784 + t] - ds.x[p.b[i] * 784 + t]) ** 2;
    return Math.sqrt(s);
  });
const rawCal = sl.metrics.verification(rawDist(train, calib), calib.same);
const rawHeld = sl.metrics.verification(rawDist(test, held), held.same);
const rawAcc = rawDist(test, held).reduce((s, d, i) => s + (+(d <= rawCal.threshold) === held.same[i] ? 1 : 0), 0) / held.same.length;

console.log(`\nverification on 2,000 held-out test pairs (threshold calibrated on 2,000 train pairs)`);
console.log(`                      ROC-AUC   threshold   accuracy`);
console.log(`raw pixels            ${rawHeld.rocAuc.toFixed(4)}   ${rawCal.threshold.toFixed(4).padStart(9)}   ${rawAcc.toFixed(4)}`);
console.log(`Siamese CNN           ${heldOut.rocAuc.toFixed(4)}   ${model.threshold.toFixed(4).padStart(9)}   ${accuracy.toFixed(4)}`);
