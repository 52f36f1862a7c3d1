// Talks to the REST API: Bearer (embed token) inside the embed, session + CSRF in the dashboard.
// The response shapes the Studio reads are declared here (API.md); `api<T>()` trusts the server
// for the shape of a 2xx body and reads error bodies defensively.
import type { TemplateDocument, TemplateElement } from '../renderer/types';
import { config } from './config';

export type { TemplateDocument, TemplateElement };

export interface Project {
  id: string;
  name: string;
  width: number;
  height: number;
  categoryId?: string | null;
  document: TemplateDocument;
  updatedAt: string;
  createdAt?: string;
}

export interface Category {
  id: string;
  name: string;
}

export interface Asset {
  id: string;
  url: string;
  width: number;
  height: number;
  mime: string;
  bytes: number;
  createdAt: string;
}

export interface Font {
  id: string;
  familyName: string;
  weight?: number;
  style?: 'normal' | 'italic';
  url?: string;
}

export type GenerationStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'canceled';

export interface Generation {
  generationId: string;
  status: GenerationStatus;
  imageUrl?: string;
  width?: number;
  height?: number;
  format?: 'png' | 'jpeg' | 'webp';
  error?: string;
  errorCode?: string;
  creditsRemaining?: number;
}

export interface Pagination {
  page: number;
  limit: number;
  totalCount: number;
  totalPages: number;
  hasNext: boolean;
}

export type ProjectOut = Project & { project?: Project };
export type ProjectList = { projects: Project[]; pagination?: Pagination };
export type CategoryList = { categories: Category[] };
export type AssetList = { assets: Asset[]; pagination: Pagination };
export type FontList = { fonts: Font[]; bundled?: { family: string }[] };

/** The project in a project response (bare or wrapped in `project`). */
export function projectOf(data: ProjectOut): Project {
  return data.project || data;
}

/** An error body's fields, read without trusting their types. */
export type ErrorBody = Record<string, unknown> | null;

export class ApiError extends Error {
  status: number;
  code: string;
  body: ErrorBody;
  constructor(status: number, code: string, message: string, body: ErrorBody) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** A thrown value's message, for people. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' };
  if (json) h['Content-Type'] = 'application/json';
  if (config.token) h.Authorization = `Bearer ${config.token}`;
  else if (config.csrfToken) h['X-CSRFToken'] = config.csrfToken;
  return h;
}

let onAuthLost: (err: ApiError) => void = () => {};
export function setAuthLostHandler(fn: (err: ApiError) => void) {
  onAuthLost = fn;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function api<T>(
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
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  const fields = isRecord(data) ? data : null;
  if (!response.ok || (fields && fields.success === false)) {
    const text = (v: unknown) => (typeof v === 'string' && v ? v : '');
    const code = text(fields?.code) || text(fields?.error) || `HTTP_${response.status}`;
    const error = text(fields?.error);
    const message = (error && error !== code ? error : text(fields?.message)) || response.statusText;
    const err = new ApiError(response.status, code.toUpperCase(), message || code, fields);
    if (response.status === 401) onAuthLost(err);
    throw err;
  }
  return { data: data as T, response };
}
