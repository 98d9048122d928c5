/**
 * The lint zones that hold the layering (scripts/layering.js, eslint.config.js) refuse what they
 * are there to refuse: for every zone, an import across it in a file of its target is an error,
 * and the imports the layering allows are not. Run through ESLint's own API on the real config.
 */
import { relative, dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { layeringZones } from '../../scripts/layering.js';

const root = join(import.meta.dirname, '../..');
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The messages ESLint gives `code` as if it were the file `file` (a real file of the tree). */
async function lint(file: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

/** `import` of `target` written from `file`, as the code base writes them (relative, with `.ts`). */
function importOf(file: string, target: string): string {
  let spec = relative(dirname(join(root, file)), join(root, target));
  if (!spec.startsWith('.')) spec = `./${spec}`;
  return `import * as m from '${spec}';\nexport const used = m;\n`;
}

/** A file in each target of the zones, and a module in each `from` it must not import. */
const crossings: { zone: number; file: string; imports: string }[] = [
  { zone: 0, file: 'src/shared/model.ts', imports: 'src/main/engine/engine.ts' },
  { zone: 0, file: 'src/shared/api.ts', imports: 'src/renderer/src/api/client.ts' },
  { zone: 1, file: 'src/renderer/src/App.tsx', imports: 'src/main/engine/engine.ts' },
  { zone: 1, file: 'src/renderer/src/App.tsx', imports: 'src/main/api/router.ts' },
  { zone: 2, file: 'src/main/common/paths.ts', imports: 'src/main/engine/ingest.ts' },
  { zone: 3, file: 'src/main/worker/runtime.ts', imports: 'src/main/engine/store/tasks.ts' },
  { zone: 3, file: 'src/main/worker/export/exportDocument.ts', imports: 'src/main/engine/ingest.ts' },
  { zone: 4, file: 'src/main/engine/engine.ts', imports: 'src/main/api/router.ts' },
  { zone: 5, file: 'src/main/api/router.ts', imports: 'src/main/engine/store/documents.ts' },
  { zone: 5, file: 'src/main/cli/status.ts', imports: 'src/main/engine/store/db.ts' },
  { zone: 5, file: 'src/main/electron/api.ts', imports: 'src/main/engine/store/review.ts' },
  { zone: 6, file: 'src/main/api/handlers/app.ts', imports: 'src/main/worker/languages.ts' },
  { zone: 6, file: 'src/main/cli/options.ts', imports: 'src/main/worker/recognize.ts' },
];

describe('the layering zones', () => {
  it('every zone is exercised below', () => {
    expect(new Set(crossings.map((c) => c.zone)).size).toBe(layeringZones.length);
  });

  for (const c of crossings)
    it(`${c.file} may not import ${c.imports}`, async () => {
      const messages = await lint(c.file, importOf(c.file, c.imports));
      const refusal = messages.find((m) => m.ruleId === 'import-x/no-restricted-paths');
      expect(refusal?.message).toContain(layeringZones[c.zone].message);
    });

  it('allows the arrows the layering has', async () => {
    const allowed = [
      ['src/main/api/router.ts', 'src/main/engine/engine.ts'],
      ['src/main/cli/status.ts', 'src/main/engine/queries.ts'],
      ['src/main/electron/utilityPort.ts', 'src/main/worker/protocol.ts'],
      ['src/main/engine/scheduler.ts', 'src/main/engine/store/tasks.ts'],
      ['src/main/worker/runtime.ts', 'src/main/common/errors.ts'],
      ['src/renderer/src/App.tsx', 'src/shared/api.ts'],
    ];
    for (const [file, target] of allowed) {
      const messages = await lint(file, importOf(file, target));
      expect(
        messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths'),
        `${file} → ${target}`,
      ).toEqual([]);
    }
  });

  it('keeps Node and Electron out of the window, and Electron out of the API', async () => {
    for (const [file, code] of [
      [
        'src/renderer/src/App.tsx',
        `import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n`,
      ],
      ['src/renderer/src/App.tsx', `import { app } from 'electron';\nexport const a = app;\n`],
      ['src/main/api/router.ts', `import { app } from 'electron';\nexport const a = app;\n`],
    ]) {
      const messages = await lint(file, code);
      expect(
        messages.some((m) => m.ruleId === 'no-restricted-imports'),
        `${file}: ${code}`,
      ).toBe(true);
    }
  });
});
