/**
 * Progress of a run as a person reads it: a bar redrawn in place on a terminal, or a plain line
 * now and then when the output goes to a file or a pipe. Redraws at most 10 times a second.
 */
export interface ProgressSnapshot {
  documentsDone: number;
  documentsFailed: number;
  documentsTotal: number;
  pagesDone: number;
  /** Known pages plus an estimate for files not opened yet. */
  pagesTotal: number;
  pagesPerMinute: number | null;
  etaSeconds: number | null;
  workersBusy: number;
}

export interface ProgressView {
  update(s: ProgressSnapshot): void;
  /** A line that must stay on screen (a document finished or failed). */
  log(line: string): void;
  finish(): void;
}

export function createProgressView(stream: NodeJS.WriteStream, quiet: boolean): ProgressView {
  if (quiet) return { update() {}, log() {}, finish() {} };
  return stream.isTTY ? new BarView(stream) : new LineView(stream);
}

class BarView implements ProgressView {
  private last = '';
  private lastDraw = 0;
  private latest: ProgressSnapshot | null = null;
  private readonly stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.stream = stream;
  }

  update(s: ProgressSnapshot): void {
    this.latest = s;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw();
  }

  log(line: string): void {
    this.clear();
    this.stream.write(line + '\n');
    this.draw();
  }

  finish(): void {
    this.draw();
    if (this.last) this.stream.write('\n');
    this.last = '';
  }

  private draw(): void {
    const s = this.latest;
    if (!s) return;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 70));
    const ratio = s.pagesTotal > 0 ? Math.min(1, s.pagesDone / s.pagesTotal) : 0;
    const filled = Math.round(ratio * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${bar} ${s.pagesDone}/${s.pagesTotal} pages · ${rate(s)} · ETA ${eta(s.etaSeconds)} · ${docs(s)}`;
    this.clear();
    this.stream.write(line.slice(0, (this.stream.columns ?? 120) - 1));
    this.last = line;
  }

  private clear(): void {
    if (this.last) this.stream.write('\r\x1b[2K');
  }
}

class LineView implements ProgressView {
  // The first line after 10 s: a short run needs none.
  private lastLine = Date.now();
  private readonly stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.stream = stream;
  }

  update(s: ProgressSnapshot): void {
    const now = Date.now();
    if (now - this.lastLine < 10_000) return;
    this.lastLine = now;
    this.stream.write(
      `progress: ${s.pagesDone}/${s.pagesTotal} pages, ${rate(s)}, ETA ${eta(s.etaSeconds)}, ${docs(s)}\n`,
    );
  }

  log(line: string): void {
    this.stream.write(line + '\n');
  }

  finish(): void {}
}

function rate(s: ProgressSnapshot): string {
  return s.pagesPerMinute === null ? '– pages/min' : `${s.pagesPerMinute.toFixed(1)} pages/min`;
}

function docs(s: ProgressSnapshot): string {
  const failed = s.documentsFailed > 0 ? `, ${s.documentsFailed} failed` : '';
  return `${s.documentsDone + s.documentsFailed}/${s.documentsTotal} files${failed}`;
}

/** `1:05:09`, `4:07`, or `–` when unknown. */
export function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  return formatDuration(seconds);
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
