/**
 * The browser's `BulkOcrBridge`: the same interface the Electron preload exposes, over the
 * WebSocket of `bulk-ocr serve`. Calls are numbered frames answered by id; events arrive as
 * `{ event, payload }`. It reconnects with backoff when the server goes away, except when the server
 * refused the token (close code 4403): then it stops and reports why.
 */
import {
  WS_PATH,
  type ApiEvent,
  type ApiEvents,
  type ApiResult,
  type BulkOcrBridge,
  type WsServerFrame,
} from '../../../shared/api.ts';
import { tokenParam } from './token.ts';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'forbidden';

const FORBIDDEN = 4403;

export function createWsBridge(
  url: string,
  onState: (state: ConnectionState) => void,
): BulkOcrBridge & { close(): void } {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 500;
  let stopped = false;
  const pending = new Map<number, (r: ApiResult<unknown>) => void>();
  const queue: string[] = [];
  const listeners = new Map<ApiEvent, Set<(payload: unknown) => void>>();

  const failPending = (message: string): void => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'DISCONNECTED', message } });
    pending.clear();
  };

  const connect = (): void => {
    onState('connecting');
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      retryMs = 500;
      onState('open');
      for (const text of queue.splice(0)) socket.send(text);
    };
    socket.onmessage = (m: MessageEvent<string>) => {
      const frame = JSON.parse(m.data) as WsServerFrame;
      if ('id' in frame) {
        pending.get(frame.id)?.(frame.result);
        pending.delete(frame.id);
      } else {
        for (const l of listeners.get(frame.event) ?? []) l(frame.payload);
      }
    };
    socket.onclose = (e) => {
      ws = null;
      failPending('The connection to Bulk OCR was lost.');
      if (e.code === FORBIDDEN) {
        stopped = true;
        onState('forbidden');
        return;
      }
      onState('closed');
      if (!stopped) setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };
  connect();

  return {
    call(method, ...args) {
      if (stopped)
        return Promise.resolve({ ok: false, error: { code: 'FORBIDDEN', message: 'Not connected.' } });
      const id = nextId++;
      const text = JSON.stringify({ id, method, args });
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: ApiResult<unknown>) => void);
        if (ws?.readyState === WebSocket.OPEN) ws.send(text);
        else queue.push(text);
      });
    },
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    pathForFile: () => '',
    close() {
      stopped = true;
      ws?.close();
    },
  };
}

/** The WebSocket URL of the server that served this page, with the access token. */
export function wsUrlFromLocation(loc: Location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${WS_PATH}${tokenParam('?')}`;
}
