// Training progress: a single \r-updated line on a TTY, plain periodic lines otherwise.
// Works without Node (no process): then it writes through console.log.

export interface StepInfo {
  /** 1-based step across all epochs. */
  step: number;
  /** Steps in the whole run, or null when the data has no known length. */
  total: number | null;
  /** 0-based epoch, and the number of epochs of the run. */
  epoch: number;
  epochs: number;
  loss: number;
  /** Active (non-zero) pairs/triplets of the step, from loss.lastStats; null if unknown. */
  active: number | null;
  /** Pairs/triplets the loss saw this step (loss.lastStats.total); null if unknown. */
  tuples: number | null;
}

interface Out {
  isTTY: boolean;
  write(s: string): void;
}

function defaultOut(): Out {
  const stream = (globalThis as any).process?.stderr;
  if (stream && typeof stream.write === 'function') return { isTTY: !!stream.isTTY, write: (s) => stream.write(s) };
  return { isTTY: false, write: (s) => console.log(s.replace(/\n$/, '')) };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** The text of one progress report (no line ending). */
export function progressText(info: StepInfo, stepsPerSecond: number, barWidth: number): string {
  const { step, total } = info;
  const parts: string[] = [];
  if (total) {
    const filled = Math.round((barWidth * step) / total);
    const bar = barWidth > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]` : '';
    parts.push(`step ${String(step).padStart(String(total).length)}/${total}${bar}`);
  } else {
    parts.push(`step ${step}`);
  }
  parts.push(`epoch ${info.epoch + 1}/${info.epochs}`);
  parts.push(`loss ${info.loss.toFixed(4)}`);
  if (info.active !== null) parts.push(`active ${info.active}${info.tuples !== null ? `/${info.tuples}` : ''}`);
  parts.push(`${stepsPerSecond.toFixed(1)} steps/s`);
  if (total) parts.push(`ETA ${formatSeconds((total - step) / stepsPerSecond)}`);
  return parts.join('  ');
}

/** A progress reporter: update() after every step, done() at the end. */
export class Progress {
  private readonly out: Out;
  private readonly started = performance.now();
  private lastPrint = -Infinity;
  private lastLine = '';

  constructor(out?: Out) {
    this.out = out ?? defaultOut();
  }

  update(info: StepInfo): void {
    const now = performance.now();
    const sps = (info.step * 1000) / Math.max(now - this.started, 1e-3);
    if (this.out.isTTY) {
      // A redraw at most ten times a second keeps the terminal cheap.
      if (now - this.lastPrint < 100 && info.step !== info.total) return;
      this.lastPrint = now;
      this.lastLine = progressText(info, sps, 24);
      this.out.write(`\r${this.lastLine}\x1b[K`);
      return;
    }
    // Plain lines: about twenty over a run of known length, else one every 5 seconds.
    const every = info.total ? Math.max(1, Math.round(info.total / 20)) : 0;
    const due = every ? info.step % every === 0 || info.step === info.total : now - this.lastPrint >= 5000;
    if (!due) return;
    this.lastPrint = now;
    this.out.write(progressText(info, sps, 0) + '\n');
  }

  done(): void {
    if (this.out.isTTY && this.lastLine) this.out.write('\n');
  }
}
