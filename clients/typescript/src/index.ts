/**
 * Audome API client: a thin layer over `fetch` whose paths, parameters, request bodies and
 * answers are typed from the server's OpenAPI schema (`/api/schema`, generated into
 * `src/generated/schema.ts` by openapi-typescript; tsc emits its declarations into dist/ with the client).
 *
 *   const audome = new Audome({ token: process.env.AUDOME_TOKEN, baseUrl: "https://audome.example" });
 *   const render = await audome.render(projectId, { "title.text": "Hi" }, { format: "png" });
 *   const png = await audome.download(render.imageUrl);
 *
 * Retries 429 and 503 answers (honouring Retry-After), and other 5xx answers and network errors
 * when the call is safe to repeat (GET, or a POST carrying an Idempotency-Key — renders and
 * batches get one generated). Errors are `AudomeError`s with the API's `code` and `requestId`.
 */
import type { components, paths } from "./generated/schema.js";

export type { components, paths };
export type Schemas = components["schemas"];

type HttpMethod = "get" | "post" | "put" | "patch" | "delete";
/** The paths that have an operation for `M`. */
export type PathsFor<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];
type Operation<P extends keyof paths, M extends HttpMethod> = paths[P] extends { [K in M]: infer O } ? O : never;
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type BodyOf<O> = O extends { requestBody?: infer RB } ? Json<NonNullable<RB>> : never;
type PathOf<O> = O extends { parameters: { path?: infer PP } } ? PP : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
/** The JSON of an operation's 2xx answers. */
export type ResultOf<O> = O extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 | 202 ? Json<R[S]> : never }[keyof R]
  : never;

export interface RequestOptions<O> {
  path?: PathOf<O>;
  query?: QueryOf<O>;
  body?: BodyOf<O>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type RenderData = Record<string, string>;
export type GenerateBody = Schemas["GenerateRequestRequest"];
export type Generation = Schemas["Generation"];
export interface RenderOptions extends Partial<Omit<GenerateBody, "projectId" | "data" | "async" | "html">> {
  /** Wait for the image (default true); false queues it and answers at once. */
  wait?: boolean;
  idempotencyKey?: string;
  timeoutMs?: number;
}
/** A finished render: the image's URL and its record. */
export interface RenderResult {
  generationId: string;
  imageUrl: string;
  width: number;
  height: number;
  format: string;
  creditsUsed: number;
  status: string;
}

export class AudomeError extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly details?: Record<string, unknown>;
  readonly body?: Record<string, unknown>;
  readonly retryAfter?: number;
  readonly retryable: boolean;

  constructor(message: string, init: {
    status?: number; code?: string; requestId?: string; details?: Record<string, unknown>;
    body?: Record<string, unknown>; retryAfter?: number; retryable?: boolean;
  } = {}) {
    super(message);
    this.name = "AudomeError";
    Object.assign(this, init);
    this.retryable = init.retryable ?? (init.status !== undefined && (init.status === 429 || init.status >= 500));
  }
}

export interface AudomeConfig {
  /** API token (`aud_…`). Default: process.env.AUDOME_TOKEN where there is a process. */
  token?: string;
  /** Default: process.env.AUDOME_BASE_URL, else https://audome.io. */
  baseUrl?: string;
  maxRetries?: number;
  /** A Retry-After longer than this (seconds) is not waited for: the error is thrown. */
  maxRetryWait?: number;
  fetch?: typeof fetch;
}

const ALWAYS_RETRY = new Set([429, 503]);
const RETRY_IF_SAFE = new Set([500, 502, 504]);
const TERMINAL = new Set(["completed", "failed", "canceled"]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name] || undefined;
}

export function newIdempotencyKey(): string {
  return `ts_${globalThis.crypto.randomUUID().replace(/-/g, "")}`;
}

export class Audome {
  readonly baseUrl: string;
  readonly token?: string;
  private readonly maxRetries: number;
  private readonly maxRetryWait: number;
  private readonly fetcher: typeof fetch;

  constructor(config: AudomeConfig = {}) {
    this.token = config.token ?? env("AUDOME_TOKEN");
    this.baseUrl = (config.baseUrl ?? env("AUDOME_BASE_URL") ?? "https://audome.io").replace(/\/+$/, "");
    this.maxRetries = config.maxRetries ?? 3;
    this.maxRetryWait = config.maxRetryWait ?? 60;
    this.fetcher = config.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Any operation of the API, typed by its path and method. */
  async request<M extends HttpMethod, P extends PathsFor<M>>(
    method: M, path: P, options: RequestOptions<Operation<P, M>> = {},
  ): Promise<ResultOf<Operation<P, M>>> {
    let url = String(path).replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = (options.path as Record<string, unknown> | undefined)?.[name];
      if (value === undefined) throw new AudomeError(`Missing path parameter ${name}.`, { code: "VALIDATION_FAILED" });
      return encodeURIComponent(String(value));
    });
    const query = Object.entries((options.query ?? {}) as Record<string, unknown>).filter(([, v]) => v != null);
    if (query.length) url += "?" + new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString();
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const upper = method.toUpperCase();
    if (upper === "POST" && (path === "/api/render/generate" || path === "/api/render/batches") && !headers["Idempotency-Key"]) {
      headers["Idempotency-Key"] = newIdempotencyKey();
    }
    // A preview is free and cached by its inputs: repeating it changes nothing.
    const safe = upper === "GET" || "Idempotency-Key" in headers || path === "/api/render/preview";
    const init: RequestInit = {
      method: upper, headers, signal: options.signal,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    };
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetcher(this.baseUrl + url, init);
      } catch (cause) {
        if (!safe || attempt >= this.maxRetries) {
          throw new AudomeError(`Could not reach ${this.baseUrl}: ${String(cause)}`, { code: "CONNECTION_ERROR", retryable: true });
        }
        await sleep(this.backoff(attempt));
        continue;
      }
      if (response.ok) return (await response.json()) as ResultOf<Operation<P, M>>;
      const error = await errorOf(response);
      const retry = ALWAYS_RETRY.has(response.status) || (RETRY_IF_SAFE.has(response.status) && safe);
      const wait = error.retryAfter !== undefined ? error.retryAfter : this.backoff(attempt) / 1000;
      if (!retry || attempt >= this.maxRetries || wait > this.maxRetryWait) throw error;
      await sleep(wait * 1000);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(8000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
  }

  account() { return this.request("get", "/api/account"); }
  plan() { return this.request("get", "/api/account/plan"); }
  options() { return this.request("get", "/api/render/options"); }
  project(projectId: string) {
    return this.request("get", "/api/render/projects/{project_id}", { path: { project_id: projectId } });
  }
  generation(generationId: string) {
    return this.request("get", "/api/render/generations/{generation_id}", { path: { generation_id: generationId } });
  }

  /** Render a template with `data`; by default waits for the image (past the server's sync window too). */
  async render(projectId: string, data: RenderData = {}, options: RenderOptions = {}): Promise<RenderResult> {
    const { wait = true, idempotencyKey, timeoutMs = 120_000, ...fields } = options;
    const body = { ...fields, projectId, data, ...(wait ? {} : { async: true }) } as GenerateBody;
    const answer = await this.request("post", "/api/render/generate", {
      body, headers: { "Idempotency-Key": idempotencyKey ?? newIdempotencyKey() },
    }) as Record<string, unknown>;
    if ("imageUrl" in answer) return { status: "completed", ...answer } as unknown as RenderResult;
    if (!wait) return { status: String(answer.status), ...answer } as unknown as RenderResult;
    return this.waitForGeneration(String(answer.generationId), { timeoutMs });
  }

  /** Poll a generation until it is completed (resolves), failed or canceled (rejects). */
  async waitForGeneration(generationId: string, { timeoutMs = 120_000, intervalMs = 1000 } = {}): Promise<RenderResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.generation(generationId) as Generation;
      if (TERMINAL.has(record.status)) {
        if (record.status !== "completed") {
          throw new AudomeError(record.error ?? `Render ${record.status}.`, {
            code: record.errorCode ?? record.status.toUpperCase(), retryable: false,
          });
        }
        return record as unknown as RenderResult;
      }
      if (Date.now() + intervalMs > deadline) {
        throw new AudomeError(`Render ${generationId} still ${record.status}.`, { code: "WAIT_TIMEOUT", retryable: true });
      }
      await sleep(intervalMs);
    }
  }

  preview(projectId: string, data: RenderData = {}) {
    return this.request("post", "/api/render/preview", { body: { projectId, data } as Schemas["PreviewInputRequest"] });
  }

  /** The bytes of an image URL (a render's `imageUrl`, a preview's `previewUrl`). */
  async download(url: string): Promise<Uint8Array> {
    const response = await this.fetcher(url);
    if (!response.ok) throw await errorOf(response);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Device-code login: show `userCode`, open `verificationUrl`, then `pollDeviceToken`. */
  requestDeviceCode(appName: string, appType = "app", appVersion = "") {
    return this.request("post", "/api/auth/device/code", { body: { appName, appType, appVersion } });
  }

  async pollDeviceToken(deviceCode: string, intervalSeconds = 5): Promise<string> {
    let interval = intervalSeconds;
    for (;;) {
      await sleep(interval * 1000);
      try {
        const answer = await this.request("post", "/api/auth/device/token", { body: { deviceCode } });
        return answer.token;
      } catch (error) {
        const body = (error as AudomeError).body ?? {};
        if (body.error === "authorization_pending" || body.error === "slow_down") {
          interval = Number(body.interval ?? interval + 5);
          continue;
        }
        throw error;
      }
    }
  }
}

async function errorOf(response: Response): Promise<AudomeError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  const header = response.headers.get("Retry-After");
  return new AudomeError(String(body.message ?? body.error ?? `HTTP ${response.status}`), {
    status: response.status, code: body.code as string | undefined,
    requestId: (body.requestId as string | undefined) ?? response.headers.get("X-Request-Id") ?? undefined,
    details: body.details as Record<string, unknown> | undefined, body,
    retryAfter: header !== null && !Number.isNaN(Number(header)) ? Number(header) : undefined,
  });
}

/** True when `header` (Audome-Signature: t=…,v1=…[,v1=…]) signs the raw body with `secret`
 * within `toleranceSeconds` (null: don't check the age). Uses WebCrypto (Node 18+, browsers, workers). */
export async function verifySignature(raw: string | Uint8Array, header: string, secret: string,
  toleranceSeconds: number | null = 300): Promise<boolean> {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of (header ?? "").split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && /^\d+$/.test(value ?? "")) timestamp = Number(value);
    else if (key === "v1" && value) signatures.push(value);
  }
  if (timestamp === undefined || !signatures.length) return false;
  if (toleranceSeconds !== null && Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const encoder = new TextEncoder();
  const body = typeof raw === "string" ? encoder.encode(raw) : raw;
  const key = await globalThis.crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" },
    false, ["sign"]);
  const message = new Uint8Array([...encoder.encode(`${timestamp}.`), ...body]);
  const digest = new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, message));
  const expected = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return signatures.some((candidate) => constantTimeEqual(candidate, expected));
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
