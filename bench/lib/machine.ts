/** Where the numbers came from: CPU, cores, memory, software versions, load. */
import os from 'node:os';
import { exec } from './util.ts';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  totalMemGiB: number;
  node: string;
  tesseract: string;
  ocrmypdf: string;
  pdftoppm: string;
  kernel: string;
  gitCommit: string;
  date: string;
  loadAvgStart: number[];
  loadAvgEnd: number[] | null;
}

async function firstLine(cmd: string, args: string[], from: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  try {
    const r = await exec(cmd, args);
    return (r[from] || r.stdout || r.stderr).trim().split('\n')[0] ?? 'n/a';
  } catch {
    return 'not installed';
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const loadAvgStart = os.loadavg();
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const lscpu = (await exec('lscpu', [])).stdout;
    cpuModel = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1]?.trim() ?? cpuModel;
  } catch {
    // keep os.cpus()'s model
  }
  return {
    cpuModel,
    cpus: os.availableParallelism(),
    totalMemGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    tesseract: await firstLine('tesseract', ['--version']),
    ocrmypdf: `ocrmypdf ${await firstLine('ocrmypdf', ['--version'])}`,
    pdftoppm: await firstLine('pdftoppm', ['-v'], 'stderr'),
    kernel: `${os.type()} ${os.release()}`,
    gitCommit: await firstLine('git', ['rev-parse', '--short', 'HEAD']),
    date: new Date().toISOString(),
    loadAvgStart,
    loadAvgEnd: null,
  };
}
