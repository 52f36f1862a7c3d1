// The fonts the Studio offers: the renderer's bundled catalogue (emoji left out of the picker)
// and the account's uploaded fonts, which the canvas passes to the renderer and the font
// picker and the on-canvas text editor use through an @font-face rule.
import { BUNDLED_FONTS } from '../renderer/index';
import type { FontFaceSpec } from '../renderer/types';
import type { Font } from './api';

export interface FontOption {
  family: string;
  uploaded?: boolean;
}

export const bundledOptions: FontOption[] = BUNDLED_FONTS.filter((f) => f.category !== 'emoji').map((f) => ({ family: f.family }));

/** Account fonts the canvas may use. */
export const accountFonts: FontFaceSpec[] = [];

export function addAccountFont(font: Font) {
  if (!font.url || accountFonts.some((f) => f.family === font.familyName && f.url === font.url)) return;
  accountFonts.push({ family: font.familyName, url: font.url, weight: font.weight, style: font.style });
  const el = document.createElement('style');
  el.textContent = `@font-face{font-family:${JSON.stringify(font.familyName)};src:url(${JSON.stringify(font.url)});font-display:swap}`;
  document.head.appendChild(el);
}

/** The picker's list: bundled families (the renderer's and the server's), then uploaded ones, each once. */
export function fontOptions(uploaded: Font[], serverBundled: string[] = []): FontOption[] {
  const list = [...bundledOptions];
  for (const family of serverBundled) if (!/emoji/i.test(family) && !list.some((x) => x.family === family)) list.push({ family });
  for (const f of uploaded) if (f.familyName && !list.some((x) => x.family === f.familyName)) list.push({ family: f.familyName, uploaded: true });
  return list;
}
