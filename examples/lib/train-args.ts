// The command line of `npm run train`: `--loss <family>|all` and `--epochs N` (both optional;
// `--flag value` or `--flag=value`). No library import, so it is cheap to test.

/** The loss families the main job can train, in the order of the comparison table. */
export const LOSS_NAMES = ['triplet', 'contrastive', 'multi-similarity', 'supcon', 'proxy-anchor', 'arcface', 'soft-triple'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export interface TrainArgs {
  /** One family, or 'all' (default 'triplet': the main job). */
  loss: LossName | 'all';
  /** Epochs of every family trained; null: each family's default. */
  epochs: number | null;
}

export const TRAIN_USAGE =
  `usage: npm run train -- [--loss ${[...LOSS_NAMES, 'all'].join('|')}] [--epochs N]\n` +
  `  --loss    the loss family to train (default triplet, the main job); all: every family on the same split, one table\n` +
  `  --epochs  passes over the 8,000 training digits, an integer ≥ 1 (default: the family's own)`;

const isLoss = (v: string): v is LossName | 'all' => v === 'all' || (LOSS_NAMES as readonly string[]).includes(v);

/** Parses process.argv.slice(2); throws an Error naming the flag and the valid values on bad input. */
export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const out: TrainArgs = { loss: 'triplet', epochs: null };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (flag !== '--loss' && flag !== '--epochs') {
      throw new Error(`train: unknown argument '${arg}' (expected --loss <name> or --epochs N)`);
    }
    if (seen.has(flag)) throw new Error(`train: ${flag} given twice`);
    seen.add(flag);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined || value === '') throw new Error(`train: ${flag} needs a value`);
    if (flag === '--loss') {
      if (!isLoss(value)) throw new Error(`train: unknown loss '${value}'; valid: ${[...LOSS_NAMES, 'all'].join(', ')}`);
      out.loss = value;
    } else {
      const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`train: --epochs must be an integer ≥ 1, got '${value}'`);
      out.epochs = n;
    }
  }
  return out;
}
