// The Studio's WebSocket (/ws/studio/<projectId>): pushes project.updated and generation.updated.
// Inside the embed the token goes in the first message, never in the URL.
import type { Generation } from './api';
import { config } from './config';

/** project.updated carries the saved project (projects.serializers.project_to_dict). */
export type LiveEvent =
  | { type: 'project.updated'; payload: { id?: string; updatedAt?: string } }
  | { type: 'generation.updated'; payload: Generation };

export interface LiveHandlers {
  onStatus: (connected: boolean) => void;
  onEvent: (event: LiveEvent) => void;
  onFatal: (code: string) => void;
}

function readMessage(raw: unknown): { type: string; code?: string; payload: Record<string, unknown> } | null {
  if (typeof raw !== 'string') return null;
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (typeof m.type !== 'string') return null;
  const payload = typeof m.payload === 'object' && m.payload !== null ? (m.payload as Record<string, unknown>) : {};
  return { type: m.type, code: typeof m.code === 'string' ? m.code : undefined, payload };
}

export function connectLive(projectId: string, h: LiveHandlers): () => void {
  let ws: WebSocket | null = null;
  let closed = false;
  let retry = 0;
  let timer: number | undefined;
  let ping: number | undefined;

  const open = () => {
    if (closed) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws/studio/${encodeURIComponent(projectId)}`);
    ws = socket;
    socket.onopen = () => {
      if (config.token) socket.send(JSON.stringify({ type: 'auth', token: config.token }));
    };
    socket.onmessage = (m) => {
      const msg = readMessage(m.data);
      if (!msg) return;
      if (msg.type === 'ready') {
        retry = 0;
        h.onStatus(true);
        clearInterval(ping);
        ping = window.setInterval(() => socket.readyState === 1 && socket.send('{"type":"ping"}'), 25000);
      } else if (msg.type === 'error') {
        if (msg.code === 'TOKEN_EXPIRED' || msg.code === 'UNAUTHORIZED') h.onFatal(msg.code);
      } else if (msg.type === 'project.updated') {
        const { id, updatedAt } = msg.payload;
        h.onEvent({ type: msg.type, payload: { id: typeof id === 'string' ? id : undefined, updatedAt: typeof updatedAt === 'string' ? updatedAt : undefined } });
      } else if (msg.type === 'generation.updated') {
        // The server's generation_to_dict: the shape Generation declares.
        h.onEvent({ type: msg.type, payload: msg.payload as unknown as Generation });
      }
    };
    socket.onclose = (ev) => {
      clearInterval(ping);
      h.onStatus(false);
      if (closed || ev.code === 4404 || ev.code === 4403) return;
      if (ev.code === 4401 && config.token) return;
      retry = Math.min(retry + 1, 6);
      timer = window.setTimeout(open, 500 * 2 ** retry);
    };
  };
  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    clearInterval(ping);
    ws?.close();
  };
}
