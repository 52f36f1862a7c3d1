// The embed's side of the postMessage protocol (static/protocol/messages.ts). Events go only to
// the host origin the session admits (checked against the real parent where the browser tells
// us); host commands are accepted only from that origin and from our parent window.
import { envelope, readHostCommand, type HostCommand, type StudioEvents } from '../protocol/messages';
import { config } from './config';

function resolveHost(): string | null {
  if (config.mode !== 'embed' || window.parent === window || !config.hostOrigin) return null;
  const ancestors = location.ancestorOrigins as DOMStringList | undefined; // Chromium and Safari only
  if (ancestors && ancestors.length && ancestors[0] !== config.hostOrigin) return null;
  return config.hostOrigin;
}

export const hostOrigin = resolveHost();

export function emit<K extends keyof StudioEvents>(type: K, payload: StudioEvents[K]) {
  if (!hostOrigin) return;
  window.parent.postMessage(envelope<StudioEvents, K>(type, payload), hostOrigin);
}

export function onHostMessage(fn: (command: HostCommand) => void): () => void {
  const listener = (event: MessageEvent) => {
    if (!hostOrigin || event.origin !== hostOrigin || event.source !== window.parent) return;
    const command = readHostCommand(event.data);
    if (command) fn(command);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
