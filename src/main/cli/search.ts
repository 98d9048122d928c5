/**
 * `bulk-ocr search QUERY`: the pages that match, best first, each with its file, page number and
 * a passage with the hits marked (bold on a terminal; offsets in --json).
 *
 * When no engine is working on the queue, pages not yet in the index (recorded by a run that was
 * killed, or recognised before an upgrade brought search) are indexed first, with progress on
 * stderr; Ctrl-C keeps what was indexed. When one is running (the app, serve, run, watch), it
 * keeps the index itself: this searches what is there and says how far it is.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SearchIndexStatus, SearchRequest, SearchResults } from '../../shared/api.ts';
import { Engine } from '../engine/engine.ts';
import { forkSpawner } from '../engine/spawnNode.ts';
import { DatabaseError } from '../engine/engine.ts';
import { openQueueReader } from '../engine/queries.ts';
import { count, verb } from '../../shared/words.ts';
import { displayPath } from './display.ts';

export interface SearchCommandOptions {
  query: string;
  dbPath: string;
  json: boolean;
  limit: number;
  offset: number;
  folder?: string;
  from?: string;
  to?: string;
}

export const SEARCH_HELP = `
Query syntax:
  invoice 30687          pages with both words, anywhere on the page
  "annual report"        the exact phrase
  invo*                  words that start with invo (invoice, invoices…): 3 letters at least
  invoice -paid          leave out pages that contain paid (also -"second copy", -draft*)
  invoice OR receipt     either word
Case and accents do not matter: muller finds Müller, MULLER and müller. Punctuation separates
words: INV-30687/G is found by 30687, by inv 30687, or by "INV-30687/G" as a phrase. Any other
character is just text: nothing you type is an error. Quote the query for your shell:

  bulk-ocr search '"annual report" 2019 -draft'
  bulk-ocr search invoice --folder ~/Scans/2023 --from 2023-01-01 --to 2023-06-30
  bulk-ocr search 'müller OR mueller' --json --limit 100

Results are ranked by relevance (rare words, and many hits on a short page, first). A word found
on more than 20,000 pages lists the pages recognised last first instead: add words to narrow.
--folder and the dates filter by the input file (its folder, any depth; its last modification).

Exit codes: 0 pages found, 1 none found, 2 nothing to search for (or a usage error).`;

export async function searchCommand(o: SearchCommandOptions): Promise<number> {
  if (!existsSync(o.dbPath)) {
    if (o.json) process.stdout.write(JSON.stringify({ database: o.dbPath, exists: false, hits: [] }) + '\n');
    else
      process.stdout.write(
        `No queue yet at ${displayPath(o.dbPath)}: nothing has been recognised to search.\n`,
      );
    return 1;
  }
  const request: SearchRequest = {
    query: o.query,
    limit: o.limit,
    offset: o.offset,
    ...(o.folder ? { folder: resolve(o.folder) } : {}),
    ...(o.from ? { from: o.from } : {}),
    ...(o.to ? { to: o.to } : {}),
  };
  let results: SearchResults;
  let engineElsewhere = false;
  let engine: Engine | null = null;
  try {
    engine = new Engine({ dbPath: o.dbPath, spawn: forkSpawner(), jobs: 1 });
  } catch (error) {
    if (!(error instanceof DatabaseError) || error.code !== 'DB_LOCKED') throw error;
    engineElsewhere = true;
  }
  if (engine) {
    try {
      if (!(await catchUp(engine))) return 130;
      results = engine.read.search(request);
    } finally {
      await engine.stop();
    }
  } else {
    const reader = openQueueReader(o.dbPath);
    try {
      results = reader.search(request);
    } finally {
      reader.close();
    }
  }

  if (o.json) {
    process.stdout.write(JSON.stringify(asJson(results), null, 2) + '\n');
  } else {
    printResults(results, o.query);
    const note = indexNote(results.index, engineElsewhere);
    if (note) process.stderr.write(note + '\n');
  }
  if (results.problem) {
    if (!o.json) process.stderr.write(`bulk-ocr: ${results.problem}\n`);
    return 2;
  }
  return results.hits.length > 0 || results.total > 0 ? 0 : 1;
}

/** Indexes what is waiting, with progress on stderr; false when interrupted (Ctrl-C). */
async function catchUp(engine: Engine): Promise<boolean> {
  const first = engine.read.searchStatus();
  if (first.pending === 0) return true;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = process.stderr.isTTY;
  const total = first.pending;
  let lastDraw = 0;
  let lastStep = 0;
  process.stderr.write(
    `Adding ${count(total, 'page')} to the search index first (Ctrl-C stops; what is added is kept)…\n`,
  );
  try {
    const complete = await engine.searchIndex.catchUp(
      (s) => {
        const pct = Math.floor(((total - Math.min(total, s.pending)) / total) * 100);
        // On a terminal a line redrawn in place; into a file or pipe, a line per 10%.
        if (tty && Date.now() - lastDraw > 100) {
          process.stderr.write(`\r  search index: ${pct}%   `);
          lastDraw = Date.now();
        } else if (!tty && pct >= lastStep + 10) {
          lastStep = pct - (pct % 10);
          process.stderr.write(`  search index: ${lastStep}%\n`);
        }
      },
      () => interrupted,
    );
    if (tty) process.stderr.write('\r  search index: 100%   \n');
    if (!complete) process.stderr.write('Stopped: the search index is kept as far as it got.\n');
    return complete;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function indexNote(index: SearchIndexStatus, engineElsewhere: boolean): string | null {
  if (index.pending === 0) return null;
  const by = engineElsewhere ? 'the Bulk OCR that is running' : 'Bulk OCR when it next runs';
  if (index.building) {
    const pct = Math.floor((index.building.done / Math.max(1, index.building.total)) * 100);
    return `Note: the search index is being built by ${by} (${pct}% so far): pages recognised before the upgrade may be missing.`;
  }
  return `Note: ${count(index.pending, 'recently recognised page')} ${verb(index.pending, 'is', 'are')} not in the search index yet (${by} adds them).`;
}

function printResults(r: SearchResults, query: string): void {
  const out = process.stdout;
  if (r.problem) return;
  const bold = out.isTTY ? (s: string) => `\x1b[1;33m${s}\x1b[0m` : (s: string) => s;
  const howMany = r.totalExact ? count(r.total, 'page') : `More than ${count(r.total, 'page')}`;
  if (r.total === 0) {
    out.write(`No page matches ${JSON.stringify(query)}.\n`);
    return;
  }
  out.write(
    `${howMany} ${r.totalExact && r.total === 1 ? 'matches' : 'match'} ${JSON.stringify(query)}` +
      (r.order === 'relevance'
        ? ', best first:\n'
        : r.totalExact
          ? ', the newest first:\n'
          : ': too many to rank, the newest first (add words to narrow):\n'),
  );
  r.hits.forEach((h, i) => {
    const of = h.pageCount ? ` of ${h.pageCount}` : '';
    out.write(`\n${r.offset + i + 1}. ${h.path}  page ${h.pageNo}${of}\n`);
    let text = '';
    let at = 0;
    for (const [s, e] of h.snippet.hits) {
      text += h.snippet.text.slice(at, s) + bold(h.snippet.text.slice(s, e));
      at = e;
    }
    out.write(`   ${text}${h.snippet.text.slice(at)}\n`);
  });
  const shown = r.offset + r.hits.length;
  if (shown < r.total) out.write(`\nShowing ${r.offset + 1}–${shown}; the next ones: --offset ${shown}\n`);
}

function asJson(r: SearchResults): unknown {
  return {
    query: r.query,
    problem: r.problem,
    total: r.total,
    totalExact: r.totalExact,
    order: r.order,
    offset: r.offset,
    hits: r.hits.map((h) => ({
      file: h.path,
      docId: h.docId,
      page: h.pageNo,
      pageCount: h.pageCount,
      snippet: h.snippet.text,
      hits: h.snippet.hits,
      fileDate: new Date(h.fileDate).toISOString(),
    })),
    index: r.index,
  };
}
