// /render/projects (the Templates page): thumbnails drawn by the shared template renderer (the
// same module the Studio and the headless render page load), create with size presets, delete
// and new categories through the REST API (session + CSRF).
import { renderDocument } from '../renderer/index';
import type { FontFaceSpec, TemplateDocument } from '../renderer/index';
import { ApiError, projects as projectsApi } from './api';
import type { ProjectSummary } from './api';
import { confirmDialog } from './ui';
import './projects.css';

interface Project extends ProjectSummary {
  document: TemplateDocument;
}

interface Boot {
  projects: Project[];
  categories: { id: string; name: string }[];
  fonts: { familyName: string; url: string; weight?: number; style?: 'normal' | 'italic' }[];
}

export function readJson<T>(id: string, fallback: T): T {
  const node = document.getElementById(id);
  if (!node?.textContent) return fallback;
  try {
    return JSON.parse(node.textContent) as T;
  } catch {
    return fallback;
  }
}

export function fill(text: string, params: Record<string, string> = {}): string {
  for (const [name, value] of Object.entries(params)) text = text.split(`%(${name})s`).join(value);
  return text;
}

function showError(node: HTMLElement | null, message: string | null) {
  if (!node) return;
  node.textContent = message ?? '';
  node.hidden = !message;
}

export function initProjects(): void {
  const root = document.querySelector<HTMLElement>('[data-testid="projects-page"]');
  if (!root) return;
  const boot = readJson<Boot>('projects-boot', { projects: [], categories: [], fonts: [] });
  const strings = readJson<Record<string, string>>('projects-strings', {});
  const projects = new Map(boot.projects.map((p) => [p.id, p]));
  const fonts: FontFaceSpec[] = boot.fonts.map((f) => ({ family: f.familyName, url: f.url, weight: f.weight, style: f.style }));
  const t = (key: string, params: Record<string, string> = {}) => fill(strings[key] ?? key, params);

  // --- thumbnails ----------------------------------------------------------------------------

  async function drawThumb(box: HTMLElement, project: Project) {
    const frame = box.parentElement as HTMLElement;
    const bw = frame.clientWidth || 240;
    const bh = frame.clientHeight || 180;
    const scale = Math.min(bw / project.width, bh / project.height);
    box.style.width = `${Math.max(1, Math.round(project.width * scale))}px`;
    box.style.height = `${Math.max(1, Math.round(project.height * scale))}px`;
    box.replaceChildren();
    try {
      await renderDocument(box, project.document, {}, {
        width: project.width,
        height: project.height,
        scale,
        fonts,
        imageTimeoutMs: 8000,
        fontTimeoutMs: 5000,
      });
      box.dataset.rendered = 'true';
    } catch {
      box.dataset.rendered = 'error';
    }
  }

  const observer =
    'IntersectionObserver' in window
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (!entry.isIntersecting) continue;
              observer?.unobserve(entry.target);
              const box = entry.target as HTMLElement;
              const project = projects.get(box.dataset.thumb ?? '');
              if (project) void drawThumb(box, project);
            }
          },
          { rootMargin: '200px' },
        )
      : null;

  function queueThumb(box: HTMLElement) {
    const project = projects.get(box.dataset.thumb ?? '');
    if (!project) return;
    if (observer) observer.observe(box);
    else void drawThumb(box, project);
  }

  // --- cards ---------------------------------------------------------------------------------

  const grid = document.querySelector<HTMLElement>('[data-testid="project-grid"]');
  const empty = document.querySelector<HTMLElement>('[data-testid="empty-state"]');
  const pageError = document.querySelector<HTMLElement>('[data-testid="page-error"]');

  /** Show the right empty state. `deleted`: a delete just took the last card of a page, a search
   *  or a category away — then the server knows what is left, so the page reloads once. A page that
   *  arrives empty (a search with no match, a new category) never reloads itself. */
  function refreshEmpty(deleted = false) {
    if (!grid || !empty) return;
    const hasCards = grid.querySelector('.pj-card') !== null;
    if (deleted && !hasCards && (document.querySelector('[data-testid="pagination"]') || location.search)) {
      location.reload();
      return;
    }
    const noMatch = document.querySelector<HTMLElement>('[data-testid="no-match"]');
    if (noMatch) noMatch.hidden = hasCards;
    empty.hidden = hasCards || (noMatch !== null && !noMatch.hidden);
  }

  function cardFor(project: Project): HTMLElement {
    const template = document.getElementById('pj-card-template') as HTMLTemplateElement;
    const card = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
    const studio = `/render/studio/${encodeURIComponent(project.id)}`;
    card.dataset.projectId = project.id;
    card.dataset.category = project.categoryId ?? '';
    const thumbLink = card.querySelector<HTMLAnchorElement>('.pj-card__thumb')!;
    thumbLink.href = studio;
    thumbLink.setAttribute('aria-label', t('openInStudio', { name: project.name }));
    card.querySelector<HTMLElement>('.pj-thumb')!.dataset.thumb = project.id;
    const name = card.querySelector<HTMLAnchorElement>('.pj-card__name')!;
    name.href = studio;
    name.querySelector('bdi')!.textContent = project.name;
    card.querySelector<HTMLElement>('[data-slot="size"]')!.textContent = `${project.width} × ${project.height}`;
    card.querySelector<HTMLAnchorElement>('[data-slot="edit"]')!.href = studio;
    const category = boot.categories.find((c) => c.id === project.categoryId);
    if (category) {
      const badge = document.createElement('span');
      badge.className = 'pj-badge';
      badge.append(document.createElement('bdi'));
      badge.firstElementChild!.textContent = category.name;
      card.querySelector('.pj-card__meta')!.append(badge);
    }
    return card;
  }

  grid?.addEventListener('click', async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('[data-action="delete"]');
    if (!button) return;
    const card = button.closest<HTMLElement>('.pj-card');
    const id = card?.dataset.projectId;
    if (!card || !id) return;
    const name = projects.get(id)?.name ?? '';
    const yes = await confirmDialog({ title: t('confirmDelete', { name }), ok: t('delete'), danger: true });
    if (!yes) return;
    button.disabled = true;
    try {
      await projectsApi.remove(id);
      projects.delete(id);
      card.remove();
      showError(pageError, null);
      refreshEmpty(true);
    } catch (err) {
      button.disabled = false;
      showError(pageError, `${t('deleteFailed')} ${err instanceof Error ? err.message : ''}`.trim());
    }
  });

  // --- create --------------------------------------------------------------------------------

  const dialog = document.querySelector<HTMLDialogElement>('[data-testid="create-dialog"]');
  const form = document.querySelector<HTMLFormElement>('[data-testid="create-form"]');
  const custom = document.querySelector<HTMLElement>('[data-testid="custom-size"]');
  const createError = document.querySelector<HTMLElement>('[data-testid="create-error"]');

  function openCreate() {
    if (!dialog || !form) return;
    showError(createError, null);
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    form.querySelector<HTMLInputElement>('input[name="name"]')?.select();
  }

  function closeCreate() {
    if (!dialog) return;
    if (typeof dialog.close === 'function') dialog.close();
    else dialog.removeAttribute('open');
  }

  document.querySelectorAll('[data-action="new-project"]').forEach((b) => b.addEventListener('click', openCreate));
  dialog?.querySelector('[data-action="cancel"]')?.addEventListener('click', closeCreate);

  form?.addEventListener('change', () => {
    const preset = form.querySelector<HTMLInputElement>('input[name="preset"]:checked');
    if (custom) custom.hidden = preset?.value !== 'custom';
  });

  function chosenSize(): { width: number; height: number } | null {
    const preset = form!.querySelector<HTMLInputElement>('input[name="preset"]:checked');
    if (!preset) return null;
    const read = (v: string | undefined) => (v && /^\d+$/.test(v.trim()) ? Number(v) : NaN);
    const width = preset.value === 'custom' ? read(form!.querySelector<HTMLInputElement>('input[name="width"]')?.value) : read(preset.dataset.width);
    const height = preset.value === 'custom' ? read(form!.querySelector<HTMLInputElement>('input[name="height"]')?.value) : read(preset.dataset.height);
    const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= 4096;
    return ok(width) && ok(height) ? { width, height } : null;
  }

  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const size = chosenSize();
    if (!size) {
      showError(createError, t('sizeInvalid'));
      return;
    }
    const name = (form.querySelector<HTMLInputElement>('input[name="name"]')?.value ?? '').trim();
    const categoryId = form.querySelector<HTMLSelectElement>('select[name="categoryId"]')?.value || null;
    const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (submit) submit.disabled = true;
    try {
      const data = await projectsApi.create<Project>({ name, ...size, categoryId });
      const project = data.project ?? data;
      // A new template is there to be designed: it opens in the Studio (#15).
      window.location.assign(`/render/studio/${encodeURIComponent(project.id)}`);
    } catch (err) {
      showError(createError, `${t('createFailed')} ${err instanceof Error ? err.message : ''}`.trim());
    } finally {
      if (submit) submit.disabled = false;
    }
  });

  // --- categories ----------------------------------------------------------------------------

  const catForm = document.querySelector<HTMLFormElement>('[data-testid="new-category-form"]');
  catForm?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = catForm.querySelector<HTMLInputElement>('input[name="name"]')!;
    const name = input.value.trim();
    if (!name) return;
    try {
      const data = await projectsApi.createCategory(name);
      const url = new URL(window.location.href);
      url.searchParams.set('category', data.id);
      window.location.assign(url.toString());
    } catch (err) {
      const message = err instanceof ApiError && err.status === 409 ? t('categoryExists') : t('categoryFailed');
      showError(pageError, message);
    }
  });

  document.querySelectorAll<HTMLElement>('.pj-thumb[data-thumb]').forEach(queueThumb);
  refreshEmpty();
}
