// The editor's state: the project being edited, its document, the selection and the undo history.
// Every change goes through `change()` (one undo step) or a gesture (`begin` … `commit`).
import { useEffect, useState } from 'preact/hooks';
import type { TemplateDocument, TemplateElement } from '../renderer/types';
import type { Project } from './api';

const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v));
const HISTORY = 200;

export interface Meta {
  name: string;
  width: number;
  height: number;
}

interface Snapshot {
  doc: TemplateDocument;
  meta: Meta;
  selected: string[];
}

export class Editor {
  project: Project | null = null;
  doc: TemplateDocument = { version: 1, elements: [] };
  meta: Meta = { name: '', width: 1080, height: 1080 };
  selected: string[] = [];
  past: Snapshot[] = [];
  future: Snapshot[] = [];
  savedJson = '';
  private listeners = new Set<() => void>();
  private gesture: Snapshot | null = null;
  private mergeKey = '';
  private mergeAt = 0;

  subscribe(fn: () => void) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit() {
    this.listeners.forEach((fn) => fn());
  }

  load(project: Project) {
    this.project = project;
    const doc: TemplateDocument = project.document && Array.isArray(project.document.elements) ? project.document : { version: 1, elements: [] };
    this.doc = clone({ ...doc, version: 1, elements: doc.elements || [] });
    this.meta = { name: project.name, width: project.width, height: project.height };
    this.selected = this.selected.filter((id) => this.doc.elements.some((e) => e.id === id));
    this.past = [];
    this.future = [];
    this.markSaved(project);
  }

  markSaved(project: Project) {
    this.project = { ...project };
    this.savedJson = this.json();
    this.emit();
  }

  json() {
    return JSON.stringify([this.doc, this.meta]);
  }
  get dirty() {
    return this.project !== null && this.json() !== this.savedJson;
  }

  private snap(): Snapshot {
    return { doc: clone(this.doc), meta: { ...this.meta }, selected: [...this.selected] };
  }
  private push(s: Snapshot) {
    this.past.push(s);
    if (this.past.length > HISTORY) this.past.shift();
    this.future = [];
  }

  /** One undoable change. Changes with the same `merge` key within 1 s make one step (typing). */
  change(fn: (doc: TemplateDocument, meta: Meta) => void, merge = '') {
    const now = Date.now();
    const merging = merge && merge === this.mergeKey && now - this.mergeAt < 1000;
    if (!merging) this.push(this.snap());
    fn(this.doc, this.meta);
    this.mergeKey = merge;
    this.mergeAt = now;
    this.emit();
  }

  begin() {
    this.gesture = this.snap();
    this.mergeKey = '';
  }
  live(fn: (doc: TemplateDocument) => void) {
    fn(this.doc);
    this.emit();
  }
  commit() {
    if (!this.gesture) return;
    const before = this.gesture;
    this.gesture = null;
    if (JSON.stringify(before.doc) !== JSON.stringify(this.doc)) this.push(before);
    this.emit();
  }

  undo() {
    const s = this.past.pop();
    if (!s) return;
    this.future.push(this.snap());
    this.restore(s);
  }
  redo() {
    const s = this.future.pop();
    if (!s) return;
    this.past.push(this.snap());
    this.restore(s);
  }
  private restore(s: Snapshot) {
    this.doc = s.doc;
    this.meta = s.meta;
    this.selected = s.selected.filter((id) => this.doc.elements.some((e) => e.id === id));
    this.mergeKey = '';
    this.emit();
  }

  select(ids: string[]) {
    this.selected = ids;
    this.emit();
  }
  get selection(): TemplateElement[] {
    return this.doc.elements.filter((e) => this.selected.includes(e.id));
  }
  el(id: string) {
    return this.doc.elements.find((e) => e.id === id);
  }

  // --- commands ---
  add(el: TemplateElement) {
    this.change((doc) => doc.elements.push(el));
    this.select([el.id]);
  }
  remove() {
    const ids = this.selection.filter((e) => !e.locked).map((e) => e.id);
    if (!ids.length) return;
    this.change((doc) => (doc.elements = doc.elements.filter((e) => !ids.includes(e.id))));
    this.select([]);
  }
  duplicate() {
    const copies = this.selection.map((e) => ({ ...clone(e), id: newId(), x: e.x + 20, y: e.y + 20, locked: false, dynamicKey: e.dynamicKey ? uniqueKey(this.doc, e.dynamicKey) : undefined }));
    if (!copies.length) return;
    this.change((doc) => doc.elements.push(...copies));
    this.select(copies.map((c) => c.id));
  }
  nudge(dx: number, dy: number) {
    const ids = this.selection.filter((e) => !e.locked).map((e) => e.id);
    if (!ids.length) return;
    this.change((doc) => doc.elements.forEach((e) => ids.includes(e.id) && ((e.x += dx), (e.y += dy))), `nudge:${ids.join()}`);
  }
  restack(delta: number) {
    const ids = this.selected;
    if (!ids.length) return;
    this.change((doc) => {
      const list = doc.elements;
      const order = delta > 0 ? [...list.keys()].reverse() : [...list.keys()];
      for (const i of order) {
        if (!ids.includes(list[i].id)) continue;
        const j = i + delta;
        if (j < 0 || j >= list.length || ids.includes(list[j].id)) continue;
        [list[i], list[j]] = [list[j], list[i]];
      }
    });
  }
  moveTo(id: string, index: number) {
    this.change((doc) => {
      const from = doc.elements.findIndex((e) => e.id === id);
      if (from < 0) return;
      const [el] = doc.elements.splice(from, 1);
      doc.elements.splice(Math.max(0, Math.min(index, doc.elements.length)), 0, el);
    });
  }
  /** Changes one element; `el` is the element as the caller sees it (its type narrowed). */
  patch<T extends TemplateElement>(el: T | string, fn: (el: T) => void, merge = '') {
    const id = typeof el === 'string' ? el : el.id;
    this.change((doc) => {
      const found = doc.elements.find((e) => e.id === id);
      // Same id, same element: its type can't change between the caller's copy and this one.
      if (found) fn(found as T);
    }, merge);
  }
}

export function newId() {
  return 'el_' + Math.random().toString(36).slice(2, 10);
}

export function uniqueKey(doc: TemplateDocument, base: string) {
  const taken = new Set(doc.elements.map((e) => e.dynamicKey).filter(Boolean));
  if (!taken.has(base)) return base;
  const stem = base.replace(/_?\d+$/, '');
  for (let i = 2; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

export const editor = new Editor();

export function useEditor(): Editor {
  const [, setTick] = useState(0);
  useEffect(() => {
    const off = editor.subscribe(() => setTick((n) => n + 1));
    return () => {
      off();
    };
  }, []);
  return editor;
}
