// Draws a document with the shared template renderer (static/renderer) — the module the
// headless render page loads — so what the Studio shows is what /generate renders.
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { renderDocument } from '../renderer/index';
import type { RenderResult, TemplateData, TemplateDocument } from '../renderer/types';
import { accountFonts } from './fonts';
import { useLatest } from './hooks/use-latest';

/** Draws `doc` (+ test data) into `root` at canvas size; hidden elements are left out by the renderer. */
export function drawDocument(root: HTMLElement, doc: TemplateDocument, width: number, height: number, data: TemplateData = {}): Promise<RenderResult | null> {
  root.style.width = `${width}px`;
  root.style.height = `${height}px`;
  return renderDocument(root, doc, data, { width, height, fonts: accountFonts }).catch((e: unknown) => {
    console.warn('render failed', e);
    return null;
  });
}

/**
 * Keeps `root` showing `doc` with `data`: redrawn whenever either changes. Changes that come
 * while a drawing is under way make one more drawing of the latest state, not one each.
 */
export function useDrawing(root: RefObject<HTMLElement | null>, doc: TemplateDocument, width: number, height: number, data: TemplateData = {}) {
  const latest = useLatest({ doc, width, height, data });
  const state = useRef({ busy: false, again: false });
  const key = JSON.stringify([doc, width, height, data]);
  useEffect(() => {
    const s = state.current;
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    (async () => {
      do {
        s.again = false;
        const node = root.current;
        if (!node) break;
        const { doc: d, width: w, height: h, data: values } = latest.current;
        await drawDocument(node, d, w, h, values);
      } while (s.again);
      s.busy = false;
    })();
  }, [key]);
}
