// The elements the insert tools add: centred on the canvas, sized to it.
import type { ImageElement, TemplateElement } from '../renderer/types';
import type { Asset } from './api';
import { editor, newId, uniqueKey } from './editor';
import { lang } from './i18n';

export type NewElementKind = 'text' | 'image' | 'shape' | 'ellipse';

/** Dark text on a light background, white on a dark one. */
function contrastColour(): string {
  const bg = (editor.doc.background?.color || '#ffffff').replace('#', '');
  if (bg.length !== 6) return '#111827';
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(bg.slice(i, i + 2), 16));
  return r * 0.299 + g * 0.587 + b * 0.114 > 150 ? '#111827' : '#ffffff';
}

/** An image element showing an uploaded image: its proportions, at most half the canvas, centred. */
export function imageFromAsset(asset: Asset): ImageElement {
  const W = editor.meta.width, H = editor.meta.height;
  const scale = Math.min(1, (W * 0.5) / asset.width, (H * 0.5) / asset.height);
  const w = Math.max(1, Math.round(asset.width * scale)), h = Math.max(1, Math.round(asset.height * scale));
  return { id: newId(), type: 'image', x: Math.round((W - w) / 2), y: Math.round((H - h) / 2), width: w, height: h, rotation: 0, opacity: 1, src: asset.url, fit: 'contain', borderRadius: 0 };
}

export function newElement(kind: NewElementKind): TemplateElement {
  const W = editor.meta.width, H = editor.meta.height;
  const w = Math.round(W * (kind === 'text' ? 0.6 : 0.3));
  const h = Math.round(kind === 'text' ? Math.max(60, H * 0.12) : w);
  const base = { id: newId(), x: Math.round((W - w) / 2), y: Math.round((H - h) / 2), width: w, height: h, rotation: 0, opacity: 1 };
  if (kind === 'text') {
    const arabic = lang() === 'ar';
    return {
      ...base, type: 'text', text: arabic ? 'نص جديد' : 'New text',
      style: { fontFamily: arabic ? 'Noto Sans Arabic' : 'Noto Sans', fontSize: Math.max(16, Math.round(H * 0.06)), fontWeight: 700, color: contrastColour(), textAlign: 'center', verticalAlign: 'middle', lineHeight: 1.2, autoFit: false, direction: 'auto' },
    };
  }
  if (kind === 'image') return { ...base, type: 'image', src: '', fit: 'cover', borderRadius: 0, dynamicKey: uniqueKey(editor.doc, 'image') };
  return { ...base, type: 'shape', shape: kind === 'ellipse' ? 'ellipse' : 'rect', fill: '#6366f1', borderRadius: 0 };
}
