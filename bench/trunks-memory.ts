// The trunk benchmark's memory figure, one engine and model per process so that no other
// engine's heap counts: node --import tsx bench/trunks-memory.ts ENGINE MODEL BATCHES WEIGHTS
//   ENGINE simlearn | onnxruntime-web | tfjs-wasm;  MODEL resnet18 | mobilenet_v2;
//   BATCHES e.g. 1,32 (run in that order);  WEIGHTS exported (build/trunks) | seeded
// Prints one JSON line: rss<N> = the resident-set high-water (getrusage maxrss) after the
// forward at batch N minus the RSS just before the model file was read (so the engine's code
// and the bench's imports are excluded; reading the file, the weights, the session or graph
// set-up, the input's copy and every activation are included), and wasm<N> = the engine's wasm memory size
// at that point where it is visible (simlearn's memory; tfjs-backend-wasm's heap).
import { sl, getEngine } from './lib/simlearn';
import { TRUNKS, loadTrunk, trunkWeights } from './lib/trunk-models';
import { loadOrt, ortSession } from './trunks';
import { tf, useTf } from './lib/tfjs';
import { tfMobilenetV2, tfResnet18 } from './lib/tfjs-trunks';

const [engine, file, batchArg, weights] = process.argv.slice(2);
const spec = TRUNKS.find((t) => t.file === file);
if (!spec || !['simlearn', 'onnxruntime-web', 'tfjs-wasm'].includes(engine)) {
  console.error(`trunks-memory: usage ENGINE MODEL BATCHES WEIGHTS, got ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}
const batches = batchArg.split(',').map(Number);
const exported = weights === 'exported';

await sl.init();
if (engine === 'tfjs-wasm') await useTf('wasm');
const ort = engine === 'onnxruntime-web' ? await loadOrt() : null;
if (typeof ort === 'string') throw new Error(ort);
const input = (n: number) => sl.tidy(() => sl.randn([n, 3, 224, 224], { seed: n }).data().slice());
const inputs = new Map(batches.map((n) => [n, input(n)]));
const base = process.memoryUsage().rss;
const out: Record<string, number> = {};
const wasmBytes = () =>
  engine === 'simlearn' ? getEngine().k.memory.buffer.byteLength : engine === 'tfjs-wasm' ? ((tf.backend() as any).wasm.HEAPU8.buffer.byteLength as number) : 0;

if (engine === 'simlearn') {
  const l = loadTrunk(spec, exported);
  for (const n of batches) {
    const x = sl.tensor(inputs.get(n)!, [n, 3, 224, 224]);
    sl.tidy(() => sl.noGrad(() => { l.model.forward(x); }));
    x.dispose();
    out[`rss${n}`] = process.resourceUsage().maxRSS * 1024 - base;
    out[`wasm${n}`] = wasmBytes();
  }
} else if (engine === 'tfjs-wasm') {
  let wts: ReturnType<typeof trunkWeights> | null = trunkWeights(spec, exported);
  const t = (file === 'resnet18' ? tfResnet18 : tfMobilenetV2)({ get: (k) => wts!.get(k)! });
  wts = null;
  for (const n of batches) {
    tf.tidy(() => { t.forward(tf.transpose(tf.tensor4d(inputs.get(n)!, [n, 3, 224, 224]), [0, 2, 3, 1]) as tf.Tensor4D); });
    out[`rss${n}`] = process.resourceUsage().maxRSS * 1024 - base;
    out[`wasm${n}`] = wasmBytes();
  }
} else {
  const session = await ortSession(ort!, `build/trunks/${file}.onnx`);
  for (const n of batches) {
    await session.run({ x: new ort!.Tensor('float32', inputs.get(n)!, [n, 3, 224, 224]) });
    out[`rss${n}`] = process.resourceUsage().maxRSS * 1024 - base;
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
