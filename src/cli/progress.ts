/** A one-line terminal progress bar with rate and ETA (stderr, redrawn in place on a TTY). */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, note = ''): void {
    const now = performance.now();
    const finished = done >= this.total;
    if (!finished && now - this.lastDraw < (this.stream.isTTY ? 100 : 5000)) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const eta = done > 0 ? (seconds / done) * (this.total - done) : NaN;
    const width = 28;
    const filled = Math.round((done / this.total) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${this.label} ${bar} ${done}/${this.total} ${formatSeconds(seconds)} elapsed, ETA ${formatSeconds(eta)} ${note}`;
    if (this.stream.isTTY) this.stream.write(`\r${line.padEnd(this.stream.columns ? this.stream.columns - 1 : 120)}${finished ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
