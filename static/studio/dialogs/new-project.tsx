// "New project": a name, a size (social presets or custom) and a category.
import { useState } from 'preact/hooks';
import { api, errorMessage, projectOf, type Project, type ProjectOut } from '../api';
import { config } from '../config';
import { t } from '../i18n';
import { Modal } from './modal';
import { useCategories } from './picker';

const PRESETS: [string, number, number][] = [
  ['Instagram post', 1080, 1080], ['Instagram story', 1080, 1920], ['Open Graph', 1200, 630],
  ['X / Twitter post', 1600, 900], ['YouTube thumbnail', 1280, 720], ['LinkedIn banner', 1584, 396], ['A4 @150dpi', 1240, 1754],
];

export function NewProject({ onClose, onCreated }: { onClose: () => void; onCreated: (p: Project) => void }) {
  const [name, setName] = useState('');
  const [preset, setPreset] = useState(0);
  const [w, setW] = useState(1080);
  const [h, setH] = useState(1080);
  const cats = useCategories();
  const [cat, setCat] = useState(config.categoryId || '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body = {
        name: name.trim() || t('untitled'), width: w, height: h,
        document: { version: 1, background: { color: '#ffffff' }, elements: [] },
        ...(cat ? { categoryId: cat } : {}),
      };
      const { data } = await api<ProjectOut>('POST', 'render/projects', body);
      onCreated(projectOf(data));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={t('newProject')} onClose={onClose}>
      <form class="form" onSubmit={submit} data-testid="new-project-form">
        <label class="field field--wide"><span class="field__label">{t('name')}</span>
          <input autoFocus value={name} dir="auto" data-testid="new-name" placeholder={t('untitled')} onInput={(e) => setName(e.currentTarget.value)} />
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
            <input type="number" min={1} max={4096} value={w} data-testid="new-width" onInput={(e) => { setPreset(-1); setW(parseInt(e.currentTarget.value, 10) || 1); }} />
          </label>
          <label class="field"><span class="field__label">{t('height')}</span>
            <input type="number" min={1} max={4096} value={h} data-testid="new-height" onInput={(e) => { setPreset(-1); setH(parseInt(e.currentTarget.value, 10) || 1); }} />
          </label>
          {!config.lockedCategory && (
            <label class="field field--wide"><span class="field__label">{t('category')}</span>
              <select value={cat} onChange={(e) => setCat(e.currentTarget.value)}>
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
