// The page the headless Chromium keeps warm (rendering/engine). It loads the one template
// renderer and the bundled fonts once; each render only updates the DOM.
//
//   await window.__audome.render({key?, width, height, background, document, data, fonts, images})
//     → {warnings, layoutMs, incremental: false}
//   await window.__audome.render({key, data, images})            (no document)
//     → {warnings, layoutMs, incremental: true, dirtyRows}, or {needDocument: true}
//
// `key` names the static part of a render (document, size, background, fonts, scale; the
// engine hashes them). The page keeps the canvas it built last with its key: a render that
// sends only the key and the data updates the dynamic values of that canvas in place
// (updateDocument), and a page that does not hold that key (a fresh or reloaded page) answers
// {needDocument: true} so the engine sends the whole payload. A render without a key always
// builds and keeps nothing.
//
//   await window.__audome.seek(timeMs)   → {ok}: pose the live canvas's animations (a video frame)
//
// A payload's `timeMs` poses the canvas at that time after the render (a frame preview); the
// next render without it puts the canvas back at rest first (static/renderer/animation.ts).
//
// `dirtyRows` ([top, bottom) or null: unknown) are the canvas rows an update may have
// repainted since the render before; the engine re-captures only those (engine/frames.py).
//
// `images` maps every image URL of the document/data to the URL the page may load (the
// engine prefetched it and serves it from memory) or to {error}; nothing else is loaded.
import { buildDocument, seek, updateDocument } from '../renderer/index';
import type { BuiltDocument, UpdateOptions } from '../renderer/index';
import { cssColor } from '../renderer/sanitize';
import type { FontFaceSpec, ImageResolution, RenderWarning, TemplateData, TemplateDocument } from '../renderer/types';

export interface RenderPayload {
  key?: string;
  width?: number;
  height?: number;
  background?: string | null;
  /** Left out when the engine believes the page holds `key`. */
  document?: TemplateDocument;
  data?: TemplateData;
  fonts?: FontFaceSpec[];
  images?: Record<string, ImageResolution>;
  imageTimeoutMs?: number;
  fontTimeoutMs?: number;
  /** Video: pose the animated elements at this time (ms) once built; none: at rest (a still). */
  timeMs?: number | null;
}

export type PageRenderResult =
  | { warnings: RenderWarning[]; layoutMs: number; incremental: boolean; dirtyRows?: [number, number] | null }
  | { needDocument: true };

function root(): HTMLElement {
  let el = document.getElementById('audome-root');
  if (!el) {
    el = document.createElement('div');
    el.id = 'audome-root';
    document.body.appendChild(el);
  }
  return el;
}

function resetPage(): void {
  for (const node of [document.documentElement, document.body]) {
    node.style.setProperty('margin', '0');
    node.style.setProperty('padding', '0');
    node.style.setProperty('background', 'transparent');
    node.style.setProperty('overflow', 'hidden');
  }
}

let chain: Promise<unknown> = Promise.resolve();

/** The canvas built last and the key it was built for (null: nothing to update). */
let live: { key: string; built: BuiltDocument } | null = null;
/** Builds and updates done by this page (white-box checks in the engine tests). */
const stats = { builds: 0, updates: 0 };
/** The live canvas is posed at a time (seek), not at rest. */
let posed = false;

/** Poses the live canvas at timeMs (static/renderer/animation.ts), or puts it back at rest. */
async function seekTo(timeMs: number | null): Promise<{ ok: boolean }> {
  if (!live) return { ok: false };
  seek(live.built.canvas, live.built.template, timeMs);
  posed = timeMs !== null;
  // A typewriter's partial text uses the fonts already loaded; wait only if one is loading.
  if (document.fonts.status !== 'loaded') await document.fonts.ready;
  return { ok: true };
}

async function posedAt(result: PageRenderResult, timeMs: number | null | undefined): Promise<PageRenderResult> {
  if (typeof timeMs === 'number' && Number.isFinite(timeMs) && live) {
    await seekTo(timeMs);
    if ('dirtyRows' in result) result.dirtyRows = null; // the pose moved things the update did not measure
  }
  return result;
}

function perRender(payload: RenderPayload): UpdateOptions {
  const images = payload.images ?? {};
  return {
    imageTimeoutMs: payload.imageTimeoutMs,
    fontTimeoutMs: payload.fontTimeoutMs,
    resolveImageUrl: (url) => (Object.prototype.hasOwnProperty.call(images, url) ? images[url] : { error: 'not fetched' }),
  };
}

async function update(payload: RenderPayload): Promise<PageRenderResult> {
  const started = performance.now();
  if (!live || typeof payload.key !== 'string' || live.key !== payload.key) return { needDocument: true };
  const wasPosed = posed;
  if (posed) await seekTo(null); // updates start from the canvas at rest
  const current = live;
  live = null; // until the update is through: a failed one leaves no canvas to trust
  const result = await updateDocument(current.built, payload.data ?? {}, perRender(payload));
  live = current;
  stats.updates += 1;
  return {
    warnings: result.warnings,
    layoutMs: Math.round((performance.now() - started) * 100) / 100,
    incremental: true,
    dirtyRows: wasPosed ? null : (result.dirtyRows ?? null),
  };
}

async function build(payload: RenderPayload & { document: TemplateDocument }): Promise<PageRenderResult> {
  const started = performance.now();
  live = null;
  posed = false;
  resetPage();
  const el = root();
  el.replaceChildren();
  el.style.setProperty('position', 'absolute');
  el.style.setProperty('left', '0');
  el.style.setProperty('top', '0');
  el.style.setProperty('width', `${payload.width}px`);
  el.style.setProperty('height', `${payload.height}px`);
  const background =
    payload.background === 'transparent' ? 'transparent' : (cssColor(payload.background) ?? null);
  const { result, built } = await buildDocument(el, payload.document, payload.data ?? {}, {
    width: payload.width,
    height: payload.height,
    background,
    fonts: payload.fonts ?? [],
    ...perRender(payload),
  });
  if (typeof payload.key === 'string' && payload.key) live = { key: payload.key, built };
  stats.builds += 1;
  // No waiting for animation frames here: CDP Page.captureScreenshot produces a fresh
  // frame of the current DOM itself (measured: two rAFs cost ~25 ms a render).
  return { warnings: result.warnings, layoutMs: Math.round((performance.now() - started) * 100) / 100, incremental: false };
}

async function renderNow(payload: RenderPayload): Promise<PageRenderResult> {
  const result = payload.document ? await build(payload as RenderPayload & { document: TemplateDocument }) : await update(payload);
  return 'needDocument' in result ? result : posedAt(result, payload.timeMs);
}

/** One video frame: the live canvas posed at timeMs (queued behind renders like them). */
function seekFrame(timeMs: number | null): Promise<{ ok: boolean }> {
  const next = chain.then(() => seekTo(timeMs));
  chain = next.catch(() => undefined);
  return next;
}

function render(payload: RenderPayload): Promise<PageRenderResult> {
  const next = chain.then(() => renderNow(payload));
  chain = next.catch(() => undefined);
  return next;
}

/** Updates the text of one element in place (the raw-floor benchmark's DOM update). */
function setText(elementId: string, text: string): void {
  const node = document.querySelector(`[data-element-id="${CSS.escape(elementId)}"] > div`);
  if (node) node.textContent = text;
  live = null; // the canvas no longer matches what was built
  posed = false;
}

declare global {
  interface Window {
    __audome: { ready: boolean; render: typeof render; seek: typeof seekFrame; setText: typeof setText; stats: typeof stats };
  }
}

resetPage();
root();
window.__audome = { ready: true, render, seek: seekFrame, setText, stats };
