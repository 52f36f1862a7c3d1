// The page the headless Chromium keeps warm (rendering/engine). It loads the one template
// renderer and the bundled fonts once; each render only updates the DOM.
//
//   await window.__audome.render({key?, width, height, background, document, data, fonts, images, frame?})
//     → {warnings, layoutMs, incremental: false}
//   await window.__audome.render({key, data, images})            (no document)
//     → {warnings, layoutMs, incremental: true, dirtyRows}, or {needDocument: true}
//
// `key` names the static part of a render (document, size, frame, background, fonts; the
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
// The page keeps up to `keep` canvases (payload.keep, default 1), one per key, least recently
// used first out: an account that alternates between templates switches canvases (the one
// shown, the others `display: none`) instead of rebuilding them. Every canvas has a root of
// its own; nothing is shared between them but the page (one account's context) and its fonts.
//
// `dirtyRows` ([top, bottom) or null: unknown) are the canvas rows an update may have
// repainted since the render before; the engine re-captures only those (engine/frames.py).
//
// `frame` (an output of another size than the template's): the root is frame.width×frame.height
// and the canvas, laid out at width×height as always, is scaled by frame.scale and moved to
// frame.x, frame.y in it (rendering/engine/types RenderOptions.placement: `contain` leaves bands
// in the canvas's background colour, `cover` crops). The engine captures the root's box.
// A framed canvas reports no dirtyRows (its rows are not the output's): captured whole.
//
// `images` maps every image URL of the document/data to the URL the page may load (the
// engine prefetched it and serves it from memory) or to {error}; nothing else is loaded.
import { buildDocument, seek, updateDocument } from '../renderer/index';
import type { BuiltDocument, UpdateOptions } from '../renderer/index';
import { cssColor } from '../renderer/sanitize';
import type { FontFaceSpec, ImageResolution, RenderWarning, TemplateData, TemplateDocument } from '../renderer/types';

/** The output's box when it is not the template's size (see the header). */
export interface RenderFrame {
  width: number;
  height: number;
  scale: number;
  x: number;
  y: number;
}

export interface RenderPayload {
  key?: string;
  frame?: RenderFrame | null;
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
  /** How many canvases (keys) the page may keep; the least recently used beyond are dropped. */
  keep?: number;
}

export type PageRenderResult =
  | { warnings: RenderWarning[]; layoutMs: number; incremental: boolean; dirtyRows?: [number, number] | null }
  | { needDocument: true };

/** A new root for one canvas, shown (the shown one has the id audome-root). */
function newRoot(): HTMLElement {
  const el = document.createElement('div');
  el.className = 'audome-root';
  document.body.appendChild(el);
  return el;
}

/** Shows el's canvas and hides the one shown before (or drops it, when it isn't kept). */
function show(el: HTMLElement): void {
  if (shown && shown !== el) {
    const before = shown;
    if ([...held.values()].some((h) => h.built.root === before)) {
      before.style.setProperty('display', 'none');
      before.removeAttribute('id');
    } else {
      before.remove();
    }
  }
  el.style.removeProperty('display');
  el.id = 'audome-root';
  shown = el;
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

interface Held {
  key: string;
  built: BuiltDocument;
  framed: boolean;
}
/** The canvas shown, with its key (null: nothing shown can be updated or posed). */
let live: Held | null = null;
/** The canvases kept, by key, least recently used first (`live` among them). */
const held = new Map<string, Held>();
/** The root shown now. */
let shown: HTMLElement | null = null;

function keepLimit(payload: RenderPayload): number {
  const n = Math.floor(Number(payload.keep ?? 1));
  return Number.isFinite(n) ? Math.max(1, Math.min(64, n)) : 1;
}

/** Drops the least recently used canvases beyond `limit` (never the one shown). */
function trim(limit: number): void {
  for (const [key, h] of held) {
    if (held.size <= limit) break;
    if (h === live) continue;
    held.delete(key);
    h.built.root.remove();
  }
}

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
  const current = typeof payload.key === 'string' ? held.get(payload.key) : undefined;
  if (!current) return { needDocument: true };
  const wasPosed = posed;
  if (posed) await seekTo(null); // updates start from a canvas at rest (kept canvases always are)
  show(current.built.root);
  held.delete(current.key); // until the update is through: a failed one leaves no canvas to trust
  live = null;
  const result = await updateDocument(current.built, payload.data ?? {}, perRender(payload));
  held.set(current.key, current);
  live = current;
  trim(keepLimit(payload));
  stats.updates += 1;
  return {
    warnings: result.warnings,
    layoutMs: Math.round((performance.now() - started) * 100) / 100,
    incremental: true,
    dirtyRows: wasPosed || current.framed ? null : (result.dirtyRows ?? null),
  };
}

async function build(payload: RenderPayload & { document: TemplateDocument }): Promise<PageRenderResult> {
  const started = performance.now();
  if (posed) await seekTo(null); // the canvas shown is kept at rest
  live = null;
  posed = false;
  resetPage();
  const key = typeof payload.key === 'string' && payload.key ? payload.key : null;
  const old = key ? held.get(key) : undefined;
  if (old) {
    held.delete(old.key);
    old.built.root.remove();
  }
  const el = newRoot();
  show(el);
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
  const framed = placeInFrame(el, built.canvas, payload.frame);
  if (key) {
    live = { key, built, framed };
    held.set(key, live);
    trim(keepLimit(payload));
  }
  stats.builds += 1;
  // No waiting for animation frames here: CDP Page.captureScreenshot produces a fresh
  // frame of the current DOM itself (measured: two rAFs cost ~25 ms a render).
  return { warnings: result.warnings, layoutMs: Math.round((performance.now() - started) * 100) / 100, incremental: false };
}

/** Sizes the root to the frame and scales the canvas into it; false when there is no frame. */
function placeInFrame(root: HTMLElement, canvas: HTMLElement, frame: RenderFrame | null | undefined): boolean {
  if (!frame) return false;
  const size = (v: number) => (Number.isFinite(v) ? Math.max(1, Math.min(16384, Math.round(v))) : 1);
  const finite = (v: number) => (Number.isFinite(v) ? v : 0);
  root.style.setProperty('width', `${size(frame.width)}px`);
  root.style.setProperty('height', `${size(frame.height)}px`);
  root.style.setProperty('overflow', 'hidden');
  // The bands `contain` leaves are the canvas's own background colour (transparent stays so).
  root.style.setProperty('background-color', canvas.style.getPropertyValue('background-color') || 'transparent');
  const scale = Number.isFinite(frame.scale) && frame.scale > 0 ? frame.scale : 1;
  canvas.style.setProperty('transform-origin', '0 0');
  canvas.style.setProperty('transform', `translate(${finite(frame.x)}px, ${finite(frame.y)}px) scale(${scale})`);
  return true;
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
  const node = shown?.querySelector(`[data-element-id="${CSS.escape(elementId)}"] > div`);
  if (node) node.textContent = text;
  if (live) held.delete(live.key); // the canvas no longer matches what was built
  live = null;
  posed = false;
}

declare global {
  interface Window {
    __audome: { ready: boolean; render: typeof render; seek: typeof seekFrame; setText: typeof setText; stats: typeof stats };
  }
}

resetPage();
show(newRoot());
window.__audome = { ready: true, render, seek: seekFrame, setText, stats };
