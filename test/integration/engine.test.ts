import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.ts';
import { CORPUS, runEngine, tempDir } from '../helpers/engineRun.ts';

let engine: Engine | null = null;
const dirs: string[] = [];

afterEach(async () => {
  await engine?.stop();
  engine = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('engine with real workers', () => {
  it('recognises identical content once and writes the outputs of both copies', async () => {
    const input = tempDir('dup-in');
    const out = tempDir('dup-out');
    dirs.push(input, out);
    copyFileSync(join(CORPUS, 'real/phototest.tif'), join(input, 'scan.tif'));
    copyFileSync(join(CORPUS, 'real/phototest.tif'), join(input, 'scan (copy).tif'));
    const run = await runEngine([input], out, { jobs: 1 });
    engine = run.engine;
    expect(run.rows.map((r) => r.state)).toEqual(['done', 'done']);
    const recognised = engine.db.prepare(`SELECT count(*) AS n FROM pages WHERE source = 'ocr'`).get() as {
      n: number;
    };
    expect(recognised.n).toBe(1);
    expect(run.rows.filter((r) => r.duplicateOf !== null)).toHaveLength(1);
    const a = readFileSync(join(out, 'scan.txt'), 'utf8');
    expect(a).toMatch(/quick brown dog/);
    expect(readFileSync(join(out, 'scan (copy).txt'), 'utf8')).toBe(a);
  });

  it('keeps born-digital pages as they are in auto mode and OCRs them in force mode', async () => {
    const out = tempDir('mode-out');
    dirs.push(out);
    const file = join(CORPUS, 'synthetic/s11-mixed-3p.pdf');
    const auto = await runEngine([file], join(out, 'auto'));
    const sources = () =>
      (auto.engine.db.prepare('SELECT source FROM pages ORDER BY page_no').all() as { source: string }[]).map(
        (p) => p.source,
      );
    expect(sources()).toEqual(['text-layer', 'ocr', 'text-layer']);
    await auto.engine.stop();
    const forced = await runEngine(
      [file],
      join(out, 'force'),
      {},
      { options: { languages: ['eng'], dpi: 300, mode: 'force' } },
    );
    engine = forced.engine;
    const forcedSources = (
      engine.db.prepare('SELECT source FROM pages ORDER BY page_no').all() as { source: string }[]
    ).map((p) => p.source);
    expect(forcedSources).toEqual(['ocr', 'ocr', 'ocr']);
  });
});
