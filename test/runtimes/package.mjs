// Packs the built package with `npm pack` and installs the tarball into a fresh app
// directory, as a user would: whatever the runtimes import comes from that install.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function sh(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}\n${res.stdout ?? ''}${res.stderr ?? ''}`);
  }
  return res.stdout;
}

/** Packs the repository into `work` and installs the tarball into `work/app`; returns paths. */
export function packAndInstall(work, files) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // --ignore-scripts: dist/ was just built, prepack would build it again.
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work]));
  const tarball = resolve(work, packed[0].filename);
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'simlearn-smoke-app', private: true, type: 'module' }, null, 2));
  sh('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--offline', tarball], { cwd: app });
  const installed = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
  if (installed.join() !== 'simlearn') {
    throw new Error(`the tarball pulled in dependencies: node_modules holds ${installed.join(', ')}`);
  }
  for (const f of files) copyFileSync(f, join(app, f.split('/').pop()));
  return { tarball, app, packedFiles: packed[0].files.map((f) => f.path), unpackedSize: packed[0].unpackedSize, packedSize: packed[0].size };
}
