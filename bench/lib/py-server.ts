// A Python peer kept running for a whole workload and driven over stdin/stdout (protocol in
// bench/timing_server.py), so the peer's calls can alternate with simlearn's case by case: a
// phase of the shared host's load then reaches both sides, and no process start or import is
// timed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export const PYTHON = '/usr/bin/python3';

export type PeerReply = { ms?: number[]; out?: unknown; error?: string };
export interface PeerServer {
  /** Up to `calls` calls of the case, fewer once they took budgetMs (at least one). */
  run(name: string, calls: number, budgetMs: number): Promise<PeerReply>;
  close(): void;
}

/** Starts `python3 script ...args`, or says why the peer's column is skipped. */
export async function peerServer(script: string, args: string[], env: Record<string, string>, peer: string): Promise<PeerServer | string> {
  if (!existsSync(PYTHON)) return `skipped: ${PYTHON} not found`;
  const child = spawn(PYTHON, [script, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  const lastError = () => stderr.trim().split('\n').pop()?.slice(0, 120);
  const waiting: ((line: string) => void)[] = [];
  let exited = false;
  const closed = new Promise<string>((resolve) => child.once('close', () => ((exited = true), resolve(''))));
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  const next = () => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), closed]);
  const ready = await next();
  if (!ready) return `skipped: ${peer} did not run (${lastError()})`;
  return {
    async run(name, calls, budgetMs) {
      if (exited) return { error: `${peer} server ended (${lastError()})` };
      const reply = next();
      child.stdin!.write(`${JSON.stringify([name, calls, budgetMs])}\n`);
      const line = await reply;
      return line ? JSON.parse(line) : { error: `${peer} server ended (${lastError()})` };
    },
    close: () => child.stdin!.end(),
  };
}

/** Calls of `step` for about budgetMs (at least one, at most maxCalls), each timed alone into `into`. */
export function timedCalls(step: () => unknown, budgetMs: number, maxCalls: number, into: number[]): void {
  let spent = 0;
  for (let c = 0; c < maxCalls && (c === 0 || spent < budgetMs); c++) {
    const t0 = performance.now();
    step();
    const dt = performance.now() - t0;
    into.push(dt);
    spent += dt;
  }
}
