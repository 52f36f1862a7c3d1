// "Choose a project": the account's projects (or the embed's category) with a thumbnail each,
// filtered by category and name.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, isAbort, type Category, type CategoryList, type Project, type ProjectList } from '../api';
import { config } from '../config';
import { drawDocument } from '../draw';
import { t } from '../i18n';
import { Icon } from '../icons';
import { Modal } from './modal';

export function useCategories() {
  const [cats, setCats] = useState<Category[]>([]);
  useEffect(() => {
    api<CategoryList>('GET', 'render/categories?limit=100').then(({ data }) => setCats(data.categories || [])).catch(() => setCats([]));
  }, []);
  return cats;
}

export function Picker({ onClose, onOpen, onNew }: { onClose: () => void; onOpen: (id: string) => void; onNew: () => void }) {
  const cats = useCategories();
  const [cat, setCat] = useState<string>(config.categoryId || '');
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<Project[] | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    const q = new URLSearchParams({ limit: '100' });
    if (cat) q.set('categoryId', cat);
    if (search) q.set('search', search);
    const id = window.setTimeout(() => {
      api<ProjectList>('GET', `render/projects?${q}`, undefined, { signal: ctrl.signal })
        .then(({ data }) => setItems(data.projects || []))
        .catch((e: unknown) => !isAbort(e) && setItems([]));
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
          <select value={cat} aria-label={t('category')} data-testid="picker-category" onChange={(e) => setCat(e.currentTarget.value)}>
            <option value="">{t('allCategories')}</option>
            {cats.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        )}
        <input type="search" placeholder={t('search')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        {!config.readOnly && <button type="button" class="btn btn--primary" data-testid="new-project" onClick={onNew}><Icon name="plus" /> {t('newProject')}</button>}
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
function Thumb({ project }: { project: Project }) {
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
