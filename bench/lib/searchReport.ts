/**
 * The search benchmark's results (bench/lib/searchChild.ts): its targets and its section of the
 * report. Run by `npm run bench -- --search` (with the rest) or `--search-only`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Target } from './report.ts';
import { fmt, freshDir, runJsonChild } from './util.ts';

interface Stats {
  n: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** What bench/lib/searchChild.ts prints. */
export interface SearchBenchResult {
  pages: number;
  indexedPages: number;
  generateMs: number;
  backupMs: number;
  migrationMs: number;
  buildMs: number;
  builtPages: number;
  /** 1-, 5- and 15-minute load averages when it started and ended (2 cores: above 2 is a busy machine). */
  loadAverage: { start: number[]; end: number[] };
  /** The engine's budget per chunk (absent from results of before it was recorded: 15 ms then). */
  chunkBudgetMs?: number;
  chunk: Stats;
  chunkPages: Stats;
  hotPath: { claimComplete: Stats; chunk: Stats };
  queries: {
    kind: string;
    query: string;
    ms: number[];
    median: number;
    total: number;
    totalExact: boolean;
    order: string;
  }[];
  queryAll: Stats;
  indexBytes: number;
  indexBytesPerPage: number;
  pagesTableBytes: number;
  dbFileBytes: number;
}

export function runSearchChild(pages: number, dbPath: string): Promise<SearchBenchResult> {
  freshDir(path.dirname(dbPath));
  return runJsonChild<SearchBenchResult>(
    'searchChild.ts',
    ['--pages', String(pages), '--db', dbPath],
    'search benchmark',
  );
}

export function searchTargets(r: SearchBenchResult): Target[] {
  const status = (ok: boolean): Target['status'] => (ok ? 'PASS' : 'MISS');
  const pages = r.pages.toLocaleString('en');
  return [
    {
      name: `search: query p95 over ${r.queries.length} realistic queries, ${pages} pages indexed`,
      target: '< 50 ms',
      measured: `${fmt(r.queryAll.p95, 1)} ms (median ${fmt(r.queryAll.median, 1)} ms)`,
      status: status(r.queryAll.p95 < 50),
    },
    {
      name: 'search: claim + complete a page p99 while the index is built',
      target: '< 1 ms',
      measured: `${fmt(r.hotPath.claimComplete.p99, 3)} ms (median ${fmt(r.hotPath.claimComplete.median, 3)} ms)`,
      status: status(r.hotPath.claimComplete.p99 < 1),
    },
    {
      name: 'search: index size per page (~2,000 characters)',
      target: 'reported',
      measured: `${fmt(r.indexBytesPerPage / 1024, 2)} KB`,
      status: 'n/a',
    },
  ];
}

export function renderSearch(r: SearchBenchResult): string {
  const L: string[] = [];
  const mb = (b: number): string => `${fmt(b / 2 ** 20, 0)} MB`;
  L.push('## Search');
  L.push('');
  L.push(
    `A queue database of the version before search, holding ${r.pages.toLocaleString('en')} recognised pages of generated ` +
      'OCR-like text (~2,000 characters each, Zipf-distributed words over a 150,000-word vocabulary, numbers, codes, ' +
      'accented names, misreadings: bench/lib/ocrText.ts), is upgraded and indexed the way the engine does it, in ' +
      `chunks of ~${r.chunkBudgetMs ?? 15} ms; half-way through, 2,000 pages are claimed and completed between chunks. Then ${r.queries.length} ` +
      'queries run 5 times each through the same call the window and `bulk-ocr search` use (count, rank, rows, snippets). ' +
      `Load average (1, 5, 15 min) at the start ${r.loadAverage.start.map((l) => l.toFixed(1)).join(' ')}, at the end ${r.loadAverage.end.map((l) => l.toFixed(1)).join(' ')}.`,
  );
  L.push('');
  L.push('| measure | value |');
  L.push('| --- | --- |');
  L.push(
    `| migration (creates the index; independent of the number of pages) | ${fmt(r.migrationMs, 1)} ms |`,
  );
  L.push(`| safety copy before the migration (every upgrade makes one) | ${fmt(r.backupMs / 1000, 1)} s |`);
  L.push(
    `| index build, engine's chunks | ${fmt(r.buildMs / 1000, 0)} s (${fmt(r.builtPages / (r.buildMs / 1000), 0)} pages/s, at full duty) |`,
  );
  L.push(
    `| one chunk (the longest a worker's result waits) | median ${fmt(r.chunk.median, 1)} ms, p99 ${fmt(r.chunk.p99, 1)} ms, max ${fmt(r.chunk.max, 1)} ms; ${fmt(r.chunkPages.median, 0)} pages |`,
  );
  L.push(
    `| **claim + complete a page while indexing** | **median ${fmt(r.hotPath.claimComplete.median, 3)} ms, p99 ${fmt(r.hotPath.claimComplete.p99, 3)} ms** (${r.hotPath.claimComplete.n} pages) |`,
  );
  L.push(
    `| **query, all runs** | **median ${fmt(r.queryAll.median, 1)} ms, p95 ${fmt(r.queryAll.p95, 1)} ms**, max ${fmt(r.queryAll.max, 1)} ms |`,
  );
  L.push(
    `| index size | ${mb(r.indexBytes)}: **${fmt(r.indexBytesPerPage, 0)} bytes per page** (the page text itself: ${mb(r.pagesTableBytes)} in \`pages\`) |`,
  );
  L.push(`| database file | ${mb(r.dbFileBytes)} |`);
  L.push('');
  L.push('| query | kind | pages matching | order | median ms | max ms |');
  L.push('| --- | --- | --- | --- | --- | --- |');
  for (const q of r.queries) {
    const sorted = [...q.ms].sort((a, b) => a - b);
    L.push(
      `| \`${q.query.replace(/\|/g, '\\|')}\` | ${q.kind} | ${q.totalExact ? q.total.toLocaleString('en') : `> ${q.total.toLocaleString('en')}`} | ${q.order} | ${fmt(sorted[Math.floor(sorted.length / 2)], 1)} | ${fmt(sorted[sorted.length - 1], 1)} |`,
    );
  }
  L.push('');
  return L.join('\n');
}

/** An earlier --search-only run's results.search.json; exits with one line naming what is wrong. */
export function readSearchResults(file: string): SearchBenchResult {
  let r: Partial<SearchBenchResult>;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as Partial<SearchBenchResult>;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e instanceof SyntaxError ? 'not JSON' : e.message;
    process.stderr.write(
      `bench: --search-results ${file}: ${why} (give the results.search.json of a --search-only run)\n`,
    );
    process.exit(2);
  }
  if (!r.queryAll || !r.hotPath) {
    process.stderr.write(
      `bench: --search-results ${file}: not the results.search.json of a --search-only run\n`,
    );
    process.exit(2);
  }
  return r as SearchBenchResult;
}
