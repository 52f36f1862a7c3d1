// The postMessage protocol between a host page (the embed SDK, static/embed-sdk) and the
// Studio inside its iframe (static/studio/host.ts). Both sides import this one module, so a
// message type or payload field can't drift between them.
//
// Every message is `{source: 'audome', type, payload}`. The Studio sends StudioEvents to the
// host; the host sends HostCommands to the Studio. Messages from the other side are data from
// another window: `readStudioEvent` / `readHostCommand` accept only known types and return a
// payload with the declared field types (missing or mistyped fields become safe defaults).

export const SOURCE = 'audome';

export type Locale = 'en' | 'ar';
export type Theme = 'light' | 'dark';
export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ErrorPayload {
  code: string;
  message: string;
}

export interface ProjectRef {
  id: string;
  name: string;
}

/** Studio → host. */
export interface StudioEvents {
  'studio:ready': { projectId: string | null; readOnly: boolean; locale: Locale; theme: Theme };
  'studio:error': ErrorPayload;
  'project:create': ProjectRef;
  'project:open': ProjectRef;
  'project:save': ProjectRef;
  'render:complete': {
    imageUrl: string;
    generationId: string;
    projectId: string;
    width?: number;
    height?: number;
    format: ImageFormat;
    requestId?: string;
  };
  'render:error': ErrorPayload & { requestId?: string };
  'font:upload': { id: string; familyName: string };
}

/** Host → Studio. */
export interface HostCommands {
  'host:setLocale': { locale: Locale };
  'host:setTheme': { theme: Theme };
  'host:openProject': { projectId: string };
  'host:exportImage': { requestId: string; format: ImageFormat };
}

export type Envelope<M, K extends keyof M = keyof M> = { source: typeof SOURCE; type: K; payload: M[K] };

/** One of the messages of map M, discriminated by `type`. */
export type MessageOf<M> = { [K in keyof M]: { type: K; payload: M[K] } }[keyof M];
export type StudioEvent = MessageOf<StudioEvents>;
export type HostCommand = MessageOf<HostCommands>;

export function envelope<M, K extends keyof M>(type: K, payload: M[K]): Envelope<M, K> {
  return { source: SOURCE, type, payload };
}

// ------------------------------------------------------------------ reading untrusted data

type Fields = Record<string, unknown>;

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const asLocale = (v: unknown): Locale => (v === 'ar' ? 'ar' : 'en');
export const asTheme = (v: unknown): Theme => (v === 'light' ? 'light' : 'dark');
export const asFormat = (v: unknown): ImageFormat => (v === 'jpeg' || v === 'webp' ? v : 'png');

const errorOf = (p: Fields, fallback: string): ErrorPayload => ({ code: str(p.code) || fallback, message: str(p.message) });
const refOf = (p: Fields): ProjectRef => ({ id: str(p.id), name: str(p.name) });

type Readers<M> = { [K in keyof M]: (p: Fields) => M[K] };

const studioEvents: Readers<StudioEvents> = {
  'studio:ready': (p) => ({ projectId: optStr(p.projectId) ?? null, readOnly: p.readOnly === true, locale: asLocale(p.locale), theme: asTheme(p.theme) }),
  'studio:error': (p) => errorOf(p, 'STUDIO_ERROR'),
  'project:create': refOf,
  'project:open': refOf,
  'project:save': refOf,
  'render:complete': (p) => ({
    imageUrl: str(p.imageUrl), generationId: str(p.generationId), projectId: str(p.projectId),
    width: optNum(p.width), height: optNum(p.height), format: asFormat(p.format), requestId: optStr(p.requestId),
  }),
  'render:error': (p) => ({ ...errorOf(p, 'RENDER_FAILED'), requestId: optStr(p.requestId) }),
  'font:upload': (p) => ({ id: str(p.id), familyName: str(p.familyName) }),
};

const hostCommands: Readers<HostCommands> = {
  'host:setLocale': (p) => ({ locale: asLocale(p.locale) }),
  'host:setTheme': (p) => ({ theme: asTheme(p.theme) }),
  'host:openProject': (p) => ({ projectId: str(p.projectId) }),
  'host:exportImage': (p) => ({ requestId: str(p.requestId), format: asFormat(p.format) }),
};

function reader<M>(readers: Readers<M>) {
  return (data: unknown): MessageOf<M> | null => {
    if (!isFields(data) || data.source !== SOURCE || typeof data.type !== 'string') return null;
    if (!Object.prototype.hasOwnProperty.call(readers, data.type)) return null;
    const type = data.type as keyof M;
    const payload = readers[type](isFields(data.payload) ? data.payload : {});
    return { type, payload } as MessageOf<M>;
  };
}

/** A Studio event from `event.data`, or null when it isn't one. */
export const readStudioEvent = reader(studioEvents);
/** A host command from `event.data`, or null when it isn't one. */
export const readHostCommand = reader(hostCommands);
