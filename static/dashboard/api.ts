// The dashboard's one client of the REST API (/api/…): the session cookie and the CSRF token
// authenticate it, every answer is JSON, and every error becomes an ApiError carrying the
// envelope's `code` (contract §1). Each call the dashboard makes has a typed function here.

export interface ErrorEnvelope {
  success: false;
  error: string;
  code: string;
  requestId?: string;
  details?: Record<string, string[]>;
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export function csrfToken(): string {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='));
  if (cookie) return decodeURIComponent(cookie.slice('csrftoken='.length));
  return document.querySelector<HTMLInputElement>('input[name=csrfmiddlewaretoken]')?.value ?? '';
}

function isEnvelope(value: unknown): value is ErrorEnvelope {
  return typeof value === 'object' && value !== null && (value as { success?: unknown }).success === false;
}

export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-CSRFToken': csrfToken() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data: unknown = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok || isEnvelope(data)) {
    const envelope = isEnvelope(data) ? data : null;
    throw new ApiError(
      response.status,
      envelope?.code ?? `HTTP_${response.status}`,
      envelope?.error ?? response.statusText,
      envelope?.details ?? {},
    );
  }
  return data as T;
}

const id = (value: string) => encodeURIComponent(value);

// --- tokens (§2) ---------------------------------------------------------------------------

export type TokenScope = 'read-only' | 'render-only' | 'full-access';

export interface Token {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  usageCount: number;
  isActive: boolean;
}

export const tokens = {
  create: (name: string, scope: TokenScope) =>
    request<{ success: true; token: string; tokenData: Token; warning?: string }>('POST', 'tokens', { name, scope }),
  rename: (tokenId: string, name: string) =>
    request<{ success: true; tokenData: Token }>('PATCH', `tokens/${id(tokenId)}`, { name }),
  revoke: (tokenId: string) => request<unknown>('DELETE', `tokens/${id(tokenId)}`),
};

// --- projects (§3) -------------------------------------------------------------------------

export interface DynamicElement {
  type: 'text' | 'image';
  dynamicKey: string;
  defaultValue?: string;
  placeholder?: string;
}

export interface ProjectSummary {
  id: string;
  name: string;
  width: number;
  height: number;
  categoryId: string | null;
  updatedAt: string;
  dynamicElements?: DynamicElement[];
}

export interface Category {
  id: string;
  name: string;
}

export const projects = {
  list: (limit = 100) => request<{ success: true; projects: ProjectSummary[] }>('GET', `render/projects?limit=${limit}`),
  create: <P extends ProjectSummary>(body: { name: string; width: number; height: number; categoryId: string | null }) =>
    request<P & { project?: P }>('POST', 'render/projects', body),
  remove: (projectId: string) => request<unknown>('DELETE', `render/projects/${id(projectId)}`),
  createCategory: (name: string) => request<Category>('POST', 'render/categories', { name }),
};

// --- rendering (§4) ------------------------------------------------------------------------

export type GenerationStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'canceled';

export interface Generation {
  generationId: string;
  status: GenerationStatus;
  projectId: string | null;
  source: 'api' | 'signed-url' | 'studio' | 'batch';
  imageUrl?: string;
  width: number;
  height: number;
  format: 'png' | 'jpeg' | 'webp';
  quality: number | null;
  backgroundColor: string | null;
  creditsUsed: number;
  error?: string;
  errorCode?: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  renderMs: number | null;
  timings: Partial<Record<'queue' | 'fetch' | 'layout' | 'capture' | 'encode' | 'store' | 'total', number>>;
  warnings: { code: string; elementId?: string; message: string }[];
}

export interface GenerateBody {
  projectId?: string;
  html?: string;
  data: Record<string, string>;
  width?: number;
  height?: number;
  format?: 'png' | 'jpeg' | 'webp';
  quality?: number;
  backgroundColor?: string;
  async?: boolean;
}

export const rendering = {
  generate: (body: GenerateBody) =>
    request<{ success: true; generationId: string; status?: GenerationStatus; imageUrl?: string }>('POST', 'render/generate', body),
  generation: (generationId: string) =>
    request<Generation & { success: true }>('GET', `render/generations/${id(generationId)}`),
  rollUrlSecret: () => request<{ success: true; secret: string }>('POST', 'render/url-secret/roll', {}),
};

// --- billing (§7) --------------------------------------------------------------------------

export const billing = {
  checkout: (body: { pack: string } | { plan: string }) =>
    request<{ success: true; checkoutUrl: string }>('POST', 'billing/checkout', body),
  portal: () => request<{ success: true; url: string }>('POST', 'billing/portal', {}),
};
