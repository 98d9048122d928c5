import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../src/main/engine/store/db.ts';
import { readSettings, writeSettings } from '../../src/main/engine/settings.ts';
import { mustAskWhereOutputsGo } from '../../src/renderer/src/state/outputsQuestion.ts';
import { tempDir } from '../helpers/engineRun.ts';

/**
 * The window's first-run question "Where should the outputs go?": asked while outputs would go
 * next to the originals and nobody chose that; answered for good by any choice of destination.
 */
let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('outq');
  db = openDatabase(join(dir, 'queue.db'));
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('the first-run output question', () => {
  it('is asked on a fresh queue, whose outputs would go next to the originals', () => {
    const fresh = readSettings(db);
    expect(fresh.outDir).toBeNull();
    expect(mustAskWhereOutputsGo(fresh)).toBe(true);
  });

  it('is not asked again once "next to each file" is chosen, nor after a folder is chosen', () => {
    expect(mustAskWhereOutputsGo(writeSettings(db, { outDir: null, outputPlaceChosen: true }))).toBe(false);
    expect(mustAskWhereOutputsGo(readSettings(db)), 'remembered').toBe(false);
  });

  it('counts a destination chosen in Settings as the answer, even when it goes back to next to each file', () => {
    writeSettings(db, { outDir: '/srv/ocr' });
    expect(mustAskWhereOutputsGo(readSettings(db))).toBe(false);
    writeSettings(db, { outDir: null });
    expect(readSettings(db)).toMatchObject({ outDir: null, outputPlaceChosen: true });
    expect(mustAskWhereOutputsGo(readSettings(db))).toBe(false);
  });

  it('is not asked before the settings are known, nor for other changes of settings', () => {
    expect(mustAskWhereOutputsGo(null)).toBe(false);
    expect(mustAskWhereOutputsGo(writeSettings(db, { dpi: 200 }))).toBe(true);
  });
});
