// The embed's side of the postMessage protocol. Events go only to the host origin the session
// admits (checked against the real parent where the browser tells us); host messages are accepted
// only from that origin and from our parent window.
import { config } from './config';

function resolveHost(): string | null {
  if (config.mode !== 'embed' || window.parent === window || !config.hostOrigin) return null;
  const ancestors = (location as any).ancestorOrigins as DOMStringList | undefined;
  if (ancestors && ancestors.length && ancestors[0] !== config.hostOrigin) return null;
  return config.hostOrigin;
}

export const hostOrigin = resolveHost();

export function emit(type: string, payload: unknown = {}) {
  if (!hostOrigin) return;
  window.parent.postMessage({ source: 'audome', type, payload }, hostOrigin);
}

export function onHostMessage(fn: (type: string, payload: any) => void): () => void {
  const listener = (event: MessageEvent) => {
    if (!hostOrigin || event.origin !== hostOrigin || event.source !== window.parent) return;
    const d = event.data;
    if (!d || d.source !== 'audome' || typeof d.type !== 'string') return;
    fn(d.type, d.payload || {});
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
