import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tokenMatches } from '../server/token.ts';
import { RateLimiter } from '../server/rateLimit.ts';

/**
 * The coordinator's file endpoint: nodes fetch a document's bytes by its sha256 with the cluster
 * token, `GET /v1/files/<sha256>` with `Authorization: Bearer <token>`. It serves only documents
 * that have pages in the queue (`lookup` says which), streams them from disk, and writes nothing:
 * there is no other route, and no method but GET and HEAD.
 */
export interface FileServerOptions {
  token: string;
  /** The file holding these bytes while its document has pages waiting or running; null otherwise. */
  lookup: (sha256: string) => { path: string; size: number } | null;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Requests with a wrong token, per client address and minute, before it is answered 429. */
  badTokenLimit?: number;
}

export interface FileServer {
  readonly port: number;
  /** Plain HTTP, or HTTPS when a certificate was given. */
  readonly scheme: 'http' | 'https';
  close(): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export async function startFileServer(opts: FileServerOptions): Promise<FileServer> {
  const refusals = new RateLimiter({ limit: opts.badTokenLimit ?? 30, windowMs: 60_000 });
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res, opts, refusals).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  };
  const server: Server = opts.tls ? createHttpsServer(opts.tls, handler) : createHttpServer(handler);
  // A node on a slow link may take minutes for a large scan; only idle sockets are dropped.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    scheme: opts.tls ? 'https' : 'http',
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  opts: FileServerOptions,
  refusals: RateLimiter,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'only GET and HEAD: nodes read documents, they never write here');
    return;
  }
  const client = req.socket.remoteAddress ?? '?';
  const auth = req.headers.authorization ?? '';
  const given = auth.startsWith('Bearer ') ? auth.slice(7) : null;
  if (!tokenMatches(given, opts.token)) {
    const decision = refusals.take(client);
    if (!decision.ok) {
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      send(res, 429, 'too many requests with a wrong token');
      return;
    }
    send(res, 401, 'the cluster token is missing or wrong');
    return;
  }
  const match = /^\/v1\/files\/([^/?]+)$/.exec(req.url ?? '');
  if (!match) {
    send(res, 404, 'no such route');
    return;
  }
  const sha = match[1].toLowerCase();
  if (!SHA256.test(sha)) {
    send(res, 400, 'a document is named by its sha256: 64 hexadecimal digits');
    return;
  }
  const found = opts.lookup(sha);
  if (!found) {
    send(res, 404, 'no document with this sha256 is in the queue');
    return;
  }
  let size: number;
  try {
    size = (await stat(found.path)).size;
  } catch {
    send(res, 410, 'the document is no longer on the coordinator (moved or deleted)');
    return;
  }
  if (size !== found.size) {
    send(res, 409, 'the document changed on the coordinator since it was queued');
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(size),
    'X-Content-SHA256': sha,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(found.path);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

function send(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${message}\n`);
}
