import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/**
 * File systems whose changes made elsewhere (another machine, the FUSE daemon's backing store)
 * produce no local file events: a folder on one of them is polled.
 */
const NO_EVENTS =
  /^(nfs4?|cifs|smb3?|smbfs|ncpfs|afs|9p|virtiofs|vboxsf|vmhgfs|ceph|glusterfs|lustre|gpfs|beegfs|davfs|fuse(\..*)?|fuseblk)$/;

/**
 * The file system type of the mount holding `path`, from a mount table in /proc/mounts format
 * (Linux); null where there is none (macOS, Windows: their own events cover network volumes
 * poorly too, but they have no such table, so only the absent-events check applies there).
 */
export function fileSystemOf(path: string, mountTable?: string): string | null {
  let table = mountTable;
  if (table === undefined) {
    try {
      table = readFileSync('/proc/mounts', 'utf8');
    } catch {
      return null;
    }
  }
  const target = resolve(path);
  let best: { point: string; type: string } | null = null;
  for (const line of table.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 3) continue;
    // Mount points escape spaces and the like as octal (\040).
    const point = fields[1].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = point === '/' || target === point || target.startsWith(point + sep);
    if (inside && (!best || point.length >= best.point.length)) best = { point, type: fields[2] };
  }
  return best?.type ?? null;
}

/** Why a folder should be polled, or null when file events can be trusted there. */
export function pollingReason(path: string, mountTable?: string): string | null {
  const type = fileSystemOf(path, mountTable);
  if (type && NO_EVENTS.test(type))
    return `on a ${type} file system (network or FUSE): file events do not arrive`;
  return null;
}
