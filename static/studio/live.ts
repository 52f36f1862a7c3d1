// The Studio's WebSocket (/ws/studio/<projectId>): pushes project.updated and generation.updated.
// Inside the embed the token goes in the first message, never in the URL.
import { config } from './config';

export interface LiveHandlers {
  onStatus: (connected: boolean) => void;
  onEvent: (type: string, payload: any) => void;
  onFatal: (code: string) => void;
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
    ws = new WebSocket(`${scheme}://${location.host}/ws/studio/${encodeURIComponent(projectId)}`);
    ws.onopen = () => {
      if (config.token) ws!.send(JSON.stringify({ type: 'auth', token: config.token }));
    };
    ws.onmessage = (m) => {
      let msg: any;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      if (msg.type === 'ready') {
        retry = 0;
        h.onStatus(true);
        clearInterval(ping);
        ping = window.setInterval(() => ws?.readyState === 1 && ws.send('{"type":"ping"}'), 25000);
      } else if (msg.type === 'error') {
        if (msg.code === 'TOKEN_EXPIRED' || msg.code === 'UNAUTHORIZED') h.onFatal(msg.code);
      } else if (msg.type && msg.type !== 'pong') h.onEvent(msg.type, msg.payload || {});
    };
    ws.onclose = (ev) => {
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
