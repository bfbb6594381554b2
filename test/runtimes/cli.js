// Node, Deno and Bun: run the smoke program against the installed package, print JSON.
// SIMLEARN_SMOKE_SIMD=baseline passes init({ simd: 'baseline' }).
import { smoke } from './smoke.js';

const env = (name) => (globalThis.Deno ? Deno.env.get(name) : process.env[name]);
const simd = env('SIMLEARN_SMOKE_SIMD');
const rss = () => ({ rssBytes: globalThis.Deno ? Deno.memoryUsage().rss : process.memoryUsage().rss });
const result = await smoke(() => import('simlearn'), simd ? { simd } : {}, rss);
result.resolved = import.meta.resolve('simlearn');
result.version = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.versions.node}`;
console.log(JSON.stringify(result));
