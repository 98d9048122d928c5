/**
 * Queues dropped or picked files. In Electron a dropped file has a path on this machine, so the
 * engine reads it where it is. In a browser it has none (and the engine may run on another
 * machine): the file is uploaded to `bulk-ocr serve`, which writes it into its inbox folder and
 * queues it from there.
 */
import { UPLOAD_PATH, type ApiResult, type QueueAddResult } from '../../../shared/api.ts';
import { call, isDesktop, pathForFile } from './client.ts';
import { tokenParam } from './token.ts';

export interface AddOutcome {
  added: number;
  failed: { name: string; reason: string }[];
}

export async function addFiles(files: readonly File[]): Promise<AddOutcome> {
  if (isDesktop()) {
    const paths = files.map(pathForFile).filter(Boolean);
    const r = await call('queue.add', { paths });
    return { added: r.created, failed: r.skipped.map((s) => ({ name: s.path, reason: s.reason })) };
  }
  const outcome: AddOutcome = { added: 0, failed: [] };
  // One at a time: uploads share the link, and the engine queues each as it lands.
  for (const file of files) {
    try {
      const response = await uploadOnce(file);
      if (!response.ok && response.headers.get('content-type')?.includes('json') !== true) {
        outcome.failed.push({ name: file.name, reason: (await response.text()).trim() });
        continue;
      }
      const result = (await response.json()) as ApiResult<QueueAddResult>;
      if (result.ok) outcome.added += result.value.created;
      else outcome.failed.push({ name: file.name, reason: result.error.message });
    } catch (error) {
      outcome.failed.push({
        name: file.name,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return outcome;
}

/** Most a 429 (too many uploads) is waited out before the file is reported as not added. */
const MAX_RATE_WAITS = 3;

/** Uploads one file; when the server says "too many" (429), waits as long as it asks and tries again. */
async function uploadOnce(file: File): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${UPLOAD_PATH}?name=${encodeURIComponent(file.name)}${tokenParam('&')}`, {
      method: 'POST',
      body: file,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (response.status !== 429 || attempt >= MAX_RATE_WAITS) return response;
    const seconds = Math.min(30, Math.max(1, Number(response.headers.get('retry-after')) || 1));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}
