/**
 * Exports with a choice about existing files, for exports the user asks for after recognition:
 * leave them (`skip`), replace them (`overwrite`), or write beside them with a numbered suffix
 * (`suffix`: `letter (1).txt`, `letter (1).pdf`). The queue's own export keeps its rule (refuse
 * unless the document was queued with overwrite): `fail`; its rebuild of a done document's outputs
 * after a re-run found some missing writes those only (`skip`: a file that is there, changed by
 * someone or not, is left as it is) or, with `--overwrite`, all of them (`overwrite`).
 */
import { lstat } from 'node:fs/promises';
import type { OutputFormat } from '../../../shared/model.ts';
import type { IfExists } from '../../../shared/exports.ts';
import { InputError } from '../../common/errors.ts';
import type { WrittenFile } from '../../common/writtenFile.ts';
import { exportDocument, outputPath, type ExportJob } from './exportDocument.ts';

export type ExistingFilePolicy = IfExists | 'fail';

export interface PolicyOutcome {
  written: string[];
  /** Existing files left as they were (`skip`). */
  skipped: string[];
  bytes: number;
  files: WrittenFile[];
}

/** Highest suffix tried before giving up: a folder with 1,000 copies of one name is a mistake. */
const MAX_SUFFIX = 999;

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

export async function exportWithPolicy(job: ExportJob, policy: ExistingFilePolicy): Promise<PolicyOutcome> {
  const formats = [...new Set(job.target.formats)];
  switch (policy) {
    case 'fail':
      return { ...(await exportDocument(job)), skipped: [] };
    case 'overwrite':
      return {
        ...(await exportDocument({ ...job, target: { ...job.target, overwrite: true } })),
        skipped: [],
      };
    case 'skip': {
      const free: OutputFormat[] = [];
      const skipped: string[] = [];
      for (const f of formats) {
        const p = outputPath(job.target, f);
        if (await exists(p)) skipped.push(p);
        else free.push(f);
      }
      if (free.length === 0) return { written: [], skipped, bytes: 0, files: [] };
      const r = await exportDocument({ ...job, target: { ...job.target, formats: free, overwrite: false } });
      return { ...r, skipped };
    }
    case 'suffix': {
      // One suffix for all formats, so `letter (2).txt` and `letter (2).pdf` stay a pair.
      for (let n = 0; n <= MAX_SUFFIX; n++) {
        const target = {
          ...job.target,
          formats,
          overwrite: false,
          stem: n === 0 ? job.target.stem : `${job.target.stem} (${n})`,
        };
        const taken = await Promise.all(formats.map((f) => exists(outputPath(target, f))));
        if (taken.some(Boolean)) continue;
        try {
          return { ...(await exportDocument({ ...job, target })), skipped: [] };
        } catch (error) {
          // Someone took the name between the check and the write (the write never replaces): next one.
          if (error instanceof InputError && error.code === 'OUTPUT_EXISTS') continue;
          throw error;
        }
      }
      throw new InputError(
        'OUTPUT_EXISTS',
        `${job.target.stem} and ${MAX_SUFFIX} numbered copies of it already exist`,
      );
    }
  }
}
