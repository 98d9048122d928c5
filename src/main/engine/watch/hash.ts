import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * sha256 of a file, streamed in 1 MiB chunks: each chunk is hashed in well under a millisecond,
 * so the engine's event loop stays responsive even for a large scan (the worker pool is kept for
 * OCR; the probe hashes again there, from the bytes it actually reads).
 */
export function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolvePromise(hash.digest('hex')));
  });
}
