import type { ProgressReading } from '../../shared/progress.ts';
import { count } from '../../shared/words.ts';

/**
 * Progress of a run as a person reads it: a bar redrawn in place on a terminal, or a plain line
 * now and then when the output goes to a file or a pipe. Redraws at most 10 times a second. What
 * the numbers mean (counting, never backwards, rate of this run) is src/shared/progress.ts.
 */
export interface ProgressSnapshot {
  documentsDone: number;
  documentsFailed: number;
  documentsTotal: number;
  progress: ProgressReading;
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
    const width = Math.max(10, Math.min(30, (this.stream.columns || 80) - 70));
    const p = s.progress;
    let line: string;
    if (p.fraction === null) line = describe(s).join(' · ');
    else {
      const filled = Math.round(p.fraction * width);
      line = `${'█'.repeat(filled) + '░'.repeat(width - filled)} ${describe(s).join(' · ')}`;
    }
    this.clear();
    this.stream.write(line.slice(0, (this.stream.columns || 120) - 1));
    this.last = line;
  }

  private clear(): void {
    if (this.last) this.stream.write('\r\x1b[2K');
  }
}

/**
 * For a log file or a pipe: a line each time the bar passes a tenth (so a log shows the run's
 * shape, whatever its length), and at least every 30 s otherwise (a long page still shows life).
 */
class LineView implements ProgressView {
  private lastLine = Date.now();
  private lastTenth = -1;
  private readonly stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.stream = stream;
  }

  update(s: ProgressSnapshot): void {
    const now = Date.now();
    const f = s.progress.fraction;
    const tenth = f === null ? -1 : Math.floor(f * 10);
    if (tenth <= this.lastTenth && now - this.lastLine < 30_000) return;
    this.lastLine = now;
    this.lastTenth = Math.max(this.lastTenth, tenth);
    this.stream.write(`progress: ${describe(s).join(', ')}\n`);
  }

  log(line: string): void {
    this.stream.write(line + '\n');
  }

  finish(): void {}
}

/**
 * The parts of a progress line: `40%`, `18/44 pages`, `12.3 pages/min`, `ETA 1:35`, `3/11 files`;
 * `counting pages… (3 of 11 files opened)` before the total is known. A rate or an ETA that would
 * not mean anything yet is left out rather than guessed.
 */
export function describe(s: ProgressSnapshot): string[] {
  const p = s.progress;
  const parts: string[] = [];
  if (p.fraction === null || p.pagesTotal === null) {
    const opened = s.documentsTotal - p.filesUncounted;
    parts.push(`counting pages… (${opened} of ${count(s.documentsTotal, 'file')} opened)`);
    if (p.pagesDone > 0) parts.push(`${count(p.pagesDone, 'page')} done`);
  } else {
    parts.push(`${Math.floor(p.fraction * 100)}%`, `${p.pagesDone}/${count(p.pagesTotal, 'page')}`);
    if (p.counting) parts.push(`counting pages of ${count(p.filesUncounted, 'more file')}`);
  }
  if (p.pagesPerMinute !== null) parts.push(`${p.pagesPerMinute.toFixed(1)} pages/min`);
  if (p.etaSeconds !== null && !p.idle) parts.push(`ETA ${eta(p.etaSeconds)}`);
  const failed = s.documentsFailed > 0 ? ` (${s.documentsFailed} failed)` : '';
  parts.push(`${s.documentsDone + s.documentsFailed}/${count(s.documentsTotal, 'file')}${failed}`);
  return parts;
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
