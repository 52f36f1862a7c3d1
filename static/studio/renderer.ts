/// <reference types="vite/client" />
// The canvas is drawn by the shared template renderer (static/renderer/index.ts), the same module
// the headless render page loads, so what the Studio shows is what /generate renders. Until that
// module exists in a checkout, a small stand-in draws the same document shape.
import type { StudioDoc } from './types';

type RenderFn = (root: HTMLElement, doc: any, data: Record<string, string>, opts?: any) => Promise<{ warnings: any[] }>;

const modules = import.meta.glob('../renderer/index.ts', { eager: true }) as Record<string, any>;
const shared = Object.values(modules)[0] as { renderDocument?: RenderFn; BUNDLED_FONTS?: { family: string; category?: string }[] } | undefined;
export const usingSharedRenderer = Boolean(shared && shared.renderDocument);

/** The engine's bundled font families (its catalogue), emoji left out of the picker. */
export const bundledFamilies: string[] | null = shared?.BUNDLED_FONTS
  ? shared.BUNDLED_FONTS.filter((f) => f.category !== 'emoji').map((f) => f.family)
  : null;

/** Account fonts the canvas may use: {family, url}. */
export const accountFonts: { family: string; url: string; weight?: number | string; style?: string }[] = [];

const fallback: RenderFn = async (root, doc, data) => {
  root.replaceChildren();
  root.style.position = 'relative';
  root.style.overflow = 'hidden';
  const bg = doc.background || {};
  root.style.background = bg.color || 'transparent';
  for (const el of doc.elements || []) {
    const node = document.createElement('div');
    node.dataset.elementId = el.id;
    Object.assign(node.style, {
      position: 'absolute', left: `${el.x}px`, top: `${el.y}px`, width: `${el.width}px`, height: `${el.height}px`,
      transform: `rotate(${el.rotation || 0}deg)`, opacity: String(el.opacity ?? 1), boxSizing: 'border-box',
    });
    if (el.type === 'text') {
      const s = el.style || {};
      const text = (el.dynamicKey && data[`${el.dynamicKey}.text`]) ?? el.text ?? '';
      const inner = document.createElement('div');
      inner.textContent = text;
      Object.assign(node.style, {
        display: 'flex', flexDirection: 'column',
        justifyContent: { top: 'flex-start', middle: 'center', bottom: 'flex-end' }[s.verticalAlign as string] || 'flex-start',
      });
      Object.assign(inner.style, {
        fontFamily: `"${s.fontFamily || 'Noto Sans'}", "Noto Sans Arabic", sans-serif`, fontSize: `${s.fontSize || 32}px`,
        fontWeight: String(s.fontWeight || 400), color: s.color || '#000', textAlign: s.textAlign || 'start',
        lineHeight: String(s.lineHeight || 1.2), whiteSpace: 'pre-wrap', overflowWrap: 'break-word',
        direction: s.direction && s.direction !== 'auto' ? s.direction : '', unicodeBidi: 'plaintext',
      });
      node.appendChild(inner);
    } else if (el.type === 'image') {
      const src = (el.dynamicKey && data[`${el.dynamicKey}.img`]) || el.src;
      node.style.borderRadius = `${el.borderRadius || 0}px`;
      node.style.overflow = 'hidden';
      if (src) {
        const img = document.createElement('img');
        img.src = src;
        Object.assign(img.style, { width: '100%', height: '100%', objectFit: el.fit || 'cover', display: 'block' });
        node.appendChild(img);
      } else node.style.background = 'repeating-linear-gradient(45deg,#cbd5e1 0 12px,#e2e8f0 12px 24px)';
    } else {
      Object.assign(node.style, {
        background: el.fill || 'transparent',
        borderRadius: el.shape === 'ellipse' ? '50%' : `${el.borderRadius || 0}px`,
        border: el.strokeWidth ? `${el.strokeWidth}px solid ${el.stroke || '#000'}` : '',
      });
    }
    root.appendChild(node);
  }
  return { warnings: [] };
};

const renderFn: RenderFn = shared?.renderDocument || fallback;

/** Draws `doc` into `root` (hidden elements left out) at canvas size. */
export function drawDocument(root: HTMLElement, doc: StudioDoc, width: number, height: number, data: Record<string, string> = {}) {
  const visible = { ...doc, elements: doc.elements.filter((e) => !e.hidden) };
  root.style.width = `${width}px`;
  root.style.height = `${height}px`;
  return renderFn(root, visible, data, { width, height, fonts: accountFonts }).catch((e) => {
    console.warn('render failed', e);
    return { warnings: [] };
  });
}
