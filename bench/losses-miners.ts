// LOSSES: every pair/triplet loss of the catalogue (the non-weighted ones: no learnable class
// weights) as one forward + backward, and the ten miners as one mine() call, at batch 256,
// d 128, 32 classes of 8, with PML's defaults on both sides (RankedListLoss: margin 0.4, Tn 1,
// its required arguments; ManifoldLoss: l = d, no labels, as PML takes none; MultipleLosses:
// ContrastiveLoss + TripletMarginLoss; CrossBatchMemory: ContrastiveLoss, memory 1024; the
// two-view losses get the same rows in reverse order as their second view;
// EmbeddingsAlreadyPackagedAsTriplets: the first 255 rows, whole triples).
//   simlearn: loss.forward(...).backward() in tidy / miner.mine(embeddings, labels).
//   PML: the same call on torch's CPU backend, torch.set_num_threads(1), timed by
//     bench/pml_losses.py and bench/pml_miners.py in /usr/bin/python3 on the same embeddings
//     (PML's source from PML_SRC, default /tmp/pmlsrc/src). The column is skipped with a note
//     when /usr/bin/python3, torch or PML is missing.
// PML builds a [positive pairs × negative pairs] matrix for TupletMarginLoss and
// LiftedStructureLoss (≈ 1792 × 63488 here): one step takes minutes, so PML is timed on one
// call (marked "1 call"), and not at all with --quick. The note column carries the loss values
// (or tuple counts) of both sides, which show both compute the same thing.
// `--cases NCALoss,SupConLoss` runs only the named losses and miners (both sides).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRow, timeIt, type Ctx, type Row, type Workload } from './lib/harness';
import { randomData, sl } from './lib/simlearn';

const N = 256, D = 128, CLASSES = 32;
const SIZE = `n ${N}, d ${D}, ${CLASSES} classes`;
const PML_SLOW = new Set(['TupletMarginLoss', 'LiftedStructureLoss']);

const L = () => sl.losses as any;
/** Case name (PML's call, see bench/pml_losses.py) → the simlearn loss and its forward. */
type Step = (emb: any, ref: any, labels: Int32Array) => any;
const plain = (name: string, options: Record<string, unknown> = {}): (() => Step) => () => {
  const loss = new (L()[name])(options);
  return (e, _r, y) => loss.forward(e, y);
};
const LOSSES: [string, () => Step][] = [
  ...['ContrastiveLoss', 'TripletMarginLoss', 'NTXentLoss', 'MultiSimilarityLoss', 'GeneralizedLiftedStructureLoss',
    'NCALoss', 'NPairsLoss', 'TupletMarginLoss', 'IntraPairVarianceLoss', 'SignalToNoiseRatioContrastiveLoss',
    'MarginLoss'].map((n): [string, () => Step] => [n, plain(n)]),
  ['RankedListLoss', plain('RankedListLoss', { margin: 0.4, Tn: 1 })],
  ...['InstanceLoss', 'AngularLoss', 'CircleLoss', 'SupConLoss', 'LiftedStructureLoss'].map((n): [string, () => Step] => [n, plain(n)]),
  ['VICRegLoss', () => {
    const loss = new (L().VICRegLoss)();
    return (e, r) => loss.forward(e, r);
  }],
  ...['FastAPLoss', 'HistogramLoss', 'PNPLoss', 'ThresholdConsistentMarginLoss', 'DynamicSoftMarginLoss'].map((n): [string, () => Step] => [n, plain(n)]),
  ['ManifoldLoss', () => {
    const loss = new (L().ManifoldLoss)({ l: D });
    return (e) => loss.forward(e, null);
  }],
  ['CrossBatchMemory(ContrastiveLoss)', () => {
    const loss = new (L().CrossBatchMemory)({ loss: new (L().ContrastiveLoss)(), embeddingSize: D, memorySize: 1024 });
    return (e, _r, y) => loss.forward(e, y);
  }],
  ['SelfSupervisedLoss(NTXentLoss)', () => {
    const loss = new (L().SelfSupervisedLoss)({ loss: new (L().NTXentLoss)() });
    return (e, r) => loss.forward(e, r);
  }],
  ['MultipleLosses', () => {
    const loss = new (L().MultipleLosses)({ losses: [new (L().ContrastiveLoss)(), new (L().TripletMarginLoss)()] });
    return (e, _r, y) => loss.forward(e, y);
  }],
];
const MINERS = ['TripletMarginMiner', 'BatchHardMiner', 'PairMarginMiner', 'AngularMiner', 'BatchEasyHardMiner',
  'DistanceWeightedMiner', 'EmbeddingsAlreadyPackagedAsTriplets', 'HDCMiner', 'MultiSimilarityMiner', 'UniformHistogramMiner'];

const casesArg = process.argv.find((a, i) => process.argv[i - 1] === '--cases' || a.startsWith('--cases='));
const cases = casesArg ? new Set(casesArg.replace('--cases=', '').split(',').map((c) => c.trim())) : null;
const chosen = (name: string) => cases === null || cases.has(name);

type PmlOut = Record<string, { medianMs?: number; reps?: number; value?: number; tuples?: number[]; error?: string }>;

/** Runs one of the PML scripts over the cases, or says why its column is skipped. */
function pml(script: string, cases: [string, number][], dataFile: string): PmlOut | string {
  const src = process.env.PML_SRC ?? '/tmp/pmlsrc/src';
  if (!existsSync('/usr/bin/python3')) return 'skipped: /usr/bin/python3 not found';
  if (!existsSync(`${src}/pytorch_metric_learning/__init__.py`)) return `skipped: no PML checkout at ${src} (set PML_SRC)`;
  const env = { ...process.env, PYTHONPATH: src, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const args = [fileURLToPath(new URL(script, import.meta.url)), String(N), String(D), String(CLASSES), JSON.stringify(cases), dataFile];
  const r = spawnSync('/usr/bin/python3', args, { env, encoding: 'utf8', maxBuffer: 1 << 22 });
  if (r.status !== 0) return `skipped: PML did not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()?.slice(0, 120)})`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** The PML row of a case beside its simlearn row. */
function pmlRow(task: string, base: Row, out: PmlOut | string, ours: string, theirs: (o: PmlOut[string]) => string, quickSkip: boolean): Row {
  const o = typeof out === 'string' ? undefined : out[task.split(' ')[0]];
  const t = typeof out === 'string' ? out : quickSkip ? 'skipped with --quick: minutes per PML step' : !o ? 'not run' : o.error ? `error: ${o.error}` : { medianMs: o.medianMs!, calls: o.reps!, samples: o.reps! };
  const slow = typeof t !== 'string' && o?.reps === 1 && PML_SLOW.has(task.split(' ')[0]) ? '1 call; ' : '';
  const row = makeRow('LOSSES', task, 'PML', null, t, typeof t === 'string' ? '' : `${slow}torch CPU, 1 thread; simlearn ${ours} / PML ${theirs(o!)}`);
  if (row.medianMs && base.medianMs) row.simlearnSpeedup = row.medianMs / base.medianMs;
  return row;
}

export const lossesMiners: Workload = {
  id: 'LOSSES',
  title: `Losses (forward + backward) and miners, ${SIZE}, beside pytorch-metric-learning`,
  async run(ctx: Ctx): Promise<Row[]> {
    const data = randomData(N * D, 1);
    const reversed = new Float32Array(N * D);
    for (let i = 0; i < N; i++) reversed.set(data.subarray((N - 1 - i) * D, (N - i) * D), i * D);
    const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
    const timing = { minSamples: 5, maxTime: 0.5 };
    const rows: Row[] = [];
    const lossRows: [Row, string][] = [];
    for (const [name, make] of LOSSES.filter(([n]) => chosen(n))) {
      const task = `${name} (${SIZE}; fwd + bwd)`;
      const emb = sl.tensor(data, [N, D], { requiresGrad: true });
      const ref = sl.tensor(reversed, [N, D], { requiresGrad: true });
      let row: Row, value = NaN;
      try {
        const fwd = make();
        const step = (): number => {
          const v = sl.tidy(() => {
            const l = fwd(emb, ref, labels);
            l.backward();
            return l.item();
          });
          for (const t of [emb, ref]) (t.grad?.dispose(), (t.grad = null));
          return v;
        };
        value = step();
        row = makeRow('LOSSES', task, 'simlearn', null, timeIt(ctx, name, step, timing));
      } catch (e) {
        row = makeRow('LOSSES', task, 'simlearn', null, (e as Error).message.slice(0, 160));
        row.status = 'error';
      }
      emb.dispose();
      ref.dispose();
      ctx.log(`  LOSSES ${name} simlearn: ${row.medianMs?.toFixed(2) ?? row.note} ms`);
      rows.push(row);
      lossRows.push([row, value.toPrecision(6)]);
    }
    const emb = sl.tensor(data, [N, D]);
    const emb255 = sl.tensor(data.subarray(0, 255 * D), [255, D]);
    const minerRows: [Row, string][] = [];
    for (const name of MINERS.filter(chosen)) {
      const task = `${name} (${SIZE}; mine)`;
      let row: Row, counts = '';
      try {
        const miner = new (sl.miners as any)[name]();
        const [e, y] = name === 'EmbeddingsAlreadyPackagedAsTriplets' ? [emb255, labels.subarray(0, 255)] : [emb, labels];
        counts = miner.mine(e, y).map((c: Int32Array) => c.length).join('/');
        row = makeRow('LOSSES', task, 'simlearn', null, timeIt(ctx, name, () => miner.mine(e, y), timing));
      } catch (e) {
        row = makeRow('LOSSES', task, 'simlearn', null, (e as Error).message.slice(0, 160));
        row.status = 'error';
      }
      ctx.log(`  LOSSES ${name} simlearn: ${row.medianMs?.toFixed(3) ?? row.note} ms`);
      rows.push(row);
      minerRows.push([row, counts]);
    }
    emb.dispose();
    emb255.dispose();
    if (ctx.peers === false) return rows;

    const dir = mkdtempSync(join(tmpdir(), 'losses-pml-'));
    const dataFile = join(dir, 'embeddings.f32');
    writeFileSync(dataFile, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const reps = ctx.quick ? 3 : 15;
    const lossCases = LOSSES.map(([n]) => n).filter(chosen).filter((n) => !(ctx.quick && PML_SLOW.has(n))).map((n): [string, number] => [n, PML_SLOW.has(n) ? 0 : reps]);
    ctx.log(`  LOSSES PML losses (${lossCases.length} cases${ctx.quick ? '' : '; TupletMarginLoss and LiftedStructureLoss take minutes'})`);
    const lossOut = pml('pml_losses.py', lossCases, dataFile);
    ctx.log('  LOSSES PML miners');
    const minerOut = pml('pml_miners.py', MINERS.filter(chosen).map((n): [string, number] => [n, n === 'AngularMiner' ? 1 : reps]), dataFile);
    rmSync(dir, { recursive: true });
    const out: Row[] = [];
    for (const [row, value] of lossRows) {
      const name = row.task.split(' ')[0];
      out.push(row, pmlRow(row.task, row, lossOut, value, (o) => o.value!.toPrecision(6), ctx.quick && PML_SLOW.has(name)));
    }
    for (const [row, counts] of minerRows) out.push(row, pmlRow(row.task, row, minerOut, counts, (o) => o.tuples!.join('/'), false));
    for (const r of out) if (r.impl === 'PML') ctx.log(`  LOSSES ${r.task.split(' ')[0]} PML: ${r.medianMs?.toFixed(2) ?? r.note}${r.simlearnSpeedup ? ` (${r.simlearnSpeedup.toFixed(2)}×)` : ''}`);
    return out;
  },
};
