/**
 * A one-line progress bar on a terminal stream: redrawn in place on a TTY, otherwise written as plain lines at
 * most every `intervalMs` (and always for the last step), so logs stay short.
 */

/** A stream the bar writes to (process.stderr by default). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of a ProgressBar. */
export interface ProgressBarOptions {
  /** Written before the bar, e.g. `preprocess synapse`. */
  title?: string;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Without a TTY: the least time between two plain lines, in ms (default 5000; 0 writes every update). */
  intervalMs?: number;
}

/** Formats seconds as `1h05m` or `3m07s`. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

/**
 * `[#######.................] title 12/40 text ETA 3m07s`. The ETA is the caller's when given (e.g. one that
 * leaves out the steps a resumed run skipped), else estimated from the time since the bar was made.
 *
 * @example
 * const bar = new ProgressBar(cases.length, { title: 'preprocess', intervalMs: 0 });
 * cases.forEach((c, i) => { work(c); bar.update(i + 1, c.id); });
 * bar.done();
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly title: string;
  private readonly intervalMs: number;
  private readonly started = Date.now();
  private lastLine = 0;
  /** A redrawn line is on screen and needs a newline before other output. */
  private open = false;

  constructor(
    public total: number,
    options: ProgressBarOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.title = options.title ?? '';
    this.intervalMs = options.intervalMs ?? 5000;
  }

  /** Shows `done` of `total` steps with `text`; `etaSeconds` overrides the estimated time left. */
  update(done: number, text = '', etaSeconds?: number): void {
    const now = Date.now();
    const tty = this.stream.isTTY === true;
    const last = done >= this.total;
    if (!tty && now - this.lastLine < this.intervalMs && !last) return;
    this.lastLine = now;
    const width = 24;
    const filled = this.total > 0 ? Math.min(width, Math.round((done / this.total) * width)) : 0;
    const elapsed = (now - this.started) / 1000;
    const eta = etaSeconds ?? (done > 0 ? (elapsed / done) * (this.total - done) : undefined);
    const parts = [
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
      this.title,
      `${done}/${this.total}`,
      text,
      eta !== undefined && Number.isFinite(eta) && !last ? `ETA ${formatDuration(eta)}` : `${formatDuration(elapsed)}`,
    ];
    const line = parts.filter(Boolean).join(' ');
    if (tty) {
      this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
      this.open = true;
      if (last) this.done();
    } else this.stream.write(`${line}\n`);
  }

  /** Ends a redrawn line (before other output, or at the end). */
  done(): void {
    if (this.open) this.stream.write('\n');
    this.open = false;
  }
}
