// The Renders page (/render/renders): cards update in place — and new renders appear on the
// first, unfiltered page — as `generation.updated` events arrive over /ws/renders; the detail
// page (/render/renders/<id>) re-runs a render through POST /api/render/generate and follows
// the new one's status over the same socket.
import { ApiError, rendering } from './api';
import type { GenerateBody, Generation } from './api';
import { formatDate, toast } from './ui';

interface LiveFrame {
  type: 'ready' | 'pong' | 'error' | 'generation.updated' | 'generation.deleted';
  payload?: Generation & { generationId: string };
}

/** A socket to /ws/renders that reconnects with backoff; `onEvent` gets each render event. */
export function connectLive(onEvent: (frame: LiveFrame) => void): () => void {
  let socket: WebSocket | null = null;
  let closed = false;
  let delay = 1000;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/ws/renders`);
    socket.addEventListener('message', (event) => {
      let frame: LiveFrame;
      try {
        frame = JSON.parse(String(event.data)) as LiveFrame;
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        delay = 1000;
        document.documentElement.dataset.rendersLive = 'ready';
      }
      onEvent(frame);
    });
    socket.addEventListener('close', (event) => {
      delete document.documentElement.dataset.rendersLive;
      if (closed || event.code === 4401) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 30_000);
    });
  };
  open();
  return () => {
    closed = true;
    socket?.close();
  };
}

function strings(): (key: string) => string {
  const node = document.getElementById('renders-strings');
  return (key) => node?.getAttribute(`data-${key}`) ?? '';
}

const TONE: Record<Generation['status'], string> = {
  pending: 'info dot',
  processing: 'info dot',
  completed: 'success',
  failed: 'danger',
  canceled: 'neutral',
};

function fillCard(card: HTMLElement, g: Generation, msg: (key: string) => string, templates: Record<string, string>): void {
  const slot = <E extends HTMLElement>(name: string) => card.querySelector<E>(`[data-slot="${name}"]`);
  const href = `/render/renders/${encodeURIComponent(g.generationId)}`;
  card.dataset.generationId = g.generationId;
  card.dataset.status = g.status;
  slot<HTMLAnchorElement>('link')?.setAttribute('href', href);
  slot<HTMLAnchorElement>('name')?.setAttribute('href', href);
  const name = slot('name')?.querySelector('bdi');
  if (name && !name.textContent) {
    name.textContent = g.projectId ? templates[g.projectId] ?? msg('deleted-template') : msg('inline-html');
  }
  const status = slot('status');
  if (status) {
    status.className = `rn-status badge ${TONE[g.status]}`;
    status.textContent = msg(`status-${g.status}`);
  }
  const source = slot('source');
  if (source) source.textContent = msg(`source-${g.source}`);
  const size = slot('size');
  if (size) size.textContent = `${g.width} × ${g.height} · ${g.format.toUpperCase()}`;
  const ms = slot('ms');
  if (ms) ms.textContent = g.renderMs != null ? msg('ms').replace('%(ms)s', String(g.renderMs)) : '';
  const when = slot<HTMLTimeElement>('when');
  if (when && !when.textContent) {
    when.dateTime = g.createdAt;
    when.textContent = formatDate(g.createdAt, true);
  }
  const id = slot('id');
  if (id) id.textContent = g.generationId;
  if (g.imageUrl && !slot('img')) {
    const img = document.createElement('img');
    img.src = g.imageUrl;
    img.alt = '';
    img.dataset.slot = 'img';
    slot('link')?.replaceChildren(img);
  }
}

/** The page's "N renders" moved by `delta`, in the page's language (its plural forms come from
 * the server, one per Intl.PluralRules category). Only where every render counts: the first,
 * unfiltered page. */
function moveCount(page: HTMLElement, delta: number): void {
  const counter = page.querySelector<HTMLElement>('[data-testid="renders-count"]');
  if (!counter) return;
  const n = Math.max(0, Number(counter.dataset.count ?? '0') + delta);
  let forms: Record<string, string> = {};
  try {
    forms = JSON.parse(counter.dataset.forms ?? '{}') as Record<string, string>;
  } catch {
    return;
  }
  const category = new Intl.PluralRules(document.documentElement.lang || 'en').select(n);
  const words = forms[category] ?? forms.other;
  if (!words) return;
  counter.dataset.count = String(n);
  counter.textContent = words.replace('%(n)s', String(n));
}

function matchesFilters(page: HTMLElement, g: Generation): boolean {
  const { filterTemplate, filterStatus, filterSource } = page.dataset;
  return (!filterTemplate || g.projectId === filterTemplate) && (!filterStatus || g.status === filterStatus) &&
    (!filterSource || g.source === filterSource);
}

function initList(page: HTMLElement): void {
  const grid = page.querySelector<HTMLElement>('[data-testid="renders-grid"]');
  const template = document.getElementById('render-card-template') as HTMLTemplateElement | null;
  if (!grid || !template) return;
  const msg = strings();
  let templates: Record<string, string> = {};
  try {
    templates = JSON.parse(document.getElementById('renders-templates')?.textContent ?? '{}') as Record<string, string>;
  } catch {
    templates = {};
  }
  const prepend = page.dataset.livePrepend === 'true';

  connectLive((frame) => {
    const g = frame.payload;
    if (!g?.generationId) return;
    const existing = grid.querySelector<HTMLElement>(`[data-generation-id="${CSS.escape(g.generationId)}"]`);
    if (frame.type === 'generation.deleted') {
      existing?.remove();
      if (prepend) moveCount(page, -1);
      return;
    }
    if (frame.type !== 'generation.updated') return;
    if (existing) {
      // A card filtered by status keeps its place until the next load: it says what it is now.
      fillCard(existing, g, msg, templates);
      return;
    }
    if (!prepend || !matchesFilters(page, g)) return;
    const card = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
    fillCard(card, g, msg, templates);
    card.classList.add('is-new');
    grid.prepend(card);
    moveCount(page, 1);
    page.querySelector<HTMLElement>('[data-testid="renders-empty"]')?.remove();
  });
}

function initDetail(detail: HTMLElement): void {
  const button = detail.querySelector<HTMLButtonElement>('[data-action="rerun"]');
  const bodyNode = document.getElementById('render-rerun');
  if (button && bodyNode?.textContent) {
    const body = JSON.parse(bodyNode.textContent) as GenerateBody;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const answer = await rendering.generate({ ...body, async: true });
        window.location.assign(`/render/renders/${encodeURIComponent(answer.generationId)}`);
      } catch (err) {
        button.disabled = false;
        const noCredits = err instanceof ApiError && err.code === 'INSUFFICIENT_CREDITS';
        const text = noCredits ? detail.dataset.msgNoCredits : `${detail.dataset.msgRerunFailed ?? ''} ${err instanceof Error ? err.message : ''}`;
        toast((text ?? '').trim(), 'danger');
      }
    });
  }
  // A render still in flight: reload once it is done, so its image and timings show.
  const id = detail.dataset.generationId ?? '';
  if (detail.dataset.status !== 'pending' && detail.dataset.status !== 'processing') return;
  const done = (g: Generation) => g.status !== 'pending' && g.status !== 'processing';
  const stop = connectLive((frame) => {
    const g = frame.payload;
    if (frame.type === 'ready') {
      // It may have finished before the socket joined: ask once.
      void rendering.generation(id).then((now) => {
        if (done(now)) {
          stop();
          window.location.reload();
        }
      }, () => undefined);
    } else if (frame.type === 'generation.updated' && g?.generationId === id && done(g)) {
      stop();
      window.location.reload();
    }
  });
}

export function initRenders(): void {
  const page = document.getElementById('renders-page');
  if (page) initList(page);
  const detail = document.getElementById('render-detail');
  if (detail) initDetail(detail);
}
