// The Studio's screen: the top bar, notices, layers | canvas | properties or test data, and the
// dialogs. The work lives in hooks (hooks/*) and components; this file wires them together.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { Stage } from './canvas';
import { config } from './config';
import { editor, useEditor } from './editor';
import { AssetLibrary } from './dialogs/assets';
import { NewProject } from './dialogs/new-project';
import { Picker } from './dialogs/picker';
import { GenerationWatch } from './generations';
import { emit } from './host';
import { useAppearance } from './hooks/use-appearance';
import { useHostMessages } from './hooks/use-host-messages';
import { useKeyboard } from './hooks/use-keyboard';
import { useLive } from './hooks/use-live';
import { useNotices, type Notices } from './hooks/use-notices';
import { useProject, type OpenProject } from './hooks/use-project';
import { useSession } from './hooks/use-session';
import { useRender } from './hooks/use-render';
import { useSave } from './hooks/use-save';
import { useUploads } from './hooks/use-uploads';
import { useZoom } from './hooks/use-zoom';
import { lang, t } from './i18n';
import { imageFromAsset, newElement, type NewElementKind } from './new-element';
import { Layers, Properties } from './panels';
import { TestData } from './test-data';
import { Timeline } from './timeline';
import { Topbar } from './topbar';

export function App() {
  const ed = useEditor();
  const notices = useNotices();
  const { fatal, fail } = useSession();
  const { theme, changeTheme, changeLang } = useAppearance();
  const zoom = useZoom();
  const [tab, setTab] = useState<'design' | 'data'>('design');
  const [creating, setCreating] = useState(false);
  const [library, setLibrary] = useState(false);
  const generations = useRef(new GenerationWatch()).current;

  const saver = useSave(notices);
  const { loading, picker, setPicker, openProject } = useProject({
    notices,
    fatal: !!fatal,
    onSwitch: () => render.reset(),
    onReady: () => emit('studio:ready', { projectId: editor.project?.id || null, readOnly: !!config.readOnly, locale: lang(), theme }),
  });
  const live = useLive({ projectId: ed.project?.id, fatal: !!fatal, fail, saver, openProject, notices, generations });
  const render = useRender({ save: saver.save, live, generations });
  const uploads = useUploads(notices, !!fatal);
  useHostMessages({ changeLang, changeTheme, openProject, renderNow: render.renderNow });
  useKeyboard({ save: saver.save, zoom });

  if (fatal) return <Fatal code={fatal.code} message={fatal.message} />;

  const rendering = render.gen?.status === 'pending' || render.gen?.status === 'processing';
  // Under the canvas: the video timeline (scrubs the canvas with the renderer's seek).
  const canvasPanel: ComponentChildren = ed.project ? <Timeline readOnly={!!config.readOnly} /> : null;

  return (
    <div class="studio" data-testid="studio">
      <Topbar
        zoom={zoom}
        live={live}
        theme={theme}
        saving={saver.saving}
        rendering={rendering}
        onPicker={() => setPicker(true)}
        onLibrary={() => setLibrary(true)}
        onAdd={(kind: NewElementKind) => {
          editor.add(newElement(kind));
          setTab('design');
        }}
        onTheme={() => changeTheme(theme === 'dark' ? 'light' : 'dark')}
        onLang={() => changeLang(lang() === 'ar' ? 'en' : 'ar')}
        onSave={() => saver.save()}
        onRender={() => {
          setTab('data');
          render.renderNow();
        }}
      />
      <BannerBar notices={notices} openProject={openProject} />

      <div class="workspace">
        <aside class="sidebar sidebar--start">{ed.project && <Layers />}</aside>
        <main class="canvas-area">
          <div class="canvas-area__stage">
            {ed.project ? (
              <Stage zoom={zoom.zoom} onFit={zoom.setFitZoom} onZoom={zoom.setMode} />
            ) : (
              <div class="empty">{loading ? t('loading') : <button type="button" class="btn btn--primary" onClick={() => setPicker(true)}>{t('chooseProject')}</button>}</div>
            )}
          </div>
          {canvasPanel && <div class="canvas-area__panel">{canvasPanel}</div>}
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
                  <Properties fonts={uploads.fonts} onUploadFont={uploads.uploadFont} onUploadImage={async (f) => (await uploads.uploadImage(f))?.url ?? null}
                    onOpenLibrary={() => setLibrary(true)} readOnly={!!config.readOnly} />
                ) : (
                  <TestData values={render.testData} onChange={render.setTestData} gen={render.gen} />
                )}
              </div>
            </>
          )}
        </aside>
      </div>
      {notices.toast && <div class="toast" role="status">{notices.toast}</div>}
      {picker && <Picker onClose={() => editor.project && setPicker(false)} onOpen={(id) => openProject(id)} onNew={() => setCreating(true)} />}
      {library && (
        <AssetLibrary
          onClose={() => setLibrary(false)}
          onUpload={uploads.uploadImage}
          onUse={(asset) => {
            const [one, ...more] = editor.selection;
            if (one && !more.length && one.type === 'image' && !one.locked) editor.patch(one, (x) => (x.src = asset.url));
            else editor.add(imageFromAsset(asset));
            setLibrary(false);
            setTab('design');
          }}
        />
      )}
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

function BannerBar({ notices, openProject }: { notices: Notices; openProject: OpenProject }) {
  const { banner, setBanner } = notices;
  if (!banner) return null;
  const reload = () => {
    if (!editor.project) return;
    editor.savedJson = editor.json();
    openProject(editor.project.id, { quiet: true, push: false });
  };
  return (
    <div class={`banner banner--${banner.kind}`} role="alert" data-testid={`banner-${banner.kind}`}>
      <span>{banner.text}</span>
      {(banner.kind === 'conflict' || banner.kind === 'remote') && (
        <button type="button" class="btn btn--small" data-testid="reload-latest" onClick={reload}>
          {banner.kind === 'remote' ? t('discardAndReload') : t('reloadLatest')}
        </button>
      )}
      <button type="button" class="btn btn--small btn--ghost" onClick={() => setBanner(null)}>{banner.kind === 'remote' ? t('keepMine') : t('dismiss')}</button>
    </div>
  );
}

function Fatal({ code, message }: { code: string; message: string }) {
  return (
    <div class="fatal" role="alert" data-testid="fatal">
      <div class="fatal__card">
        <div class="brand-mark">A</div>
        <h1>{t('errorTitle')}</h1>
        <p>{code === 'TOKEN_EXPIRED' ? t('expired') : message}</p>
        <code>{code}</code>
      </div>
    </div>
  );
}
