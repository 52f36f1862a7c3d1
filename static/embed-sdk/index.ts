// Audome Embed SDK — `AudomeEmbed.studio(config)` mounts the Studio in an iframe and speaks
// postMessage with it. No dependencies. Messages both ways are `{source: 'audome', type, payload}`
// (the protocol, shared with the Studio: static/protocol/messages.ts); we post only to the
// Studio's origin and accept only messages from it (and from our iframe).
import {
  envelope,
  readStudioEvent,
  type ErrorPayload,
  type HostCommands,
  type ImageFormat,
  type Locale,
  type ProjectRef,
  type Theme,
} from '../protocol/messages';

export interface AudomeStudioConfig {
  container: string | HTMLElement;
  token: string;
  theme?: Theme;
  locale?: Locale;
  height?: string;
  categoryId?: string;
  projectId?: string;
  readOnly?: boolean;
  onReady?: () => void;
  onProjectCreate?: (project: ProjectRef) => void;
  onProjectSave?: (project: ProjectRef) => void;
  onRender?: (imageUrl: string) => void;
  onFontUpload?: (font: { id: string; familyName: string }) => void;
  onError?: (error: ErrorPayload) => void;
}

export interface AudomeStudioHandle {
  destroy(): void;
  reload(): void;
  setLocale(locale: Locale): void;
  setTheme(theme: Theme): void;
  openProject(projectId: string): void;
  exportImage(opts?: { format?: ImageFormat }): Promise<string>;
}

type Pending = { resolve: (url: string) => void; reject: (e: Error & { code?: string }) => void };
type Queued = { [K in keyof HostCommands]: { type: K; payload: HostCommands[K] } }[keyof HostCommands];

function scriptOrigin(): string {
  const script = document.currentScript as HTMLScriptElement | null;
  if (script && script.src) return new URL(script.src, location.href).origin;
  const found = document.querySelector('script[src*="/embed/audome-embed.js"]') as HTMLScriptElement | null;
  return found ? new URL(found.src, location.href).origin : location.origin;
}

// Captured while the script runs: the origin the Studio is served from.
const STUDIO_ORIGIN = scriptOrigin();
let counter = 0;

function fail(config: AudomeStudioConfig, code: string, message: string) {
  if (config.onError) config.onError({ code, message });
  else console.error(`[audome] ${code}: ${message}`);
}

export function studio(config: AudomeStudioConfig): AudomeStudioHandle {
  const container =
    typeof config.container === 'string' ? document.querySelector<HTMLElement>(config.container) : config.container;
  if (!container) throw new Error(`AudomeEmbed: container ${String(config.container)} not found`);
  if (!config.token) throw new Error('AudomeEmbed: token is required');

  let locale: Locale =
    config.locale || ((navigator.language || '').toLowerCase().startsWith('ar') ? 'ar' : 'en');
  let theme: Theme = config.theme || 'dark';
  let projectId = config.projectId;
  let ready = false;
  let destroyed = false;
  const queue: Queued[] = [];
  const pending = new Map<string, Pending>();

  const iframe = document.createElement('iframe');
  iframe.title = 'Audome Studio';
  iframe.allow = 'clipboard-write';
  iframe.setAttribute('data-audome-studio', '');
  iframe.style.cssText = `width:100%;height:${config.height || '700px'};border:0;display:block;border-radius:inherit;color-scheme:normal`;

  function src(): string {
    const params = new URLSearchParams({ token: config.token, origin: location.origin, theme, locale });
    if (projectId) params.set('projectId', projectId);
    if (config.categoryId) params.set('categoryId', config.categoryId);
    if (config.readOnly) params.set('readOnly', '1');
    return `${STUDIO_ORIGIN}/embed/studio?${params.toString()}`;
  }

  function post<K extends keyof HostCommands>(type: K, payload: HostCommands[K]) {
    if (destroyed) return;
    if (!ready || !iframe.contentWindow) {
      queue.push({ type, payload } as Queued);
      return;
    }
    iframe.contentWindow.postMessage(envelope<HostCommands, K>(type, payload), STUDIO_ORIGIN);
  }

  function settle(id: string | undefined, url: string | null, error?: ErrorPayload) {
    const entry = id ? pending.get(id) : undefined;
    if (!entry || !id) return;
    pending.delete(id);
    if (url) entry.resolve(url);
    else entry.reject(Object.assign(new Error(error?.message || 'Export failed'), { code: error?.code || 'RENDER_FAILED' }));
  }

  function onMessage(event: MessageEvent) {
    if (event.origin !== STUDIO_ORIGIN || event.source !== iframe.contentWindow) return;
    const message = readStudioEvent(event.data);
    if (!message) return;
    switch (message.type) {
      case 'studio:ready':
        ready = true;
        queue.splice(0).forEach((m) => post(m.type, m.payload));
        config.onReady?.();
        break;
      case 'project:create':
        if (message.payload.id) projectId = message.payload.id;
        config.onProjectCreate?.(message.payload);
        break;
      case 'project:save':
        config.onProjectSave?.(message.payload);
        break;
      case 'project:open':
        if (message.payload.id) projectId = message.payload.id;
        break;
      case 'render:complete':
        settle(message.payload.requestId, message.payload.imageUrl);
        config.onRender?.(message.payload.imageUrl);
        break;
      case 'render:error': {
        const { code, message: text, requestId } = message.payload;
        settle(requestId, null, { code, message: text });
        fail(config, code, text || 'Render failed');
        break;
      }
      case 'font:upload':
        config.onFontUpload?.(message.payload);
        break;
      case 'studio:error': {
        const { code, message: text } = message.payload;
        pending.forEach((_, id) => settle(id, null, { code, message: text }));
        fail(config, code, text || 'Studio error');
        break;
      }
    }
  }

  window.addEventListener('message', onMessage);
  iframe.src = src();
  container.appendChild(iframe);

  return {
    destroy() {
      if (destroyed) return;
      destroyed = true;
      window.removeEventListener('message', onMessage);
      pending.forEach((_, id) => settle(id, null, { code: 'DESTROYED', message: 'The embed was destroyed' }));
      iframe.remove();
    },
    reload() {
      if (destroyed) return;
      ready = false;
      iframe.src = src();
    },
    setLocale(next) {
      locale = next === 'ar' ? 'ar' : 'en';
      post('host:setLocale', { locale });
    },
    setTheme(next) {
      theme = next === 'light' ? 'light' : 'dark';
      post('host:setTheme', { theme });
    },
    openProject(id) {
      projectId = id;
      post('host:openProject', { projectId: id });
    },
    exportImage(opts) {
      if (destroyed) return Promise.reject(Object.assign(new Error('The embed was destroyed'), { code: 'DESTROYED' }));
      const requestId = `exp_${Date.now().toString(36)}_${++counter}`;
      return new Promise<string>((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        post('host:exportImage', { requestId, format: opts?.format || 'png' });
      });
    },
  };
}

export const version = '1.0.0';
