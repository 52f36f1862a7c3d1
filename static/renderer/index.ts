// The one template renderer: document v1 (+ dynamic data) → DOM at canvas size.
// Used by the Studio, the dashboard thumbnails and the headless render page alike.
//
// Values are data, never markup: text goes through textContent, every style value is
// validated (sanitize.ts) and set one property at a time with style.setProperty.
import { DEFAULT_FAMILY, fontStack, fontsReady, isBundledFamily, loadFontsFor, registerFonts, withTimeout } from './fonts';
import { cssColor, fontFamilyName, fontWeight, imageUrl, keyword, num, setStyle } from './sanitize';
import type {
  DynamicElement,
  ImageElement,
  ImageFit,
  ImageResolution,
  RenderOptions,
  RenderResult,
  RenderWarning,
  ShapeElement,
  TemplateBackground,
  TemplateData,
  TemplateDocument,
  TemplateElement,
  TextElement,
} from './types';

export type * from './types';
export { BUNDLED_FONTS, DEFAULT_FAMILY, fontStack, isBundledFamily } from './fonts';
export { cssColor, fontFamilyName, imageUrl } from './sanitize';
export * from './animation';

const MAX_CANVAS = 4096;
const DEFAULT_IMAGE_TIMEOUT = 15_000;
const DEFAULT_FONT_TIMEOUT = 10_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function elementsOf(doc: TemplateDocument | null | undefined): TemplateElement[] {
  return doc && Array.isArray(doc.elements) ? doc.elements.filter(isObject) : [];
}

/** One entry per element with a dynamicKey (the editable fields of a template). */
export function dynamicElements(doc: TemplateDocument): DynamicElement[] {
  const out: DynamicElement[] = [];
  for (const el of elementsOf(doc)) {
    if (typeof el.dynamicKey !== 'string' || !el.dynamicKey) continue;
    if (el.type !== 'text' && el.type !== 'image') continue;
    out.push({
      type: el.type,
      dynamicKey: el.dynamicKey,
      defaultValue: el.type === 'text' ? String(el.text ?? '') : String(el.src ?? ''),
      placeholder: typeof el.placeholder === 'string' ? el.placeholder : '',
      elementId: String(el.id ?? ''),
    });
  }
  return out;
}

/** Applies "<key>.text" / "<key>.img" of data to el in place (callers pass a copy). */
function applyElementData(el: TemplateElement, data: TemplateData | null | undefined): TemplateElement {
  if (!isObject(data) || !isObject(el) || typeof el.dynamicKey !== 'string' || !el.dynamicKey) return el;
  if (el.type === 'text') {
    const v = data[`${el.dynamicKey}.text`];
    if (typeof v === 'string') el.text = v;
    else if (typeof v === 'number' && Number.isFinite(v)) el.text = String(v);
  } else if (el.type === 'image') {
    const v = data[`${el.dynamicKey}.img`];
    if (typeof v === 'string' && v.trim()) {
      (el as ImageElement & { defaultSrc?: string }).defaultSrc = el.src;
      el.src = v;
    }
  }
  return el;
}

/**
 * A copy of doc with "<key>.text" / "<key>.img" values applied. Unknown keys and values
 * of the wrong type are ignored (the API validates them before a render).
 */
export function applyData(doc: TemplateDocument, data: TemplateData | null | undefined): TemplateDocument {
  const copy: TemplateDocument = JSON.parse(JSON.stringify(doc ?? { version: 1, elements: [] }));
  if (!Array.isArray(copy.elements)) copy.elements = [];
  if (!isObject(data)) return copy;
  for (const el of copy.elements) applyElementData(el, data);
  return copy;
}

function canvasSize(doc: TemplateDocument, opts: RenderOptions): { width: number; height: number } {
  const width = Math.round(num(opts.width ?? doc?.width, 1080, 1, MAX_CANVAS));
  const height = Math.round(num(opts.height ?? doc?.height, 1080, 1, MAX_CANVAS));
  return { width, height };
}

function place(node: HTMLElement, el: TemplateElement): void {
  node.dataset.elementId = String(el.id ?? '');
  node.dataset.elementType = String(el.type);
  setStyle(node, 'position', 'absolute');
  setStyle(node, 'box-sizing', 'border-box');
  setStyle(node, 'left', `${num(el.x, 0, -100_000, 100_000)}px`);
  setStyle(node, 'top', `${num(el.y, 0, -100_000, 100_000)}px`);
  setStyle(node, 'width', `${num(el.width, 0, 0, 100_000)}px`);
  setStyle(node, 'height', `${num(el.height, 0, 0, 100_000)}px`);
  const rotation = num(el.rotation, 0, -36_000, 36_000);
  if (rotation) {
    setStyle(node, 'transform', `rotate(${rotation}deg)`);
    setStyle(node, 'transform-origin', 'center center');
  }
  const opacity = num(el.opacity, 1, 0, 1);
  if (opacity !== 1) setStyle(node, 'opacity', opacity);
}

// ---- text -------------------------------------------------------------------------

interface TextJob {
  el: TextElement;
  box: HTMLElement;
  inner: HTMLElement;
  font: string;
  fontSize: number;
  minFontSize: number;
  autoFit: boolean;
  /** How far (px) the glyphs may reach past the line boxes: tall marks, small line heights. */
  inkMargin: number;
}

const ALIGNS = ['left', 'right', 'center', 'justify', 'start', 'end'] as const;

function buildText(el: TextElement, warnings: RenderWarning[], families: { available: Set<string>; failed: Set<string> }): TextJob {
  const style = isObject(el.style) ? el.style : {};
  const box = document.createElement('div');
  place(box, el);
  const inner = document.createElement('div');
  box.appendChild(inner);

  // Font family: bundled or an account font; anything else falls back (and says so).
  let family = DEFAULT_FAMILY;
  const requested = style.fontFamily;
  if (requested !== undefined && requested !== null && requested !== '') {
    const name = fontFamilyName(requested);
    const lower = name?.toLowerCase() ?? '';
    if (name && (isBundledFamily(name) || families.available.has(lower))) {
      family = name;
    } else {
      const shown = typeof requested === 'string' ? requested.slice(0, 100) : String(requested);
      warnings.push({
        code: 'FONT_FALLBACK',
        elementId: el.id,
        message: name && families.failed.has(lower)
          ? `Font "${shown}" could not be loaded; ${DEFAULT_FAMILY} was used.`
          : `Font "${shown}" is not available; ${DEFAULT_FAMILY} was used.`,
      });
    }
  }
  const fontSize = num(style.fontSize, 48, 1, 2000);
  const weight = fontWeight(style.fontWeight);
  const fontStyle = keyword(style.fontStyle, ['normal', 'italic'] as const, 'normal');
  const stack = fontStack(family);
  const direction = keyword(style.direction, ['auto', 'ltr', 'rtl'] as const, 'auto');
  const align = keyword(style.textAlign, ALIGNS, 'start');
  const valign = keyword(style.verticalAlign, ['top', 'middle', 'bottom'] as const, 'top');
  const lineHeight = num(style.lineHeight, 1.2, 0.1, 10);
  const letterSpacing = num(style.letterSpacing, 0, -1000, 1000);
  const color = cssColor(style.color) ?? '#000000';
  const autoFit = style.autoFit === true;

  box.dir = direction;
  setStyle(box, 'display', 'flex');
  setStyle(box, 'flex-direction', 'column');
  setStyle(box, 'justify-content', valign === 'top' ? 'flex-start' : valign === 'middle' ? 'center' : 'flex-end');
  const bg = cssColor(style.backgroundColor);
  if (bg) setStyle(box, 'background-color', bg);

  setStyle(inner, 'display', 'block');
  setStyle(inner, 'width', '100%');
  setStyle(inner, 'flex', 'none');
  setStyle(inner, 'margin', '0');
  setStyle(inner, 'padding', '0');
  setStyle(inner, 'font-family', stack);
  setStyle(inner, 'font-size', `${fontSize}px`);
  setStyle(inner, 'font-weight', weight);
  setStyle(inner, 'font-style', fontStyle);
  setStyle(inner, 'line-height', lineHeight);
  if (letterSpacing) setStyle(inner, 'letter-spacing', `${letterSpacing}px`);
  setStyle(inner, 'color', color);
  setStyle(inner, 'text-align', align);
  setStyle(inner, 'white-space', 'pre-wrap');
  setStyle(inner, 'overflow-wrap', autoFit ? 'normal' : 'break-word');
  setStyle(inner, 'font-kerning', 'normal');
  setStyle(inner, 'text-rendering', 'optimizeLegibility');
  const transform = keyword(style.textTransform, ['none', 'uppercase', 'lowercase', 'capitalize'] as const, 'none');
  if (transform !== 'none') setStyle(inner, 'text-transform', transform);
  const decoration = keyword(style.textDecoration, ['none', 'underline', 'line-through'] as const, 'none');
  if (decoration !== 'none') setStyle(inner, 'text-decoration-line', decoration);
  inner.textContent = textOf(el);

  const minFontSize = Math.min(fontSize, num(style.minFontSize, 8, 1, 2000));
  return {
    el,
    box,
    inner,
    font: `${fontStyle} ${weight} ${fontSize}px ${stack}`,
    fontSize,
    minFontSize,
    autoFit,
    inkMargin: Math.ceil(fontSize * (Math.max(0, 2 - lineHeight) / 2 + 0.25)) + 4,
  };
}

function textOf(el: TextElement): string {
  return typeof el.text === 'string' ? el.text : el.text == null ? '' : String(el.text);
}

/** New text in a built element: back to the styles it was built with, ready to be fitted. */
function replaceText(job: TextJob, text: string): void {
  setFontSize(job, job.fontSize);
  job.inner.style.setProperty('overflow-wrap', job.autoFit ? 'normal' : 'break-word');
  job.inner.textContent = text;
}

function textFits(job: TextJob): boolean {
  const w = job.box.clientWidth;
  const h = job.box.clientHeight;
  return job.inner.scrollHeight <= h + 1 && job.inner.scrollWidth <= w + 1;
}

function setFontSize(job: TextJob, size: number): void {
  job.inner.style.setProperty('font-size', `${size}px`);
}

function fitText(job: TextJob, warnings: RenderWarning[]): void {
  if (!job.inner.textContent) return;
  if (textFits(job)) return;
  const id = job.el.id;
  if (!job.autoFit) {
    warnings.push({ code: 'TEXT_OVERFLOW', elementId: id, message: `Text does not fit its ${Math.round(num(job.el.width, 0))}×${Math.round(num(job.el.height, 0))} box.` });
    return;
  }
  // Binary search on the font size (0.5 px steps) for the largest size that fits.
  let lo = job.minFontSize;
  let hi = job.fontSize;
  setFontSize(job, lo);
  if (!textFits(job)) {
    // Last resort: allow breaking inside long words.
    job.inner.style.setProperty('overflow-wrap', 'break-word');
    if (!textFits(job)) {
      warnings.push({ code: 'TEXT_FITTED', elementId: id, fontSize: lo, message: `Font size reduced from ${job.fontSize}px to ${lo}px to fit the box.` });
      warnings.push({ code: 'TEXT_OVERFLOW', elementId: id, message: `Text does not fit its box even at ${lo}px.` });
      return;
    }
  }
  while (hi - lo > 0.5) {
    const mid = Math.floor(((lo + hi) / 2) * 2) / 2;
    if (mid <= lo) break;
    setFontSize(job, mid);
    if (textFits(job)) lo = mid;
    else hi = mid;
  }
  setFontSize(job, lo);
  warnings.push({ code: 'TEXT_FITTED', elementId: id, fontSize: lo, message: `Font size reduced from ${job.fontSize}px to ${lo}px to fit the box.` });
}

// ---- images -----------------------------------------------------------------------

function resolveUrl(raw: unknown, opts: RenderOptions): { url: string | null; error?: string } {
  if (typeof raw !== 'string' || !raw.trim()) return { url: null };
  let r: ImageResolution;
  if (opts.resolveImageUrl) {
    try {
      r = opts.resolveImageUrl(raw);
    } catch (e) {
      r = { error: String(e) };
    }
  } else {
    r = imageUrl(raw);
  }
  if (r && typeof r === 'object') return { url: null, error: r.error };
  if (typeof r !== 'string') return { url: null, error: 'unavailable' };
  const safe = imageUrl(r);
  return safe ? { url: safe } : { url: null, error: 'not an allowed image URL' };
}

/** Where an image element's picture may come from: its value, then the template's src. */
interface ImageSources {
  candidates: { url: string; original: string }[];
  failures: string[];
  requested: string;
}

function resolveSources(primary: unknown, fallback: unknown, opts: RenderOptions): ImageSources {
  const sources: ImageSources = { candidates: [], failures: [], requested: typeof primary === 'string' ? primary : '' };
  const seen = new Set<string>();
  for (const raw of [primary, fallback]) {
    if (typeof raw !== 'string' || !raw.trim() || seen.has(raw)) continue;
    seen.add(raw);
    const { url, error } = resolveUrl(raw, opts);
    if (url) sources.candidates.push({ url, original: raw });
    else sources.failures.push(error ?? 'unavailable');
  }
  return sources;
}

interface ImageJob extends ImageSources {
  elementId?: string;
  img: HTMLImageElement;
}

function imageJob(img: HTMLImageElement, sources: ImageSources, elementId?: string): ImageJob | null {
  if (!sources.candidates.length && !sources.failures.length) return null;
  return { elementId, img, candidates: sources.candidates, failures: [...sources.failures], requested: sources.requested };
}

// Recently used images stay referenced, so the next render with the same URL gets the
// already fetched and decoded image from the document's list of available images.
const keptImages = new Map<string, HTMLImageElement>();
const KEEP_IMAGES = 8;

function keepImage(url: string, img: HTMLImageElement): void {
  keptImages.delete(url);
  keptImages.set(url, img);
  while (keptImages.size > KEEP_IMAGES) keptImages.delete(keptImages.keys().next().value as string);
}

/**
 * A decoded image for url from an earlier render, put in place of `img` (the styles of the
 * new node carried over). Saves the fetch and the decode when a template repeats its images.
 */
function reuseKept(job: ImageJob, url: string): boolean {
  const kept = keptImages.get(url);
  if (!kept || kept.isConnected || !kept.complete || kept.naturalWidth === 0 || !job.img.parentNode) return false;
  kept.setAttribute('style', job.img.getAttribute('style') ?? '');
  job.img.replaceWith(kept);
  job.img = kept;
  keepImage(url, kept);
  return true;
}

function loadInto(img: HTMLImageElement, url: string, timeoutMs: number): Promise<boolean> {
  img.src = url;
  const p = img.decode().then(
    () => {
      if (img.naturalWidth > 0) keepImage(url, img);
      return img.naturalWidth > 0;
    },
    () => false,
  );
  return withTimeout(p, timeoutMs, false);
}

const DECODE_FAILED = 'could not be decoded';

async function settleImage(job: ImageJob, opts: RenderOptions, warnings: RenderWarning[]): Promise<void> {
  const timeout = num(opts.imageTimeoutMs, DEFAULT_IMAGE_TIMEOUT, 1, 600_000);
  let usedIndex = -1;
  for (let i = 0; i < job.candidates.length; i++) {
    if (reuseKept(job, job.candidates[i].url) || (await loadInto(job.img, job.candidates[i].url, timeout))) {
      usedIndex = i;
      break;
    }
    job.failures.push(DECODE_FAILED);
  }
  if (usedIndex < 0) {
    job.img.removeAttribute('src');
    job.img.style.setProperty('visibility', 'hidden');
  }
  const primaryFailed = job.failures.length > 0 && (usedIndex !== 0 || job.candidates[0]?.original !== job.requested);
  if (primaryFailed) {
    const kept = usedIndex >= 0 ? 'the template image was kept' : 'the slot was left empty';
    const what = job.requested ? `Image ${job.requested.slice(0, 200)}` : 'Image';
    warnings.push({ code: 'IMAGE_FALLBACK', elementId: job.elementId, message: `${what} could not be used (${job.failures[0]}); ${kept}.` });
  }
}

function imageBox(el: ImageElement): HTMLElement {
  const box = document.createElement('div');
  place(box, el);
  setStyle(box, 'overflow', 'hidden');
  const radius = num(el.borderRadius, 0, 0, 100_000);
  if (radius) setStyle(box, 'border-radius', `${radius}px`);
  return box;
}

function imageNode(el: ImageElement): HTMLImageElement {
  const img = document.createElement('img');
  img.alt = '';
  img.decoding = 'sync';
  img.draggable = false;
  setStyle(img, 'display', 'block');
  setStyle(img, 'width', '100%');
  setStyle(img, 'height', '100%');
  setStyle(img, 'object-fit', keyword(el.fit, ['cover', 'contain', 'fill'] as const, 'cover'));
  return img;
}

function backgroundNode(bgSpec: TemplateBackground): HTMLImageElement {
  const img = document.createElement('img');
  img.alt = '';
  setStyle(img, 'position', 'absolute');
  setStyle(img, 'inset', '0');
  setStyle(img, 'width', '100%');
  setStyle(img, 'height', '100%');
  setStyle(img, 'object-fit', keyword(bgSpec.fit, ['cover', 'contain', 'fill'] as const, 'cover') as ImageFit);
  return img;
}

// ---- shapes -----------------------------------------------------------------------

function buildShape(el: ShapeElement): HTMLElement {
  const node = document.createElement('div');
  place(node, el);
  const shape = keyword(el.shape, ['rect', 'ellipse', 'line'] as const, 'rect');
  const fill = cssColor(el.fill);
  const stroke = cssColor(el.stroke);
  const strokeWidth = num(el.strokeWidth, stroke ? 1 : 0, 0, 10_000);
  if (shape === 'line') {
    // A horizontal line through the middle of the box; rotate the element for other angles.
    const line = document.createElement('div');
    const thickness = strokeWidth || Math.max(1, num(el.height, 1, 0, 10_000));
    setStyle(line, 'position', 'absolute');
    setStyle(line, 'left', '0');
    setStyle(line, 'width', '100%');
    setStyle(line, 'top', `calc(50% - ${thickness / 2}px)`);
    setStyle(line, 'height', `${thickness}px`);
    setStyle(line, 'background-color', stroke ?? fill ?? '#000000');
    const radius = num(el.borderRadius, 0, 0, 100_000);
    if (radius) setStyle(line, 'border-radius', `${radius}px`);
    node.appendChild(line);
    return node;
  }
  if (fill) setStyle(node, 'background-color', fill);
  if (stroke && strokeWidth > 0) {
    setStyle(node, 'border-style', 'solid');
    setStyle(node, 'border-width', `${strokeWidth}px`);
    setStyle(node, 'border-color', stroke);
  }
  if (shape === 'ellipse') setStyle(node, 'border-radius', '50%');
  else {
    const radius = num(el.borderRadius, 0, 0, 100_000);
    if (radius) setStyle(node, 'border-radius', `${radius}px`);
  }
  return node;
}

// ---- the document -----------------------------------------------------------------

/**
 * One drawn part of the canvas, in drawing order: the background image or an element.
 * Its warnings are kept by kind, so that an update redoes only what changed and every
 * render lists them the same way (see warningsOf).
 */
interface Slot {
  /** The template's element, before any data (null for the background image). */
  el: TemplateElement | null;
  built: RenderWarning[];
  image: RenderWarning[];
  fit: RenderWarning[];
  text?: { job: TextJob; value: string };
  picture?: Picture;
}

interface Picture {
  img: HTMLImageElement;
  /** A fresh <img> for this slot: a new picture never reuses a node that showed another URL. */
  make: () => HTMLImageElement;
  hideWhenEmpty: boolean;
  /** The resolved sources now shown; the same sources on an update keep the picture. */
  signature: string;
  /** The last picture failed to decode (or timed out): try again on the next update. */
  retry: boolean;
}

/** A canvas built by buildDocument, kept for updateDocument. Treat it as opaque. */
export interface BuiltDocument {
  root: HTMLElement;
  canvas: HTMLElement;
  /** A copy of the template document, without data. */
  template: TemplateDocument;
  /** The options the canvas was built with (size, background, scale, account fonts). */
  opts: RenderOptions;
  /** The account fonts usable when it was built. */
  families: string;
  slots: Slot[];
}

/** What an update may change: the per-render options; size, background and fonts are fixed. */
export type UpdateOptions = Pick<RenderOptions, 'resolveImageUrl' | 'imageTimeoutMs' | 'fontTimeoutMs'>;

function newSlot(el: TemplateElement | null): Slot {
  return { el, built: [], image: [], fit: [] };
}

/** Warnings of the whole canvas: those of the build, then images, then text fitting, each in drawing order. */
function warningsOf(slots: Slot[]): RenderWarning[] {
  return [...slots.flatMap((s) => s.built), ...slots.flatMap((s) => s.image), ...slots.flatMap((s) => s.fit)];
}

function familiesKey(families: { available: Set<string>; failed: Set<string> }): string {
  return JSON.stringify([[...families.available].sort(), [...families.failed].sort()]);
}

/** The picture's sources for data: the element's value, then its template src. */
function sourcesFor(slot: Slot, bgSpec: TemplateBackground, data: TemplateData, opts: RenderOptions): ImageSources {
  if (!slot.el) return resolveSources(bgSpec.image, undefined, opts);
  const el = applyElementData({ ...slot.el }, data) as ImageElement & { defaultSrc?: string };
  return resolveSources(el.src, el.defaultSrc, opts);
}

/** Puts img in the slot and settles it (the returned promise), or hides it when there is nothing to show. */
function showPicture(slot: Slot, picture: Picture, img: HTMLImageElement, sources: ImageSources, opts: RenderOptions): Promise<void> | null {
  picture.img = img;
  picture.signature = JSON.stringify(sources);
  picture.retry = false;
  slot.image = [];
  const job = imageJob(img, sources, slot.el ? slot.el.id : undefined);
  if (!job) {
    if (picture.hideWhenEmpty) setStyle(img, 'visibility', 'hidden');
    return null;
  }
  return settleImage(job, opts, slot.image).then(() => {
    picture.img = job.img; // a kept, already decoded <img> may have taken its place
    picture.retry = job.failures.includes(DECODE_FAILED);
  });
}

/** Waits for the fonts of the (new) texts, fits them, then waits for the pictures. */
async function layOut(canvas: HTMLElement, texts: Slot[], pictures: Promise<void>[], fontTimeout: number): Promise<void> {
  const imagesDone = Promise.all(pictures); // images load while fonts do
  await Promise.all(texts.map((s) => loadFontsFor(s.text!.job.font, s.text!.job.inner.textContent ?? '', fontTimeout)));
  void canvas.offsetHeight; // layout starts any fallback-font loads…
  await fontsReady(fontTimeout); // …and this waits for them.
  for (const s of texts) fitText(s.text!.job, s.fit);
  await fontsReady(fontTimeout);
  await imagesDone;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/**
 * Renders doc (+ data) into root: clears root, appends one canvas node of the canvas size
 * and resolves once fonts and images are ready and text is fitted.
 */
export async function renderDocument(
  root: HTMLElement,
  doc: TemplateDocument,
  data: TemplateData = {},
  opts: RenderOptions = {},
): Promise<RenderResult> {
  return (await buildDocument(root, doc, data, opts)).result;
}

/**
 * renderDocument, keeping what updateDocument needs to change only the dynamic values of
 * the same canvas later.
 */
export async function buildDocument(
  root: HTMLElement,
  doc: TemplateDocument,
  data: TemplateData = {},
  opts: RenderOptions = {},
): Promise<{ result: RenderResult; built: BuiltDocument }> {
  const started = performance.now();
  const template = applyData(doc, null);
  const resolved = applyData(template, data);
  const { width, height } = canvasSize(resolved, opts);
  const fontTimeout = num(opts.fontTimeoutMs, DEFAULT_FONT_TIMEOUT, 1, 600_000);
  const families = await registerFonts(opts.fonts, fontTimeout);

  const canvas = document.createElement('div');
  canvas.className = 'audome-canvas';
  canvas.dir = 'ltr';
  setStyle(canvas, 'position', 'relative');
  setStyle(canvas, 'overflow', 'hidden');
  setStyle(canvas, 'width', `${width}px`);
  setStyle(canvas, 'height', `${height}px`);
  setStyle(canvas, 'contain', 'strict');
  const scale = num(opts.scale, 1, 0.001, 100);
  if (scale !== 1) {
    setStyle(canvas, 'transform', `scale(${scale})`);
    setStyle(canvas, 'transform-origin', '0 0');
  }
  const bgSpec = isObject(resolved.background) ? resolved.background : {};
  let bg: string | null;
  if (opts.background === 'transparent') bg = 'transparent';
  else bg = cssColor(opts.background) ?? cssColor(bgSpec.color) ?? (bgSpec.color === undefined ? '#ffffff' : null);
  if (bg === null) bg = '#ffffff';
  setStyle(canvas, 'background-color', bg);

  const slots: Slot[] = [];
  const texts: Slot[] = [];
  const pictures: { slot: Slot; picture: Picture; sources: ImageSources }[] = [];
  const addPicture = (slot: Slot, img: HTMLImageElement, make: () => HTMLImageElement, hideWhenEmpty: boolean) => {
    const picture: Picture = { img, make, hideWhenEmpty, signature: '', retry: false };
    slot.picture = picture;
    pictures.push({ slot, picture, sources: sourcesFor(slot, bgSpec, data, opts) });
  };
  if (bgSpec.image) {
    const slot = newSlot(null);
    const img = backgroundNode(bgSpec);
    canvas.appendChild(img);
    addPicture(slot, img, () => backgroundNode(bgSpec), false);
    slots.push(slot);
  }

  resolved.elements.forEach((el, i) => {
    if (!isObject(el) || el.hidden === true || el.visible === false) return;
    const slot = newSlot(template.elements[i]);
    if (el.type === 'text') {
      const job = buildText(el, slot.built, families);
      slot.text = { job, value: textOf(el) };
      texts.push(slot);
      canvas.appendChild(job.box);
    } else if (el.type === 'image') {
      const box = imageBox(el);
      const img = imageNode(el);
      box.appendChild(img);
      canvas.appendChild(box);
      addPicture(slot, img, () => imageNode(el), true);
    } else if (el.type === 'shape') {
      canvas.appendChild(buildShape(el));
    }
    slots.push(slot);
  });

  root.replaceChildren(canvas);

  const settling = pictures.map(({ slot, picture, sources }) => showPicture(slot, picture, picture.img, sources, opts));
  await layOut(canvas, texts, settling.filter((p) => p !== null), fontTimeout);
  const built: BuiltDocument = { root, canvas, template, opts: { ...opts }, families: familiesKey(families), slots };
  return { result: { warnings: warningsOf(slots), layoutMs: elapsed(started), canvas }, built };
}

/**
 * Renders the built canvas with other data: only the text and images whose values changed
 * are redone (text refitted, its fonts loaded first; images resolved and settled like a
 * build). The canvas, the warnings and the pixels are those a build with this data gives.
 * Data keys left out mean the template's values. Rebuilds when the canvas left its root or
 * the account fonts usable changed.
 */
export async function updateDocument(built: BuiltDocument, data: TemplateData = {}, update: UpdateOptions = {}): Promise<RenderResult> {
  const started = performance.now();
  const opts: RenderOptions = {
    ...built.opts,
    resolveImageUrl: update.resolveImageUrl,
    imageTimeoutMs: update.imageTimeoutMs,
    fontTimeoutMs: update.fontTimeoutMs,
  };
  const fontTimeout = num(opts.fontTimeoutMs, DEFAULT_FONT_TIMEOUT, 1, 600_000);
  const families = await registerFonts(opts.fonts, fontTimeout);
  if (built.canvas.parentNode !== built.root || familiesKey(families) !== built.families) {
    const again = await buildDocument(built.root, built.template, data, opts);
    Object.assign(built, again.built);
    return { ...again.result, layoutMs: elapsed(started), dirtyRows: null };
  }
  const bgSpec = isObject(built.template.background) ? built.template.background : {};
  // What changes, decided before anything is touched (so measuring it costs one layout).
  const changedTexts: { slot: Slot; value: string }[] = [];
  const changedPictures: { slot: Slot; sources: ImageSources }[] = [];
  for (const slot of built.slots) {
    if (slot.text && slot.el) {
      const value = textOf(applyElementData({ ...slot.el }, data) as TextElement);
      if (value !== slot.text.value) changedTexts.push({ slot, value });
    } else if (slot.picture) {
      const sources = sourcesFor(slot, bgSpec, data, opts);
      if (slot.picture.retry || JSON.stringify(sources) !== slot.picture.signature) changedPictures.push({ slot, sources });
    }
  }
  const changed = [...changedTexts.map((c) => c.slot), ...changedPictures.map((c) => c.slot)];
  const dirty = new DirtyRows(built, changed);
  const texts: Slot[] = [];
  const pictures: Promise<void>[] = [];
  for (const { slot, value } of changedTexts) {
    replaceText(slot.text!.job, value);
    slot.text!.value = value;
    slot.fit = [];
    texts.push(slot);
  }
  for (const { slot, sources } of changedPictures) {
    const picture = slot.picture!;
    const img = picture.make();
    picture.img.replaceWith(img);
    const settling = showPicture(slot, picture, img, sources, opts);
    if (settling) pictures.push(settling);
  }
  if (texts.length) await layOut(built.canvas, texts, pictures, fontTimeout);
  else await Promise.all(pictures);
  return { warnings: warningsOf(built.slots), layoutMs: elapsed(started), canvas: built.canvas, dirtyRows: dirty.after() };
}

/**
 * The rows an update may repaint: those its changed slots covered before the update and
 * those they cover after it. Text counts its box and its lines, plus an ink margin; a picture
 * its clipping box. Rotation is included (bounding rectangles are axis-aligned).
 */
class DirtyRows {
  private top = Infinity;
  private bottom = -Infinity;
  private unknown: boolean;

  constructor(private built: BuiltDocument, private slots: Slot[]) {
    // A scaled canvas or a background image (the whole canvas) are not worth measuring.
    this.unknown = num(built.opts.scale, 1, 0.001, 100) !== 1 || slots.some((s) => !s.el);
    this.measure();
  }

  after(): [number, number] | null {
    this.measure();
    if (this.unknown) return null;
    if (!this.slots.length || this.bottom <= this.top) return [0, 0];
    return [Math.max(0, Math.floor(this.top)), Math.max(0, Math.ceil(this.bottom))];
  }

  private measure(): void {
    if (this.unknown || !this.slots.length) return;
    const origin = this.built.canvas.getBoundingClientRect().top;
    for (const slot of this.slots) {
      const boxes: [Element | null, number][] = slot.text
        ? [[slot.text.job.box, slot.text.job.inkMargin], [slot.text.job.inner, slot.text.job.inkMargin]]
        : [[slot.picture?.img.parentElement ?? null, 2]];
      for (const [node, margin] of boxes) {
        if (!node) {
          this.unknown = true;
          return;
        }
        const r = node.getBoundingClientRect();
        this.top = Math.min(this.top, r.top - origin - margin);
        this.bottom = Math.max(this.bottom, r.bottom - origin + margin);
      }
    }
  }
}

