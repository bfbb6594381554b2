// Losses beside pytorch-metric-learning: one forward + backward at batch 256, d 128, 32 classes
// of 8, with PML's defaults on both sides (RankedListLoss: margin 0.4, Tn 1, its required
// arguments).
//   simlearn: new sl.losses.X(options).forward(embeddings, labels).backward(), in tidy.
//   PML: the same loss on torch's CPU backend, torch.set_num_threads(1), timed by
//     bench/pml_losses.py in /usr/bin/python3 (PML's source from PML_SRC, default /tmp/pml/src;
//     the column says "not available" when torch or PML cannot be imported).
// Sides are interleaved over rounds (the host's speed drifts); reported: the median of each
// side's per-round medians and PML ms / simlearn ms (> 1: simlearn faster), and both values.
// Run: node --import tsx bench/losses-pml.ts [--quick] [--only NCALoss,CircleLoss]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, timeIt, type Ctx } from './lib/harness';
import { randomData, sl } from './lib/simlearn';

const N = 256, D = 128, CLASSES = 32;
const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 3;
const ctx: Ctx = { quick, cpu: false, log: (m) => process.stderr.write(`${m}\n`) };
const onlyArg = process.argv[process.argv.indexOf('--only') + 1];
const only = process.argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : null;

/**
 * PML builds a [positive pairs × negative pairs] matrix for these (≈ 1792 × 63488 here): one
 * step takes minutes, so PML is timed once, in the first round, on its first call.
 */
const PML_SLOW = new Set(['TupletMarginLoss', 'LiftedStructureLoss']);

/** Loss class, simlearn options, PML kwargs. */
const LOSSES: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['NCALoss', {}, {}],
  ['NPairsLoss', {}, {}],
  ['TupletMarginLoss', {}, {}],
  ['IntraPairVarianceLoss', {}, {}],
  ['SignalToNoiseRatioContrastiveLoss', {}, {}],
  ['MarginLoss', {}, {}],
  ['RankedListLoss', { margin: 0.4, Tn: 1 }, { margin: 0.4, Tn: 1 }],
  ['InstanceLoss', {}, {}],
  ['AngularLoss', {}, {}],
  ['CircleLoss', {}, {}],
  ['SupConLoss', {}, {}],
  ['LiftedStructureLoss', {}, {}],
];

function pml(loss: string, kwargs: Record<string, unknown>): { ms: number; value: number } | string {
  const reps = PML_SLOW.has(loss) ? 0 : quick ? 3 : 15;
  const args = ['bench/pml_losses.py', loss, String(N), String(D), String(CLASSES), String(reps), JSON.stringify(kwargs), dataFile];
  const res = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (res.status !== 0) return `not available (${(res.stderr || res.error?.message || '').trim().split('\n').pop()})`;
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
  return { ms: out.medianMs, value: out.value };
}

await sl.init();
const data = randomData(N * D, 1);
// PML reads the same embeddings, so the two loss values show both sides compute the same thing
const dir = mkdtempSync(join(tmpdir(), 'losses-pml-'));
const dataFile = join(dir, 'embeddings.f32');
writeFileSync(dataFile, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
const labels = Int32Array.from({ length: N }, (_, i) => i % CLASSES);
const lines = ['| loss (n 256, d 128, 32 classes; fwd + bwd) | simlearn ms | PML ms (1 thread) | PML / simlearn | value (simlearn / PML) |', '|---|---|---|---|---|'];
for (const [name, options, kwargs] of LOSSES) {
  if (only && !only.has(name)) continue;
  const loss = new (sl.losses as any)[name](options);
  const emb = sl.tensor(data, [N, D], { requiresGrad: true });
  const step = (): number => {
    const v = sl.tidy(() => {
      const l = loss.forward(emb, labels);
      l.backward();
      return l.item();
    });
    emb.grad?.dispose();
    emb.grad = null;
    return v;
  };
  const value = step();
  const ours: number[] = [], theirs: number[] = [];
  let note = '', pmlValue = NaN;
  for (let r = 0; r < rounds; r++) {
    ours.push(timeIt(ctx, name, step, { minSamples: 5, maxTime: 0.5 }).medianMs);
    if (PML_SLOW.has(name) && r > 0) continue;
    const p = pml(name, kwargs);
    if (typeof p === 'string') note = p;
    else (theirs.push(p.ms), (pmlValue = p.value));
  }
  emb.dispose();
  const a = median(ours), b = theirs.length ? median(theirs) : NaN;
  lines.push(`| ${name} | ${a.toFixed(2)} | ${note || b.toFixed(2)} | ${Number.isNaN(b) ? '—' : (b / a).toFixed(2) + '×'} | ${value.toPrecision(6)} / ${pmlValue.toPrecision(6)} |`);
  process.stderr.write(`${lines[lines.length - 1]}\n`);
}
rmSync(dir, { recursive: true });
console.log(lines.join('\n'));
