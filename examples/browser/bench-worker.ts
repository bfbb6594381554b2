// The bench page's worker: runs the workloads of bench/ (their own definitions, bundled with
// browser stand-ins for the two Node-only helpers; see scripts/build-pages.mjs) and posts each
// workload's rows. benchmark.js times synchronously, so it runs here, off the page's thread.
import './bench/globals';
import { sl } from '../../bench/lib/simlearn';
import type { Ctx, Row, Workload } from '../../bench/lib/harness';
import { w1 } from '../../bench/w1-gemm';
import { w2 } from '../../bench/w2-cdist';
import { w3 } from '../../bench/w3-conv';
import { w4 } from '../../bench/w4-train-step';
import { topk } from '../../bench/topk';

/** W4 first, as in bench/run.ts: it reports the wasm heap high-water mark of a fresh engine. */
export const WORKLOADS: Workload[] = [w4, w1, w2, w3, topk];
/** The rows the page shows: simlearn's and the wasm peer's (the workloads also time tfjs-cpu and plain JS at small sizes). */
const SHOWN = new Set(['simlearn', 'simlearn op', 'tfjs-wasm']);

export type BenchRequest = { quick: boolean; only?: string[] };
export type BenchMessage =
  | { type: 'ready'; build: string; userAgent: string }
  | { type: 'log'; text: string }
  | { type: 'rows'; workload: string; title: string; rows: Row[] }
  | { type: 'done'; seconds: number }
  | { type: 'error'; message: string };

const post = (m: BenchMessage) => (self as unknown as Worker).postMessage(m);

async function run({ quick, only }: BenchRequest): Promise<void> {
  const t0 = performance.now();
  const ctx: Ctx = { quick, cpu: false, peers: true, log: (text) => post({ type: 'log', text }) };
  for (const w of WORKLOADS) {
    if (only && !only.includes(w.id)) continue;
    post({ type: 'log', text: `${w.id} ${w.title}` });
    const rows = (await w.run(ctx)).filter((r) => SHOWN.has(r.impl));
    post({ type: 'rows', workload: w.id, title: w.title, rows });
  }
  post({ type: 'done', seconds: (performance.now() - t0) / 1000 });
}

self.onmessage = (e: MessageEvent<BenchRequest>) =>
  run(e.data).catch((err) => post({ type: 'error', message: String((err as Error)?.stack ?? err) }));

sl.init().then(
  () => post({ type: 'ready', build: sl.engineInfo().build, userAgent: navigator.userAgent }),
  (err) => post({ type: 'error', message: String(err) }),
);
