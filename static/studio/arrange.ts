// Arranging several elements: align, distribute, group and ungroup. Each is one undo step.
//
// A group is the elements that share a `groupId`: a click on the canvas selects the whole group
// and it moves, aligns and distributes as one unit (the layers panel still selects one member).
// Alignment works on units: one unit aligns to the canvas, several to the box around them.
// Boxes are the elements' unrotated frames (x, y, width, height).
import type { TemplateElement } from '../renderer/types';
import { editor, newId } from './editor';

export type AlignEdge = 'left' | 'hcenter' | 'right' | 'top' | 'vcenter' | 'bottom';
export type Axis = 'x' | 'y';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function bbox(els: TemplateElement[]): Box {
  const x = Math.min(...els.map((e) => e.x));
  const y = Math.min(...els.map((e) => e.y));
  const r = Math.max(...els.map((e) => e.x + e.width));
  const b = Math.max(...els.map((e) => e.y + e.height));
  return { x, y, w: r - x, h: b - y };
}

export const groupOf = (el: TemplateElement): string | undefined => el.groupId || undefined;

/** The ids to select for a click on `el`: its whole group, or itself. */
export function clickTargets(el: TemplateElement): string[] {
  const g = groupOf(el);
  return g ? editor.doc.elements.filter((e) => e.groupId === g && !e.hidden).map((e) => e.id) : [el.id];
}

/** The selection's units: each group one unit, each ungrouped element its own. Locked elements stay out. */
function units(): { ids: string[]; box: Box }[] {
  const byKey = new Map<string, TemplateElement[]>();
  for (const el of editor.selection) {
    if (el.locked) continue;
    const key = groupOf(el) || `el:${el.id}`;
    byKey.set(key, [...(byKey.get(key) || []), el]);
  }
  return [...byKey.values()].map((els) => ({ ids: els.map((e) => e.id), box: bbox(els) }));
}

function moveUnits(moves: { ids: string[]; dx: number; dy: number }[]) {
  const shift = new Map<string, [number, number]>();
  for (const m of moves) for (const id of m.ids) if (m.dx || m.dy) shift.set(id, [m.dx, m.dy]);
  if (!shift.size) return;
  editor.change((doc) => {
    for (const el of doc.elements) {
      const s = shift.get(el.id);
      if (s) {
        el.x = Math.round(el.x + s[0]);
        el.y = Math.round(el.y + s[1]);
      }
    }
  });
}

/** How many units the selection has (a group counts once). */
export function unitCount(): number {
  return units().length;
}

export function align(edge: AlignEdge) {
  const list = units();
  if (!list.length) return;
  const frame = list.length === 1 ? { x: 0, y: 0, w: editor.meta.width, h: editor.meta.height } : bbox(editor.selection.filter((e) => !e.locked));
  moveUnits(list.map(({ ids, box }) => {
    const dx = edge === 'left' ? frame.x - box.x : edge === 'right' ? frame.x + frame.w - (box.x + box.w)
      : edge === 'hcenter' ? frame.x + frame.w / 2 - (box.x + box.w / 2) : 0;
    const dy = edge === 'top' ? frame.y - box.y : edge === 'bottom' ? frame.y + frame.h - (box.y + box.h)
      : edge === 'vcenter' ? frame.y + frame.h / 2 - (box.y + box.h / 2) : 0;
    return { ids, dx, dy };
  }));
}

export function canDistribute(): boolean {
  return units().length >= 3;
}

/** Equal gaps between the units along `axis`; the first and the last stay where they are. */
export function distribute(axis: Axis) {
  const list = units();
  if (list.length < 3) return;
  const start = (b: Box) => (axis === 'x' ? b.x : b.y);
  const size = (b: Box) => (axis === 'x' ? b.w : b.h);
  list.sort((a, b) => start(a.box) - start(b.box) || size(a.box) - size(b.box));
  const first = list[0].box, last = list[list.length - 1].box;
  const span = start(last) + size(last) - start(first);
  const gap = (span - list.reduce((n, u) => n + size(u.box), 0)) / (list.length - 1);
  let at = start(first);
  moveUnits(list.map(({ ids, box }) => {
    const d = at - start(box);
    at += size(box) + gap;
    return { ids, dx: axis === 'x' ? d : 0, dy: axis === 'y' ? d : 0 };
  }));
}

export function canGroup(): boolean {
  return units().length >= 2;
}
export function canUngroup(): boolean {
  return editor.selection.some((e) => groupOf(e));
}

export function group() {
  if (!canGroup()) return;
  const ids = editor.selection.filter((e) => !e.locked).map((e) => e.id);
  const gid = newId().replace('el_', 'g_');
  editor.change((doc) => doc.elements.forEach((e) => ids.includes(e.id) && (e.groupId = gid)));
  editor.select(ids);
}

export function ungroup() {
  const groups = new Set(editor.selection.map(groupOf).filter(Boolean));
  if (!groups.size) return;
  editor.change((doc) => doc.elements.forEach((e) => {
    if (e.groupId && groups.has(e.groupId)) delete e.groupId;
  }));
}
