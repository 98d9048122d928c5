/**
 * Two sections of bench/RESULTS.md that time the engine without recognition: born-digital pages
 * (the text layer kept) and the queue's own store calls.
 */
import type { BenchResults } from './report.ts';
import { fmt, mb } from './util.ts';

const ppm = (pages: number, ms: number): number => (pages / ms) * 60_000;
const s = (ms: number): string => fmt(ms / 1000, 2);

/** A markdown table row collector. */
function table(): { L: string[]; row: (...cells: (string | number)[]) => void } {
  const L: string[] = [];
  return { L, row: (...cells) => L.push(`| ${cells.join(' | ')} |`) };
}

export function renderBornDigital(r: BenchResults): string[] {
  const { L, row } = table();
  // ── Born-digital ───────────────────────────────────────────────────────────
  const bd = r.bornDigital;
  const bds = r.bornDigitalStages;
  const bdText = bd.pages.filter((p) => p.source === 'text-layer').length;
  L.push(`## Born-digital pages (\`auto\` mode)`);
  L.push('');
  L.push(
    `A generated ${r.bornDigitalPages}-page A4 PDF (pdf-lib, standard Helvetica, ~50 lines of text per page; bench/out/born-digital-${r.bornDigitalPages}p.pdf) ` +
      `through the engine with ${r.jobs} workers, txt + searchable PDF.`,
  );
  L.push('');
  row('measure', 'value');
  row('---', '---');
  row(
    'wall clock (new Engine → document done)',
    `${s(bd.wallMs)} s (${fmt(ppm(bd.pagesDone, bd.wallMs), 0)} pages/min)`,
  );
  row('pages kept from the text layer / done / failed', `${bdText} / ${bd.pagesDone} / ${bd.pagesFailed}`);
  row(
    'text-layer read per page (median)',
    `${fmt(bds.openMedianMs, 1)} ms (worker total ${fmt(bds.workerTotalMedianMs, 1)} ms)`,
  );
  row(
    'dispatch gap per task (median / p90)',
    `${fmt(bds.dispatchGapMedianMs, 2)} / ${fmt(bds.dispatchGapP90Ms, 2)} ms`,
  );
  row('IPC per page (median)', `${fmt(bds.ipcMedianMs, 2)} ms`);
  row('export of the document', `${s(bds.exportMaxMs)} s`);
  row('worker utilisation', `${fmt(bds.utilisation * 100, 1)}%`);
  L.push('');
  return L;
}

export function renderQueue(r: BenchResults): string[] {
  const { L, row } = table();
  // ── Queue ──────────────────────────────────────────────────────────────────
  const q = r.queue;
  L.push('## Queue (SQLite store, no OCR)');
  L.push('');
  L.push(
    `A separate process constructs an Engine on a fresh database (not started: no workers) and queues ${q.docs.toLocaleString('en')} documents ` +
      "through `insertDocuments` in batches of 1,000 (what `ingest()` does after walking a folder). Then the scheduler's own store calls run without workers: " +
      `\`claimNext\` + \`completeProbe\`/\`completePage\` (a ~400-word result)/\`completeExport\` until ${q.pagesTimed.toLocaleString('en')} pages are done — ` +
      `first with the documents still unopened, then again after all ${q.openAll.docs.toLocaleString('en')} remaining documents were opened (${q.openAll.queuedPages.toLocaleString('en')} pages queued).`,
  );
  L.push('');
  row('measure', 'value');
  row('---', '---');
  row(
    `ingest ${q.docs.toLocaleString('en')} rows`,
    `${s(q.ingestMs)} s (${fmt(q.docs / (q.ingestMs / 1000), 0)} rows/s; batch of 1,000: median ${fmt(q.ingestBatch.median, 1)} ms, max ${fmt(q.ingestBatch.max, 1)} ms)`,
  );
  row('queue counts (status query)', `${fmt(q.countsMs, 1)} ms`);
  row('engine idle RSS', `${fmt(mb(q.idleRssBytes), 0)} MB`);
  for (const [label, ph] of [
    [`${q.docs.toLocaleString('en')} documents unopened`, q.mixed],
    [`all opened, ${q.openAll.queuedPages.toLocaleString('en')} pages queued`, q.opened],
  ] as const) {
    row(
      `claim a page — ${label}`,
      `median ${fmt(ph.claimPage.median, 3)} ms, p99 ${fmt(ph.claimPage.p99, 3)} ms`,
    );
    row(
      `complete a page — ${label}`,
      `median ${fmt(ph.completePage.median, 3)} ms, p99 ${fmt(ph.completePage.p99, 3)} ms`,
    );
    row(
      `**claim + complete** — ${label}`,
      `**median ${fmt(ph.pageTotal.median, 3)} ms, p99 ${fmt(ph.pageTotal.p99, 3)} ms** (${ph.pageTotal.n} pages)`,
    );
    if (ph.claimProbe.n > 0)
      row(
        `claim + complete a probe — ${label}`,
        `median ${fmt(ph.claimProbe.median + ph.completeProbe.median, 3)} ms (${ph.claimProbe.n})`,
      );
    if (ph.claimExport.n > 0)
      row(
        `claim + complete an export — ${label}`,
        `median ${fmt(ph.claimExport.median + ph.completeExport.median, 3)} ms (${ph.claimExport.n})`,
      );
  }
  row(
    `open all remaining documents (completeProbe × ${q.openAll.docs.toLocaleString('en')}, one transaction)`,
    `${s(q.openAll.ms)} s (${fmt(q.openAll.ms / Math.max(1, q.openAll.docs), 3)} ms each)`,
  );
  row('database size at the end', `${fmt(mb(q.dbBytes), 0)} MB`);
  L.push('');
  return L;
}
