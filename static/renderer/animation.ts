// Animation of a template document: the ONE seek function. The headless render page calls it
// for every frame of a video (and for a frame preview), the Studio's timeline for scrubbing and
// playback, so a frame looks the same wherever it is drawn.
//
//   seek(canvasRoot, doc, timeMs)   // pose every animated element at timeMs (null: at rest)
//
// It is a pure function of (document, time): no wall clock, no CSS animations, no state carried
// from the seek before (every animated property is set from scratch each time), so frame 42
// seeked twice — or after frame 90 — is the same DOM and the same pixels.
//
// The model (document v1, contract §3, extended; projects/document.py validates it):
//   doc.duration   ms (≤ the account's max), doc.fps 1–60; no duration: a 1-frame video
//   el.enter / el.exit  {type: fade | slide | scale | typewriter, start?, duration?, easing?,
//                        direction? (slide: left | right | top | bottom), distance? (slide, px),
//                        from? (scale: the starting scale, default 0)}
//     enter.start defaults to 0, exit.start to doc.duration − exit.duration; duration 500 ms.
//     Before its enter starts an element is in the enter's first pose (invisible, off-canvas…),
//     after its exit ends in the exit's last pose.
//   el.keyframes   [{time, x?, y?, scale?, rotation?, opacity?, easing?}] sorted by time; each
//     property is interpolated between the keyframes that set it, with the easing of the later
//     keyframe; before the first / after the last such keyframe it holds that keyframe's value.
//     x / y are canvas positions of the element's top-left corner, like el.x / el.y.
//
// The still render (an image) shows the document at rest: the elements as designed, as if no
// animation existed; a video's frame i is seek(…, i × 1000 / fps).
import type { TemplateDocument, TemplateElement } from './types';

export type Easing = 'linear' | 'easeIn' | 'easeOut' | 'easeInOut';
export type AnimationType = 'fade' | 'slide' | 'scale' | 'typewriter';
export type SlideDirection = 'left' | 'right' | 'top' | 'bottom';

export interface ElementAnimation {
  type: AnimationType;
  /** ms from the start of the video (enter default 0; exit default duration − exit.duration). */
  start?: number;
  /** ms (default 500). */
  duration?: number;
  easing?: Easing;
  /** slide: the side the element comes from (enter) or leaves to (exit). Default left. */
  direction?: SlideDirection;
  /** slide: how far (px); default: far enough to start or end fully outside the canvas. */
  distance?: number;
  /** scale: the scale at the far end of the animation (default 0). */
  from?: number;
}

export interface Keyframe {
  time: number;
  x?: number;
  y?: number;
  scale?: number;
  rotation?: number;
  opacity?: number;
  easing?: Easing;
}

export const EASINGS: readonly Easing[] = ['linear', 'easeIn', 'easeOut', 'easeInOut'];
export const ANIMATION_TYPES: readonly AnimationType[] = ['fade', 'slide', 'scale', 'typewriter'];
export const SLIDE_DIRECTIONS: readonly SlideDirection[] = ['left', 'right', 'top', 'bottom'];
export const DEFAULT_ANIMATION_MS = 500;
export const DEFAULT_FPS = 30;
export const KEYFRAME_PROPS = ['x', 'y', 'scale', 'rotation', 'opacity'] as const;
type KeyframeProp = (typeof KEYFRAME_PROPS)[number];

export function ease(name: unknown, t: number): number {
  const p = t <= 0 ? 0 : t >= 1 ? 1 : t;
  switch (name) {
    case 'linear':
      return p;
    case 'easeIn':
      return p * p * p;
    case 'easeInOut':
      return p < 0.5 ? 4 * p * p * p : 1 - Math.pow(-2 * p + 2, 3) / 2;
    case 'easeOut':
    default:
      return 1 - Math.pow(1 - p, 3);
  }
}

function finite(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- the timeline of a document ---------------------------------------------------------

/** The video's length in ms (0 for a document without animation: a 1-frame video). */
export function videoDuration(doc: TemplateDocument | null | undefined): number {
  return Math.max(0, finite(doc?.duration, 0));
}

export function videoFps(doc: TemplateDocument | null | undefined, fps?: number): number {
  return Math.round(Math.min(60, Math.max(1, finite(fps ?? doc?.fps, DEFAULT_FPS))));
}

/** Frames of the video: round(duration × fps / 1000), at least 1 (rendering/video/spec.py: the same rule). */
export function frameCount(doc: TemplateDocument | null | undefined, fps?: number): number {
  return Math.max(1, Math.round((videoDuration(doc) * videoFps(doc, fps)) / 1000));
}

/** The time of frame i (ms). */
export function frameTime(index: number, fps: number): number {
  return (index * 1000) / fps;
}

/** The frame shown at timeMs: the last frame that starts at or before it. */
export function frameAt(timeMs: number, fps: number, frames: number): number {
  return Math.min(frames - 1, Math.max(0, Math.floor((timeMs * fps) / 1000 + 1e-6)));
}

export function hasAnimation(el: TemplateElement): boolean {
  return isObject(el.enter) || isObject(el.exit) || (Array.isArray(el.keyframes) && el.keyframes.length > 0);
}

/** Where an element's enter / exit runs, defaults applied (the Studio's timeline bars). */
export function animationSpan(anim: ElementAnimation, kind: 'enter' | 'exit', docDuration: number): { start: number; end: number } {
  const duration = Math.max(0, finite(anim.duration, DEFAULT_ANIMATION_MS));
  const start = finite(anim.start, kind === 'enter' ? 0 : Math.max(0, docDuration - duration));
  return { start, end: start + duration };
}

/** The span an element is on screen: from its enter's start to its exit's end. */
export function elementSpan(el: TemplateElement, docDuration: number): { start: number; end: number } {
  const start = isObject(el.enter) ? animationSpan(el.enter as ElementAnimation, 'enter', docDuration).start : 0;
  const end = isObject(el.exit) ? animationSpan(el.exit as ElementAnimation, 'exit', docDuration).end : docDuration;
  return { start, end: Math.max(start, end) };
}

// ---- the pose of an element at a time ---------------------------------------------------

export interface Pose {
  /** Offset from the element's designed position (px). */
  dx: number;
  dy: number;
  scale: number;
  rotation: number;
  opacity: number;
  /** Typewriter: the share of the text shown (1: all). */
  reveal: number;
}

function keyframeValue(frames: Keyframe[], prop: KeyframeProp, t: number, base: number): number {
  let before: Keyframe | null = null;
  for (const kf of frames) {
    if (typeof kf[prop] !== 'number') continue;
    if (kf.time <= t) {
      before = kf;
      continue;
    }
    if (!before) return kf[prop] as number;
    const span = kf.time - before.time;
    const p = span > 0 ? ease(kf.easing ?? 'linear', (t - before.time) / span) : 1;
    const a = before[prop] as number;
    return a + ((kf[prop] as number) - a) * p;
  }
  return before ? (before[prop] as number) : base;
}

function slideOffset(anim: ElementAnimation, el: TemplateElement, canvas: { width: number; height: number }): [number, number] {
  const x = finite(el.x, 0);
  const y = finite(el.y, 0);
  const w = finite(el.width, 0);
  const h = finite(el.height, 0);
  const direction = anim.direction ?? 'left';
  const given = typeof anim.distance === 'number' && Number.isFinite(anim.distance) ? anim.distance : null;
  switch (direction) {
    case 'right':
      return [given ?? Math.max(0, canvas.width - x), 0];
    case 'top':
      return [0, -(given ?? Math.max(0, y + h))];
    case 'bottom':
      return [0, given ?? Math.max(0, canvas.height - y)];
    case 'left':
    default:
      return [-(given ?? Math.max(0, x + w)), 0];
  }
}

/** Applies one enter/exit at `amount` (0: the far pose — invisible, away; 1: the element as designed). */
function applyMotion(pose: Pose, anim: ElementAnimation, amount: number, el: TemplateElement, canvas: { width: number; height: number }): void {
  const away = 1 - amount;
  switch (anim.type) {
    case 'fade':
      pose.opacity *= amount;
      break;
    case 'slide': {
      const [ox, oy] = slideOffset(anim, el, canvas);
      pose.dx += ox * away;
      pose.dy += oy * away;
      break;
    }
    case 'scale': {
      const from = Math.max(0, finite(anim.from, 0));
      pose.scale *= from + (1 - from) * amount;
      break;
    }
    case 'typewriter':
      pose.reveal = Math.min(pose.reveal, amount);
      break;
    default:
      break;
  }
}

/** The pose of el at timeMs in doc (canvas: the canvas size, for slides that leave it). */
export function poseAt(el: TemplateElement, doc: TemplateDocument, timeMs: number, canvas: { width: number; height: number }): Pose {
  const frames = Array.isArray(el.keyframes)
    ? (el.keyframes as Keyframe[]).filter((k) => isObject(k) && typeof k.time === 'number').slice().sort((a, b) => a.time - b.time)
    : [];
  const baseX = finite(el.x, 0);
  const baseY = finite(el.y, 0);
  const pose: Pose = {
    dx: keyframeValue(frames, 'x', timeMs, baseX) - baseX,
    dy: keyframeValue(frames, 'y', timeMs, baseY) - baseY,
    scale: keyframeValue(frames, 'scale', timeMs, 1),
    rotation: keyframeValue(frames, 'rotation', timeMs, finite(el.rotation, 0)),
    opacity: keyframeValue(frames, 'opacity', timeMs, finite(el.opacity, 1)),
    reveal: 1,
  };
  const total = videoDuration(doc);
  for (const kind of ['enter', 'exit'] as const) {
    const anim = el[kind];
    if (!isObject(anim)) continue;
    const spec = anim as unknown as ElementAnimation;
    const { start, end } = animationSpan(spec, kind, total);
    const linear = end > start ? (timeMs - start) / (end - start) : timeMs >= start ? 1 : 0;
    const progress = ease(spec.easing ?? (kind === 'enter' ? 'easeOut' : 'easeIn'), linear);
    applyMotion(pose, spec, kind === 'enter' ? progress : 1 - progress, el, canvas);
  }
  pose.opacity = Math.min(1, Math.max(0, pose.opacity));
  return pose;
}

// ---- applying a pose to the built canvas -------------------------------------------------

/** A text element's full text, kept while a typewriter shows part of it. */
const fullText = new WeakMap<HTMLElement, { full: string; shown: string }>();

function graphemes(text: string): string[] {
  const Segmenter = (Intl as unknown as { Segmenter?: new (l?: string, o?: { granularity: string }) => { segment(s: string): Iterable<{ segment: string }> } }).Segmenter;
  if (!Segmenter) return Array.from(text);
  return Array.from(new Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment);
}

function setText(node: HTMLElement, reveal: number): void {
  const inner = node.firstElementChild as HTMLElement | null;
  if (!inner) return;
  let kept = fullText.get(inner);
  if (!kept || inner.textContent !== kept.shown) {
    // First seek, or the text was replaced since (an update with new data): that is the text now.
    kept = { full: inner.textContent ?? '', shown: inner.textContent ?? '' };
  }
  let shown = kept.full;
  if (reveal < 1) {
    const parts = graphemes(kept.full);
    shown = parts.slice(0, Math.floor(parts.length * Math.max(0, reveal) + 1e-9)).join('');
  }
  if (inner.textContent !== shown) inner.textContent = shown;
  kept.shown = shown;
  fullText.set(inner, kept);
}

function num(n: number): string {
  // Fixed precision: the same pose always writes the same string.
  return String(Math.round(n * 1000) / 1000);
}

function applyPose(node: HTMLElement, el: TemplateElement, pose: Pose | null): void {
  const baseRotation = finite(el.rotation, 0);
  const baseOpacity = Math.min(1, Math.max(0, finite(el.opacity, 1)));
  const p: Pose = pose ?? { dx: 0, dy: 0, scale: 1, rotation: baseRotation, opacity: baseOpacity, reveal: 1 };
  const parts: string[] = [];
  if (p.dx || p.dy) parts.push(`translate(${num(p.dx)}px, ${num(p.dy)}px)`);
  if (p.rotation) parts.push(`rotate(${num(p.rotation)}deg)`);
  if (p.scale !== 1) parts.push(`scale(${num(p.scale)})`);
  // Exactly what the renderer's place() writes when the pose is the designed one.
  if (parts.length) {
    node.style.setProperty('transform', parts.join(' '));
    node.style.setProperty('transform-origin', 'center center');
  } else {
    node.style.removeProperty('transform');
    node.style.removeProperty('transform-origin');
  }
  const opacity = Math.round(p.opacity * 10000) / 10000;
  if (opacity !== 1) node.style.setProperty('opacity', String(opacity));
  else node.style.removeProperty('opacity');
  if (el.type === 'text') setText(node, p.reveal);
}

function canvasOf(root: HTMLElement): HTMLElement {
  if (root.classList.contains('audome-canvas')) return root;
  return (root.querySelector('.audome-canvas') as HTMLElement | null) ?? root;
}

/**
 * Poses every animated element of the canvas built from doc (buildDocument's canvas, or a root
 * holding it) at timeMs; null puts them back at rest (the still render). Elements without
 * animation are never touched. Synchronous: the caller waits for paint/capture as it needs.
 */
export function seek(canvasRoot: HTMLElement, doc: TemplateDocument, timeMs: number | null): void {
  const canvas = canvasOf(canvasRoot);
  const size = {
    width: parseFloat(canvas.style.width) || finite(doc.width, 1080),
    height: parseFloat(canvas.style.height) || finite(doc.height, 1080),
  };
  const nodes = new Map<string, HTMLElement>();
  for (const child of Array.from(canvas.children)) {
    const id = (child as HTMLElement).dataset?.elementId;
    if (id) nodes.set(id, child as HTMLElement);
  }
  const elements = Array.isArray(doc.elements) ? doc.elements : [];
  for (const el of elements) {
    if (!isObject(el) || !hasAnimation(el)) continue;
    const node = nodes.get(String(el.id ?? ''));
    if (!node) continue;
    applyPose(node, el, timeMs === null ? null : poseAt(el, doc, finite(timeMs, 0), size));
  }
}

// ---- presets (the Studio's properties panel) ----------------------------------------------

export const ANIMATION_PRESETS: Record<string, { enter?: ElementAnimation; exit?: ElementAnimation }> = {
  fade: { enter: { type: 'fade', duration: 600, easing: 'easeOut' }, exit: { type: 'fade', duration: 400, easing: 'easeIn' } },
  slideLeft: { enter: { type: 'slide', direction: 'left', duration: 700, easing: 'easeOut' } },
  slideRight: { enter: { type: 'slide', direction: 'right', duration: 700, easing: 'easeOut' } },
  slideUp: { enter: { type: 'slide', direction: 'bottom', duration: 700, easing: 'easeOut' } },
  pop: { enter: { type: 'scale', from: 0.4, duration: 500, easing: 'easeOut' } },
  typewriter: { enter: { type: 'typewriter', duration: 1500, easing: 'linear' } },
};
