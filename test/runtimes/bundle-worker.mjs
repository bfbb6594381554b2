// Bundles examples/worker the way wrangler does before an upload: esbuild resolves
// 'simlearn' from the installed package under the conditions workerd, worker, browser, and
// every .wasm / .safetensors import stays a separate module (wrangler's CompiledWasm and
// Data rules). Writes the bundle, those modules and a workerd config into `out`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { writeWorkerdConfig } from './runtimes.mjs';
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
  for (const [name, file] of modules) copyFileSync(file, join(out, name));
  const config = join(out, 'config.capnp');
  const kind = (name) => (name.endsWith('.wasm') ? 'wasm' : 'data');
  writeWorkerdConfig(config, [['worker.js', 'esModule', 'worker.js'], ...[...modules.keys()].map((n) => [n, kind(n), n])]);
  return { config, modules: [...modules.keys()] };
}
