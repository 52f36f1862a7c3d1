// Draws a document with the shared template renderer (static/renderer) — the module the
// headless render page loads — so what the Studio shows is what /generate renders.
import { renderDocument } from '../renderer/index';
import type { RenderResult, TemplateData, TemplateDocument } from '../renderer/types';
import { accountFonts } from './fonts';

/** Draws `doc` (+ test data) into `root` at canvas size; hidden elements are left out by the renderer. */
export function drawDocument(root: HTMLElement, doc: TemplateDocument, width: number, height: number, data: TemplateData = {}): Promise<RenderResult | null> {
  root.style.width = `${width}px`;
  root.style.height = `${height}px`;
  return renderDocument(root, doc, data, { width, height, fonts: accountFonts }).catch((e: unknown) => {
    console.warn('render failed', e);
    return null;
  });
}
