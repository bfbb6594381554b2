// LOSSES: every pair/triplet loss of the catalogue (the non-weighted ones: no learnable class
// weights) as one forward + backward, and the ten miners as one mine() call, at batch 256,
// d 128, 32 classes of 8, with PML's defaults on both sides (RankedListLoss: margin 0.4, Tn 1,
// its required arguments; ManifoldLoss: l = d, no labels, as PML takes none; MultipleLosses:
// ContrastiveLoss + TripletMarginLoss; CrossBatchMemory: ContrastiveLoss, memory 1024; the
// two-view losses get the same rows in reverse order as their second view;
// EmbeddingsAlreadyPackagedAsTriplets: the first 255 rows, whole triples).
//   simlearn: loss.forward(...).backward() in tidy / miner.mine(embeddings, labels).
//   PML: the same call on torch's CPU backend, torch.set_num_threads(1), in /usr/bin/python3 on
//     the same embeddings: bench/pml_losses.py and bench/pml_miners.py, servers this workload
//     drives over stdin/stdout (PML's source from PML_SRC, default /tmp/pmlsrc/src). The column
//     is skipped with a note when /usr/bin/python3, torch or PML is missing.
// Timing: per case, an untimed call and an untimed round on each side, then rounds that
// alternate a batch of simlearn calls and a batch of PML calls (each about ROUND_MS long, at
// least one call), so a phase of the shared host's load reaches both sides; the medians are
// over every call of a side.
// PML builds a [positive pairs × negative pairs] matrix for TupletMarginLoss and
// LiftedStructureLoss (≈ 1792 × 63488 here): one step takes minutes, so PML is timed on one
// call (marked "1 call"), and not at all with --quick; PML calls over a second get two rounds of
// one call. The note column carries the loss values (or tuple counts) of both sides, which show
// both compute the same thing.
// `--cases NCALoss,SupConLoss` runs only the named losses and miners (both sides).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRow, median, type Ctx, type Row, type Workload } from './lib/harness';
import { peerServer, timedCalls, type PeerServer } from './lib/py-server';
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

/** Calls of one side in one round: about ROUND_MS of them, at least one, at most MAX_CALLS. */
const ROUND_MS = 100, MAX_CALLS = 400;

/** Starts one of the PML servers, or says why its column is skipped. */
async function pmlServer(script: string, dataFile: string): Promise<PeerServer | string> {
  const src = process.env.PML_SRC ?? '/tmp/pmlsrc/src';
  if (!existsSync(`${src}/pytorch_metric_learning/__init__.py`)) return `skipped: no PML checkout at ${src} (set PML_SRC)`;
  const env = { PYTHONPATH: src, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  return peerServer(fileURLToPath(new URL(script, import.meta.url)), [String(N), String(D), String(CLASSES), dataFile], env, 'PML');
}

/**
 * One case on both sides: an untimed call and round of each, then `rounds` rounds of simlearn
 * calls and PML calls in turn. PML's "1 call" cases (pmlOnce) keep their first call as their one sample.
 */
async function interleaved(ctx: Ctx, name: string, task: string, step: () => unknown, peer: PeerServer | string | null,
  shown: (first: unknown) => string, skipPml: string | null): Promise<Row[]> {
  let sim: Row, pmlRow: Row | null = null;
  const pmlOnce = PML_SLOW.has(name);
  const ours: number[] = [], theirs: number[] = [];
  let first: unknown, pmlFirst: unknown, pmlError: string | null = skipPml ?? (typeof peer === 'string' ? peer : null);
  try {
    first = step();
    timedCalls(step, ROUND_MS, MAX_CALLS, []); // warm-up: V8 optimises the JavaScript parts after some calls
    let rounds = ctx.quick ? 2 : 6;
    if (peer && typeof peer !== 'string' && !pmlError) {
      const warm = await peer.run(name, 1, 0);
      if (warm.error) pmlError = `error: ${warm.error}`;
      else {
        pmlFirst = warm.out;
        if (pmlOnce) theirs.push(...warm.ms!);
        else if (warm.ms![0] > 1000) rounds = 2;
        else await peer.run(name, MAX_CALLS, ROUND_MS);
      }
    }
    for (let r = 0; r < rounds; r++) {
      timedCalls(step, ROUND_MS, MAX_CALLS, ours);
      if (pmlError || !peer || typeof peer === 'string' || pmlOnce) continue;
      const got = await peer.run(name, MAX_CALLS, ROUND_MS);
      if (got.error) pmlError = `error: ${got.error}`;
      else theirs.push(...got.ms!);
    }
    sim = makeRow('LOSSES', task, 'simlearn', null, { medianMs: median(ours), calls: ours.length, samples: ours.length });
  } catch (e) {
    sim = makeRow('LOSSES', task, 'simlearn', null, (e as Error).message.slice(0, 160));
    sim.status = 'error';
  }
  ctx.log(`  LOSSES ${name} simlearn: ${sim.medianMs?.toPrecision(3) ?? sim.note} ms`);
  if (peer === null) return [sim];
  if (pmlError || !theirs.length) pmlRow = makeRow('LOSSES', task, 'PML', null, pmlError ?? 'not run');
  else {
    const t = { medianMs: median(theirs), calls: theirs.length, samples: theirs.length };
    pmlRow = makeRow('LOSSES', task, 'PML', null, t, `${pmlOnce ? '1 call; ' : ''}torch CPU, 1 thread; simlearn ${shown(first)} / PML ${shown(pmlFirst)}`);
    if (sim.medianMs) pmlRow.simlearnSpeedup = t.medianMs / sim.medianMs;
    ctx.log(`  LOSSES ${name} PML: ${t.medianMs.toPrecision(3)} ms (${pmlRow.simlearnSpeedup?.toFixed(2) ?? '?'}×)`);
  }
  return [sim, pmlRow];
}

export const lossesMiners: Workload = {
  id: 'LOSSES',
  title: `Losses (forward + backward) and miners, ${SIZE}, beside pytorch-metric-learning`,
  async run(ctx: Ctx): Promise<Row[]> {
    const data = randomData(N * D, 1);
    const reversed = new Float32Array(N * D);
    for (let i = 0; i < N; i++) reversed.set(data.subarray((N - 1 - i) * D, (N - i) * D), i * D);
    const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
    const dir = mkdtempSync(join(tmpdir(), 'losses-pml-'));
    const dataFile = join(dir, 'embeddings.f32');
    writeFileSync(dataFile, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const rows: Row[] = [];
    try {
      let peer = ctx.peers === false ? null : await pmlServer('pml_losses.py', dataFile);
      for (const [name, make] of LOSSES.filter(([n]) => chosen(n))) {
        const task = `${name} (${SIZE}; fwd + bwd)`;
        const emb = sl.tensor(data, [N, D], { requiresGrad: true });
        const ref = sl.tensor(reversed, [N, D], { requiresGrad: true });
        let fwd: Step | null = null; // made in the first call, so that a failing constructor is the case's error
        const step = (): number => {
          const v = sl.tidy(() => {
            const l = (fwd ??= make())(emb, ref, labels);
            l.backward();
            return l.item();
          });
          for (const t of [emb, ref]) (t.grad?.dispose(), (t.grad = null));
          return v;
        };
        const skip = ctx.quick && PML_SLOW.has(name) ? 'skipped with --quick: minutes per PML step' : null;
        rows.push(...(await interleaved(ctx, name, task, step, peer, (v) => (v as number).toPrecision(6), skip)));
        emb.dispose();
        ref.dispose();
      }
      if (peer && typeof peer !== 'string') peer.close();
      peer = ctx.peers === false ? null : await pmlServer('pml_miners.py', dataFile);
      const emb = sl.tensor(data, [N, D]);
      const emb255 = sl.tensor(data.subarray(0, 255 * D), [255, D]);
      for (const name of MINERS.filter(chosen)) {
        const task = `${name} (${SIZE}; mine)`;
        const [e, y] = name === 'EmbeddingsAlreadyPackagedAsTriplets' ? [emb255, labels.subarray(0, 255)] : [emb, labels];
        let miner: any = null;
        const mine = () => (miner ??= new (sl.miners as any)[name]()).mine(e, y);
        const counts = (v: unknown) => (v as ArrayLike<number>[]).map((c) => (typeof c === 'number' ? c : c.length)).join('/');
        rows.push(...(await interleaved(ctx, name, task, mine, peer, counts, null)));
      }
      if (peer && typeof peer !== 'string') peer.close();
      emb.dispose();
      emb255.dispose();
    } finally {
      rmSync(dir, { recursive: true });
    }
    return rows;
  },
};
