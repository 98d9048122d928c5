/**
 * The browser-served front end: the built renderer over HTTP and the API over a WebSocket at
 * `/api`, for `bulk-ocr serve`. Plain Node; every call goes through the same router as Electron.
 *
 * Who may talk to it: whoever holds the access token (printed at start, like Jupyter's), from a
 * page of this server's own origin. The token arrives as `?token=` (first page load, WebSocket URL)
 * or as the cookie the first authorised page load sets (the page's scripts and styles); it is
 * compared in constant time. The Host header must name this server, which defeats DNS rebinding;
 * an Origin, when sent (browsers always send one on a WebSocket), must be this server's.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  PAGE_IMAGE_PATH,
  UPLOAD_PATH,
  WS_PATH,
  type ApiResult,
  type WsServerFrame,
} from '../../shared/api.ts';
import type { Router } from '../api/router.ts';
import { isInside } from '../common/paths.ts';
import { RateLimiter, type RateLimit } from './rateLimit.ts';
import { tokenMatches } from './token.ts';

export interface ServeOptions {
  router: Router;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** Where uploaded files are written before they are queued. */
  inboxDir: string;
  /** Largest upload accepted, in bytes. */
  maxUploadBytes?: number;
  /** Request budgets; the defaults suit one person's browser. */
  limits?: Partial<ServeLimits>;
}

/** How much one client may ask of the server before it gets 429 (HTTP) or RATE_LIMITED (WebSocket). */
export interface ServeLimits {
  /** HTTP requests (pages, assets, uploads, WebSocket handshakes) per client address. */
  requests: RateLimit;
  /** Uploads per client address. */
  uploads: RateLimit;
  /** Uploads running at once per client address (the page sends one at a time). */
  uploadsInFlight: number;
  /** Requests with a wrong token per client address; past it, the address is refused for the rest of the window. */
  badTokens: RateLimit;
  /** API calls per WebSocket. */
  wsCalls: RateLimit;
}

export const DEFAULT_SERVE_LIMITS: ServeLimits = {
  requests: { limit: 1_200, windowMs: 60_000 },
  uploads: { limit: 600, windowMs: 60_000 },
  uploadsInFlight: 4,
  badTokens: { limit: 20, windowMs: 60_000 },
  wsCalls: { limit: 500, windowMs: 10_000 },
};

export interface RunningServer {
  port: number;
  /** The URL to open, token included. */
  url: string;
  close(): Promise<void>;
}

/** WebSocket close code for a missing or wrong token (4000–4999 are the application's). */
export const WS_CLOSE_FORBIDDEN = 4403;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const rendererDir = resolve(opts.rendererDir);
  const maxUpload = opts.maxUploadBytes ?? 1024 ** 3;
  const limits: ServeLimits = { ...DEFAULT_SERVE_LIMITS, ...opts.limits };
  const requestLimiter = new RateLimiter(limits.requests);
  const uploadLimiter = new RateLimiter(limits.uploads);
  const badTokenLimiter = new RateLimiter(limits.badTokens);
  const uploadsInFlight = new Map<string, number>();
  const clientOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 ** 2 });
  const sockets = new Set<WebSocket>();
  let port = 0;
  const cookieName = (): string => `bulk-ocr-token-${port}`;

  /** Host names this server answers to; anything else is a rebinding attempt or a mistake. */
  const hostOk = (req: IncomingMessage): boolean => {
    const h = req.headers.host ?? '';
    const names = new Set([opts.host, '127.0.0.1', 'localhost', '[::1]']);
    if ([...names].some((n) => h === `${n}:${port}`)) return true;
    // Bound to every interface: any IP address of this machine will do. A rebinding attack needs
    // a DNS name, so names other than localhost stay refused.
    if (opts.host !== '0.0.0.0' && opts.host !== '::') return false;
    const m = /^(?:\[([0-9a-f:.]+)\]|([0-9.]+)):(\d+)$/i.exec(h);
    return m !== null && Number(m[3]) === port && isIP(m[1] ?? m[2] ?? '') !== 0;
  };
  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://${req.headers.host ?? ''}`;
  };
  const tokenOf = (req: IncomingMessage): { token: string | null; fromQuery: boolean } => {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams.get('token');
    if (q) return { token: q, fromQuery: true };
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === cookieName());
    return { token: cookie ? decodeURIComponent(cookie[1] ?? '') : null, fromQuery: false };
  };
  const authorised = (req: IncomingMessage): boolean => tokenMatches(tokenOf(req).token, opts.token);

  const refuse = (res: ServerResponse, status: number, message: string, retryAfter?: number): void => {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    };
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    res.writeHead(status, headers);
    res.end(`${message}\n`);
  };
  const tooMany = (res: ServerResponse, what: string, retryAfter: number): void =>
    refuse(res, 429, `Too many ${what} from this address; try again in ${retryAfter} s.`, retryAfter);

  /**
   * The checks every request and WebSocket handshake passes, in order: a known Host, the request
   * budget, not blocked for guessing tokens, the right token. Returns the refusal, or null.
   */
  const gate = (req: IncomingMessage): { status: number; message: string; retryAfter?: number } | null => {
    if (!hostOk(req)) return { status: 403, message: 'Unknown host.' };
    const client = clientOf(req);
    const budget = requestLimiter.take(client);
    if (!budget.ok)
      return {
        status: 429,
        message: `Too many requests from this address; try again in ${budget.retryAfterSeconds} s.`,
        retryAfter: budget.retryAfterSeconds,
      };
    const blocked = badTokenLimiter.check(client);
    if (!blocked.ok)
      return {
        status: 429,
        message: `Too many requests with a wrong access token from this address; try again in ${blocked.retryAfterSeconds} s.`,
        retryAfter: blocked.retryAfterSeconds,
      };
    if (!authorised(req)) {
      badTokenLimiter.take(client);
      return {
        status: 403,
        message:
          'Bulk OCR: this page needs its access token. Open the URL that `bulk-ocr serve` printed (…/?token=…).',
      };
    }
    return null;
  };

  const serveStatic = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(rendererDir, `.${pathname === '/' ? '/index.html' : pathname}`);
    if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return refuse(res, 404, 'Not found.');
    // A symbolic link inside the renderer folder must not serve files from elsewhere.
    if (!(await isInside(rendererDir, file).catch(() => false))) return refuse(res, 404, 'Not found.');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return refuse(res, 404, 'Not found.');
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
    };
    // The page's own assets carry no token in their URLs: a cookie scoped to this port's name does.
    if (tokenOf(req).fromQuery)
      headers['set-cookie'] =
        `${cookieName()}=${encodeURIComponent(opts.token)}; Path=/; HttpOnly; SameSite=Strict`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    await pipeline(createReadStream(file), res);
  };

  /** POST /upload?name=…: streamed to the inbox, size-limited, then queued. */
  const upload = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const name = basename(new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '').replace(
      /[^\w.\- ]/g,
      '_',
    );
    if (!name || name.startsWith('.')) return refuse(res, 400, 'The upload needs ?name=<file name>.');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxUpload) return refuse(res, 413, `The file is larger than ${maxUpload} bytes.`);
    await mkdir(opts.inboxDir, { recursive: true });
    const target = join(opts.inboxDir, `${Date.now().toString(36)}-${name}`);
    if (!(await isInside(opts.inboxDir, target)))
      return refuse(res, 400, 'The upload name leads outside the inbox folder.');
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > maxUpload) done(new Error('TOO_LARGE'));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, limit, createWriteStream(target, { flags: 'wx' }));
    } catch (error) {
      await rm(target, { force: true });
      const tooLarge = (error as Error).message === 'TOO_LARGE';
      return refuse(res, tooLarge ? 413 : 400, tooLarge ? 'The file is too large.' : 'The upload failed.');
    }
    const result = await opts.router.call('queue.add', [{ paths: [target] }]);
    res.writeHead(result.ok ? 200 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  };

  /** An upload within the client's budget and concurrency; the count is released when it ends. */
  const limitedUpload = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const client = clientOf(req);
    const budget = uploadLimiter.take(client);
    if (!budget.ok) return tooMany(res, 'uploads', budget.retryAfterSeconds);
    const running = uploadsInFlight.get(client) ?? 0;
    if (running >= limits.uploadsInFlight) return tooMany(res, 'uploads at once', 1);
    uploadsInFlight.set(client, running + 1);
    try {
      await upload(req, res);
    } finally {
      const left = (uploadsInFlight.get(client) ?? 1) - 1;
      if (left > 0) uploadsInFlight.set(client, left);
      else uploadsInFlight.delete(client);
    }
  };

  /**
   * GET /page-image?doc=…&page=…[&picture=prepared]: a page's picture, rendered by a worker, or the
   * page as prepared for Tesseract (see `review.pageImage`).
   */
  const pageImage = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const result = await opts.router.pageImage(
      Number(q.get('doc')),
      Number(q.get('page')),
      q.get('picture') ?? undefined,
    );
    if (!result.ok) {
      const status =
        result.error.code === 'NOT_FOUND' ? 404 : result.error.code === 'BAD_REQUEST' ? 400 : 503;
      return refuse(res, status, result.error.message);
    }
    res.writeHead(200, {
      'content-type': result.value.mime,
      'content-length': String(result.value.image.byteLength),
      'cache-control': 'private, no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(result.value.image);
  };

  const server: Server = createServer((req, res) => {
    // Browsers ask for it on their own, without the token: answering it is no leak and no guess.
    if (req.url === '/favicon.ico' && hostOk(req)) return void res.writeHead(204).end();
    const refusal = gate(req);
    if (refusal) {
      // The body of a refused upload is not read: close the connection rather than drain it.
      if (req.method === 'POST') res.setHeader('connection', 'close');
      return refuse(res, refusal.status, refusal.message, refusal.retryAfter);
    }
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const work =
      req.method === 'POST' && pathname === UPLOAD_PATH
        ? originOk(req)
          ? limitedUpload(req, res)
          : Promise.resolve(refuse(res, 403, 'Cross-origin upload refused.'))
        : req.method === 'GET' && pathname === PAGE_IMAGE_PATH
          ? pageImage(req, res)
          : req.method === 'GET' || req.method === 'HEAD'
            ? serveStatic(req, res)
            : Promise.resolve(refuse(res, 405, 'Method not allowed.'));
    work.catch((error: unknown) => {
      console.error('[serve] request failed:', error);
      if (!res.headersSent) refuse(res, 500, 'Internal error.');
      else res.destroy();
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname !== WS_PATH || !hostOk(req) || !originOk(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const refusal = gate(req);
    if (refusal?.status === 429) {
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${refusal.retryAfter ?? 60}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A wrong token gets a close with a code the page can explain, not a silent failure.
      if (refusal) return ws.close(WS_CLOSE_FORBIDDEN, 'wrong or missing access token');
      const callLimiter = new RateLimiter(limits.wsCalls);
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return ws.close(1003, 'frames must be JSON text');
        const text = Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Buffer.from(data).toString('utf8');
        let frame: { id?: unknown; method?: unknown; args?: unknown };
        try {
          frame = JSON.parse(text) as typeof frame;
        } catch {
          return ws.close(1003, 'frames must be JSON');
        }
        if (typeof frame.id !== 'number') return ws.close(1003, 'a call needs a numeric id');
        const id = frame.id;
        const budget = callLimiter.take('calls');
        const answer = budget.ok
          ? opts.router.call(frame.method, frame.args)
          : Promise.resolve<ApiResult<unknown>>({
              ok: false,
              error: {
                code: 'RATE_LIMITED',
                message: `Too many calls on this connection; try again in ${budget.retryAfterSeconds} s.`,
              },
            });
        void answer.then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result } satisfies WsServerFrame));
        });
      });
    });
  });

  const unsubscribe = opts.router.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload } satisfies WsServerFrame);
    for (const ws of sockets) {
      // Pushes are snapshots, coalesced; a client this far behind catches up with the next one.
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < 8 * 1024 ** 2) ws.send(text);
    }
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  port = (server.address() as AddressInfo).port;
  // Bound to every interface: this machine's own browser reaches it on the loopback address.
  const shown = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host;
  const hostInUrl = shown.includes(':') ? `[${shown}]` : shown;

  return {
    port,
    url: `http://${hostInUrl}:${port}/?token=${encodeURIComponent(opts.token)}`,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
