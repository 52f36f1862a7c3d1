// The dashboard's interactive bits for /render/projects: thumbnails drawn by the shared
// template renderer (the same module the Studio and the headless render page load), create
// with size presets, delete and new categories through the REST API (session + CSRF).
import { renderDocument } from '../renderer/index';
import type { FontFaceSpec, TemplateDocument } from '../renderer/index';
import './projects.css';

interface Project {
  id: string;
  name: string;
  width: number;
  height: number;
  categoryId: string | null;
  document: TemplateDocument;
  updatedAt: string;
}

interface Boot {
  csrfToken: string;
  projects: Project[];
  categories: { id: string; name: string }[];
  fonts: { familyName: string; url: string; weight?: number; style?: 'normal' | 'italic' }[];
}

function readJson<T>(id: string, fallback: T): T {
  const node = document.getElementById(id);
  if (!node?.textContent) return fallback;
  try {
    return JSON.parse(node.textContent) as T;
  } catch {
    return fallback;
  }
}

const boot = readJson<Boot>('projects-boot', { csrfToken: '', projects: [], categories: [], fonts: [] });
const strings = readJson<Record<string, string>>('projects-strings', {});
const projects = new Map(boot.projects.map((p) => [p.id, p]));
const fonts: FontFaceSpec[] = boot.fonts.map((f) => ({ family: f.familyName, url: f.url, weight: f.weight, style: f.style }));

function t(key: string, params: Record<string, string> = {}): string {
  let text = strings[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.split(`%(${name})s`).join(value);
  return text;
}

function csrfToken(): string {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='));
  return cookie ? decodeURIComponent(cookie.slice('csrftoken='.length)) : boot.csrfToken;
}

class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-CSRFToken': csrfToken() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data: any = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok || data?.success === false) {
    throw new ApiError(response.status, data?.code ?? `HTTP_${response.status}`, data?.error ?? response.statusText);
  }
  return data as T;
}

function showError(node: HTMLElement | null, message: string | null) {
  if (!node) return;
  node.textContent = message ?? '';
  node.hidden = !message;
}

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

function refreshEmpty() {
  if (!grid || !empty) return;
  const hasCards = grid.querySelector('.pj-card') !== null;
  // The last card of a page, a search or a category is gone: the server knows what is left.
  if (!hasCards && (document.querySelector('[data-testid="pagination"]') || location.search)) {
    location.reload();
    return;
  }
  empty.hidden = hasCards;
  document.querySelector<HTMLElement>('[data-testid="no-match"]')?.toggleAttribute('hidden', hasCards || !empty.hidden);
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
  if (!window.confirm(t('confirmDelete', { name }))) return;
  button.disabled = true;
  try {
    await api('DELETE', `render/projects/${encodeURIComponent(id)}`);
    projects.delete(id);
    card.remove();
    showError(pageError, null);
    refreshEmpty();
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
    const data = await api<Project & { project?: Project }>('POST', 'render/projects', { name, ...size, categoryId });
    const project = data.project ?? data;
    projects.set(project.id, project);
    const card = cardFor(project);
    grid?.prepend(card);
    const active = document.querySelector<HTMLElement>('.pj-chip.is-active')?.dataset.category ?? '';
    card.hidden = Boolean(active) && active !== (project.categoryId ?? '');
    queueThumb(card.querySelector<HTMLElement>('.pj-thumb')!);
    refreshEmpty();
    closeCreate();
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
    const data = await api<{ id: string; name: string }>('POST', 'render/categories', { name });
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
