// Document format v1 (API.md §3) as the renderer understands it.

export type TextAlign = 'left' | 'right' | 'center' | 'justify' | 'start' | 'end';
export type VerticalAlign = 'top' | 'middle' | 'bottom';
export type Direction = 'auto' | 'ltr' | 'rtl';
export type ImageFit = 'cover' | 'contain' | 'fill';

export interface TextStyle {
  fontFamily?: string;
  fontSize?: number;
  fontWeight?: number | string;
  fontStyle?: 'normal' | 'italic';
  color?: string;
  textAlign?: TextAlign;
  verticalAlign?: VerticalAlign;
  lineHeight?: number;
  letterSpacing?: number;
  direction?: Direction;
  autoFit?: boolean;
  /** Smallest size autoFit may choose (px, default 8). */
  minFontSize?: number;
  textTransform?: 'none' | 'uppercase' | 'lowercase' | 'capitalize';
  textDecoration?: 'none' | 'underline' | 'line-through';
  backgroundColor?: string;
}

interface BaseElement {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  rotation?: number;
  opacity?: number;
  hidden?: boolean;
  visible?: boolean;
  name?: string;
  locked?: boolean;
  dynamicKey?: string;
  placeholder?: string;
  /** Elements with the same groupId are one group in the Studio (selected and moved together). */
  groupId?: string;
  /** Video: how the element comes in and goes out, and its keyframes (animation.ts). */
  enter?: import('./animation').ElementAnimation;
  exit?: import('./animation').ElementAnimation;
  keyframes?: import('./animation').Keyframe[];
}

export interface TextElement extends BaseElement {
  type: 'text';
  text?: string;
  style?: TextStyle;
}

export interface ImageElement extends BaseElement {
  type: 'image';
  src?: string;
  fit?: ImageFit;
  borderRadius?: number;
}

export interface ShapeElement extends BaseElement {
  type: 'shape';
  shape?: 'rect' | 'ellipse' | 'line';
  fill?: string;
  stroke?: string;
  strokeWidth?: number;
  borderRadius?: number;
}

export type TemplateElement = TextElement | ImageElement | ShapeElement;

export interface TemplateBackground {
  color?: string;
  /** Optional background image (URL), drawn under every element. */
  image?: string;
  fit?: ImageFit;
}

export interface TemplateDocument {
  version: 1;
  background?: TemplateBackground;
  elements: TemplateElement[];
  /** Video: length in ms (none: a still, a 1-frame video) and frames per second (1–60). */
  duration?: number;
  fps?: number;
  /** Canvas size, when the document carries it (projects keep it beside the document). */
  width?: number;
  height?: number;
}

/** Dynamic values: "<dynamicKey>.text" and "<dynamicKey>.img". */
export type TemplateData = Record<string, unknown>;

export type WarningCode = 'TEXT_OVERFLOW' | 'TEXT_FITTED' | 'IMAGE_FALLBACK' | 'FONT_FALLBACK';

export interface RenderWarning {
  code: WarningCode;
  elementId?: string;
  message: string;
  /** TEXT_FITTED: the font size (px) auto-fit chose. */
  fontSize?: number;
}

/** An account font, loaded through the FontFace API (never installed anywhere). */
export interface FontFaceSpec {
  family: string;
  url: string;
  weight?: number | string;
  style?: 'normal' | 'italic';
}

export type ImageResolution = string | null | { error: string };

export interface RenderOptions {
  /** Canvas size in px (defaults: doc.width/height, else 1080×1080). */
  width?: number;
  height?: number;
  /** Overrides the document's background colour; 'transparent' leaves the canvas clear. */
  background?: string | null;
  /** Account fonts available to this document. */
  fonts?: FontFaceSpec[];
  /** Draw the canvas scaled (thumbnails, Studio zoom). Layout stays in canvas pixels. */
  scale?: number;
  /**
   * Maps an image URL from the document/data to the URL to load. null or {error} means
   * "unavailable": the element falls back to its template src (IMAGE_FALLBACK).
   * Default: the URL itself (http(s), data:image/…, blob: and relative URLs only).
   */
  resolveImageUrl?: (url: string) => ImageResolution;
  /** Per-image and per-font wait limits (ms). */
  imageTimeoutMs?: number;
  fontTimeoutMs?: number;
}

export interface RenderResult {
  warnings: RenderWarning[];
  /** Time spent building, loading fonts/images and fitting (ms). */
  layoutMs: number;
  /** The canvas node created inside root. */
  canvas: HTMLElement;
  /**
   * updateDocument only: the canvas rows [top, bottom) whose pixels may differ from those of
   * the render before (what the changed elements covered before and cover now, ink
   * included); [0, 0] when nothing changed, null when that is not known (a rebuild, a
   * background image, a scaled canvas). The headless renderer re-captures only those rows.
   */
  dirtyRows?: [number, number] | null;
}

export interface DynamicElement {
  type: 'text' | 'image';
  dynamicKey: string;
  defaultValue: string;
  placeholder: string;
  elementId: string;
}
