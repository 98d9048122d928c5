import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../src/main/api/router.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { startServer, type RunningServer } from '../../src/main/server/server.ts';
import { tokenMatches } from '../../src/main/server/token.ts';

let dir: string;
let engine: Engine;
let router: Router;
let server: RunningServer;
const TOKEN = 'sesame';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bulk-ocr-server-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer/index.html'), '<div id="root"></div>');
  writeFileSync(join(dir, 'secret.txt'), 'not served');
  // Never started: queueing an upload needs no worker.
  engine = new Engine({
    dbPath: join(dir, 'queue.db'),
    spawn: () => {
      throw new Error('no workers here');
    },
    jobs: 1,
  });
  router = createRouter({ engine, version: '0.0.0' });
  server = await startServer({
    router,
    rendererDir: join(dir, 'renderer'),
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    inboxDir: join(dir, 'inbox'),
    maxUploadBytes: 64,
  });
});
afterEach(async () => {
  await server.close();
  router.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request: the path is sent as written (fetch would normalise `..` away). */
function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('serve: HTTP', () => {
  it('compares tokens in constant time whatever their length', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('sesame!', TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(null, TOKEN)).toBe(false);
  });

  it('serves the renderer only, never a file outside it', async () => {
    expect((await raw('GET', `/?token=${TOKEN}`)).text).toContain('root');
    expect((await raw('GET', `/../secret.txt?token=${TOKEN}`)).status).toBe(404);
    expect((await raw('GET', `/%2e%2e/secret.txt?token=${TOKEN}`)).status).toBe(404);
    expect((await raw('DELETE', `/?token=${TOKEN}`)).status).toBe(405);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect(
      (await raw('GET', `/?token=${TOKEN}`, undefined, { host: `evil.example:${server.port}` })).status,
    ).toBe(403);
  });

  it('streams an upload into the inbox and queues it; refuses one over the limit and keeps nothing of it', async () => {
    const ok = await raw('POST', `/upload?name=../../scan.png&token=${TOKEN}`, 'tiny');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toMatchObject({ ok: true, value: { created: 1 } });
    const files = readdirSync(join(dir, 'inbox'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-scan\.png$/);
    expect(engine.read.counts().documents.total).toBe(1);

    // Declared too large: refused before reading; sent chunked without a length: cut off while streaming.
    expect((await raw('POST', `/upload?name=big.png&token=${TOKEN}`, 'x'.repeat(100))).status).toBe(413);
    const chunked = await raw('POST', `/upload?name=big.png&token=${TOKEN}`, 'x'.repeat(100), {
      'transfer-encoding': 'chunked',
    });
    expect(chunked.status).toBe(413);
    expect(readdirSync(join(dir, 'inbox'))).toHaveLength(1);
    expect((await raw('POST', `/upload?name=.hidden&token=${TOKEN}`, 'x')).status).toBe(400);
  });
});
