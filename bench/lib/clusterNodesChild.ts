/**
 * Simulated worker nodes for the cluster benchmark, in a process of their own so that the
 * coordinator's CPU is measured alone: `node bench/lib/clusterNodesChild.ts --redis URL --nodes N
 * --jobs 2 --recorded FILE --cache DIR --version V [--scale S]`. Each node is a real WorkerNode
 * (bench/lib/clusterSim.ts replaces only its OCR processes). Tells the parent `{ ready }` once
 * every node is connected; answers `cpu` with its CPU time so far; on `stop` hands its pages back,
 * reports its CPU time and pages and exits.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkerNode } from '../../src/main/cluster/node.ts';
import { loadRecorded, recordedSpawner } from './clusterSim.ts';

const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    nodes: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    recorded: { type: 'string' },
    cache: { type: 'string' },
    version: { type: 'string' },
    scale: { type: 'string', default: '1' },
  },
});
const count = Number(values.nodes);
const spawn = recordedSpawner(loadRecorded(values.recorded!), Number(values.scale));
const nodes: WorkerNode[] = [];
for (let i = 0; i < count; i++)
  nodes.push(
    new WorkerNode({
      redisUrl: values.redis!,
      jobs: Number(values.jobs),
      name: `sim-${String(i + 1).padStart(2, '0')}`,
      cacheDir: path.join(values.cache!, String(i)),
      cacheBytes: 512 * 2 ** 20,
      pathMap: [],
      spawn,
      version: values.version!,
    }),
  );
const cpu0 = process.cpuUsage();
await Promise.all(nodes.map((n) => n.start()));
process.send!({ ready: true });
process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    const cpu = process.cpuUsage(cpu0);
    process.send!({ cpuMs: (cpu.user + cpu.system) / 1000 });
    return;
  }
  if (m !== 'stop') return;
  void Promise.all(nodes.map((n) => n.stop('hand-back'))).then(() => {
    const cpu = process.cpuUsage(cpu0);
    const pages = nodes.reduce((s, n) => s + n.stats.pagesDone, 0);
    process.send!({ cpuMs: (cpu.user + cpu.system) / 1000, pages }, () => process.exit(0));
  });
});
