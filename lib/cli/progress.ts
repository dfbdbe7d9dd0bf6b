// A one-line progress bar on stderr (redrawn on a TTY, a plain line every few seconds otherwise).
export class ProgressBar {
  private last = 0;
  /** A redrawn line is on screen and needs a newline before other output. */
  private open = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(done: number, total: number, text: string, etaSeconds?: number): void {
    const now = Date.now();
    const tty = this.stream.isTTY;
    if (!tty && now - this.last < 5000 && done < total) return;
    this.last = now;
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const eta = etaSeconds !== undefined && Number.isFinite(etaSeconds) ? ` ETA ${formatDuration(etaSeconds)}` : '';
    const line = `${bar} ${text}${eta}`;
    if (tty) {
      this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
      this.open = true;
    } else this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.open) this.stream.write('\n');
    this.open = false;
  }
}

export function formatDuration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}
