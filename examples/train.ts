// npm run train [-- --loss <family>|all] [-- --epochs N]: the entry of the main job.
//   no --loss, or --loss triplet: the Triplet CNN job (examples/mnist-triplet.ts)
//   --loss <other family> or all: the loss comparison (examples/mnist-compare.ts)
import { LOSS_NAMES, TRAIN_USAGE, parseTrainArgs, type TrainArgs } from './lib/train-args';
import { tripletJob } from './mnist-triplet';
import { compareJob } from './mnist-compare';

const argv = process.argv.slice(2);
let args: TrainArgs;
try {
  args = parseTrainArgs(argv);
} catch (e) {
  console.error(`${(e as Error).message}\n${TRAIN_USAGE}`);
  process.exit(2);
}
if (args.loss === 'triplet') await tripletJob(args.epochs ?? undefined);
else await compareJob(args.loss === 'all' ? LOSS_NAMES : [args.loss], args.epochs, ['npm run train --', ...argv].join(' '));
