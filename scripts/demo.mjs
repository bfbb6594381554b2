// npm run demo [-- --port N] — builds the two browser pages (scripts/build-pages.mjs) and
// serves them on 127.0.0.1 until stopped: /train.html and /bench.html. Every answer carries
// the two headers that make a page cross-origin isolated, which browsers require before they
// share WebAssembly memory between threads. GET and HEAD only. PORT (or --port) picks the
// port, default 8080; 0 or a busy port takes a free one.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPages } from './build-pages.mjs';

export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.json': 'application/json',
};
const INDEX = `<!doctype html><meta charset="utf-8"><title>simlearn demo</title>
<ul style="font: 16px system-ui"><li><a href="/train.html">train.html</a>: a Triplet CNN training on MNIST in a Web Worker</li>
<li><a href="/bench.html">bench.html</a>: the benchmarks beside tfjs-backend-wasm</li></ul>`;

/** Serves `dir` on 127.0.0.1:port (0: any free port); resolves to the listening server. */
export function serve(dir, port = 0) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const headers = { ...ISOLATION_HEADERS, 'cache-control': 'no-store' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET or HEAD only\n');
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    const file = resolve(root, '.' + path);
    let body;
    if (path === '/') body = Buffer.from(INDEX);
    else if ((file.startsWith(root + sep)) && existsSync(file) && statSync(file).isFile()) body = readFileSync(file);
    if (!body) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : 'not found\n');
      return;
    }
    const type = path === '/' ? TYPES['.html'] : (TYPES[extname(file)] ?? 'application/octet-stream');
    res.writeHead(200, { ...headers, 'content-type': type, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ok(server);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = process.argv.indexOf('--port');
  const wanted = Number(arg > 0 ? process.argv[arg + 1] : (process.env.PORT ?? 8080));
  const dir = await buildPages();
  const server = await serve(dir, wanted).catch((err) => {
    if (err.code !== 'EADDRINUSE') throw err;
    console.log(`port ${wanted} is busy: taking a free one`);
    return serve(dir, 0);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  console.log(`simlearn demo: ${url}/train.html and ${url}/bench.html (Ctrl-C stops)`);
  console.log(url);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
