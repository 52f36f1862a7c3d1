// The top bar: back to the dashboard, the project picker, the name and save state; the insert
// tools, undo/redo and zoom; live status, theme, language, Save and Render.
import type { Theme } from '../protocol/messages';
import { config } from './config';
import { editor, useEditor } from './editor';
import type { Zoom } from './hooks/use-zoom';
import { ZOOMS } from './hooks/use-zoom';
import { lang, t } from './i18n';
import { Icon } from './icons';
import type { NewElementKind } from './new-element';

export function Topbar({ zoom, live, theme, saving, rendering, onPicker, onLibrary, onAdd, onTheme, onLang, onSave, onRender }: {
  zoom: Zoom;
  live: boolean;
  theme: Theme;
  saving: boolean;
  rendering: boolean;
  onPicker: () => void;
  onLibrary: () => void;
  onAdd: (kind: NewElementKind) => void;
  onTheme: () => void;
  onLang: () => void;
  onSave: () => void;
  onRender: () => void;
}) {
  const ed = useEditor();
  const readOnly = !!config.readOnly;
  const dirty = ed.dirty;
  const canUndo = ed.past.length > 0, canRedo = ed.future.length > 0;
  const status = saving ? t('saving') : dirty ? t('unsaved') : ed.project ? t('saved') : '';
  return (
    <header class="topbar">
      <div class="topbar__start">
        {config.mode === 'dashboard' ? (
          <a class="brand" href="/render/projects" title={t('back')} aria-label={t('back')}><span class="brand-mark">A</span></a>
        ) : (
          <span class="brand"><span class="brand-mark">A</span></span>
        )}
        {!config.lockedProject && (
          <button type="button" class="btn btn--ghost" data-testid="open-picker" onClick={onPicker} title={t('projects')}>☰ <span class="btn__label">{t('projects')}</span></button>
        )}
        {ed.project && (
          <input
            class="title-input"
            value={ed.meta.name}
            aria-label={t('rename')}
            title={t('rename')}
            data-testid="project-name"
            readOnly={readOnly}
            dir="auto"
            onInput={(e) => {
              const name = e.currentTarget.value;
              editor.change((_, m) => (m.name = name), 'name');
            }}
          />
        )}
        {ed.project && <span class={`status${dirty ? ' status--dirty' : ''}`} data-testid="save-status">{status}</span>}
      </div>
      <div class="topbar__center" role="toolbar" aria-label="Insert">
        {ed.project && (
          <>
            <button type="button" class="tool" data-testid="add-text" title={t('addText')} onClick={() => onAdd('text')}><b>T</b><span>{t('addText')}</span></button>
            <button type="button" class="tool" data-testid="add-image" title={t('addImage')} onClick={() => onAdd('image')}><b>▣</b><span>{t('addImage')}</span></button>
            <button type="button" class="tool" data-testid="add-shape" title={t('addShape')} onClick={() => onAdd('shape')}><b>▭</b><span>{t('addShape')}</span></button>
            <button type="button" class="tool" data-testid="add-ellipse" title={t('addEllipse')} onClick={() => onAdd('ellipse')}><b>◯</b><span>{t('addEllipse')}</span></button>
            {!readOnly && <button type="button" class="tool" data-testid="open-assets" title={t('assetLibrary')} onClick={onLibrary}><b><Icon name="images" /></b><span>{t('assets')}</span></button>}
            <span class="divider" />
            <button type="button" class="icon-btn" disabled={!canUndo} title={`${t('undo')} (Ctrl+Z)`} aria-label={t('undo')} data-testid="undo" onClick={() => editor.undo()}>↶</button>
            <button type="button" class="icon-btn" disabled={!canRedo} title={`${t('redo')} (Ctrl+Shift+Z)`} aria-label={t('redo')} data-testid="redo" onClick={() => editor.redo()}>↷</button>
            <span class="divider" />
            <button type="button" class="icon-btn" title={t('zoomOut')} aria-label={t('zoomOut')} onClick={zoom.zoomOut}>−</button>
            <select class="zoom" aria-label="Zoom" data-testid="zoom" value={zoom.mode === 'fit' ? 'fit' : String(zoom.mode)} onChange={(e) => {
              const v = e.currentTarget.value;
              zoom.setMode(v === 'fit' ? 'fit' : parseFloat(v));
            }}>
              <option value="fit">{t('fit')} ({Math.round(zoom.fitZoom * 100)}%)</option>
              {ZOOMS.map((z) => <option key={z} value={String(z)}>{Math.round(z * 100)}%</option>)}
              {zoom.mode !== 'fit' && !ZOOMS.includes(zoom.mode) && <option value={String(zoom.mode)}>{Math.round(zoom.mode * 100)}%</option>}
            </select>
            <button type="button" class="icon-btn" title={t('zoomIn')} aria-label={t('zoomIn')} onClick={zoom.zoomIn}>+</button>
          </>
        )}
      </div>
      <div class="topbar__end">
        <span class={`live-dot${live ? ' is-on' : ''}`} title={live ? t('live') : t('offline')} data-testid="live">{live ? t('live') : t('offline')}</span>
        <button type="button" class="icon-btn" data-testid="toggle-theme" title={t('theme')} aria-label={t('theme')} onClick={onTheme}>{theme === 'dark' ? '☀' : '☾'}</button>
        <button type="button" class="icon-btn lang-btn" data-testid="toggle-lang" title={t('language')} aria-label={t('language')} onClick={onLang}>{lang() === 'ar' ? 'EN' : 'ع'}</button>
        {readOnly ? (
          <span class="chip chip--muted">{t('readOnly')}</span>
        ) : (
          ed.project && (
            <>
              <button type="button" class="btn" data-testid="save" disabled={saving || !dirty} onClick={onSave}>{saving ? t('saving') : t('save')}</button>
              <button type="button" class="btn btn--primary" data-testid="render" disabled={rendering} onClick={onRender} title={t('render')}>
                {rendering ? t('rendering') : <>▶ <span class="btn__label">{t('render')}</span></>}
              </button>
            </>
          )
        )}
      </div>
    </header>
  );
}
