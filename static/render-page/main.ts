// The page the headless Chromium keeps warm (rendering/engine). It loads the one template
// renderer and the bundled fonts once; each render only updates the DOM.
//
//   await window.__audome.render({width, height, background, document, data, fonts, images})
//     → {warnings, layoutMs}
//
// `images` maps every image URL of the document/data to the URL the page may load (the
// engine prefetched it and serves it from memory) or to {error}; nothing else is loaded.
import { renderDocument } from '../renderer/index';
import { cssColor } from '../renderer/sanitize';
import type { FontFaceSpec, ImageResolution, RenderWarning, TemplateData, TemplateDocument } from '../renderer/types';

export interface RenderPayload {
  width: number;
  height: number;
  background?: string | null;
  document: TemplateDocument;
  data?: TemplateData;
  fonts?: FontFaceSpec[];
  images?: Record<string, ImageResolution>;
  imageTimeoutMs?: number;
  fontTimeoutMs?: number;
}

export interface PageRenderResult {
  warnings: RenderWarning[];
  layoutMs: number;
}

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

async function renderNow(payload: RenderPayload): Promise<PageRenderResult> {
  const started = performance.now();
  resetPage();
  const el = root();
  el.replaceChildren();
  el.style.setProperty('position', 'absolute');
  el.style.setProperty('left', '0');
  el.style.setProperty('top', '0');
  el.style.setProperty('width', `${payload.width}px`);
  el.style.setProperty('height', `${payload.height}px`);
  const images = payload.images ?? {};
  const background =
    payload.background === 'transparent' ? 'transparent' : (cssColor(payload.background) ?? null);
  const result = await renderDocument(el, payload.document, payload.data ?? {}, {
    width: payload.width,
    height: payload.height,
    background,
    fonts: payload.fonts ?? [],
    imageTimeoutMs: payload.imageTimeoutMs,
    fontTimeoutMs: payload.fontTimeoutMs,
    resolveImageUrl: (url) => (Object.prototype.hasOwnProperty.call(images, url) ? images[url] : { error: 'not fetched' }),
  });
  // No waiting for animation frames here: CDP Page.captureScreenshot produces a fresh
  // frame of the current DOM itself (measured: two rAFs cost ~25 ms a render).
  return { warnings: result.warnings, layoutMs: Math.round((performance.now() - started) * 100) / 100 };
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
}

declare global {
  interface Window {
    __audome: { ready: boolean; render: typeof render; setText: typeof setText };
  }
}

resetPage();
root();
window.__audome = { ready: true, render, setText };
