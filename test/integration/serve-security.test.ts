import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRouter, type Router } from '../../src/main/api/router.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { startServer, type RunningServer, type ServeLimits } from '../../src/main/server/server.ts';
import { tempDir } from '../helpers/engineRun.ts';

/**
 * Served mode as an attacker on this machine would try it: real server, real HTTP and WebSocket
 * (only to 127.0.0.1). Every request needs the token; tokens cannot be guessed in a loop; budgets
 * answer 429; uploads and static files stay in their folders; the default bind is loopback only.
 */
const TOKEN = 'correct-horse-battery-staple';
const BIN = resolve(import.meta.dirname, '../../bin/bulk-ocr.js');

let dir: string;
let engine: Engine;
let router: Router;
let server: RunningServer;

async function serve(limits: Partial<ServeLimits> = {}): Promise<void> {
  server = await startServer({
    router,
    rendererDir: join(dir, 'renderer'),
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    inboxDir: join(dir, 'inbox'),
    maxUploadBytes: 1024,
    limits,
  });
}

beforeEach(() => {
  dir = tempDir('serve-sec');
  mkdirSync(join(dir, 'renderer/assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer/index.html'), '<div id="root"></div>');
  writeFileSync(join(dir, 'renderer/assets/app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
  engine = new Engine({
    dbPath: join(dir, 'queue.db'),
    spawn: () => {
      throw new Error('no workers in this test');
    },
    jobs: 1,
  });
  router = createRouter({ engine, version: '9.9.9' });
});
afterEach(async () => {
  await server?.close();
  router.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}
function http(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Opens a WebSocket and reports how it ended up: open (and usable), closed with a code, or refused. */
function ws(
  query: string,
  headers: Record<string, string> = {},
): Promise<{ socket: WebSocket | null; closeCode: number | null; httpStatus: number | null }> {
  return new Promise((ok) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    socket.once('open', () => {
      // A refused token is closed right after the handshake: wait a moment to tell the two apart.
      const t = setTimeout(() => ok({ socket, closeCode: null, httpStatus: null }), 150);
      socket.once('close', (code) => {
        clearTimeout(t);
        ok({ socket: null, closeCode: code, httpStatus: null });
      });
    });
    socket.once('unexpected-response', (_req, res) => {
      ok({ socket: null, closeCode: null, httpStatus: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', () => undefined);
  });
}
function callOver(socket: WebSocket, id: number, method: string, args: unknown[] = []): Promise<unknown> {
  return new Promise((ok) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as { id?: number; result?: unknown };
      if (frame.id !== id) return;
      socket.off('message', onMessage);
      ok(frame.result);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ id, method, args }));
  });
}

describe('served mode: the token', () => {
  beforeEach(() => serve());

  it('is required on every HTTP request, and a wrong one is as good as none', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/api', '/nothing-here']) {
      expect((await http('GET', path)).status, path).toBe(403);
      expect((await http('GET', `${path}?token=wrong`)).status, path).toBe(403);
      expect((await http('GET', `${path}?token=${TOKEN}x`)).status, path).toBe(403);
    }
    expect((await http('GET', '/page-image?doc=1&page=1')).status).toBe(403);
    expect((await http('GET', '/page-image?doc=1&page=1&token=nope')).status).toBe(403);
    expect((await http('POST', '/upload?name=a.png', 'data')).status).toBe(403);
    expect((await http('POST', '/upload?name=a.png&token=nope', 'data')).status).toBe(403);
    expect(readdirSync(dir)).not.toContain('inbox'); // nothing was written
    const page = await http('GET', `/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    // The page's assets then authenticate with the HttpOnly, SameSite=Strict cookie it was given.
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await http('GET', '/assets/app.js', undefined, { cookie })).status).toBe(200);
    expect(
      (await http('GET', '/assets/app.js', undefined, { cookie: cookie.replace(/=.*/, '=forged') })).status,
    ).toBe(403);
  });

  it('is required on every WebSocket; a right one gets the API', async () => {
    expect((await ws('')).closeCode).toBe(4403);
    expect((await ws('?token=guess')).closeCode).toBe(4403);
    const { socket } = await ws(`?token=${TOKEN}`);
    expect(socket).not.toBeNull();
    expect(await callOver(socket!, 1, 'app.version')).toEqual({ ok: true, value: '9.9.9' });
    socket!.close();
  });

  it('a page of another origin cannot open the WebSocket or upload, even with the token', async () => {
    const foreign = { origin: 'http://evil.example' };
    expect((await ws(`?token=${TOKEN}`, foreign)).httpStatus).toBe(403);
    expect((await http('POST', `/upload?name=a.png&token=${TOKEN}`, 'data', foreign)).status).toBe(403);
    // Nor can a DNS name pointed at 127.0.0.1 (rebinding): the Host must be this server.
    expect((await ws(`?token=${TOKEN}`, { host: `evil.example:${server.port}` })).httpStatus).toBe(403);
  });
});

describe('served mode: budgets', () => {
  it('guessing tokens gets the address refused for a while, even with the right token then', async () => {
    await serve({ badTokens: { limit: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await http('GET', `/?token=guess${i}`)).status).toBe(403);
    const blocked = await http('GET', `/?token=${TOKEN}`);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/wrong access token.*try again in \d+ s/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await ws(`?token=${TOKEN}`)).httpStatus).toBe(429);
  });

  it('too many requests get 429 with a message and Retry-After', async () => {
    await serve({ requests: { limit: 5, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect((await http('GET', `/?token=${TOKEN}`)).status).toBe(200);
    const r = await http('GET', `/?token=${TOKEN}`);
    expect(r.status).toBe(429);
    expect(r.text).toMatch(/Too many requests from this address; try again in \d+ s/);
    expect(r.headers['retry-after']).toBeDefined();
  });

  it('too many uploads get 429; the ones within the budget are queued', async () => {
    await serve({ uploads: { limit: 2, windowMs: 60_000 } });
    for (const n of ['a', 'b'])
      expect((await http('POST', `/upload?name=${n}.png&token=${TOKEN}`, 'x')).status).toBe(200);
    const r = await http('POST', `/upload?name=c.png&token=${TOKEN}`, 'x');
    expect(r.status).toBe(429);
    expect(r.text).toMatch(/Too many uploads/);
    expect(readdirSync(join(dir, 'inbox'))).toHaveLength(2);
  });

  it('an upload over the size limit gets 413 and leaves nothing behind', async () => {
    await serve();
    expect((await http('POST', `/upload?name=big.png&token=${TOKEN}`, 'x'.repeat(5000))).status).toBe(413);
    const chunked = await http('POST', `/upload?name=big.png&token=${TOKEN}`, 'x'.repeat(5000), {
      'transfer-encoding': 'chunked',
    });
    expect(chunked.status).toBe(413);
    expect(readdirSync(join(dir, 'inbox'))).toEqual([]);
  });

  it('too many calls on one WebSocket get RATE_LIMITED values; the connection stays usable', async () => {
    await serve({ wsCalls: { limit: 3, windowMs: 60_000 } });
    const { socket } = await ws(`?token=${TOKEN}`);
    for (let i = 1; i <= 3; i++)
      expect(await callOver(socket!, i, 'app.version')).toMatchObject({ ok: true });
    expect(await callOver(socket!, 4, 'app.version')).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/Too many calls/) as unknown },
    });
    socket!.close();
  });
});

describe('served mode: files stay in their folders', () => {
  beforeEach(() => serve());

  it('upload names cannot leave the inbox (.., absolute, backslashes, encoded)', async () => {
    const names = [
      '../../escape.png',
      '/etc/passwd',
      '..%2F..%2Fescape2.png',
      'C:\\Windows\\evil.png',
      '%2e%2e%2fx.png',
      '..',
    ];
    for (const n of names) {
      const r = await http('POST', `/upload?name=${encodeURIComponent(n)}&token=${TOKEN}`, 'x');
      // Either stored under a harmless name in the inbox, or refused as a bad name.
      expect([200, 400], n).toContain(r.status);
    }
    for (const f of readdirSync(join(dir, 'inbox'))) expect(f).toMatch(/^[\w.\- ]+$/);
    expect(readdirSync(dir).sort()).toEqual([
      'inbox',
      'queue.db',
      'queue.db-shm',
      'queue.db-wal',
      'queue.db.log',
      'renderer',
      'secret.txt',
    ]);
    expect(readdirSync(join(dir, 'inbox')).length).toBeGreaterThanOrEqual(3);
  });

  it('static files: no .., no encoded .., no symbolic link out of the page folder', async () => {
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'renderer/assets/link.txt'));
    symlinkSync(dir, join(dir, 'renderer/up'));
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/link.txt',
      '/up/secret.txt',
    ]) {
      const r = await http('GET', `${path}?token=${TOKEN}`);
      expect(r.status, path).toBe(404);
      expect(r.text).not.toContain('TOP SECRET');
    }
  });
});

describe('bulk-ocr serve: where it listens', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  /** Starts the real command with a stand-in page; resolves with its URL once it is listening. */
  function start(args: string[]): Promise<{ url: URL; stderr: () => string; child: ChildProcess }> {
    mkdirSync(join(dir, 'page'), { recursive: true });
    writeFileSync(join(dir, 'page/index.html'), '<p>stand-in</p>');
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--jobs', '1', '--db', join(dir, 'serve.db'), ...args],
      { env: { ...process.env, BULK_OCR_RENDERER_DIR: join(dir, 'page'), BULK_OCR_DATA_DIR: dir } },
    );
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((ok, fail) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /(http:\/\/\S+\?token=\S+)/.exec(stdout);
        if (m && stdout.includes('Ctrl-C')) ok({ url: new URL(m[1]), stderr: () => stderr, child });
      });
      child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
    });
  }
  /** Local addresses listening on `port`, from the kernel's table (no traffic sent). */
  function listeners(port: number): string[] {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    return readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A')
      .map((f) => f[1].split(':')[0]);
  }
  /** Stops the server and returns everything it printed on stderr. */
  async function stop(child: ChildProcess, stderr: () => string): Promise<string> {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
    return stderr();
  }

  it('binds to 127.0.0.1 by default, without a warning', async () => {
    const { url, stderr, child } = await start([]);
    expect(url.hostname).toBe('127.0.0.1');
    expect(listeners(Number(url.port))).toEqual(['0100007F']);
    expect(await stop(child, stderr)).not.toMatch(/Warning/);
  });

  it('binds elsewhere only when --host says so, and warns on stderr', async () => {
    const { url, stderr, child } = await start(['--host', '0.0.0.0']);
    expect(listeners(Number(url.port))).toEqual(['00000000']);
    expect(await stop(child, stderr)).toMatch(
      /Warning: --host 0\.0\.0\.0 makes Bulk OCR reachable from other machines/,
    );
  });
});
