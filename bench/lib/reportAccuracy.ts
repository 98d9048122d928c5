/** The memory and accuracy sections of bench/RESULTS.md (ours and native tesseract on the same pages). */
import path from 'node:path';
import type { BenchResults } from './report.ts';
import { fmt, mb, median } from './util.ts';

const pct = (x: number | undefined): string =>
  x === undefined || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`;

/** A markdown table row collector. */
function table(): { L: string[]; row: (...cells: (string | number)[]) => void } {
  const L: string[] = [];
  return { L, row: (...cells) => L.push(`| ${cells.join(' | ')} |`) };
}

export function renderMemory(r: BenchResults): string[] {
  const { L, row } = table();
  // ── Memory ─────────────────────────────────────────────────────────────────
  L.push('## Memory');
  L.push('');
  row('process', 'peak RSS', 'source');
  row('---', '---', '---');
  r.ours.peakWorkerRssBytes.forEach((b, i) =>
    row(`OCR worker ${i + 1} (throughput run)`, `${fmt(mb(b), 0)} MB`, 'engine.workers.peakRssBytes'),
  );
  r.bornDigital.peakWorkerRssBytes.forEach((b, i) =>
    row(`OCR worker ${i + 1} (born-digital run)`, `${fmt(mb(b), 0)} MB`, 'engine.workers.peakRssBytes'),
  );
  row(
    'engine process during the throughput run',
    `${fmt(mb(r.ours.peakEngineRssBytes), 0)} MB`,
    'sampled every 250 ms (the bench shares this process)',
  );
  row(
    `engine idle after ingesting ${r.queue.docs.toLocaleString('en')} documents`,
    `${fmt(mb(r.queue.idleRssBytes), 0)} MB (JS heap ${fmt(mb(r.queue.idleHeapUsedBytes), 0)} MB)`,
    `own process, after GC, no workers started; bare Node + imports before the engine: ${fmt(mb(r.queue.rssBeforeEngineBytes), 0)} MB`,
  );
  L.push('');
  return L;
}

export function renderAccuracy(r: BenchResults): string[] {
  const { L, row } = table();
  // ── Accuracy ───────────────────────────────────────────────────────────────
  L.push('## Accuracy (character error rate, `cer.py --batch --json`)');
  L.push('');
  L.push(
    "Ours: the `.txt` export of the engine (`auto` mode: s11's born-digital pages keep their text layer). " +
      'Native: the same model file, PSM 3, pages as fed above (PDF pages as 8-bit grey from pdftoppm). ' +
      "ocrmypdf: `pdftotext -raw` of its output PDF (Debian's model), page set only.",
  );
  L.push('');
  const nat = new Map((r.nativeCer?.files ?? []).map((f) => [f.file, f]));
  const omp = new Map((r.ocrmypdfCer?.files ?? []).map((f) => [f.file, f]));
  row(
    'file',
    'pages',
    'ours CER',
    'native CER',
    'ocrmypdf CER',
    'ours rasterise s/page',
    'ours recognise s/page',
    'native s/page',
  );
  row('---', '---', '---', '---', '---', '---', '---', '---');
  const byFile = new Map<string, { rast: number[]; rec: number[] }>();
  for (const p of [...r.ours.pages, ...(r.oursS11?.pages ?? [])]) {
    if (p.timings?.recognize === undefined) continue;
    const name = path.basename(p.path, path.extname(p.path));
    const e = byFile.get(name) ?? { rast: [], rec: [] };
    e.rast.push(p.timings.rasterize ?? 0);
    e.rec.push(p.timings.recognize);
    byFile.set(name, e);
  }
  const nativeMs = new Map<string, number[]>();
  if (r.native)
    r.native.pageFiles.forEach((name, i) =>
      nativeMs.set(name, [...(nativeMs.get(name) ?? []), r.native!.perPageMs[i]]),
    );
  for (const f of r.oursCer.files) {
    const pagesOf = r.accuracyFiles.find((x) => x.name === f.file)?.pages ?? '?';
    const e = byFile.get(f.file);
    const n = nativeMs.get(f.file);
    row(
      f.file,
      pagesOf,
      pct(f.cer),
      pct(nat.get(f.file)?.cer),
      pct(omp.get(f.file)?.cer),
      e ? fmt(median(e.rast) / 1000, 2) : 'n/a',
      e ? fmt(median(e.rec) / 1000, 2) : 'n/a',
      n ? fmt(median(n) / 1000, 2) : 'n/a',
    );
  }
  row(
    '**total**',
    '',
    `**${pct(r.oursCer.total.cer)}**`,
    `**${pct(r.nativeCer?.total.cer)}**`,
    `${pct(r.ocrmypdfCer?.total.cer)}${r.ocrmypdfCer ? ' (page set only)' : ''}`,
    '',
    '',
    '',
  );
  L.push('');
  L.push(
    "The three s/page columns are medians per file: ours from `pages.timings` (s11: text-layer pages are not recognised), native from the wall time of each page's `tesseract` process (throughput page set only).",
  );
  L.push('');
  return L;
}
