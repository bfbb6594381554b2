// TRUNKS: torchvision's ResNet-18 and MobileNetV2 forward at 224×224, batch 1 and 32, one
// thread, one model (random weights and BatchNorm statistics, drawn by torch) on three
// engines (lib/trunk-models.ts):
//   simlearn         sl.models.* with the state dict loaded, BatchNorm folded (fuseBatchNorm),
//                    under noGrad and tidy
//   onnxruntime-web  1.30, wasm backend (SIMD), numThreads 1, on torch.onnx.export's file
//                    (BatchNorm folded by the export), graph optimisation 'all'
//   tfjs-wasm        tfjs-backend-wasm 4.22 (SIMD, one thread), the nets written with
//                    tfjs-core ops (lib/tfjs-trunks.ts), BatchNorm folded, bias and ReLU fused
// Timing: the three sides interleaved call by call (lib/interleave.ts) after one untimed
// round; 7 rounds at batch 1 and 3 at batch 32 (a ResNet-18 batch of 32 takes seconds per
// side), medians. No side reads its output back inside the timing. Beside each wall-clock
// median, the median of the process's CPU time over the same calls (extra.cpuMs): on a shared
// host a multi-second batch-32 call waits for a core for a varying share of its time, and
// three rounds do not even that out (simlearn's batch 32 took 2.8 to 5.8 s per call in one
// run while its CPU time stayed within a few percent). FLOPs: 2 × the
// multiply-adds torchvision lists (1.814 G for ResNet-18, 0.300 G for MobileNetV2, per image).
// Agreement: before timing, each engine's logits for torch's seeded 2-image input against
// torch's (max |a − b| / max |b|), in the row notes.
// Peak memory: one child process per engine and model (bench/trunks-memory.ts), each
// reporting its resident-set high-water above the RSS before the model was loaded, after
// batch 1 and then after batch 32 (extra.peakRssBytes), and the engine's wasm memory size
// where it is visible (simlearn, tfjs).
import { spawnSync } from 'node:child_process';
import { compare, makeRow, median, type Ctx, type Row, type Workload } from './lib/harness';
import { interleave, type Side } from './lib/interleave';
import { sl } from './lib/simlearn';
import { tf, useTf } from './lib/tfjs';
import { tfMobilenetV2, tfResnet18, type TfTrunk } from './lib/tfjs-trunks';
import { TRUNKS, exportTrunks, loadTrunk, maxRelDiff, trunkWeights, type LoadedTrunk, type TrunkSpec } from './lib/trunk-models';
import type { Tensor } from '../src/index';

type Ort = typeof import('onnxruntime-web');
type Session = import('onnxruntime-web').InferenceSession;

/** onnxruntime-web as the bench runs it: wasm, SIMD, one thread; or why it is not available. */
export async function loadOrt(): Promise<Ort | string> {
  try {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.simd = true;
    return ort;
  } catch (err) {
    return `onnxruntime-web does not load: ${(err as Error).message.split('\n')[0]}`;
  }
}

export async function ortSession(ort: Ort, path: string): Promise<Session> {
  return ort.InferenceSession.create(path, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}

/** The process's CPU time (user + system), ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const tfBuild = (t: TrunkSpec) => (t.file === 'resnet18' ? tfResnet18 : tfMobilenetV2);

/** NCHW values -> an NHWC tfjs tensor. */
const tfInput = (x: Float32Array, n: number) => tf.tidy(() => tf.transpose(tf.tensor4d(x, [n, 3, 224, 224]), [0, 2, 3, 1]) as tf.Tensor4D);

/** Each engine's logits for torch's check input, against torch's. */
async function agreement(l: LoadedTrunk, tft: TfTrunk, session: Session | null, ort: Ort | null): Promise<Record<string, string>> {
  if (!l.check) return {};
  const n = l.check.x.length / (3 * 224 * 224);
  const fmt = (a: ArrayLike<number>) => `max rel diff vs torch ${maxRelDiff(a, l.check!.y).toExponential(1)}`;
  const out: Record<string, string> = {};
  out.simlearn = fmt(sl.tidy(() => sl.noGrad(() => l.model.forward(sl.tensor(l.check!.x, [n, 3, 224, 224])).data().slice())));
  out['tfjs-wasm'] = fmt(tf.tidy(() => tft.forward(tfInput(l.check!.x, n)).dataSync()) as Float32Array);
  if (session && ort) {
    const r = await session.run({ x: new ort.Tensor('float32', l.check.x, [n, 3, 224, 224]) });
    out['onnxruntime-web'] = fmt(r.y.data as Float32Array);
  }
  return out;
}

/** The memory child for one engine and model: [peak RSS after batch 1, after batch 32] and wasm sizes, or why not. */
function memoryOf(engine: string, t: TrunkSpec, batches: number[], exported: boolean): Record<string, number> | string {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'bench/trunks-memory.ts', engine, t.file, batches.join(','), exported ? 'exported' : 'seeded'], {
    encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = res.stdout?.trim().split('\n').pop();
  if (res.status !== 0 || !line) return `memory child failed: ${(res.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(line) as Record<string, number>;
}

export const trunks: Workload = {
  id: 'TRUNKS',
  title: 'torchvision trunks forward at 224×224 (ResNet-18, MobileNetV2), batch 1 and 32, beside onnxruntime-web and tfjs-wasm',
  async run(ctx: Ctx): Promise<Row[]> {
    const rows: Row[] = [];
    const peers = ctx.peers !== false;
    const whyNoExport = peers ? exportTrunks(ctx.log) : 'not in the relaxed child';
    if (whyNoExport) ctx.log(`  TRUNKS: ${whyNoExport}; weights from simlearn's seeded init, no onnxruntime-web column`);
    const ortOrWhy = peers && !whyNoExport ? await loadOrt() : whyNoExport ?? 'not in the relaxed child';
    const ort = typeof ortOrWhy === 'string' ? null : ortOrWhy;
    const batches = ctx.quick ? [1] : [1, 32];
    for (const t of TRUNKS) {
      sl.manualSeed(0);
      const l = loadTrunk(t, !whyNoExport);
      await useTf('wasm');
      const wts = trunkWeights(t, !whyNoExport);
      const tft = tfBuild(t)({ get: (k) => wts.get(k)! });
      const session = ort && l.onnxPath ? await ortSession(ort, l.onnxPath) : null;
      const notes = peers ? await agreement(l, tft, session, ort) : {};
      for (const n of batches) {
        const task = `${t.name} forward, batch ${n}`;
        const flops = 2 * t.macs * n;
        const x = sl.randn([n, 3, 224, 224], { seed: n });
        const xs = x.data().slice();
        const tx = tfInput(xs, n);
        const ox = session ? new ort!.Tensor('float32', xs, [n, 3, 224, 224]) : null;
        const sides: Side[] = [{ name: 'simlearn', run: () => sl.tidy(() => sl.noGrad(() => { l.model.forward(x); })) }];
        if (session) sides.push({ name: 'onnxruntime-web', run: async () => { await session.run({ x: ox! }); } });
        if (peers) sides.push({ name: 'tfjs-wasm', run: () => tf.tidy(() => { tft.forward(tx); }) });
        ctx.log(`  ${task}: ${sides.map((s) => s.name).join(', ')} interleaved`);
        const cpu = new Map<string, number[]>(sides.map((s) => [s.name, []]));
        const timed = sides.map((s): Side => ({ name: s.name, run: async () => { const c0 = cpuMs(); await s.run(); cpu.get(s.name)!.push(cpuMs() - c0); } }));
        const times = await interleave(timed, ctx.quick ? 2 : n === 1 ? 7 : 3);
        for (const s of sides) {
          const row = makeRow('TRUNKS', task, s.name as Row['impl'], flops, times.get(s.name)!, notes[s.name] ?? '');
          const cpuMedian = median(cpu.get(s.name)!.slice(1)); // the untimed round dropped, as interleave does
          row.extra = { cpuMs: cpuMedian };
          row.note += `${row.note ? '; ' : ''}CPU ${cpuMedian.toFixed(1)} ms`;
          ctx.log(`    ${s.name}: ${row.medianMs!.toFixed(1)} ms (CPU ${cpuMedian.toFixed(1)} ms)`);
          rows.push(row);
        }
        if (peers && !session) rows.push(makeRow('TRUNKS', task, 'onnxruntime-web', flops, ortOrWhy as string));
        x.dispose();
        tx.dispose();
        ox?.dispose();
      }
      await session?.release();
      tft.dispose();
      l.model.dispose();
      if (peers && !ctx.quick) {
        for (const engine of ['simlearn', ...(session ? ['onnxruntime-web'] : []), 'tfjs-wasm']) {
          ctx.log(`  ${t.name} peak memory, ${engine} (child process)`);
          const m = memoryOf(engine, t, batches, !whyNoExport);
          for (const n of batches) {
            const row = rows.find((r) => r.task === `${t.name} forward, batch ${n}` && r.impl === engine);
            if (!row) continue;
            if (typeof m === 'string') row.note += `; ${m}`;
            else {
              row.extra = { ...row.extra, peakRssBytes: m[`rss${n}`], ...(m[`wasm${n}`] ? { wasmBytes: m[`wasm${n}`] } : {}) };
              const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
              row.note += `; peak RSS +${mib(m[`rss${n}`])}${m[`wasm${n}`] ? ` (wasm memory ${mib(m[`wasm${n}`])})` : ''}`;
            }
          }
        }
      }
    }
    return compare(rows);
  },
};
