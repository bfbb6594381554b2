// Timing several implementations of one case round-robin: each round runs every side once,
// so a change in the shared host's load during the case reaches all sides alike, and the
// ratios of the medians compare like with like. For calls too slow for benchmark.js's
// calibration (a trunk forward at batch 32 takes seconds): a fixed number of rounds.
import { median, type Timing } from './harness';

export interface Side {
  name: string;
  /** One call; awaited, so asynchronous engines (onnxruntime-web's run) time their whole call. */
  run: () => unknown;
}

/** `warmup` untimed rounds (JIT tiering, first-touch memory), then `rounds` timed ones. */
export async function interleave(sides: readonly Side[], rounds: number, warmup = 1): Promise<Map<string, Timing>> {
  const times = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const s of sides) {
      const t0 = performance.now();
      await s.run();
      const dt = performance.now() - t0;
      if (r >= warmup) times.get(s.name)!.push(dt);
    }
  }
  return new Map([...times].map(([name, t]) => [name, { medianMs: median(t), calls: t.length, samples: t.length }]));
}
