// Audome Studio: the template editor, in the dashboard (/render/studio/<id>) and in the embed.
import './studio.css';
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, setAuthLostHandler } from './api';
import { Stage } from './canvas';
import { config } from './config';
import { editor, newId, uniqueKey, useEditor } from './editor';
import { emit, onHostMessage } from './host';
import { lang, setLang, t } from './i18n';
import { connectLive } from './live';
import { Layers, Properties, type FontOption } from './panels';
import { accountFonts, bundledFamilies, drawDocument } from './renderer';
import type { Project, StudioElement } from './types';

const BUNDLED_FONTS = bundledFamilies || ['Noto Sans', 'Noto Serif', 'Noto Sans Arabic', 'Noto Naskh Arabic', 'Noto Kufi Arabic'];
const PRESETS: [string, number, number][] = [
  ['Instagram post', 1080, 1080], ['Instagram story', 1080, 1920], ['Open Graph', 1200, 630],
  ['X / Twitter post', 1600, 900], ['YouTube thumbnail', 1280, 720], ['LinkedIn banner', 1584, 396], ['A4 @150dpi', 1240, 1754],
];
const ZOOMS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];
const readOnly = !!config.readOnly;

type Banner = null | { kind: 'conflict' | 'remote' | 'error' | 'info'; text: string };
type Gen = { status: string; imageUrl?: string; error?: string; generationId?: string; width?: number; height?: number; creditsRemaining?: number };

function projectOf(data: any): Project {
  return (data && (data.project || data)) as Project;
}
function listOf(data: any, ...keys: string[]): any[] {
  for (const k of keys) if (Array.isArray(data?.[k])) return data[k];
  return Array.isArray(data) ? data : [];
}

// ------------------------------------------------------------------ theme and language

function applyTheme(theme: string) {
  const resolved = theme === 'auto' ? (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark') : theme;
  document.documentElement.dataset.theme = resolved;
  return resolved as 'light' | 'dark';
}
function applyLang(l: 'en' | 'ar') {
  setLang(l);
  document.documentElement.lang = l;
  document.documentElement.dir = l === 'ar' ? 'rtl' : 'ltr';
}
function setCookie(name: string, value: string) {
  if (config.mode === 'dashboard') document.cookie = `${name}=${value}; path=/; max-age=31536000; samesite=lax`;
}

// ------------------------------------------------------------------ the app

function App() {
  const ed = useEditor();
  const [theme, setTheme] = useState<'light' | 'dark'>(() => applyTheme(config.theme));
  const [, setLangTick] = useState(0);
  const [zoomMode, setZoomMode] = useState<'fit' | number>('fit');
  const [fitZoom, setFitZoom] = useState(0.5);
  const zoom = zoomMode === 'fit' ? fitZoom : zoomMode;
  const [tab, setTab] = useState<'design' | 'data'>('design');
  const [saving, setSaving] = useState(false);
  const [banner, setBanner] = useState<Banner>(null);
  const [toast, setToast] = useState('');
  const [live, setLive] = useState(false);
  const [fatal, setFatal] = useState<null | { code: string; message: string }>(config.error || null);
  const [picker, setPicker] = useState(false);
  const [creating, setCreating] = useState(false);
  const [fonts, setFonts] = useState<FontOption[]>(BUNDLED_FONTS.map((family) => ({ family })));
  const [testData, setTestData] = useState<Record<string, string>>({});
  const [gen, setGen] = useState<Gen | null>(null);
  const [loading, setLoading] = useState(false);
  const remotePending = useRef<any>(null);
  const genWaiters = useRef(new Map<string, (g: any) => void>());
  const genSeen = useRef(new Map<string, any>());
  const readyEmitted = useRef(false);

  const flash = (msg: string) => {
    setToast(msg);
    window.setTimeout(() => setToast((cur) => (cur === msg ? '' : cur)), 2600);
  };

  // --- fatal errors (bad/expired token) go to the host's onError
  const fail = useCallback((code: string, message: string) => {
    setFatal({ code, message });
    emit('studio:error', { code, message });
  }, []);
  useEffect(() => {
    if (config.error) emit('studio:error', config.error);
    setAuthLostHandler((err: ApiError) => {
      if (config.mode === 'dashboard') {
        location.href = `/accounts/login/?next=${encodeURIComponent(location.pathname)}`;
        return;
      }
      const expired = config.expiresAt && Date.parse(config.expiresAt) <= Date.now();
      fail(expired ? 'TOKEN_EXPIRED' : 'UNAUTHORIZED', expired ? t('expired') : err.message);
    });
    if (config.mode === 'embed' && config.expiresAt) {
      const ms = Date.parse(config.expiresAt) - Date.now();
      if (ms > 0 && ms < 2 ** 31) {
        const id = window.setTimeout(() => fail('TOKEN_EXPIRED', t('expired')), ms);
        return () => clearTimeout(id);
      }
    }
  }, []);

  // --- loading a project
  const openProject = useCallback(async (id: string, opts: { push?: boolean; quiet?: boolean } = {}) => {
    if (editor.dirty && editor.project?.id !== id && !opts.quiet && !confirm(t('leaveConfirm'))) return false;
    setLoading(true);
    try {
      const { data } = await api('GET', `render/projects/${encodeURIComponent(id)}`);
      const p = projectOf(data);
      if (editor.project?.id !== p.id) {
        editor.select([]);
        setGen(null);
        setTestData({});
      }
      editor.load(p);
      setBanner(null);
      setPicker(false);
      if (config.mode === 'dashboard' && opts.push !== false && location.pathname !== `/render/studio/${p.id}`)
        history.pushState({}, '', `/render/studio/${p.id}`);
      if (config.mode === 'embed' && readyEmitted.current) emit('project:open', { id: p.id, name: p.name });
      return true;
    } catch (e: any) {
      if (e instanceof ApiError && e.status === 401) return false;
      setBanner({ kind: 'error', text: e.message || String(e) });
      return false;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (fatal) return;
    (async () => {
      if (config.projectId) await openProject(config.projectId, { push: false });
      else setPicker(true);
      if (!readyEmitted.current) {
        readyEmitted.current = true;
        emit('studio:ready', { projectId: editor.project?.id || null, readOnly, locale: lang(), theme });
      }
    })();
    api('GET', 'render/fonts')
      .then(({ data }) => {
        const uploaded = listOf(data, 'fonts', 'items');
        const bundled = listOf(data, 'bundled', 'catalogue', 'catalog').map((f: any) => f.family || f.familyName || f);
        const fams = new Set([...(bundled.length ? bundled : BUNDLED_FONTS)].map(String).filter((f) => !/emoji/i.test(f)));
        const list: FontOption[] = [...fams].map((family) => ({ family }));
        for (const f of uploaded) {
          if (!f || !f.familyName) continue;
          if (f.url) injectFont(f.familyName, f.url, f.weight, f.style);
          if (!list.some((x) => x.family === f.familyName)) list.push({ family: f.familyName, uploaded: true });
        }
        setFonts(list);
      })
      .catch(() => {});
    const onPop = () => {
      const m = location.pathname.match(/^\/render\/studio\/([^/]+)/);
      if (m) openProject(m[1], { push: false });
    };
    window.addEventListener('popstate', onPop);
    const guard = (e: BeforeUnloadEvent) => {
      if (editor.dirty && !readOnly) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', guard);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('beforeunload', guard);
    };
  }, []);

  // --- live updates over the WebSocket
  const projectId = ed.project?.id;
  useEffect(() => {
    if (!projectId || fatal) return;
    return connectLive(projectId, {
      onStatus: setLive,
      onFatal: (code) => code === 'TOKEN_EXPIRED' && fail('TOKEN_EXPIRED', t('expired')),
      onEvent: (type, payload) => {
        if (type === 'project.updated') onRemoteSave(payload);
        if (type === 'generation.updated') onGeneration(payload);
      },
    });
  }, [projectId, !!fatal]);

  function onRemoteSave(payload: any) {
    const mine = editor.project;
    if (!mine) return;
    if (saving || savingRef.current) {
      remotePending.current = payload;
      return;
    }
    if (payload.updatedAt && mine.updatedAt && payload.updatedAt <= mine.updatedAt) return;
    if (!editor.dirty) {
      openProject(mine.id, { quiet: true, push: false }).then((ok) => ok && flash(t('reloaded')));
    } else setBanner({ kind: 'remote', text: t('remoteUpdate') });
  }

  function onGeneration(g: any) {
    if (!g || !g.generationId) return;
    genSeen.current.set(g.generationId, g);
    setGen((cur) => (cur && cur.generationId === g.generationId ? { ...cur, ...g } : cur));
    if (['completed', 'failed', 'canceled'].includes(g.status)) {
      const w = genWaiters.current.get(g.generationId);
      if (w) {
        genWaiters.current.delete(g.generationId);
        w(g);
      }
    }
  }

  function waitGeneration(id: string): Promise<any> {
    const seen = genSeen.current.get(id);
    if (seen && ['completed', 'failed', 'canceled'].includes(seen.status)) return Promise.resolve(seen);
    return new Promise((resolve) => {
      genWaiters.current.set(id, resolve);
      // One safety check if no push came (a socket that dropped meanwhile) — not polling.
      window.setTimeout(async () => {
        if (!genWaiters.current.has(id)) return;
        try {
          const { data } = await api('GET', `render/generations/${id}`);
          if (['completed', 'failed', 'canceled'].includes(data.status)) onGeneration(data);
        } catch {
          /* the push may still come */
        }
      }, 45000);
    });
  }

  // --- save
  const savingRef = useRef(false);
  const save = useCallback(async (): Promise<boolean> => {
    const p = editor.project;
    if (!p || readOnly || savingRef.current) return false;
    savingRef.current = true;
    setSaving(true);
    const sentJson = editor.json();
    try {
      const body = { name: editor.meta.name, width: editor.meta.width, height: editor.meta.height, document: editor.doc, updatedAt: p.updatedAt };
      const { data } = await api('PATCH', `render/projects/${p.id}`, body);
      const saved = projectOf(data);
      const changedMeanwhile = editor.json() !== sentJson;
      editor.project = { ...p, ...saved };
      editor.savedJson = sentJson;
      if (!changedMeanwhile) editor.markSaved(editor.project);
      else editor.emit();
      setBanner(null);
      flash(t('saved'));
      emit('project:save', { id: p.id, name: saved.name || editor.meta.name });
      return true;
    } catch (e: any) {
      if (e instanceof ApiError && e.status === 409) setBanner({ kind: 'conflict', text: t('conflict') });
      else if (!(e instanceof ApiError && e.status === 401)) setBanner({ kind: 'error', text: e.message });
      return false;
    } finally {
      savingRef.current = false;
      setSaving(false);
      const pending = remotePending.current;
      remotePending.current = null;
      if (pending) onRemoteSave(pending);
    }
  }, []);

  // --- render (Render button and the host's exportImage)
  const renderNow = useCallback(async (format: 'png' | 'jpeg' | 'webp' = 'png', requestId?: string): Promise<string | null> => {
    const p = editor.project;
    const failRender = (code: string, message: string) => {
      setGen({ status: 'failed', error: message });
      emit('render:error', { code, message, requestId });
      return null;
    };
    if (!p) return failRender('PROJECT_NOT_FOUND', 'No project is open.');
    if (readOnly) return failRender('FORBIDDEN', 'This embed session is view-only.');
    if (editor.dirty && !(await save())) return failRender('SAVE_FAILED', 'The project could not be saved before rendering.');
    setGen({ status: 'pending' });
    try {
      const { data, response } = await api('POST', 'render/generate', { projectId: p.id, data: cleanData(testData), format, async: live });
      let g = data;
      setGen({ status: g.status || 'processing', generationId: g.generationId });
      if (response.status === 202) g = await waitGeneration(g.generationId);
      if (g.status && g.status !== 'completed') return failRender(g.errorCode || (g.status === 'canceled' ? 'CANCELED' : 'RENDER_FAILED'), typeof g.error === 'string' ? g.error : 'Render failed');
      setGen({ status: 'completed', imageUrl: g.imageUrl, generationId: g.generationId, width: g.width, height: g.height, creditsRemaining: data.creditsRemaining });
      emit('render:complete', { imageUrl: g.imageUrl, generationId: g.generationId, projectId: p.id, width: g.width, height: g.height, format: g.format || format, requestId });
      return g.imageUrl;
    } catch (e: any) {
      return failRender(e.code || 'RENDER_FAILED', e.message || String(e));
    }
  }, [testData, live]);

  function cleanData(values: Record<string, string>) {
    const keys = new Set<string>();
    for (const el of editor.project?.document?.elements || []) if (el.dynamicKey) keys.add(`${el.dynamicKey}.${el.type === 'image' ? 'img' : 'text'}`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (keys.has(k) && v !== '') out[k] = v;
    return out;
  }

  // --- host messages (embed)
  const renderRef = useRef(renderNow);
  renderRef.current = renderNow;
  useEffect(
    () =>
      onHostMessage((type, payload) => {
        if (type === 'host:setLocale') changeLang(payload.locale === 'ar' ? 'ar' : 'en');
        else if (type === 'host:setTheme') changeTheme(payload.theme === 'light' ? 'light' : 'dark');
        else if (type === 'host:openProject' && typeof payload.projectId === 'string') openProject(payload.projectId, { quiet: true });
        else if (type === 'host:exportImage') {
          const fmt = ['png', 'jpeg', 'webp'].includes(payload.format) ? payload.format : 'png';
          renderRef.current(fmt, typeof payload.requestId === 'string' ? payload.requestId : undefined);
        }
      }),
    [],
  );

  function changeLang(l: 'en' | 'ar') {
    applyLang(l);
    setCookie('django_language', l);
    setLangTick((n) => n + 1);
  }
  function changeTheme(th: 'light' | 'dark') {
    setTheme(applyTheme(th));
    setCookie('audome_theme', th);
  }

  // --- keyboard
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      const target = e.target as HTMLElement;
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
      if (mod && k === 's') {
        e.preventDefault();
        save();
        return;
      }
      if (typing) {
        if (e.key === 'Escape') target.blur();
        return;
      }
      if (mod && k === 'z') {
        e.preventDefault();
        e.shiftKey ? editor.redo() : editor.undo();
      } else if (mod && k === 'y') {
        e.preventDefault();
        editor.redo();
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
        setZoomMode((z) => Math.min(4, (z === 'fit' ? fitZoomRef.current : z) * 1.25));
      } else if (mod && e.key === '-') {
        e.preventDefault();
        setZoomMode((z) => Math.max(0.25, (z === 'fit' ? fitZoomRef.current : z) / 1.25));
      } else if (mod && e.key === '0') {
        e.preventDefault();
        setZoomMode('fit');
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
  const fitZoomRef = useRef(fitZoom);
  fitZoomRef.current = fitZoom;

  // --- adding elements
  function add(kind: 'text' | 'image' | 'shape' | 'ellipse') {
    const W = editor.meta.width, H = editor.meta.height;
    const w = Math.round(W * (kind === 'text' ? 0.6 : 0.3));
    const h = Math.round(kind === 'text' ? Math.max(60, H * 0.12) : w);
    const base = { id: newId(), x: Math.round((W - w) / 2), y: Math.round((H - h) / 2), width: w, height: h, rotation: 0, opacity: 1 };
    let el: StudioElement;
    if (kind === 'text') {
      const arabic = lang() === 'ar';
      el = {
        ...base, type: 'text', text: arabic ? 'نص جديد' : 'New text',
        style: { fontFamily: arabic ? 'Noto Sans Arabic' : 'Noto Sans', fontSize: Math.max(16, Math.round(H * 0.06)), fontWeight: 700, color: pickContrast(), textAlign: 'center', verticalAlign: 'middle', lineHeight: 1.2, autoFit: false, direction: 'auto' },
      };
    } else if (kind === 'image') el = { ...base, type: 'image', src: '', fit: 'cover', borderRadius: 0, dynamicKey: uniqueKey(editor.doc, 'image') };
    else el = { ...base, type: 'shape', shape: kind === 'ellipse' ? 'ellipse' : 'rect', fill: '#6366f1', borderRadius: 0 };
    editor.add(el);
    setTab('design');
  }
  function pickContrast() {
    const bg = (editor.doc.background?.color || '#ffffff').replace('#', '');
    if (bg.length !== 6) return '#111827';
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(bg.slice(i, i + 2), 16));
    return r * 0.299 + g * 0.587 + b * 0.114 > 150 ? '#111827' : '#ffffff';
  }

  // --- uploads
  async function uploadImage(file: File): Promise<string | null> {
    const form = new FormData();
    form.append('file', file);
    try {
      const { data } = await api('POST', 'render/assets', undefined, { form });
      return data.url || data.asset?.url || data.src || null;
    } catch (e: any) {
      setBanner({ kind: 'error', text: e.message });
      return null;
    }
  }
  async function uploadFont(file: File): Promise<string | null> {
    const form = new FormData();
    form.append('file', file);
    try {
      const { data } = await api('POST', 'render/fonts', undefined, { form });
      const f = data.font || data;
      if (f.url) injectFont(f.familyName, f.url, f.weight, f.style);
      setFonts((list) => (list.some((x) => x.family === f.familyName) ? list : [...list, { family: f.familyName, uploaded: true }]));
      emit('font:upload', { id: f.id, familyName: f.familyName });
      flash(t('fontUploaded'));
      return f.familyName;
    } catch (e: any) {
      setBanner({ kind: 'error', text: e.message });
      return null;
    }
  }

  if (fatal) {
    return (
      <div class="fatal" role="alert" data-testid="fatal">
        <div class="fatal__card">
          <div class="brand-mark">A</div>
          <h1>{t('errorTitle')}</h1>
          <p>{fatal.code === 'TOKEN_EXPIRED' ? t('expired') : fatal.message}</p>
          <code>{fatal.code}</code>
        </div>
      </div>
    );
  }

  const dirty = ed.dirty;
  const canUndo = ed.past.length > 0, canRedo = ed.future.length > 0;
  const status = saving ? t('saving') : dirty ? t('unsaved') : ed.project ? t('saved') : '';

  return (
    <div class="studio" data-testid="studio">
      <header class="topbar">
        <div class="topbar__start">
          {config.mode === 'dashboard' ? (
            <a class="brand" href="/render/projects" title={t('back')} aria-label={t('back')}><span class="brand-mark">A</span></a>
          ) : (
            <span class="brand"><span class="brand-mark">A</span></span>
          )}
          {!config.lockedProject && (
            <button type="button" class="btn btn--ghost" data-testid="open-picker" onClick={() => setPicker(true)}>☰ {t('projects')}</button>
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
              onInput={(e) => editor.change((_, m) => (m.name = (e.target as HTMLInputElement).value), 'name')}
            />
          )}
          {ed.project && <span class={`status${dirty ? ' status--dirty' : ''}`} data-testid="save-status">{status}</span>}
        </div>
        <div class="topbar__center" role="toolbar" aria-label="Insert">
          {ed.project && (
            <>
              <button type="button" class="tool" data-testid="add-text" title={t('addText')} onClick={() => add('text')}><b>T</b><span>{t('addText')}</span></button>
              <button type="button" class="tool" data-testid="add-image" title={t('addImage')} onClick={() => add('image')}><b>▣</b><span>{t('addImage')}</span></button>
              <button type="button" class="tool" data-testid="add-shape" title={t('addShape')} onClick={() => add('shape')}><b>▭</b><span>{t('addShape')}</span></button>
              <button type="button" class="tool" data-testid="add-ellipse" title={t('addEllipse')} onClick={() => add('ellipse')}><b>◯</b><span>{t('addEllipse')}</span></button>
              <span class="divider" />
              <button type="button" class="icon-btn" disabled={!canUndo} title={`${t('undo')} (Ctrl+Z)`} aria-label={t('undo')} data-testid="undo" onClick={() => editor.undo()}>↶</button>
              <button type="button" class="icon-btn" disabled={!canRedo} title={`${t('redo')} (Ctrl+Shift+Z)`} aria-label={t('redo')} data-testid="redo" onClick={() => editor.redo()}>↷</button>
              <span class="divider" />
              <button type="button" class="icon-btn" title={t('zoomOut')} aria-label={t('zoomOut')} onClick={() => setZoomMode(Math.max(0.25, zoom / 1.25))}>−</button>
              <select class="zoom" aria-label="Zoom" data-testid="zoom" value={zoomMode === 'fit' ? 'fit' : String(zoomMode)} onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                setZoomMode(v === 'fit' ? 'fit' : parseFloat(v));
              }}>
                <option value="fit">{t('fit')} ({Math.round(fitZoom * 100)}%)</option>
                {ZOOMS.map((z) => <option key={z} value={String(z)}>{Math.round(z * 100)}%</option>)}
                {zoomMode !== 'fit' && !ZOOMS.includes(zoomMode) && <option value={String(zoomMode)}>{Math.round(zoomMode * 100)}%</option>}
              </select>
              <button type="button" class="icon-btn" title={t('zoomIn')} aria-label={t('zoomIn')} onClick={() => setZoomMode(Math.min(4, zoom * 1.25))}>+</button>
            </>
          )}
        </div>
        <div class="topbar__end">
          <span class={`live-dot${live ? ' is-on' : ''}`} title={live ? t('live') : t('offline')} data-testid="live">{live ? t('live') : t('offline')}</span>
          <button type="button" class="icon-btn" data-testid="toggle-theme" title={t('theme')} aria-label={t('theme')} onClick={() => changeTheme(theme === 'dark' ? 'light' : 'dark')}>{theme === 'dark' ? '☀' : '☾'}</button>
          <button type="button" class="icon-btn lang-btn" data-testid="toggle-lang" title={t('language')} aria-label={t('language')} onClick={() => changeLang(lang() === 'ar' ? 'en' : 'ar')}>{lang() === 'ar' ? 'EN' : 'ع'}</button>
          {readOnly ? (
            <span class="chip chip--muted">{t('readOnly')}</span>
          ) : (
            ed.project && (
              <>
                <button type="button" class="btn" data-testid="save" disabled={saving || !dirty} onClick={() => save()}>{saving ? t('saving') : t('save')}</button>
                <button type="button" class="btn btn--primary" data-testid="render" disabled={gen?.status === 'pending' || gen?.status === 'processing'} onClick={() => { setTab('data'); renderNow(); }}>
                  {gen?.status === 'pending' || gen?.status === 'processing' ? t('rendering') : `▶ ${t('render')}`}
                </button>
              </>
            )
          )}
        </div>
      </header>

      {banner && (
        <div class={`banner banner--${banner.kind}`} role="alert" data-testid={`banner-${banner.kind}`}>
          <span>{banner.text}</span>
          {(banner.kind === 'conflict' || banner.kind === 'remote') && (
            <button type="button" class="btn btn--small" data-testid="reload-latest" onClick={() => editor.project && (editor.savedJson = editor.json(), openProject(editor.project.id, { quiet: true, push: false }))}>
              {banner.kind === 'remote' ? t('discardAndReload') : t('reloadLatest')}
            </button>
          )}
          <button type="button" class="btn btn--small btn--ghost" onClick={() => setBanner(null)}>{banner.kind === 'remote' ? t('keepMine') : t('dismiss')}</button>
        </div>
      )}

      <div class="workspace">
        <aside class="sidebar sidebar--start">{ed.project && <Layers />}</aside>
        <main class="canvas-area">
          {ed.project ? (
            <Stage zoom={zoom} onFit={setFitZoom} onZoom={(z) => setZoomMode(z)} />
          ) : (
            <div class="empty">{loading ? t('loading') : <button type="button" class="btn btn--primary" onClick={() => setPicker(true)}>{t('chooseProject')}</button>}</div>
          )}
        </main>
        <aside class="sidebar sidebar--end">
          {ed.project && (
            <>
              <div class="tabs" role="tablist">
                <button type="button" role="tab" aria-selected={tab === 'design'} class={tab === 'design' ? 'is-on' : ''} data-testid="tab-design" onClick={() => setTab('design')}>{t('design')}</button>
                <button type="button" role="tab" aria-selected={tab === 'data'} class={tab === 'data' ? 'is-on' : ''} data-testid="tab-data" onClick={() => setTab('data')}>{t('testData')}</button>
              </div>
              <div class="sidebar__scroll">
                {tab === 'design' ? (
                  <Properties fonts={fonts} onUploadFont={uploadFont} onUploadImage={uploadImage} readOnly={readOnly} />
                ) : (
                  <TestData values={testData} onChange={setTestData} gen={gen} />
                )}
              </div>
            </>
          )}
        </aside>
      </div>
      {toast && <div class="toast" role="status">{toast}</div>}
      {picker && <Picker onClose={() => editor.project && setPicker(false)} onOpen={(id) => openProject(id)} onNew={() => setCreating(true)} />}
      {creating && (
        <NewProject
          onClose={() => setCreating(false)}
          onCreated={async (p) => {
            setCreating(false);
            emit('project:create', { id: p.id, name: p.name });
            await openProject(p.id, { quiet: true });
          }}
        />
      )}
    </div>
  );
}

function injectFont(family: string, url: string, weight?: number, style?: string) {
  if (!accountFonts.some((f) => f.family === family && f.url === url)) accountFonts.push({ family, url, weight, style });
  const el = document.createElement('style');
  el.textContent = `@font-face{font-family:${JSON.stringify(family)};src:url(${JSON.stringify(url)});font-display:swap}`;
  document.head.appendChild(el);
}

// ------------------------------------------------------------------ test data + preview

function TestData({ values, onChange, gen }: { values: Record<string, string>; onChange: (v: Record<string, string>) => void; gen: Gen | null }) {
  const ed = useEditor();
  const fields = ed.doc.elements.filter((e) => e.dynamicKey && e.type !== 'shape');
  const [preview, setPreview] = useState<null | { url: string; cached?: boolean }>(null);
  const [rate, setRate] = useState<null | { remaining: number; resetAt: number }>(null);
  const [previewError, setPreviewError] = useState('');
  const [busy, setBusy] = useState(false);
  const [paused, setPaused] = useState(false);
  const inflight = useRef<AbortController | null>(null);
  const last = useRef('');
  const timer = useRef<number | undefined>(undefined);
  const savedAt = ed.project?.updatedAt;

  const payload = useMemo(() => {
    const keys = new Set<string>();
    for (const el of ed.project?.document?.elements || []) if (el.dynamicKey) keys.add(`${el.dynamicKey}.${el.type === 'image' ? 'img' : 'text'}`);
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (keys.has(k) && v !== '') data[k] = v;
    return { projectId: ed.project?.id, data };
  }, [values, savedAt, ed.project?.id]);

  async function run(force = false) {
    if (!payload.projectId || readOnly) return;
    const key = JSON.stringify(payload) + savedAt;
    if (!force && key === last.current) return;
    last.current = key;
    inflight.current?.abort();
    const ctrl = new AbortController();
    inflight.current = ctrl;
    setBusy(true);
    setPreviewError('');
    try {
      const { data } = await api('POST', 'render/preview', payload, { signal: ctrl.signal });
      setPreview({ url: data.previewUrl, cached: data.cached });
      if (data.rateLimit) {
        setRate(data.rateLimit);
        setPaused(data.rateLimit.remaining < 5);
      }
    } catch (e: any) {
      if (e.name === 'AbortError') return;
      last.current = '';
      if (e instanceof ApiError && e.status === 429) {
        const retry = e.body?.retryAfter || 10;
        setRate(e.body?.rateLimit || { remaining: 0, resetAt: Date.now() + retry * 1000 });
        setPaused(true);
        setPreviewError(t('rateLimited', { n: retry }));
      } else setPreviewError(e.message || String(e));
    } finally {
      if (inflight.current === ctrl) setBusy(false);
    }
  }

  useEffect(() => {
    if (paused) return;
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => run(), 600);
    return () => clearTimeout(timer.current);
  }, [JSON.stringify(payload), savedAt, paused]);
  useEffect(() => () => inflight.current?.abort(), []);

  return (
    <div class="props" data-testid="test-data">
      {fields.length === 0 && <p class="muted small">{t('noDynamic')}</p>}
      {fields.map((el) => {
        const key = `${el.dynamicKey}.${el.type === 'image' ? 'img' : 'text'}`;
        return (
          <label class="field field--wide" key={el.id}>
            <span class="field__label"><code dir="ltr">{key}</code></span>
            {el.type === 'text' ? (
              <textarea rows={2} dir="auto" data-testid={`data-${el.dynamicKey}`} placeholder={el.placeholder || el.text || ''} value={values[key] || ''}
                onInput={(e) => onChange({ ...values, [key]: (e.target as HTMLTextAreaElement).value })} />
            ) : (
              <input type="url" dir="ltr" data-testid={`data-${el.dynamicKey}`} placeholder={el.placeholder || 'https://…'} value={values[key] || ''}
                onInput={(e) => onChange({ ...values, [key]: (e.target as HTMLInputElement).value })} />
            )}
          </label>
        );
      })}
      {!readOnly && (
        <section class="panel-section">
          <h3 class="panel-title">
            {t('preview')} {busy && <span class="spinner" aria-hidden="true" />}
            {rate && <span class={`rate${rate.remaining < 5 ? ' rate--low' : ''}`} data-testid="rate">{t('rateLeft', { n: rate.remaining })}</span>}
          </h3>
          {ed.dirty && <p class="hint">{t('previewStale')}</p>}
          {paused && (
            <p class="hint hint--warn">
              {t('previewPaused')}{' '}
              <button type="button" class="btn btn--small" onClick={() => run(true)}>{t('previewNow')}</button>
            </p>
          )}
          {previewError && <p class="hint hint--warn" role="alert">{previewError}</p>}
          <div class="preview-box">{preview ? <img src={preview.url} alt={t('preview')} data-testid="preview-image" /> : <div class="preview-box__empty">…</div>}</div>
        </section>
      )}
      {gen && (
        <section class="panel-section" data-testid="render-result">
          <h3 class="panel-title">{gen.status === 'completed' ? t('renderDone') : t('renderResult')}</h3>
          {(gen.status === 'pending' || gen.status === 'processing') && <div class="progress"><span /></div>}
          {gen.status === 'completed' && gen.imageUrl && (
            <>
              <a href={gen.imageUrl} target="_blank" rel="noopener" class="preview-box"><img src={gen.imageUrl} alt={t('renderDone')} data-testid="render-image" /></a>
              <p class="hint">
                <a href={gen.imageUrl} target="_blank" rel="noopener">{t('openImage')} ↗</a>
                {gen.creditsRemaining !== undefined && <span> · {t('credits', { n: gen.creditsRemaining })}</span>}
              </p>
            </>
          )}
          {gen.status === 'failed' && <p class="hint hint--warn" role="alert" data-testid="render-error">{gen.error}</p>}
        </section>
      )}
    </div>
  );
}

// ------------------------------------------------------------------ picker and new project

function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: any; wide?: boolean }) {
  useEffect(() => {
    const k = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', k);
    return () => window.removeEventListener('keydown', k);
  }, []);
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class={`modal${wide ? ' modal--wide' : ''}`} role="dialog" aria-modal="true" aria-label={title}>
        <header class="modal__head">
          <h2>{title}</h2>
          <button type="button" class="icon-btn" aria-label={t('dismiss')} onClick={onClose}>✕</button>
        </header>
        {children}
      </div>
    </div>
  );
}

function Picker({ onClose, onOpen, onNew }: { onClose: () => void; onOpen: (id: string) => void; onNew: () => void }) {
  const [cats, setCats] = useState<any[]>([]);
  const [cat, setCat] = useState<string>(config.categoryId || '');
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<any[] | null>(null);
  useEffect(() => {
    api('GET', 'render/categories').then(({ data }) => setCats(listOf(data, 'categories', 'items'))).catch(() => setCats([]));
  }, []);
  useEffect(() => {
    const ctrl = new AbortController();
    const q = new URLSearchParams({ limit: '100' });
    if (cat) q.set('categoryId', cat);
    if (search) q.set('search', search);
    const id = window.setTimeout(() => {
      api('GET', `render/projects?${q}`, undefined, { signal: ctrl.signal })
        .then(({ data }) => setItems(listOf(data, 'projects', 'items')))
        .catch((e) => e.name !== 'AbortError' && setItems([]));
    }, 200);
    return () => {
      clearTimeout(id);
      ctrl.abort();
    };
  }, [cat, search]);
  return (
    <Modal title={t('chooseProject')} onClose={onClose} wide>
      <div class="picker__bar">
        {!config.lockedCategory && (
          <select value={cat} aria-label={t('category')} data-testid="picker-category" onChange={(e) => setCat((e.target as HTMLSelectElement).value)}>
            <option value="">{t('allCategories')}</option>
            {cats.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        )}
        <input type="search" placeholder={t('search')} value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        {!readOnly && <button type="button" class="btn btn--primary" data-testid="new-project" onClick={onNew}>＋ {t('newProject')}</button>}
      </div>
      <div class="picker__grid" data-testid="picker">
        {items === null && <p class="muted">{t('loading')}</p>}
        {items && items.length === 0 && <p class="muted">{t('noProjects')}</p>}
        {items?.map((p) => (
          <button type="button" key={p.id} class="project-card" data-project-id={p.id} onClick={() => onOpen(p.id)}>
            <span class="project-card__thumb"><Thumb project={p} /></span>
            <span class="project-card__name">{p.name}</span>
            <span class="project-card__meta">{p.width} × {p.height}</span>
          </button>
        ))}
      </div>
    </Modal>
  );
}

/** A small picture of a project, drawn by the same renderer as the canvas. */
function Thumb({ project }: { project: any }) {
  const ref = useRef<HTMLDivElement>(null);
  const box = { w: 150, h: 114 };
  const scale = Math.min(box.w / project.width, box.h / project.height);
  useEffect(() => {
    if (!ref.current || !project.document) return;
    const inner = document.createElement('div');
    ref.current.replaceChildren(inner);
    inner.style.transform = `scale(${scale})`;
    drawDocument(inner, project.document, project.width, project.height);
  }, [project.id, project.updatedAt]);
  return <div class="thumb-root" ref={ref} style={{ width: `${Math.round(project.width * scale)}px`, height: `${Math.round(project.height * scale)}px`, overflow: 'hidden' }} />;
}

function NewProject({ onClose, onCreated }: { onClose: () => void; onCreated: (p: Project) => void }) {
  const [name, setName] = useState('');
  const [preset, setPreset] = useState(0);
  const [w, setW] = useState(1080);
  const [h, setH] = useState(1080);
  const [cats, setCats] = useState<any[]>([]);
  const [cat, setCat] = useState(config.categoryId || '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api('GET', 'render/categories').then(({ data }) => setCats(listOf(data, 'categories', 'items'))).catch(() => {});
  }, []);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body: any = { name: name.trim() || t('untitled'), width: w, height: h, document: { version: 1, background: { color: '#ffffff' }, elements: [] } };
      if (cat) body.categoryId = cat;
      const { data } = await api('POST', 'render/projects', body);
      onCreated(projectOf(data));
    } catch (err: any) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={t('newProject')} onClose={onClose}>
      <form class="form" onSubmit={submit} data-testid="new-project-form">
        <label class="field field--wide"><span class="field__label">{t('name')}</span>
          <input autoFocus value={name} dir="auto" data-testid="new-name" placeholder={t('untitled')} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <span class="field__label">{t('presets')}</span>
        <div class="presets">
          {PRESETS.map(([label, pw, ph], i) => (
            <button type="button" key={label} class={`preset${preset === i ? ' is-on' : ''}`} onClick={() => { setPreset(i); setW(pw); setH(ph); }}>
              <span class="preset__shape" style={{ aspectRatio: `${pw} / ${ph}` }} />
              <span>{label}</span>
              <small>{pw} × {ph}</small>
            </button>
          ))}
          <button type="button" class={`preset${preset === -1 ? ' is-on' : ''}`} onClick={() => setPreset(-1)}>
            <span class="preset__shape preset__shape--custom" />
            <span>{t('custom')}</span>
            <small>{w} × {h}</small>
          </button>
        </div>
        <div class="grid2">
          <label class="field"><span class="field__label">{t('width')}</span>
            <input type="number" min={1} max={4096} value={w} data-testid="new-width" onInput={(e) => { setPreset(-1); setW(parseInt((e.target as HTMLInputElement).value, 10) || 1); }} />
          </label>
          <label class="field"><span class="field__label">{t('height')}</span>
            <input type="number" min={1} max={4096} value={h} data-testid="new-height" onInput={(e) => { setPreset(-1); setH(parseInt((e.target as HTMLInputElement).value, 10) || 1); }} />
          </label>
          {!config.lockedCategory && (
            <label class="field field--wide"><span class="field__label">{t('category')}</span>
              <select value={cat} onChange={(e) => setCat((e.target as HTMLSelectElement).value)}>
                <option value="">{t('noCategory')}</option>
                {cats.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            </label>
          )}
        </div>
        {error && <p class="hint hint--warn" role="alert">{error}</p>}
        <footer class="modal__foot">
          <button type="button" class="btn btn--ghost" onClick={onClose}>{t('cancel')}</button>
          <button type="submit" class="btn btn--primary" disabled={busy} data-testid="create-project">{t('create')}</button>
        </footer>
      </form>
    </Modal>
  );
}

applyLang(config.locale === 'ar' ? 'ar' : 'en');
const root = document.getElementById('studio-root');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
