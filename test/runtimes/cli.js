// Node, Deno and Bun: run the smoke program against the installed package, print JSON.
// SIMLEARN_SMOKE_SIMD=baseline passes init({ simd: 'baseline' }).
import { smoke } from './smoke.js';

const env = (name) => (globalThis.Deno ? Deno.env.get(name) : process.env[name]);
const simd = env('SIMLEARN_SMOKE_SIMD');
const rss = () => ({ rssBytes: globalThis.Deno ? Deno.memoryUsage().rss : process.memoryUsage().rss });
let result;
try {
  result = await smoke(() => import('simlearn'), simd ? { simd } : {}, rss);
} catch (err) {
  // the message alone: an uncaught error would also print the minified source line it came
  // from (hundreds of KB), and a piped stderr may be cut before the message
  console.error(`${err?.name ?? 'Error'}: ${err?.message ?? err}`);
  (globalThis.Deno ?? process).exit(1);
}
result.resolved = import.meta.resolve('simlearn');
result.version = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.versions.node}`;
console.log(JSON.stringify(result));
