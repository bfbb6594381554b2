// Time per op, forward and backward, for `npm run bench -- --profile`. Off by default: then
// record() and backward() pay one boolean test each and nothing else.
// Forward time is measured as laps: the time from the previous lap to an op's record() call
// is that op's forward (its kernels ran just before it recorded; the JS between ops, shape
// checks and allocation included). Backward time is each op's gradient function, timed
// around the call. Work outside ops (the optimiser, zeroGrad, tidy's frees) is timed with
// profileSection, or lands in the next lap.

export interface ProfileRow {
  name: string;
  phase: 'forward' | 'backward' | 'other';
  ms: number;
  calls: number;
}

/** Read by record() and backward(): true while a profile is being taken. */
export const profiling = { on: false };

const now = (): number => globalThis.performance.now();
let last = 0;
const table = new Map<string, ProfileRow>();

function add(name: string, phase: ProfileRow['phase'], ms: number): void {
  const key = `${phase}\u0000${name}`;
  const row = table.get(key);
  if (row) {
    row.ms += ms;
    row.calls++;
  } else table.set(key, { name, phase, ms, calls: 1 });
}

/** Starts (or restarts) a profile: clears the table and starts the first lap. */
export function startProfile(): void {
  table.clear();
  profiling.on = true;
  last = now();
}

/** Stops profiling and returns the rows, largest first. */
export function stopProfile(): ProfileRow[] {
  profiling.on = false;
  return [...table.values()].sort((a, b) => b.ms - a.ms);
}

/** The time since the last lap is `name`'s (record() calls it with the op's name, forward). */
export function profileLap(name: string, phase: ProfileRow['phase'] = 'forward'): void {
  const t = now();
  add(name, phase, t - last);
  last = t;
}

/** The op whose backward runs, and the time its gradient writers took (profileGradWrite). */
let current = '';
let written = 0;
/** Time of the gradient writes made inside the one running (a fused kernel writing two gradients). */
let nested = 0;

/**
 * Internal (backward): runs one op's gradient function, timed as its backward. The gradient
 * of each input gets a row of its own (profileGradWrite); the op's row keeps the rest.
 */
export function profileBackward(name: string, fn: () => void): void {
  const t0 = now();
  current = name;
  written = 0;
  nested = 0;
  fn();
  const t = now();
  add(name, 'backward', t - t0 - written);
  current = '';
  last = t;
}

/**
 * Internal (addGrad): one gradient written into an input of shape `shape`, timed. A write
 * made inside another's keeps its own time, and the outer row the rest.
 */
export function profileGradWrite(shape: readonly number[], write: () => void): void {
  const outer = nested;
  nested = 0;
  const t0 = now();
  write();
  const ms = now() - t0;
  const own = ms - nested;
  add(`${current || '(backward seed)'} ∂[${shape.join(',')}]`, 'backward', own);
  written += own;
  nested = outer + ms;
}

/** An op's row name: its name and output shape, so two layers of one op are told apart. */
export function opLabel(name: string, shape: readonly number[]): string {
  return `${name} → [${shape.join(',')}]`;
}

/** Runs fn; when profiling, its time is a row of its own (phase 'other') and the lap restarts after it. */
export function profileSection<T>(name: string, fn: () => T): T {
  if (!profiling.on) return fn();
  const t0 = now();
  add('(between ops)', 'other', t0 - last);
  const r = fn();
  const t = now();
  add(name, 'other', t - t0);
  last = t;
  return r;
}
