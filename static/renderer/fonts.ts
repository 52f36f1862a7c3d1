// The bundled font catalogue (kept in step with rendering/engine/fonts.py) and account fonts.
import './font-files';
import { fontFamilyName } from './sanitize';
import type { FontFaceSpec } from './types';

export interface BundledFamily {
  family: string;
  category: 'sans-serif' | 'serif' | 'emoji';
  scripts: string[];
  weights: number[];
  italic: boolean;
}

export const BUNDLED_FONTS: BundledFamily[] = [
  { family: 'Noto Sans', category: 'sans-serif', scripts: ['latin', 'cyrillic', 'greek', 'devanagari', 'vietnamese'], weights: [400, 500, 600, 700, 800], italic: true },
  { family: 'Noto Serif', category: 'serif', scripts: ['latin', 'cyrillic', 'greek', 'vietnamese'], weights: [400, 700], italic: true },
  { family: 'Noto Sans Arabic', category: 'sans-serif', scripts: ['arabic', 'latin'], weights: [400, 500, 600, 700], italic: false },
  { family: 'Noto Naskh Arabic', category: 'serif', scripts: ['arabic', 'latin'], weights: [400, 700], italic: false },
  { family: 'Noto Kufi Arabic', category: 'sans-serif', scripts: ['arabic', 'latin'], weights: [400, 700], italic: false },
  { family: 'Noto Color Emoji', category: 'emoji', scripts: ['emoji'], weights: [400], italic: false },
];

export const DEFAULT_FAMILY = 'Noto Sans';

/** What every text falls back to, in order: Latin & co, Arabic, emoji. */
const FALLBACK_STACK = ['Noto Sans', 'Noto Sans Arabic', 'Noto Color Emoji'];

const bundled = new Set(BUNDLED_FONTS.map((f) => f.family.toLowerCase()));

export function isBundledFamily(family: string): boolean {
  return bundled.has(family.toLowerCase());
}

/** The CSS font-family value for a (validated) family: the family, then the fallbacks. */
export function fontStack(family: string): string {
  const names = [family, ...FALLBACK_STACK.filter((f) => f.toLowerCase() !== family.toLowerCase())];
  return names.map((n) => `"${n}"`).join(', ') + ', sans-serif';
}

// Account fonts added to document.fonts, by family|weight|style|url: added once per page.
const added = new Map<string, { face: FontFace; ok: Promise<boolean> }>();

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });
}

/**
 * Registers account fonts through the FontFace API and loads them.
 * Returns the lower-cased family names that are usable and those that failed to load.
 */
export async function registerFonts(
  fonts: FontFaceSpec[] | undefined,
  timeoutMs: number,
): Promise<{ available: Set<string>; failed: Set<string> }> {
  const available = new Set<string>();
  const failed = new Set<string>();
  const waits: Promise<void>[] = [];
  for (const spec of fonts ?? []) {
    const family = fontFamilyName(spec?.family);
    if (!family || typeof spec.url !== 'string') continue;
    const weight = String(spec.weight ?? 400).match(/^\d{1,4}$/) ? String(spec.weight ?? 400) : '400';
    const style = spec.style === 'italic' ? 'italic' : 'normal';
    let url: string;
    try {
      url = new URL(spec.url, location.href).href;
    } catch {
      failed.add(family.toLowerCase());
      continue;
    }
    const key = `${family}|${weight}|${style}|${url}`;
    let entry = added.get(key);
    if (!entry) {
      // The source is a URL we escaped ourselves (JSON.stringify of a parsed URL).
      const face = new FontFace(family, `url(${JSON.stringify(url)})`, { weight, style, display: 'block' });
      document.fonts.add(face);
      entry = { face, ok: face.load().then(() => true, () => false) };
      added.set(key, entry);
    }
    const lower = family.toLowerCase();
    waits.push(
      withTimeout(entry.ok, timeoutMs, false).then((ok) => {
        if (ok) available.add(lower);
        else failed.add(lower);
      }),
    );
  }
  await Promise.all(waits);
  for (const f of available) failed.delete(f);
  return { available, failed };
}

/** Waits until the faces this text needs are loaded (bounded by timeoutMs). */
export async function loadFontsFor(font: string, text: string, timeoutMs: number): Promise<void> {
  if (!text) return;
  await withTimeout(document.fonts.load(font, text).then(() => undefined), timeoutMs, undefined);
}

export async function fontsReady(timeoutMs: number): Promise<void> {
  await withTimeout(document.fonts.ready.then(() => undefined), timeoutMs, undefined);
}

export { withTimeout };
