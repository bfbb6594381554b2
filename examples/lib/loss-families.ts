// The loss families `npm run train -- --loss <name>|all` compares. Every family trains the same
// CNN trunk (tripletCnn), from the same seed, on the same 8,000 digits with the same sampler
// (8 digits × 8 per batch) and the same Adam + cosine schedule for the trunk; only the loss, its
// miner and the optimiser of the loss's own weights differ. Hyper-parameters are
// pytorch-metric-learning's defaults unless a comment says otherwise.
import * as sl from '../../src/index';
import type { Dataset } from '../../src/data/batch';
import { JOB, cosineLr, jobSampler, tripletCnn, warmupSampler } from './mnist-job';
import type { LossName } from './train-args';

type Loss = NonNullable<sl.train.FitOptions['loss']>;
type Miner = NonNullable<sl.train.FitOptions['miner']>;
/** An optimiser whose learning rate the cosine schedule sets. */
type Optimizer = { lr: number; zeroGrad(): void; step(): void };

export interface LossSetup {
  loss: Loss;
  miner: Miner | null;
  /** The optimiser of the loss's own weights (proxies, class weights, centres) and its starting lr. */
  lossOptimizer: { optimizer: Optimizer; lr: number } | null;
  /** The triplet job's warm-up over every valid triplet before batch-hard mining (see warmupSampler). */
  warmup: boolean;
}

export interface LossFamily {
  /** What is trained, for the table and the log. */
  describe: string;
  /** Epochs of `--loss all` (and of `--loss <name>` without --epochs). */
  epochs: number;
  setup(embeddingSize: number, numClasses: number): LossSetup;
}

const plain = (loss: Loss, miner: Miner | null = null): LossSetup => ({ loss, miner, lossOptimizer: null, warmup: false });

/** The loss's parameters under `optimizer`, at learning rate `lr`. */
function withWeights(loss: Loss & { parameters(): sl.Tensor[] }, make: (params: sl.Tensor[]) => Optimizer, lr: number): LossSetup {
  return { loss, miner: null, lossOptimizer: { optimizer: make(loss.parameters()), lr }, warmup: false };
}

// All 10 epochs: a family's whole run took 71–74 s of CPU time on the 2-core machine (training
// ~45 s at the main job's quiet 32 ms/step), so `--loss all` needs ~7–8 minutes there, inside
// its 15; and the triplet row then repeats the main job's figures.
const EPOCHS = JOB.epochs;

export const LOSS_FAMILIES: Record<LossName, LossFamily> = {
  // The main job (examples/lib/mnist-job.ts has the measurements behind it).
  triplet: {
    describe: `TripletMarginLoss (margin ${JOB.margin}) + BatchHardMiner, after a ${JOB.warmupSteps}-step warm-up`,
    epochs: EPOCHS,
    setup: () => ({ ...plain(new sl.losses.TripletMarginLoss({ margin: JOB.margin }), new sl.miners.BatchHardMiner()), warmup: true }),
  },
  // PML's defaults (Euclidean on the unit sphere, posMargin 0, negMargin 1) over every pair of the batch.
  contrastive: {
    describe: 'ContrastiveLoss (posMargin 0, negMargin 1), every pair',
    epochs: EPOCHS,
    setup: () => plain(new sl.losses.ContrastiveLoss()),
  },
  // The pairing of PML's README: the miner keeps the informative pairs, the loss weighs them.
  'multi-similarity': {
    describe: 'MultiSimilarityLoss (α 2, β 50, base 0.5) + MultiSimilarityMiner (ε 0.1)',
    epochs: EPOCHS,
    setup: () => plain(new sl.losses.MultiSimilarityLoss(), new sl.miners.MultiSimilarityMiner()),
  },
  supcon: {
    describe: 'SupConLoss (temperature 0.1), every pair',
    epochs: EPOCHS,
    setup: () => plain(new sl.losses.SupConLoss()),
  },
  // Kim et al. train the proxies at 100× the trunk's learning rate. Measured, held-out MAP@R after
  // 2 epochs: 0.843 at 100×, 0.844 at 10×: the proxies' rate hardly matters here.
  'proxy-anchor': {
    describe: `ProxyAnchorLoss (margin 0.1, α 32), proxies by Adam at 100× the trunk's lr`,
    epochs: EPOCHS,
    setup: (d, c) => withWeights(new sl.losses.ProxyAnchorLoss({ numClasses: c, embeddingSize: d }), (p) => new sl.optim.Adam(p, { lr: 100 * JOB.lr }), 100 * JOB.lr),
  },
  // PML's documented example: SGD at lr 0.01 for the class weights. Measured, held-out MAP@R after
  // 2 epochs: 0.802 (this), 0.803 with Adam at 10× the trunk's lr, 0.822 with scale 30 instead of
  // PML's 64; PML's defaults kept, as nothing diverges.
  arcface: {
    describe: 'ArcFaceLoss (margin 28.6°, scale 64), class weights by SGD lr 0.01',
    epochs: EPOCHS,
    setup: (d, c) => withWeights(new sl.losses.ArcFaceLoss({ numClasses: c, embeddingSize: d }), (p) => new sl.optim.SGD(p, { lr: 0.01 }), 0.01),
  },
  // Qian et al. train the centres at 100× the trunk's learning rate.
  'soft-triple': {
    describe: `SoftTripleLoss (10 centres per class, λ 20, γ 0.1, δ 0.01), centres by Adam at 100× the trunk's lr`,
    epochs: EPOCHS,
    setup: (d, c) => withWeights(new sl.losses.SoftTripleLoss({ numClasses: c, embeddingSize: d }), (p) => new sl.optim.Adam(p, { lr: 100 * JOB.lr }), 100 * JOB.lr),
  },
};

export interface FamilyRun {
  model: sl.nn.Sequential;
  /** The trained loss (with its trained weights, if it has any). */
  loss: Loss;
  /** The warm-up's history (triplet only), else null. */
  warm: sl.train.History | null;
  history: sl.train.History;
  /** Training wall time, seconds, without the time spent in onEpoch. */
  seconds: number;
}

export interface TrainFamilyOptions {
  epochs: number;
  /** Called after every epoch (1-based) with the model in eval mode; its time is not counted as training. */
  onEpoch?: (epoch: number, model: sl.nn.Sequential) => void;
  /** Printed before the main phase. */
  log?: (line: string) => void;
  /** fit's progress report (default true). */
  progress?: boolean;
}

/**
 * Trains one family from the job's seed: the trunk, the family's loss (and miner, and loss
 * optimiser), the triplet warm-up if the family has one, then `epochs` passes over `train`
 * with the trunk's Adam (and the loss optimiser) on a cosine decay to 0.
 */
export async function trainFamily(name: LossName, train: Dataset, { epochs, onEpoch, log, progress = true }: TrainFamilyOptions): Promise<FamilyRun> {
  sl.manualSeed(JOB.seed);
  const model = tripletCnn(JOB.embeddingSize);
  const numClasses = Math.max(...train.labels) + 1;
  const { loss, miner, lossOptimizer, warmup } = LOSS_FAMILIES[name].setup(JOB.embeddingSize, numClasses);
  const optimizer = new sl.optim.Adam(model.parameters(), { lr: JOB.lr });
  const lossOpt = lossOptimizer?.optimizer ?? null;

  let warm: sl.train.History | null = null;
  if (warmup) {
    log?.(`warm-up: ${JOB.warmupSteps} steps over every valid triplet of each batch`);
    warm = await sl.train.fit({ model, loss, optimizer, lossOptimizer: lossOpt, data: { dataset: train, sampler: warmupSampler(train.labels) }, progress });
  }

  const sampler = jobSampler(train.labels, JOB.seed, train.labels.length);
  const steps = epochs * sampler.batchesPerEpoch;
  log?.(
    `training: ${epochs} epochs × ${sampler.batchesPerEpoch} batches of ${JOB.batchSize} (${JOB.batchSize / JOB.mPerClass} digits × ${JOB.mPerClass}), ` +
      `${LOSS_FAMILIES[name].describe}; Adam lr ${JOB.lr} with cosine decay`,
  );
  let outside = 0;
  const history = await sl.train.fit({
    model, loss, miner, optimizer, lossOptimizer: lossOpt, data: { dataset: train, sampler }, epochs, progress,
    onStep: ({ step }) => {
      optimizer.lr = cosineLr(JOB.lr, step, steps);
      if (lossOptimizer) lossOptimizer.optimizer.lr = cosineLr(lossOptimizer.lr, step, steps);
      if (onEpoch && step % sampler.batchesPerEpoch === 0) {
        const t = performance.now();
        model.eval();
        onEpoch(step / sampler.batchesPerEpoch, model);
        model.train();
        outside += (performance.now() - t) / 1000;
      }
    },
  });
  model.eval();
  return { model, loss, warm, history, seconds: (warm?.seconds ?? 0) + history.seconds - outside };
}
