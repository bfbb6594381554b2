// One runner per runtime. Each resolves to the smoke program's result or throws with the
// runtime's own output, so a runtime that cannot run is reported as a failure.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { extname, join, resolve } from 'node:path';

const TIMEOUT_MS = 60_000;
const bin = (name) => resolve('node_modules/.bin', name);

/** Runs a command to completion; rejects on a non-zero exit, a signal or the timeout. */
export function run(cmd, args, { cwd, env } = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) ok({ stdout, stderr });
      else fail(Object.assign(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}\n${stderr}${stdout}`), { stdout, stderr }));
    });
  });
}

const readPackageVersion = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;

const lastJsonLine = (stdout) => JSON.parse(stdout.trim().split('\n').pop());

/** Node, Deno or Bun running cli.js in the app directory; `args` go before the script. */
export async function runCli(app, cmd, args = [], env = {}) {
  const { stdout } = await run(cmd, [...args, 'cli.js'], { cwd: app, env });
  return lastJsonLine(stdout);
}

export const node = (app, flags = [], env) => runCli(app, process.execPath, flags, env);
export const deno = (app, env) => runCli(app, bin('deno'), ['run', '--quiet', '--no-lock', '--allow-env'], { DENO_NO_UPDATE_CHECK: '1', ...env });
export const bun = (app, env) => runCli(app, bin('bun'), [], env);

export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createNetServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts `workerd serve config` with each named socket on a free port of 127.0.0.1, calls
 * `use({ socket: baseUrl }, output)`, then stops it.
 */
export async function withWorkerd(configPath, socketNames, use) {
  const bases = {};
  const args = ['serve', configPath];
  for (const name of socketNames) {
    const port = await freePort();
    bases[name] = `http://127.0.0.1:${port}`;
    args.push(`--socket-addr=${name}=127.0.0.1:${port}`);
  }
  const child = spawn(bin('workerd'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((ok) => child.on('close', (code) => ok(code)));
  try {
    const deadline = Date.now() + 15_000;
    // Ready when the sockets accept; workerd exits at once on a bad config.
    for (const base of Object.values(bases)) {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}\n${output}`);
        try {
          await fetch(`${base}/ready`, { signal: AbortSignal.timeout(1000) });
          break;
        } catch {
          if (Date.now() > deadline) throw new Error(`workerd did not listen on ${base} within 15 s\n${output}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    return await use(bases, () => output);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** GET/POST base + path; rejects with workerd's output on an error status. */
export async function request(base, path, output, init = {}) {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok) throw new Error(`workerd answered ${res.status} to ${path}: ${text}\n${output()}`);
  return text;
}

/**
 * Writes a workerd config serving one worker on socket "http": `modules` are
 * [name, kind ('esModule' | 'wasm' | 'data'), file relative to the config], the first the main
 * module; `bindings` are text bindings.
 */
export function writeWorkerdConfig(path, modules, bindings = {}) {
  const q = JSON.stringify;
  writeFileSync(
    path,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .mainWorker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const mainWorker :Workerd.Worker = (
  modules = [
${modules.map(([name, kind, file]) => `    (name = ${q(name)}, ${kind} = embed ${q(file)}),`).join('\n')}
  ],
  bindings = [${Object.entries(bindings).map(([name, text]) => `(name = ${q(name)}, text = ${q(text)})`).join(', ')}],
  compatibilityDate = "2025-09-01",
);
`,
  );
}

/** The smoke worker, its modules from the installed package's workerd entry; `simd` goes to init(). */
export async function workerd(app, entry, simd) {
  const dist = join(entry, '..');
  const config = `config-${simd}.capnp`;
  writeWorkerdConfig(
    join(app, config),
    [
      ['worker.js', 'esModule', 'worker.js'],
      ['smoke.js', 'esModule', 'smoke.js'],
      ['simlearn', 'esModule', entry],
      ['simlearn.wasm', 'wasm', join(dist, 'simlearn.wasm')],
      ['simlearn-relaxed.wasm', 'wasm', join(dist, 'simlearn-relaxed.wasm')],
    ],
    { SIMD: simd },
  );
  return withWorkerd(join(app, config), ['http'], async ({ http }, output) => {
    // workerd's clock stands still while a request computes (a Spectre mitigation), so
    // the cold start is timed from outside: the first request, which imports and inits.
    const t0 = performance.now();
    await request(http, '/init', output);
    const coldStartMs = performance.now() - t0;
    const result = JSON.parse(await request(http, '/smoke', output));
    return { ...result, coldStartMs, version: `workerd ${readPackageVersion('workerd')}` };
  });
}

const CONTENT_TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serves the app directory on 127.0.0.1; page.html gets the import map's target substituted. */
function serveApp(app, browserEntry) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = resolve(app, '.' + path);
    if (!file.startsWith(resolve(app)) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    let body = readFileSync(file);
    if (path === '/page.html') body = body.toString().replace('__SIMLEARN__', '/' + browserEntry);
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium (Debian's) under playwright-core; the caller closes it. */
export async function launchChromium() {
  const { chromium: launcher } = await import('playwright-core');
  return launcher.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
    timeout: TIMEOUT_MS,
  });
}

/** Headless Chromium loading page.html from 127.0.0.1. */
export async function chromium(app, browserEntry) {
  const server = await serveApp(app, browserEntry);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`http://127.0.0.1:${server.address().port}/page.html`);
    await page.waitForFunction(() => window.smokeResult, null, { timeout: TIMEOUT_MS });
    const out = await page.evaluate(() => window.smokeResult);
    if (!out.ok) throw new Error(`${out.error}\n${errors.join('\n')}`);
    out.result.version = `chromium ${browser.version()}`;
    return out.result;
  } finally {
    await browser.close();
    server.close();
  }
}

/**
 * examples/worker served by workerd from `configPath`: the answers to POST /similar for
 * each query, and the statuses of a GET and of malformed queries.
 */
export function exampleWorker(configPath, queries, k) {
  return withWorkerd(configPath, ['http'], async ({ http }, output) => {
    const post = (body) => fetch(`${http}/similar`, { method: 'POST', body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const answers = [];
    for (const query of queries) {
      answers.push(JSON.parse(await request(http, '/similar', output, { method: 'POST', body: JSON.stringify({ query, k }) })));
    }
    const wrongMethod = await fetch(`${http}/similar`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const shortQuery = await post(JSON.stringify({ query: [1, 2, 3] }));
    const notJson = await post('{');
    return {
      answers,
      errors: [
        { what: 'GET /similar', status: wrongMethod.status, want: 405, body: await wrongMethod.text() },
        { what: 'a 3-number query', status: shortQuery.status, want: 400, body: await shortQuery.text() },
        { what: 'a body that is not JSON', status: notJson.status, want: 400, body: await notJson.text() },
      ],
    };
  });
}
