import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './redisServer.ts';

/**
 * A TCP proxy on 127.0.0.1 that a test controls: a node's connections to Redis (and to the
 * coordinator's file endpoint) go through it, and `cut()` drops them all and refuses new ones,
 * as a pulled network cable would; `restore()` lets connections through again.
 */
export interface TcpProxy {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` (with the password, when given) for a node to use. */
  url(password?: string): string;
  /**
   * `reset`: both ends of every connection are closed and new ones refused (the node sees its link
   * go at once). `silent`: connections stay open but nothing passes either way, as with a cable
   * pulled between two switches (the node notices only by time-outs).
   */
  cut(how?: 'reset' | 'silent'): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const port = await freePort();
  const open = new Set<Socket>();
  let state: 'open' | 'reset' | 'silent' = 'open';
  const server: Server = createServer((client) => {
    if (state === 'reset') {
      client.destroy();
      return;
    }
    open.add(client);
    client.on('error', () => undefined).on('close', () => open.delete(client));
    if (state === 'silent') {
      client.resume(); // read and drop
      return;
    }
    const upstream = connect(targetPort, targetHost);
    open.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    // Forwarded by hand (not pipe) so that a silent cut can swallow bytes on a live connection.
    client.on('data', (chunk: Buffer) => {
      if (state === 'open') upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (state === 'open') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    url: (password) => `redis://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}`,
    cut(how = 'silent') {
      state = how;
      if (how === 'reset') {
        for (const s of open) s.destroy();
        open.clear();
      }
    },
    restore() {
      // Connections that lived through a silent cut have lost bytes: a protocol cannot resume on
      // them, so they are closed and the clients reconnect, as they would after a real outage.
      if (state === 'silent') {
        for (const s of open) s.destroy();
        open.clear();
      }
      state = 'open';
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        open.clear();
        server.close(() => resolve());
      }),
  };
}
