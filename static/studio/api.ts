// Talks to the REST API: Bearer (embed token) inside the embed, session + CSRF in the dashboard.
import { config } from './config';

export class ApiError extends Error {
  status: number;
  code: string;
  body: any;
  constructor(status: number, code: string, message: string, body: any) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' };
  if (json) h['Content-Type'] = 'application/json';
  if (config.token) h.Authorization = `Bearer ${config.token}`;
  else if (config.csrfToken) h['X-CSRFToken'] = config.csrfToken;
  return h;
}

export let onAuthLost: (err: ApiError) => void = () => {};
export function setAuthLostHandler(fn: (err: ApiError) => void) {
  onAuthLost = fn;
}

export async function api<T = any>(
  method: string,
  path: string,
  body?: unknown,
  opts: { signal?: AbortSignal; form?: FormData; headers?: Record<string, string> } = {},
): Promise<{ data: T; response: Response }> {
  const init: RequestInit = {
    method,
    headers: { ...headers(!opts.form && body !== undefined), ...(opts.headers || {}) },
    credentials: config.token ? 'omit' : 'same-origin',
    signal: opts.signal,
  };
  if (opts.form) init.body = opts.form;
  else if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${config.apiBase || ''}/api/${path}`, init);
  let data: any = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok || (data && data.success === false)) {
    const code = (data && (data.code || data.error)) || `HTTP_${response.status}`;
    const message = (data && (data.error && data.error !== code ? data.error : data.message)) || response.statusText;
    const err = new ApiError(response.status, String(code).toUpperCase(), message || String(code), data);
    if (response.status === 401) onAuthLost(err);
    throw err;
  }
  return { data: data as T, response };
}
