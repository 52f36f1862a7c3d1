// The Studio's shortcuts. Typing in a field keeps its keys (only Ctrl/Cmd+S and Escape reach us).
import { useEffect } from 'preact/hooks';
import { group, ungroup } from '../arrange';
import { editor } from '../editor';
import { useLatest } from './use-latest';
import type { Zoom } from './use-zoom';

export function useKeyboard(handlers: { save: () => void; zoom: Zoom }) {
  const latest = useLatest(handlers);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { save, zoom } = latest.current;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      const target = e.target instanceof HTMLElement ? e.target : null;
      const typing = !!target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);
      if (mod && k === 's') {
        e.preventDefault();
        save();
        return;
      }
      if (typing) {
        if (e.key === 'Escape') target?.blur();
        return;
      }
      if (mod && k === 'z') {
        e.preventDefault();
        if (e.shiftKey) editor.redo();
        else editor.undo();
      } else if (mod && k === 'y') {
        e.preventDefault();
        editor.redo();
      } else if (mod && k === 'g') {
        e.preventDefault();
        if (e.shiftKey) ungroup();
        else group();
      } else if (mod && k === 'd') {
        e.preventDefault();
        editor.duplicate();
      } else if (mod && k === 'a') {
        e.preventDefault();
        editor.select(editor.doc.elements.filter((x) => !x.hidden && !x.locked).map((x) => x.id));
      } else if (mod && e.key === ']') {
        e.preventDefault();
        editor.restack(1);
      } else if (mod && e.key === '[') {
        e.preventDefault();
        editor.restack(-1);
      } else if (mod && (e.key === '=' || e.key === '+')) {
        e.preventDefault();
        zoom.zoomIn();
      } else if (mod && e.key === '-') {
        e.preventDefault();
        zoom.zoomOut();
      } else if (mod && e.key === '0') {
        e.preventDefault();
        zoom.setMode('fit');
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        editor.remove();
      } else if (e.key === 'Escape') editor.select([]);
      else if (e.key.startsWith('Arrow')) {
        e.preventDefault();
        const step = e.shiftKey ? 10 : 1;
        const dx = e.key === 'ArrowLeft' ? -step : e.key === 'ArrowRight' ? step : 0;
        const dy = e.key === 'ArrowUp' ? -step : e.key === 'ArrowDown' ? step : 0;
        editor.nudge(dx, dy);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
