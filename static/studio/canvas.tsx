// The artboard: the document drawn by the shared renderer at the chosen zoom, with an overlay for
// selection, marquee, move / resize / rotate handles and snapping guides.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { editor, useEditor } from './editor';
import { InlineText } from './inline-text';
import type { TemplateElement } from '../renderer/types';
import { bbox, clickTargets } from './arrange';
import { useDrawing } from './draw';

type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
const HANDLES: Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];
const SX: Record<Handle, number> = { nw: -1, n: 0, ne: 1, e: 1, se: 1, s: 0, sw: -1, w: -1 };
const SY: Record<Handle, number> = { nw: -1, n: -1, ne: -1, e: 0, se: 1, s: 1, sw: 1, w: 0 };
const SNAP_PX = 6;

interface Guides {
  x: number[];
  y: number[];
}

function rad(deg: number) {
  return (deg * Math.PI) / 180;
}

function targets(skip: string[], W: number, H: number) {
  const xs = [0, W / 2, W];
  const ys = [0, H / 2, H];
  for (const e of editor.doc.elements) {
    if (skip.includes(e.id) || e.hidden) continue;
    xs.push(e.x, e.x + e.width / 2, e.x + e.width);
    ys.push(e.y, e.y + e.height / 2, e.y + e.height);
  }
  return { xs, ys };
}

/** The smallest shift (≤ threshold) that puts one of `values` on one of `lines`. */
function snap(values: number[], lines: number[], threshold: number): { shift: number; at: number[] } {
  let best = { shift: 0, at: [] as number[], d: threshold + 1 };
  for (const v of values)
    for (const l of lines) {
      const d = Math.abs(l - v);
      if (d < best.d - 0.01) best = { shift: l - v, at: [l], d };
      else if (Math.abs(d - best.d) < 0.01 && !best.at.includes(l)) best.at.push(l);
    }
  return best.d <= threshold ? { shift: best.shift, at: best.at } : { shift: 0, at: [] };
}

export function Stage({ zoom, onFit, onZoom }: { zoom: number; onFit: (z: number) => void; onZoom: (z: number) => void }) {
  const ed = useEditor();
  const renderRoot = useRef<HTMLDivElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const boardRef = useRef<HTMLDivElement>(null);
  const [guides, setGuides] = useState<Guides>({ x: [], y: [] });
  const [marquee, setMarquee] = useState<null | { x: number; y: number; w: number; h: number }>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const { width: W, height: H } = ed.meta;

  // Redraw through the shared renderer whenever the document changes (coalesced).
  useDrawing(renderRoot, ed.doc, W, H);

  // Fit zoom follows the stage's size.
  useLayoutEffect(() => {
    const el = stageRef.current;
    if (!el) return;
    const measure = () => {
      const pad = 96;
      const z = Math.min((el.clientWidth - pad) / W, (el.clientHeight - pad) / H);
      onFit(Math.max(0.05, Math.min(4, z)));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [W, H]);

  const toCanvas = (ev: PointerEvent | MouseEvent) => {
    const r = boardRef.current!.getBoundingClientRect();
    return { x: (ev.clientX - r.left) / zoom, y: (ev.clientY - r.top) / zoom };
  };

  function drag(ev: PointerEvent, onMove: (p: { x: number; y: number }, e: PointerEvent) => void, onEnd?: () => void) {
    ev.preventDefault();
    ev.stopPropagation();
    (document.activeElement as HTMLElement | null)?.blur?.();
    const move = (e: PointerEvent) => onMove(toCanvas(e), e);
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      setGuides({ x: [], y: [] });
      onEnd?.();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  function startMove(ev: PointerEvent, el: TemplateElement) {
    if (ev.button !== 0) return;
    let ids = editor.selected;
    const unit = clickTargets(el); // the element, or its whole group
    if (ev.shiftKey) {
      ids = ids.includes(el.id) ? ids.filter((i) => !unit.includes(i)) : [...new Set([...ids, ...unit])];
      editor.select(ids);
      ev.stopPropagation();
      (document.activeElement as HTMLElement | null)?.blur?.();
      return;
    }
    if (!ids.includes(el.id)) {
      ids = unit;
      editor.select(ids);
    }
    const moving = editor.selection.filter((e) => !e.locked);
    if (!moving.length) {
      ev.stopPropagation();
      return;
    }
    const start = toCanvas(ev);
    const origin = moving.map((e) => ({ id: e.id, x: e.x, y: e.y }));
    const box = bbox(moving);
    const { xs, ys } = targets(moving.map((e) => e.id), W, H);
    let started = false;
    drag(ev, (p, e) => {
      let dx = p.x - start.x;
      let dy = p.y - start.y;
      if (!started) {
        if (Math.hypot(dx, dy) * zoom < 2) return;
        started = true;
        editor.begin();
      }
      const g: Guides = { x: [], y: [] };
      if (!e.altKey) {
        const sx = snap([box.x + dx, box.x + dx + box.w / 2, box.x + dx + box.w], xs, SNAP_PX / zoom);
        const sy = snap([box.y + dy, box.y + dy + box.h / 2, box.y + dy + box.h], ys, SNAP_PX / zoom);
        dx += sx.shift;
        dy += sy.shift;
        g.x = sx.at;
        g.y = sy.at;
      }
      setGuides(g);
      editor.live((doc) => {
        for (const o of origin) {
          const t = doc.elements.find((x) => x.id === o.id);
          if (t) {
            t.x = Math.round(o.x + dx);
            t.y = Math.round(o.y + dy);
          }
        }
      });
    }, () => started && editor.commit());
  }

  /**
   * Shift keeps the proportions; images keep them without it (Shift frees them). From a corner
   * the larger change wins; from an edge the other side follows, centred on the same line.
   */
  function startResize(ev: PointerEvent, el: TemplateElement, h: Handle) {
    const start = toCanvas(ev);
    const o = { ...el };
    const th = rad(o.rotation || 0);
    const cos = Math.cos(th), sin = Math.sin(th);
    const { xs, ys } = targets([el.id], W, H);
    editor.begin();
    drag(ev, (p, e) => {
      const dx = p.x - start.x, dy = p.y - start.y;
      const lx = dx * cos + dy * sin, ly = -dx * sin + dy * cos;
      let w = Math.max(4, o.width + SX[h] * lx);
      let hh = Math.max(4, o.height + SY[h] * ly);
      const keepRatio = o.type === 'image' ? !e.shiftKey : e.shiftKey;
      const ratio = o.width / o.height;
      if (keepRatio) {
        if (SX[h] && SY[h]) {
          if (w / hh > ratio) hh = w / ratio;
          else w = hh * ratio;
        } else if (SX[h]) hh = w / ratio;
        else w = hh * ratio;
      }
      let x: number, y: number;
      const g: Guides = { x: [], y: [] };
      if (!o.rotation) {
        // The fixed side stays; an edge drag with kept proportions grows the other axis about its centre.
        x = SX[h] < 0 ? o.x + o.width - w : SX[h] > 0 ? o.x : o.x + (o.width - w) / 2;
        y = SY[h] < 0 ? o.y + o.height - hh : SY[h] > 0 ? o.y : o.y + (o.height - hh) / 2;
        if (!e.altKey && !keepRatio) {
          if (SX[h]) {
            const edge = SX[h] > 0 ? x + w : x;
            const s = snap([edge], xs, SNAP_PX / zoom);
            if (s.at.length) {
              if (SX[h] > 0) w += s.shift;
              else (x += s.shift), (w -= s.shift);
              g.x = s.at;
            }
          }
          if (SY[h]) {
            const edge = SY[h] > 0 ? y + hh : y;
            const s = snap([edge], ys, SNAP_PX / zoom);
            if (s.at.length) {
              if (SY[h] > 0) hh += s.shift;
              else (y += s.shift), (hh -= s.shift);
              g.y = s.at;
            }
          }
        }
      } else {
        // Keep the opposite handle still: move the centre by half the growth, in the element's axes.
        const gx = (SX[h] * (w - o.width)) / 2, gy = (SY[h] * (hh - o.height)) / 2;
        const cx = o.x + o.width / 2 + gx * cos - gy * sin;
        const cy = o.y + o.height / 2 + gx * sin + gy * cos;
        x = cx - w / 2;
        y = cy - hh / 2;
      }
      setGuides(g);
      editor.live((doc) => {
        const t = doc.elements.find((q) => q.id === el.id);
        if (t) Object.assign(t, { x: Math.round(x), y: Math.round(y), width: Math.round(Math.max(1, w)), height: Math.round(Math.max(1, hh)) });
      });
    }, () => editor.commit());
  }

  function startRotate(ev: PointerEvent, el: TemplateElement) {
    const cx = el.x + el.width / 2, cy = el.y + el.height / 2;
    editor.begin();
    drag(ev, (p, e) => {
      let a = (Math.atan2(p.y - cy, p.x - cx) * 180) / Math.PI + 90;
      if (e.shiftKey) a = Math.round(a / 15) * 15;
      else for (const s of [0, 90, 180, 270, 360, -90]) if (Math.abs(a - s) < 3) a = s;
      a = ((((a + 180) % 360) + 360) % 360) - 180;
      editor.live((doc) => {
        const t = doc.elements.find((q) => q.id === el.id);
        if (t) t.rotation = Math.round(a * 10) / 10;
      });
    }, () => editor.commit());
  }

  function startMarquee(ev: PointerEvent) {
    if (ev.button !== 0) return;
    (document.activeElement as HTMLElement | null)?.blur?.();
    const additive = ev.shiftKey;
    const before = additive ? editor.selected : [];
    if (!additive) editor.select([]);
    const s = toCanvas(ev);
    drag(ev, (p) => {
      const r = { x: Math.min(s.x, p.x), y: Math.min(s.y, p.y), w: Math.abs(p.x - s.x), h: Math.abs(p.y - s.y) };
      setMarquee(r);
      const hit = editor.doc.elements
        .filter((e) => !e.hidden && !e.locked)
        .filter((e) => e.x < r.x + r.w && e.x + e.width > r.x && e.y < r.y + r.h && e.y + e.height > r.y)
        .flatMap((e) => clickTargets(e));
      editor.select([...new Set([...before, ...hit])]);
    }, () => setMarquee(null));
  }

  function onWheel(ev: WheelEvent) {
    if (!(ev.ctrlKey || ev.metaKey)) return;
    ev.preventDefault();
    onZoom(Math.max(0.25, Math.min(4, zoom * (ev.deltaY < 0 ? 1.1 : 1 / 1.1))));
  }

  const z = zoom;
  const single = ed.selection.length === 1 ? ed.selection[0] : null;
  // Editing ends when the element goes away, is locked or hidden, or is no longer the selection.
  const editingEl = editing && single && single.id === editing && single.type === 'text' && !single.locked && !single.hidden
    ? single : null;
  return (
    <div class="stage" ref={stageRef} onPointerDown={startMarquee} onWheel={onWheel} data-testid="stage">
      <div class="stage__inner" style={{ width: `${W * z + 80}px`, height: `${H * z + 80}px` }}>
        <div class="artboard" ref={boardRef} style={{ width: `${W * z}px`, height: `${H * z}px` }} dir="ltr">
          <div class="artboard__render" style={{ transform: `scale(${z})` }}>
            <div ref={renderRoot} class="render-root" data-testid="render-root" />
          </div>
          <div class="overlay">
            {ed.doc.elements.map((el) =>
              el.hidden ? null : (
                <div
                  key={el.id}
                  class={`hit${ed.selected.includes(el.id) ? ' is-selected' : ''}${el.locked ? ' is-locked' : ''}`}
                  data-element-id={el.id}
                  style={{
                    left: `${el.x * z}px`, top: `${el.y * z}px`, width: `${el.width * z}px`, height: `${el.height * z}px`,
                    transform: `rotate(${el.rotation || 0}deg)`,
                  }}
                  onPointerDown={(e) => startMove(e, el)}
                  onDblClick={() => {
                    if (el.type !== 'text' || el.locked) return;
                    ed.select([el.id]);
                    setEditing(el.id);
                  }}
                />
              ),
            )}
            {single && !single.locked && !single.hidden && (
              <div
                class="selection"
                style={{
                  left: `${single.x * z}px`, top: `${single.y * z}px`, width: `${single.width * z}px`, height: `${single.height * z}px`,
                  transform: `rotate(${single.rotation || 0}deg)`,
                }}
              >
                {HANDLES.filter((h) => !((h === 'n' || h === 's') && single.height * z < 24) && !((h === 'e' || h === 'w') && single.width * z < 24)).map((h) => (
                  <span key={h} class={`handle handle--${h}`} data-handle={h} onPointerDown={(e) => startResize(e, single, h)} />
                ))}
                <span class="rotator" data-handle="rotate" onPointerDown={(e) => startRotate(e, single)} />
                <span class="size-badge" dir="ltr">{`${Math.round(single.width)} × ${Math.round(single.height)}`}</span>
              </div>
            )}
            {guides.x.map((x) => <div key={`gx${x}`} class="guide guide--v" style={{ left: `${x * z}px` }} />)}
            {guides.y.map((y) => <div key={`gy${y}`} class="guide guide--h" style={{ top: `${y * z}px` }} />)}
            {marquee && (
              <div class="marquee" style={{ left: `${marquee.x * z}px`, top: `${marquee.y * z}px`, width: `${marquee.w * z}px`, height: `${marquee.h * z}px` }} />
            )}
          </div>
          {editingEl && (
            <InlineText key={`edit-${editingEl.id}`} el={editingEl} zoom={z} fontSize={shownFontSize(renderRoot.current, editingEl)}
              onDone={() => setEditing(null)} />
          )}
        </div>
      </div>
    </div>
  );
}

/** The font size (document px) the canvas draws a text element at: auto-fit may have shrunk it. */
function shownFontSize(root: HTMLElement | null, el: TemplateElement): number {
  const drawn = root?.querySelector<HTMLElement>(`[data-element-id="${CSS.escape(el.id)}"] > div`);
  const size = drawn ? parseFloat(drawn.style.fontSize) : NaN;
  const fallback = (el.type === 'text' && Number(el.style?.fontSize)) || 48;
  return Number.isFinite(size) && size > 0 ? size : fallback;
}
