// Bundles examples/worker the way wrangler does before an upload: esbuild resolves
// 'simlearn' from the installed package under the conditions workerd, worker, browser, and
// every .wasm / .safetensors import stays a separate module (wrangler's CompiledWasm and
// Data rules). Writes the bundle, those modules and a workerd config into `out`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export async function bundleLikeWrangler(entry, app, out) {
  mkdirSync(out, { recursive: true });
  const modules = new Map();
  const attachModules = {
    name: 'attach-modules',
    setup(b) {
      b.onResolve({ filter: /\.(wasm|safetensors)$/ }, (args) => {
        const file = join(args.resolveDir, args.path);
        modules.set(basename(file), file);
        return { path: `./${basename(file)}`, external: true };
      });
    },
  };
  await build({
    entryPoints: [entry],
    outfile: join(out, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    nodePaths: [join(app, 'node_modules')],
    plugins: [attachModules],
    logLevel: 'warning',
  });
  // The workerd entry was chosen: no inlined wasm (base64 of '\0asm') in the bundle.
  if (readFileSync(join(out, 'worker.js'), 'utf8').includes('AGFzbQ')) throw new Error('the bundle holds inlined wasm: the workerd condition was not applied');
  const lines = ['    (name = "worker.js", esModule = embed "worker.js"),'];
  for (const [name, file] of modules) {
    copyFileSync(file, join(out, name));
    lines.push(`    (name = "${name}", ${name.endsWith('.wasm') ? 'wasm' : 'data'} = embed "${name}"),`);
  }
  const config = join(out, 'config.capnp');
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "similar", worker = .similarWorker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "similar")],
);
const similarWorker :Workerd.Worker = (
  modules = [
${lines.join('\n')}
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  return { config, modules: [...modules.keys()] };
}
