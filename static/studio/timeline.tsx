// The video timeline under the canvas: play / pause, scrub, the video's length and frame rate,
// one bar per element (drag its ends to set when it comes in and goes out), and the animation
// presets of the selected element (AnimationProps, for the properties panel).
//
// Every frame shown here is the shared renderer's seek(canvas, doc, t) at a frame's time —
// the function the render worker calls for each frame of the video — so scrubbing shows
// exactly the frame the worker will render. Playback only chooses which frame to show next.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import {
  ANIMATION_PRESETS,
  animationSpan,
  elementSpan,
  frameAt,
  frameCount,
  frameTime,
  seek,
  videoDuration,
  videoFps,
  type ElementAnimation,
} from '../renderer/index';
import type { TemplateDocument, TemplateElement } from '../renderer/types';
import { editor, useEditor } from './editor';
import { lang } from './i18n';

const WORDS = {
  en: {
    timeline: 'Timeline', play: 'Play', pause: 'Pause', still: 'This template is a still image.',
    makeVideo: 'Make it a video', length: 'Length', fps: 'Frames/s', seconds: 's', frame: 'Frame',
    animation: 'Animation', enter: 'Enter', exit: 'Exit', none: 'None', duration: 'Duration (ms)',
    start: 'Start (ms)', fade: 'Fade', slideLeft: 'Slide from start', slideRight: 'Slide from end',
    slideUp: 'Slide up', pop: 'Pop', typewriter: 'Typewriter', scale: 'Shrink', slide: 'Slide out',
    startHandle: 'Comes in at', endHandle: 'Goes out at', removeVideo: 'Make it a still',
  },
  ar: {
    timeline: 'الخط الزمني', play: 'تشغيل', pause: 'إيقاف مؤقت', still: 'هذا القالب صورة ثابتة.',
    makeVideo: 'حوّله إلى فيديو', length: 'المدة', fps: 'إطار/ث', seconds: 'ث', frame: 'الإطار',
    animation: 'الحركة', enter: 'الدخول', exit: 'الخروج', none: 'بلا', duration: 'المدة (مللي ثانية)',
    start: 'البداية (مللي ثانية)', fade: 'تلاشٍ', slideLeft: 'انزلاق من البداية', slideRight: 'انزلاق من النهاية',
    slideUp: 'انزلاق للأعلى', pop: 'ظهور', typewriter: 'آلة كاتبة', scale: 'تصغير', slide: 'انزلاق للخارج',
    startHandle: 'يدخل عند', endHandle: 'يخرج عند', removeVideo: 'اجعله صورة ثابتة',
  },
} as const;
type Word = keyof (typeof WORDS)['en'];
const w = (key: Word) => WORDS[lang() === 'ar' ? 'ar' : 'en'][key];

const STYLE = `
.timeline { padding: 10px 14px 12px; display: flex; flex-direction: column; gap: 8px; font-size: 12px; color: var(--text); }
.timeline__bar { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.timeline__time { font-variant-numeric: tabular-nums; min-width: 120px; color: var(--muted); }
.timeline__scrub { flex: 1; min-width: 160px; accent-color: var(--accent); }
.timeline__field { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); }
.timeline__field input, .timeline__field select { width: 64px; background: var(--surface-2); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius-sm); padding: 3px 6px; }
.timeline__rows { display: flex; flex-direction: column; gap: 4px; }
.timeline__row { display: grid; grid-template-columns: 120px 1fr; align-items: center; gap: 8px; }
.timeline__name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--muted); }
.timeline__row.is-selected .timeline__name { color: var(--text); font-weight: 600; }
.timeline__track { position: relative; height: 18px; background: var(--surface-2); border-radius: 5px; cursor: pointer; }
.timeline__span { position: absolute; top: 2px; bottom: 2px; background: var(--accent-soft); border: 1px solid var(--accent); border-radius: 4px; }
.timeline__row.is-selected .timeline__span { background: var(--accent); }
.timeline__phase { position: absolute; top: 0; bottom: 0; background: var(--accent-2); opacity: 0.55; border-radius: 3px; pointer-events: none; }
.timeline__handle { position: absolute; top: -2px; bottom: -2px; width: 8px; cursor: ew-resize; background: var(--accent-2); border-radius: 3px; }
.timeline__handle--start { inset-inline-start: -4px; }
.timeline__handle--end { inset-inline-end: -4px; }
.timeline__head { position: absolute; top: -3px; bottom: -3px; width: 2px; background: var(--guide); pointer-events: none; }
.timeline__still { display: flex; align-items: center; gap: 10px; color: var(--muted); }
`;

function useStyle() {
  useEffect(() => {
    if (document.getElementById('audome-timeline-style')) return;
    const style = document.createElement('style');
    style.id = 'audome-timeline-style';
    style.textContent = STYLE;
    document.head.appendChild(style);
  }, []);
}

/** The Studio's drawn canvas (the Stage renders it with the shared renderer). */
function stageCanvas(): HTMLElement | null {
  return document.querySelector('[data-testid="studio"] .canvas-area__stage .audome-canvas');
}

function label(el: TemplateElement): string {
  if (el.name) return el.name;
  if (el.type === 'text' && el.text) return el.text.slice(0, 30);
  return `${el.type} ${el.id}`;
}

/** Poses the Stage's canvas at timeMs; re-posed whenever the Stage redraws (a new canvas). */
function useSeek(doc: TemplateDocument, timeMs: number, active: boolean) {
  const current = useRef({ doc, timeMs, active });
  current.current = { doc, timeMs, active };
  const apply = () => {
    const canvas = stageCanvas();
    const { doc: d, timeMs: t, active: on } = current.current;
    if (canvas) seek(canvas, d, on ? t : null);
  };
  useEffect(apply, [doc, timeMs, active]);
  useEffect(() => {
    const stage = document.querySelector('[data-testid="studio"] .canvas-area__stage');
    if (!stage) return;
    // The Stage replaces its canvas when the document changes: pose the new one too.
    const observer = new MutationObserver((records) => {
      if (records.some((r) => Array.from(r.addedNodes).some((n) => n instanceof HTMLElement && n.classList.contains('audome-canvas')))) apply();
    });
    observer.observe(stage, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      const canvas = stageCanvas();
      if (canvas) seek(canvas, current.current.doc, null); // leave the canvas at rest
    };
  }, []);
}

export function Timeline({ readOnly = false }: { readOnly?: boolean }) {
  useStyle();
  const ed = useEditor();
  const doc = ed.doc;
  const duration = videoDuration(doc);
  const fps = videoFps(doc);
  const frames = frameCount(doc);
  const [timeMs, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const shown = duration > 0 ? frameTime(frameAt(Math.min(timeMs, duration), fps, frames), fps) : 0;
  useSeek(doc, shown, duration > 0);

  // Playback: the wall clock only picks the next frame to show; the frame itself is seek's.
  // A layout effect, so pausing cancels the pending frame in the same commit that shows the
  // Play button (a plain effect's clean-up waits for the next paint, one frame too late).
  useLayoutEffect(() => {
    if (!playing || duration <= 0) return;
    let raf = 0;
    const origin = performance.now() - shown;
    const tick = (now: number) => {
      const t = now - origin;
      if (t >= duration) {
        setTime(frameTime(frames - 1, fps));
        setPlaying(false);
        return;
      }
      setTime(t);
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, duration]);

  if (duration <= 0) {
    return (
      <div class="timeline" data-testid="timeline">
        <div class="timeline__still">
          <span>{w('still')}</span>
          <button type="button" class="btn btn--small" data-testid="timeline-make-video" disabled={readOnly}
            onClick={() => editor.change((d) => { d.duration = 5000; d.fps = d.fps ?? 30; })}>{w('makeVideo')}</button>
        </div>
      </div>
    );
  }

  const pct = (t: number) => `${Math.max(0, Math.min(100, (t / duration) * 100))}%`;
  return (
    <div class="timeline" data-testid="timeline" aria-label={w('timeline')}>
      <div class="timeline__bar">
        <button type="button" class="btn btn--small" data-testid="timeline-play" aria-pressed={playing}
          onClick={() => {
            if (!playing && shown >= frameTime(frames - 1, fps)) setTime(0);
            setPlaying(!playing);
          }}>{playing ? w('pause') : w('play')}</button>
        <span class="timeline__time" data-testid="timeline-time">
          {(shown / 1000).toFixed(2)} / {(duration / 1000).toFixed(2)} {w('seconds')} · {w('frame')} {frameAt(shown, fps, frames) + 1}/{frames}
        </span>
        <input class="timeline__scrub" type="range" min={0} max={Math.max(0, frames - 1)} step={1} data-testid="timeline-scrub"
          value={frameAt(shown, fps, frames)} aria-label={w('timeline')}
          onInput={(e) => {
            setPlaying(false);
            setTime(frameTime(Number((e.target as HTMLInputElement).value), fps));
          }} />
        <label class="timeline__field">{w('length')}
          <DraftNumber min={0.1} max={60} step={0.1} testid="timeline-duration" value={duration / 1000} disabled={readOnly}
            onCommit={(seconds) => {
              if (seconds > 0) editor.change((d) => { d.duration = Math.round(Math.min(60, seconds) * 1000); }, 'video:duration');
            }} />
        </label>
        <label class="timeline__field">{w('fps')}
          <select data-testid="timeline-fps" value={String(fps)} disabled={readOnly} onChange={(e) => editor.change((d) => { d.fps = Number((e.target as HTMLSelectElement).value); })}>
            {[12, 15, 24, 25, 30, 50, 60].map((n) => <option value={String(n)}>{n}</option>)}
          </select>
        </label>
        <button type="button" class="btn btn--small btn--ghost" data-testid="timeline-still" disabled={readOnly}
          onClick={() => { setPlaying(false); editor.change((d) => { delete d.duration; delete d.fps; }); }}>{w('removeVideo')}</button>
      </div>
      <div class="timeline__rows">
        {doc.elements.map((el) => (
          <Row key={el.id} el={el} duration={duration} fps={fps} selected={ed.selected.includes(el.id)} playhead={pct(shown)} pct={pct} readOnly={readOnly} />
        ))}
      </div>
    </div>
  );
}

// A number field that keeps what is being typed until it is committed (change: Enter, blur or
// the spinner). While the timeline plays it re-renders every frame; a plain controlled input
// would put the template's value back under the user's fingers on each of those frames.
function DraftNumber({ value, onCommit, min, max, step, testid, disabled }: {
  value: number; onCommit: (v: number) => void; min: number; max: number; step: number; testid: string; disabled?: boolean;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <input type="number" min={min} max={max} step={step} data-testid={testid} disabled={disabled}
      value={draft ?? String(value)}
      onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
      onChange={(e) => {
        const v = Number((e.target as HTMLInputElement).value);
        setDraft(null);
        if (Number.isFinite(v)) onCommit(v);
      }} />
  );
}

function Row({ el, duration, fps, selected, playhead, pct, readOnly }: {
  el: TemplateElement; duration: number; fps: number; selected: boolean; playhead: string; pct: (t: number) => string; readOnly: boolean;
}) {
  const track = useRef<HTMLDivElement>(null);
  const span = elementSpan(el, duration);
  const length = Math.max(1, span.end - span.start);
  // The enter and exit as darker stretches of the bar (relative to the bar itself).
  const phases = (['enter', 'exit'] as const).flatMap((kind) => {
    if (!el[kind]) return [];
    const { start, end } = animationSpan(el[kind]!, kind, duration);
    const from = Math.max(0, (start - span.start) / length) * 100;
    const to = Math.min(1, (end - span.start) / length) * 100;
    return to > from ? [{ kind, from, width: to - from }] : [];
  });
  const drag = (edge: 'start' | 'end') => (event: PointerEvent) => {
    if (readOnly) return;
    event.preventDefault();
    event.stopPropagation();
    const box = track.current?.getBoundingClientRect();
    if (!box) return;
    const rtl = getComputedStyle(track.current!).direction === 'rtl';
    const step = 1000 / fps;
    editor.begin();
    const move = (e: PointerEvent) => {
      const share = Math.max(0, Math.min(1, (e.clientX - box.left) / box.width));
      const t = Math.round(((rtl ? 1 - share : share) * duration) / step) * step;
      editor.live((d) => {
        const target = d.elements.find((x) => x.id === el.id);
        if (target) setEdge(target, edge, t, duration);
      });
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      editor.commit();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return (
    <div class={`timeline__row${selected ? ' is-selected' : ''}`} data-testid={`timeline-row-${el.id}`}>
      <span class="timeline__name" title={label(el)}>{label(el)}</span>
      <div class="timeline__track" ref={track} onPointerDown={() => editor.select([el.id])}>
        <div class="timeline__span" data-testid={`timeline-span-${el.id}`} style={{ insetInlineStart: pct(span.start), width: `calc(${pct(span.end)} - ${pct(span.start)})` }}>
          {phases.map((p) => <span key={p.kind} class="timeline__phase" data-testid={`timeline-${p.kind}-${el.id}`} style={{ insetInlineStart: `${p.from}%`, width: `${p.width}%` }} />)}
          <span class="timeline__handle timeline__handle--start" title={w('startHandle')} data-testid={`timeline-start-${el.id}`} onPointerDown={drag('start')} />
          <span class="timeline__handle timeline__handle--end" title={w('endHandle')} data-testid={`timeline-end-${el.id}`} onPointerDown={drag('end')} />
        </div>
        <div class="timeline__head" style={{ insetInlineStart: playhead }} />
      </div>
    </div>
  );
}

/** Moves when an element comes in (its enter's start) or goes out (its exit's end). */
function setEdge(el: TemplateElement, edge: 'start' | 'end', t: number, duration: number): void {
  if (edge === 'start') {
    const enter: ElementAnimation = el.enter ?? { type: 'fade', duration: 0 };
    el.enter = { ...enter, start: Math.max(0, Math.min(t, duration)) };
  } else {
    const exit: ElementAnimation = el.exit ?? { type: 'fade', duration: 0 };
    const length = Math.max(0, exit.duration ?? 500);
    el.exit = { ...exit, start: Math.max(0, Math.min(duration, t) - length) };
  }
}

// ---- the selected element's animations (properties panel) ------------------------------

const ENTER_PRESETS = ['fade', 'slideLeft', 'slideRight', 'slideUp', 'pop', 'typewriter'] as const;
const EXIT_PRESETS: Record<string, ElementAnimation> = {
  fade: { type: 'fade', duration: 400, easing: 'easeIn' },
  slide: { type: 'slide', direction: 'right', duration: 500, easing: 'easeIn' },
  scale: { type: 'scale', duration: 400, easing: 'easeIn' },
};

function presetOf(anim: ElementAnimation | undefined, kind: 'enter' | 'exit'): string {
  if (!anim) return '';
  if (kind === 'exit') return anim.type === 'slide' ? 'slide' : anim.type;
  if (anim.type === 'slide') return anim.direction === 'right' ? 'slideRight' : anim.direction === 'bottom' ? 'slideUp' : 'slideLeft';
  return anim.type === 'scale' ? 'pop' : anim.type;
}

export function AnimationProps({ el }: { el: TemplateElement }) {
  useStyle();
  const ed = useEditor();
  if (videoDuration(ed.doc) <= 0) return null;
  const patch = (fn: (e: TemplateElement) => void, merge = '') =>
    editor.change((d) => {
      const target = d.elements.find((x) => x.id === el.id);
      if (target) fn(target);
    }, merge);
  const enterPresets = ENTER_PRESETS.filter((p) => p !== 'typewriter' || el.type === 'text');
  return (
    <section class="panel-section" data-testid="animation-props">
      <h3 class="panel-title">{w('animation')}</h3>
      {(['enter', 'exit'] as const).map((kind) => {
        const anim = el[kind];
        const names = kind === 'enter' ? enterPresets : Object.keys(EXIT_PRESETS);
        return (
          <div class="grid2" key={kind}>
            <label class="timeline__field">{w(kind)}
              <select data-testid={`animation-${kind}`} value={presetOf(anim, kind)} style={{ width: '130px' }}
                onChange={(e) => {
                  const name = (e.target as HTMLSelectElement).value;
                  patch((x) => {
                    if (!name) delete x[kind];
                    else {
                      const preset = kind === 'enter' ? ANIMATION_PRESETS[name]?.enter : EXIT_PRESETS[name];
                      if (preset) x[kind] = { ...preset, ...(x[kind]?.start !== undefined ? { start: x[kind]!.start } : {}) };
                    }
                  });
                }}>
                <option value="">{w('none')}</option>
                {names.map((n) => <option value={n}>{w(n as Word)}</option>)}
              </select>
            </label>
            {anim && (
              <label class="timeline__field">{w('duration')}
                <DraftNumber min={0} max={60000} step={50} testid={`animation-${kind}-duration`} value={anim.duration ?? 500}
                  onCommit={(v) => {
                    if (v >= 0) patch((x) => { if (x[kind]) x[kind]!.duration = v; }, `anim:${kind}:${el.id}`);
                  }} />
              </label>
            )}
          </div>
        );
      })}
    </section>
  );
}
