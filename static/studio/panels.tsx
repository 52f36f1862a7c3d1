// Side panels: layers (drag to reorder), properties of the selection, canvas settings.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ImageElement, ShapeElement, TemplateElement, TextElement, TextStyle } from '../renderer/types';
import { AlignBar } from './align-bar';
import { editor, uniqueKey, useEditor } from './editor';
import type { FontOption } from './fonts';
import { t } from './i18n';
import { Icon } from './icons';
import { AnimationProps } from './timeline';

export type { FontOption };

function Field({ label, children, wide }: { label: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <label class={`field${wide ? ' field--wide' : ''}`}>
      <span class="field__label">{label}</span>
      {children}
    </label>
  );
}

function Num({ value, onChange, min, max, step, testid, suffix }: { value: number | undefined; onChange: (v: number) => void; min?: number; max?: number; step?: number; testid?: string; suffix?: string }) {
  return (
    <span class="num">
      <input
        type="number"
        value={value ?? ''}
        min={min}
        max={max}
        step={step ?? 1}
        data-testid={testid}
        onInput={(e) => {
          const v = parseFloat(e.currentTarget.value);
          if (!Number.isNaN(v)) onChange(max !== undefined ? Math.min(max, min !== undefined ? Math.max(min, v) : v) : v);
        }}
      />
      {suffix && <span class="num__suffix">{suffix}</span>}
    </span>
  );
}

function Color({ value, onChange, testid }: { value: string | undefined; onChange: (v: string) => void; testid?: string }) {
  const v = value || '#000000';
  return (
    <span class="color">
      <input type="color" value={/^#[0-9a-f]{6}$/i.test(v) ? v : '#000000'} onInput={(e) => onChange(e.currentTarget.value)} />
      <input type="text" value={v} data-testid={testid} spellcheck={false} onChange={(e) => onChange(e.currentTarget.value.trim())} />
    </span>
  );
}

function Seg<T extends string>({ value, options, onChange, name }: { value: T; options: [T, string, string?][]; onChange: (v: T) => void; name: string }) {
  return (
    <div class="seg" role="radiogroup" aria-label={name}>
      {options.map(([v, label, icon]) => (
        <button type="button" key={v} class={value === v ? 'is-on' : ''} aria-pressed={value === v} title={label} onClick={() => onChange(v)}>
          {icon || label}
        </button>
      ))}
    </div>
  );
}

// ---------------------------------------------------------------- layers

const ICON: Record<string, string> = { text: 'T', image: '▣', shape: '◆' };

export function label(el: TemplateElement) {
  if (el.name) return el.name;
  if (el.type === 'text') return (el.text || '').slice(0, 28) || t('text');
  if (el.type === 'image') return el.dynamicKey || t('image');
  return el.shape === 'ellipse' ? t('ellipse') : t('rect');
}

export function Layers() {
  const ed = useEditor();
  const [dragId, setDragId] = useState<string | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const list = [...ed.doc.elements].reverse(); // top of the stack first
  const n = ed.doc.elements.length;
  return (
    <section class="panel-section layers" data-testid="layers">
      <h3 class="panel-title">{t('layers')} <span class="count">{n}</span></h3>
      {n === 0 && <p class="muted small">{t('noLayers')}</p>}
      <ul class="layer-list" onDragLeave={() => setOver(null)}>
        {list.map((el, row) => (
          <li
            key={el.id}
            class={`layer${ed.selected.includes(el.id) ? ' is-selected' : ''}${el.hidden ? ' is-hidden' : ''}${over === row && dragId ? ' is-drop' : ''}`}
            draggable
            data-layer-id={el.id}
            onDragStart={(e) => {
              setDragId(el.id);
              e.dataTransfer?.setData('text/plain', el.id);
              if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
            }}
            onDragOver={(e) => {
              e.preventDefault();
              setOver(row);
            }}
            onDrop={(e) => {
              e.preventDefault();
              const id = dragId || e.dataTransfer?.getData('text/plain');
              if (id && id !== el.id) editor.moveTo(id, n - 1 - row);
              setDragId(null);
              setOver(null);
            }}
            onDragEnd={() => {
              setDragId(null);
              setOver(null);
            }}
            onClick={(e) => {
              const ids = editor.selected;
              editor.select(e.shiftKey ? (ids.includes(el.id) ? ids.filter((i) => i !== el.id) : [...ids, el.id]) : [el.id]);
            }}
          >
            <span class={`layer__icon layer__icon--${el.type}`}>{ICON[el.type]}</span>
            <span class="layer__name" dir="auto">{label(el)}</span>
            {el.groupId && <span class="layer__group" title={t('grouped')} data-testid="layer-group"><Icon name="group" /></span>}
            {el.dynamicKey && <span class="chip" title={t('dynamicKey')}>{el.dynamicKey}</span>}
            <button
              type="button"
              class={`icon-btn${el.hidden ? ' is-on' : ''}`}
              title={el.hidden ? t('show') : t('hide')}
              aria-label={el.hidden ? t('show') : t('hide')}
              onClick={(e) => {
                e.stopPropagation();
                editor.patch(el.id, (x) => (x.hidden = !x.hidden || undefined));
              }}
            >
              {el.hidden ? '◌' : '●'}
            </button>
            <button
              type="button"
              class={`icon-btn${el.locked ? ' is-on' : ''}`}
              title={el.locked ? t('unlock') : t('lock')}
              aria-label={el.locked ? t('unlock') : t('lock')}
              onClick={(e) => {
                e.stopPropagation();
                editor.patch(el.id, (x) => (x.locked = !x.locked || undefined));
              }}
            >
              {el.locked ? '🔒' : '🔓'}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

// ---------------------------------------------------------------- properties

export function Properties({ fonts, onUploadFont, onUploadImage, onOpenLibrary, readOnly }: {
  fonts: FontOption[];
  onUploadFont: (f: File) => Promise<string | null>;
  onUploadImage: (f: File) => Promise<string | null>;
  onOpenLibrary: () => void;
  readOnly?: boolean;
}) {
  const ed = useEditor();
  const sel = ed.selection;
  if (sel.length === 0) return <CanvasProps />;
  if (sel.length > 1)
    return (
      <div class="props">
        <p class="muted">{t('multiSelection', { n: sel.length })}</p>
        <Arrange />
        <AlignBar />
      </div>
    );
  const el = sel[0];
  const set = (fn: (e: TemplateElement) => void, merge = '') => editor.patch(el, fn, merge);
  return (
    <div class="props" data-testid="properties" key={el.id}>
      <Arrange />
      <AlignBar />
      {el.type === 'text' && <TextProps el={el} fonts={fonts} onUploadFont={onUploadFont} />}
      {el.type === 'image' && <ImageProps el={el} onUploadImage={onUploadImage} onOpenLibrary={onOpenLibrary} />}
      {el.type === 'shape' && <ShapeProps el={el} />}
      <section class="panel-section">
        <h3 class="panel-title">{t('position')}</h3>
        <div class="grid2">
          <Field label="X"><Num testid="prop-x" value={el.x} onChange={(v) => set((e) => (e.x = v), `x:${el.id}`)} /></Field>
          <Field label="Y"><Num testid="prop-y" value={el.y} onChange={(v) => set((e) => (e.y = v), `y:${el.id}`)} /></Field>
          <Field label={t('width')}><Num testid="prop-w" value={el.width} min={1} onChange={(v) => set((e) => (e.width = v), `w:${el.id}`)} /></Field>
          <Field label={t('height')}><Num testid="prop-h" value={el.height} min={1} onChange={(v) => set((e) => (e.height = v), `h:${el.id}`)} /></Field>
          <Field label={t('rotation')}><Num testid="prop-rotation" value={el.rotation || 0} min={-180} max={180} suffix="°" onChange={(v) => set((e) => (e.rotation = v), `r:${el.id}`)} /></Field>
          <Field label={t('opacity')}><Num testid="prop-opacity" value={Math.round((el.opacity ?? 1) * 100)} min={0} max={100} suffix="%" onChange={(v) => set((e) => (e.opacity = v / 100), `o:${el.id}`)} /></Field>
        </div>
      </section>
      {el.type !== 'shape' && <DynamicProps el={el} set={set} />}
      <AnimationProps el={el} />
    </div>
  );
}

function Arrange() {
  const ed = useEditor();
  const one = ed.selection[0];
  return (
    <div class="toolbar-row" role="toolbar">
      <button type="button" class="icon-btn" title={`${t('backward')} (Ctrl+[)`} aria-label={t('backward')} onClick={() => editor.restack(-1)}>⤓</button>
      <button type="button" class="icon-btn" title={`${t('forward')} (Ctrl+])`} aria-label={t('forward')} onClick={() => editor.restack(1)}>⤒</button>
      <button type="button" class="icon-btn" title={`${t('duplicate')} (Ctrl+D)`} aria-label={t('duplicate')} onClick={() => editor.duplicate()}>⧉</button>
      {one && ed.selection.length === 1 && (
        <button type="button" class="icon-btn" title={one.locked ? t('unlock') : t('lock')} aria-label={one.locked ? t('unlock') : t('lock')} onClick={() => editor.patch(one.id, (x) => (x.locked = !x.locked || undefined))}>
          {one.locked ? '🔒' : '🔓'}
        </button>
      )}
      <span class="spacer" />
      <button type="button" class="icon-btn danger" title={`${t('delete')} (Del)`} aria-label={t('delete')} data-testid="delete" onClick={() => editor.remove()}>🗑</button>
    </div>
  );
}

function ShapeProps({ el }: { el: ShapeElement }) {
  const set = (fn: (e: ShapeElement) => void, merge = '') => editor.patch(el, fn, merge);
  return (
    <section class="panel-section">
      <h3 class="panel-title">{t('shape')}</h3>
      <div class="grid2">
        <Field label={t('kind')} wide>
          <Seg value={el.shape === 'ellipse' ? 'ellipse' : 'rect'} name={t('kind')} options={[['rect', t('rect'), '▭'], ['ellipse', t('ellipse'), '◯']]} onChange={(v) => set((e) => (e.shape = v))} />
        </Field>
        <Field label={t('fill')} wide><Color value={el.fill} testid="prop-fill" onChange={(v) => set((e) => (e.fill = v), `fill:${el.id}`)} /></Field>
        <Field label={t('stroke')} wide><Color value={el.stroke || '#000000'} onChange={(v) => set((e) => (e.stroke = v), `stroke:${el.id}`)} /></Field>
        <Field label={t('strokeWidth')}><Num value={el.strokeWidth || 0} min={0} max={200} onChange={(v) => set((e) => (e.strokeWidth = v), `sw:${el.id}`)} /></Field>
        {el.shape !== 'ellipse' && <Field label={t('radius')}><Num value={el.borderRadius || 0} min={0} max={2000} onChange={(v) => set((e) => (e.borderRadius = v), `br:${el.id}`)} /></Field>}
      </div>
    </section>
  );
}

function TextProps({ el, fonts: families, onUploadFont }: { el: TextElement; fonts: FontOption[]; onUploadFont: (f: File) => Promise<string | null> }) {
  const fontInput = useRef<HTMLInputElement>(null);
  const s: TextStyle = el.style || {};
  const set = (fn: (e: TextElement) => void, merge = '') => editor.patch(el, fn, merge);
  const style = <K extends keyof TextStyle>(k: K, v: TextStyle[K]) => set((e) => (e.style = { ...(e.style || {}), [k]: v }), `style:${k}:${el.id}`);
  const current = s.fontFamily || 'Noto Sans';
  return (
    <section class="panel-section">
      <h3 class="panel-title">{t('text')}</h3>
      <Field label={t('content')} wide>
        <textarea
          rows={3}
          value={el.text || ''}
          data-testid="prop-text"
          dir="auto"
          onInput={(e) => {
            const text = e.currentTarget.value;
            set((x) => (x.text = text), `text:${el.id}`);
          }}
        />
      </Field>
      <Field label={t('font')} wide>
        <span class="font-row">
          <select
            value={current}
            data-testid="prop-font"
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (v === '__upload__') {
                fontInput.current?.click();
                e.currentTarget.value = current;
              } else style('fontFamily', v);
            }}
          >
            <optgroup label={t('bundled')}>
              {families.filter((f) => !f.uploaded).map((f) => <option key={f.family} value={f.family} style={{ fontFamily: f.family }}>{f.family}</option>)}
            </optgroup>
            {families.some((f) => f.uploaded) && (
              <optgroup label={t('yourFonts')}>
                {families.filter((f) => f.uploaded).map((f) => <option key={f.family} value={f.family}>{f.family}</option>)}
              </optgroup>
            )}
            {!families.some((f) => f.family === current) && <option value={current}>{current}</option>}
            <option value="__upload__">{t('uploadFont')}</option>
          </select>
          <input
            ref={fontInput}
            type="file"
            hidden
            accept=".ttf,.otf,.woff,.woff2,font/ttf,font/otf,font/woff,font/woff2"
            data-testid="font-upload"
            onChange={async (e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (!f) return;
              const family = await onUploadFont(f);
              if (family) style('fontFamily', family);
            }}
          />
        </span>
      </Field>
      <div class="grid2">
        <Field label={t('size')}><Num testid="prop-size" value={s.fontSize ?? 48} min={1} max={1000} suffix="px" onChange={(v) => style('fontSize', v)} /></Field>
        <Field label={t('weight')}>
          <select value={String(s.fontWeight ?? 400)} onChange={(e) => style('fontWeight', parseInt(e.currentTarget.value, 10))}>
            {[100, 200, 300, 400, 500, 600, 700, 800, 900].map((w) => <option key={w} value={w}>{w}</option>)}
          </select>
        </Field>
        <Field label={t('color')} wide><Color value={s.color || '#111827'} testid="prop-color" onChange={(v) => style('color', v)} /></Field>
        <Field label={t('align')} wide>
          <Seg value={s.textAlign || 'left'} name={t('align')} onChange={(v) => style('textAlign', v)}
            options={[['left', t('left'), '⇤'], ['center', t('center'), '↔'], ['right', t('right'), '⇥'], ['justify', t('justify'), '☰']]} />
        </Field>
        <Field label={t('valign')} wide>
          <Seg value={s.verticalAlign || 'top'} name={t('valign')} onChange={(v) => style('verticalAlign', v)}
            options={[['top', t('top'), '⤒'], ['middle', t('middle'), '↕'], ['bottom', t('bottom'), '⤓']]} />
        </Field>
        <Field label={t('lineHeight')}><Num value={s.lineHeight ?? 1.2} min={0.5} max={4} step={0.05} onChange={(v) => style('lineHeight', v)} /></Field>
        <Field label={t('direction')}>
          <select value={s.direction || 'auto'} onChange={(e) => {
            const v = e.currentTarget.value;
            style('direction', v === 'ltr' || v === 'rtl' ? v : 'auto');
          }}>
            <option value="auto">{t('dirAuto')}</option>
            <option value="ltr">{t('dirLtr')}</option>
            <option value="rtl">{t('dirRtl')}</option>
          </select>
        </Field>
        <label class="check field--wide">
          <input type="checkbox" checked={!!s.autoFit} onChange={(e) => style('autoFit', e.currentTarget.checked)} />
          <span>{t('autoFit')}</span>
        </label>
      </div>
    </section>
  );
}

function ImageProps({ el, onUploadImage, onOpenLibrary }: { el: ImageElement; onUploadImage: (f: File) => Promise<string | null>; onOpenLibrary: () => void }) {
  const set = (fn: (e: ImageElement) => void, merge = '') => editor.patch(el, fn, merge);
  const file = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section class="panel-section">
      <h3 class="panel-title">{t('image')}</h3>
      <Field label={t('imageUrl')} wide>
        <input type="url" value={el.src || ''} placeholder="https://…" data-testid="prop-src" onChange={(e) => {
          const src = e.currentTarget.value.trim();
          set((x) => (x.src = src));
        }} />
      </Field>
      <button type="button" class="btn btn--ghost btn--block" disabled={busy} onClick={() => file.current?.click()}>
        <Icon name="upload" /> {busy ? t('loading') : t('uploadImage')}
      </button>
      <button type="button" class="btn btn--ghost btn--block" data-testid="choose-asset" onClick={onOpenLibrary}>
        <Icon name="images" /> {t('fromLibrary')}
      </button>
      <input
        ref={file}
        type="file"
        hidden
        accept="image/png,image/jpeg,image/webp,image/gif,image/svg+xml"
        data-testid="image-upload"
        onChange={async (e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (!f) return;
          setBusy(true);
          const url = await onUploadImage(f);
          setBusy(false);
          if (url) set((x) => (x.src = url));
        }}
      />
      <div class="grid2">
        <Field label={t('fitMode')} wide>
          <Seg value={el.fit || 'cover'} name={t('fitMode')} onChange={(v) => set((x) => (x.fit = v))} options={[['cover', 'cover'], ['contain', 'contain'], ['fill', 'fill']]} />
        </Field>
        <Field label={t('radius')}><Num value={el.borderRadius || 0} min={0} max={2000} onChange={(v) => set((x) => (x.borderRadius = v), `br:${el.id}`)} /></Field>
      </div>
    </section>
  );
}

function DynamicProps({ el, set }: { el: TemplateElement; set: (fn: (e: TemplateElement) => void, m?: string) => void }) {
  const suffix = el.type === 'image' ? 'img' : 'text';
  const [draft, setDraft] = useState(el.dynamicKey || '');
  useEffect(() => setDraft(el.dynamicKey || ''), [el.dynamicKey, el.id]);
  const commit = (raw: string) => {
    const clean = raw.trim().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
    if (clean === (el.dynamicKey || '')) return;
    const key = clean ? (editor.doc.elements.some((e) => e.id !== el.id && e.dynamicKey === clean) ? uniqueKey(editor.doc, clean) : clean) : '';
    set((x) => {
      if (key) x.dynamicKey = key;
      else delete x.dynamicKey;
    });
    setDraft(key);
  };
  return (
    <section class="panel-section">
      <h3 class="panel-title">{t('dynamic')}</h3>
      <div class="grid2">
        <Field label={t('dynamicKey')} wide>
          <input
            type="text"
            value={draft}
            placeholder="title"
            data-testid="prop-dynamic-key"
            spellcheck={false}
            dir="ltr"
            onInput={(e) => setDraft(e.currentTarget.value)}
            onChange={(e) => commit(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && commit(e.currentTarget.value)}
          />
        </Field>
        <Field label={t('placeholder')} wide>
          <input type="text" value={el.placeholder || ''} data-testid="prop-placeholder" dir="auto" onInput={(e) => set((x) => (x.placeholder = e.currentTarget.value), `ph:${el.id}`)} />
        </Field>
      </div>
      {el.dynamicKey && <p class="hint"><code dir="ltr">{`"${el.dynamicKey}.${suffix}"`}</code></p>}
      {!el.dynamicKey && <p class="hint">{t('dynamicHelp', { key: `name.${suffix}` })}</p>}
    </section>
  );
}

function CanvasProps() {
  const ed = useEditor();
  return (
    <div class="props">
      <p class="muted small">{t('noSelection')}</p>
      <section class="panel-section">
        <h3 class="panel-title">{t('canvas')}</h3>
        <div class="grid2">
          <Field label={t('width')}><Num testid="canvas-w" value={ed.meta.width} min={1} max={4096} onChange={(v) => editor.change((_, m) => (m.width = Math.round(v)), 'cw')} /></Field>
          <Field label={t('height')}><Num testid="canvas-h" value={ed.meta.height} min={1} max={4096} onChange={(v) => editor.change((_, m) => (m.height = Math.round(v)), 'ch')} /></Field>
          <Field label={t('background')} wide>
            <Color value={ed.doc.background?.color || '#ffffff'} testid="canvas-bg" onChange={(v) => editor.change((d) => (d.background = { ...(d.background || {}), color: v }), 'bg')} />
          </Field>
        </div>
      </section>
    </div>
  );
}
