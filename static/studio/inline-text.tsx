// Editing a text element's words on the canvas itself (double-click it): a plain-text editable
// box laid over the element with its font, size, colour, alignment and rotation, while the
// drawn element is hidden. Every keystroke is an undoable change (merged while typing, like the
// properties panel's field); Escape, Ctrl/Cmd+Enter or clicking elsewhere ends the editing.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { fontStack } from '../renderer/index';
import { editor } from './editor';
import type { TextElement } from '../renderer/types';

const VALIGN: Record<string, string> = { top: 'flex-start', middle: 'center', bottom: 'flex-end' };

export function InlineText({ el, zoom, fontSize, onDone }: {
  el: TextElement;
  zoom: number;
  /** The size the canvas shows the text at (auto-fit may have made it smaller). */
  fontSize: number;
  onDone: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const s = el.style || {};
  // Focused before it is first painted, so no keystroke can reach the Studio in between.
  useLayoutEffect(() => {
    const node = ref.current;
    if (!node) return;
    node.textContent = el.text || '';
    node.focus();
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }, [el.id]);

  const onInput = () => {
    const text = ref.current?.innerText ?? '';
    editor.patch(el, (target) => (target.text = text.replace(/\n$/, '')), `text:${el.id}`);
  };
  const direction = s.direction === 'rtl' || s.direction === 'ltr' ? s.direction : 'auto';
  const drawn = CSS.escape(el.id);
  return (
    <div class="inline-text-layer">
      <style>{`.render-root [data-element-id="${drawn}"] { visibility: hidden; }`}</style>
      <div
        class="inline-text"
        style={{
          left: `${el.x * zoom}px`, top: `${el.y * zoom}px`, width: `${el.width * zoom}px`, height: `${el.height * zoom}px`,
          transform: `rotate(${el.rotation || 0}deg)`, justifyContent: VALIGN[s.verticalAlign || 'top'],
          opacity: String(el.opacity ?? 1),
        }}
        onPointerDown={(e) => e.stopPropagation()}
      >
        <div
          ref={ref}
          class="inline-text__input"
          contentEditable="plaintext-only"
          dir={direction}
          spellcheck={false}
          data-testid="inline-text"
          style={{
            fontFamily: fontStack(typeof s.fontFamily === 'string' && s.fontFamily ? s.fontFamily : 'Noto Sans'),
            fontSize: `${fontSize * zoom}px`,
            fontWeight: String(s.fontWeight ?? 400),
            fontStyle: s.fontStyle === 'italic' ? 'italic' : 'normal',
            lineHeight: String(s.lineHeight ?? 1.2),
            letterSpacing: `${(Number(s.letterSpacing) || 0) * zoom}px`,
            color: typeof s.color === 'string' ? s.color : '#000000',
            textAlign: s.textAlign || 'start',
            textTransform: s.textTransform || 'none',
          }}
          onInput={onInput}
          onBlur={onDone}
          onKeyDown={(e) => {
            if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
              e.preventDefault();
              onDone();
            }
          }}
        />
      </div>
    </div>
  );
}
