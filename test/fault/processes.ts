import { readdirSync, readFileSync } from 'node:fs';

/**
 * What the fault harnesses need to know about processes, read from Linux's /proc: who belongs to
 * a process group, who are whose children, how much memory they hold. No `ps` parsing.
 */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One letter: R running, S sleeping, T stopped, Z zombie… */
  state: string;
  rssBytes: number;
  cmdline: string;
}

/** The process, or null once it is gone. */
export function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after its last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return {
      pid,
      state: rest[0],
      ppid: Number(rest[1]),
      pgid: Number(rest[2]),
      rssBytes: Number(statm[1]) * 4096,
      cmdline,
    };
  } catch {
    return null;
  }
}

export function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = procInfo(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** Live (not zombie) processes of a process group. */
export function groupMembers(pgid: number): ProcInfo[] {
  return allProcesses().filter((p) => p.pgid === pgid && p.state !== 'Z');
}

/** Live descendants of `pid` (children, their children…). */
export function descendants(pid: number): ProcInfo[] {
  const all = allProcesses().filter((p) => p.state !== 'Z');
  const found: ProcInfo[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const kids = all.filter((p) => frontier.includes(p.ppid));
    found.push(...kids);
    frontier = kids.map((k) => k.pid);
  }
  return found;
}

/** OCR worker processes among `procs` (the forked worker entry, or a test wrapper around it). */
export function isWorker(p: ProcInfo): boolean {
  return /worker\/entry\.ts|faultyWorker\.entry\.ts/.test(p.cmdline) && !isHelper(p);
}

/** The engine's light helper (`--light`: opens files, draws pages; no OCR). */
export function isHelper(p: ProcInfo): boolean {
  return /(worker\/entry|faultyWorker\.entry)\.ts --light/.test(p.cmdline);
}

/** Waits until `check` returns an empty list, or the time is up; returns what is left. */
export async function waitUntilGone(check: () => ProcInfo[], timeoutMs = 10_000): Promise<ProcInfo[]> {
  const until = Date.now() + timeoutMs;
  let left = check();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = check();
  }
  return left;
}

/** SIGKILLs a whole process group (the engine and its workers: they share the group). */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
