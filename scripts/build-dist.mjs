// Builds the publishable package into dist/:
//   simlearn.js           ESM bundle (Node, Deno, Bun, browsers), the wasm builds inlined as base64
//                         in chunks beside it: simlearn-*kernels.generated-*.js (baseline, relaxed,
//                         threads), each imported by init() only when it picks that build, and
//                         a small chunk of runtime helpers they share with the bundle; the
//                         threads engine (pool, split kernels) is a chunk init() imports likewise
//   simlearn.workerd.js   workerd/Cloudflare Workers entry: imports ./simlearn.wasm and
//                         ./simlearn-relaxed.wasm as modules, no inlined bytes
//   simlearn*.wasm        the two builds, for the workerd entry, for simlearn.js's init() in Node
//                         (a file read is cheaper there than the chunk), and anyone compiling them
//   types/                .d.ts of the public API
// and prints the size budget. `--no-wasm` reuses build/ (the runtime suite builds once).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// The gzipped size of the bundle plus the one wasm build init() loads. It was 100 KB while the
// library held the core, distances and the first losses; the pytorch-metric-learning catalogue,
// metric-learn's learners and torchvision's layers and models roughly doubled the code (160 KB),
// and the fused loss kernels, the float64 learner kernels, the streaming top-k scan and the conv
// epilogues grew the wasm build from 33 to 45 KB gzipped; the eigensolver, the NCA rows and the
// packed inference convs to 52 KB (172 KB in all); LFDA's float32 path, the int8-pruned
// single-query search, the depthwise and pointwise epilogues, LMNN's impostor screen and the
// PNP ranks to 62 KB (186 KB in all); the fused pair log-sum-exp (lifted structure, circle),
// the label-pair loss kernels, VICReg's covariance kernels, the per-dimension int8 scales and
// LFDA's triangular Laplacian product to 67 KB (193 KB in all); the shared-shift softmax and NCA
// rows of the self-similarity losses, the vectorised mirrors, the PSD projection's strip-skipping
// replay and AngularMiner's kernel to 70 KB (197.1 KB in all); the eigensolver's QR sweeps
// beside its QL ones and MMC's projection loop on the coupled block to 70.6 KB (198.1 KB in all);
// a first layer's one-pass ReLU, bias and filter gradient to 71.0 KB (199.0 KB in all).
const BUDGET_KB = 200;

const run = (cmd, args) => {
  const res = spawnSync(cmd, args, { stdio: 'inherit' });
  if (res.status !== 0) {
    console.error(`build-dist: ${cmd} ${args.join(' ')} failed`);
    process.exit(1);
  }
};

if (!process.argv.includes('--no-wasm')) run(process.execPath, ['scripts/build-wasm.mjs']);
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');

// Portable: no Node built-ins (--platform=neutral keeps Buffer out), and es2022 keeps
// esbuild from emitting Uint8Array.fromBase64, which Node 20 lacks.
const common = { bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'warning' };

// Splitting puts each wasm build (a dynamic import) in a chunk of its own beside the bundle.
await build({ ...common, entryPoints: { simlearn: 'src/index.ts' }, outdir: 'dist', splitting: true, chunkNames: 'simlearn-[name]-[hash]' });

const stubInlinedWasm = {
  name: 'stub-inlined-wasm',
  setup(b) {
    b.onResolve({ filter: /kernels\.generated$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "export const baselineWasmBase64 = ''; export const relaxedWasmBase64 = ''; export const threadsWasmBase64 = ''; export const relaxedThreadsWasmBase64 = '';",
      loader: 'js',
    }));
  },
};
await build({
  ...common,
  entryPoints: ['src/entries/workerd.ts'],
  outfile: 'dist/simlearn.workerd.js',
  external: ['./simlearn.wasm', './simlearn-relaxed.wasm'],
  plugins: [stubInlinedWasm],
});
copyFileSync('build/simlearn.wasm', 'dist/simlearn.wasm');
copyFileSync('build/simlearn-relaxed.wasm', 'dist/simlearn-relaxed.wasm');

run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json']);

const workerd = readFileSync('dist/simlearn.workerd.js', 'utf8');
if (/AGFzbQ/.test(workerd)) {
  console.error('build-dist: dist/simlearn.workerd.js still holds inlined wasm');
  process.exit(1);
}

// Budget: what a user downloads, minified and gzipped (level 9, as CDNs serve it): the bundle,
// its shared chunk, and the one wasm build chunk init() picks (the larger, relaxed, counted).
const chunk = (re) => readdirSync('dist').find((f) => re.test(f));
const shared = readdirSync('dist').filter((f) => /^simlearn-chunk-.*\.js$/.test(f));
const sizes = {};
const measure = (...files) => {
  const bytes = Buffer.concat(files.map((f) => readFileSync(`dist/${f}`)));
  return { min: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
};
sizes['simlearn.js + one wasm build (what init() loads)'] = measure('simlearn.js', ...shared, chunk(/^simlearn-relaxed-kernels\.generated-.*\.js$/));
sizes['simlearn.js (the JS alone)'] = measure('simlearn.js', ...shared);
sizes['simlearn.workerd.js + both .wasm'] = measure('simlearn.workerd.js', 'simlearn.wasm', 'simlearn-relaxed.wasm');
sizes['simlearn.workerd.js (the JS alone)'] = measure('simlearn.workerd.js');
sizes['simlearn.wasm (baseline)'] = measure('simlearn.wasm');
sizes['simlearn-relaxed.wasm'] = measure('simlearn-relaxed.wasm');
writeFileSync('build/dist-sizes.json', JSON.stringify({ budgetKB: BUDGET_KB, ...sizes }, null, 2) + '\n');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const [name, s] of Object.entries(sizes)) console.log(`dist: ${name}: ${kb(s.min)} minified, ${kb(s.gz)} gzipped`);
const total = sizes['simlearn.js + one wasm build (what init() loads)'].gz;
if (total > BUDGET_KB * 1024) console.warn(`build-dist: over budget: ${kb(total)} gzipped > ${BUDGET_KB} KB`);
