/**
 * Does a file that stopped growing open cleanly? A scanner or a copy over a slow share can pause
 * longer than the settling interval mid-file; a file whose end marker is missing is waited for.
 * Only the first and last few kilobytes are read: this runs in the engine's process for every
 * arriving file.
 */
import { open } from 'node:fs/promises';
import { sniff } from '../../worker/sniff.ts';
import { sniffImage } from '../../worker/imageInfo.ts';
import { netpbmHeader } from '../../worker/netpbm.ts';

export type Completeness =
  /** Its format's end is there (PDF `%%EOF`, PNG `IEND`, JPEG `FFD9`…), or its header parses. */
  | 'complete'
  /** Empty, too short to tell, or a known format whose end is missing: probably still being written. */
  | 'incomplete'
  /** Not a format we know: it will not become one by waiting; the engine reports what it is. */
  | 'foreign';

const HEAD = 64 * 1024;
const TAIL = 4 * 1024;

export async function checkComplete(path: string): Promise<Completeness> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 16) return 'incomplete';
    const head = new Uint8Array(Math.min(size, HEAD));
    await handle.read(head, 0, head.length, 0);
    const tail = new Uint8Array(Math.min(size, TAIL));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const kind = sniff(head.subarray(0, 1024));
    if (kind.kind === 'unknown') return 'foreign';
    if (kind.kind === 'pdf') return includes(tail, '%%EOF') ? 'complete' : 'incomplete';
    switch (kind.format) {
      case 'png':
        return includes(tail.subarray(Math.max(0, tail.length - 64)), 'IEND') ? 'complete' : 'incomplete';
      case 'jpeg':
        return endsWithJpegEoi(tail) ? 'complete' : 'incomplete';
      case 'gif':
        return tail[tail.length - 1] === 0x3b ? 'complete' : 'incomplete';
      case 'webp': {
        // RIFF size + 8 = file size.
        const riff = head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24);
        return riff + 8 <= size ? 'complete' : 'incomplete';
      }
      case 'bmp': {
        const declared = head[2] | (head[3] << 8) | (head[4] << 16) | (head[5] * 2 ** 24);
        return declared === 0 || declared <= size ? 'complete' : 'incomplete';
      }
      case 'pbm':
      case 'pgm':
      case 'ppm': {
        // Raw forms have a known size: header + rows; plain (ASCII) ones are complete once their header is.
        const header = netpbmHeader(head);
        if (!header) return 'incomplete';
        if (header.kind <= 3) return 'complete';
        const sample = header.maxval > 255 ? 2 : 1;
        const row =
          header.kind === 4
            ? Math.ceil(header.width / 8)
            : header.width * sample * (header.kind === 6 ? 3 : 1);
        return header.dataOffset + row * header.height <= size ? 'complete' : 'incomplete';
      }
      case 'tiff': {
        // Directories may sit anywhere; the header parser follows them and fails past the end.
        if (size > 256 * 1024 * 1024) return 'complete';
        const all = new Uint8Array(size);
        await handle.read(all, 0, size, 0);
        return sniffImage(all) ? 'complete' : 'incomplete';
      }
    }
  } finally {
    await handle.close();
  }
}

function includes(bytes: Uint8Array, text: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(text, 0, 'latin1');
}

/** JPEG ends with FFD9; some writers pad a few bytes after it. */
function endsWithJpegEoi(tail: Uint8Array): boolean {
  for (let i = tail.length - 2; i >= Math.max(0, tail.length - 32); i--)
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}
