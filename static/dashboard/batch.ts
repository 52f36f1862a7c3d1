// The Batch page of a template (/render/projects/<id>/batch, batches/views.py): read a CSV in
// the browser, map its columns to the template's dynamic keys (auto-matched by name), preview
// the first rows with the free preview, start the batch (the mapped rows are uploaded as a CSV,
// POST /api/render/batches), follow it live (`batch.updated` over /ws/renders, a slow poll as a
// fallback), then download the ZIP or retry the failed rows.
import { ApiError, csrfToken, request } from './api';
import { connectLive } from './renders';
import { confirmDialog, formatDate, toast } from './ui';
import './batch.css';

interface DynamicElement {
  type: 'text' | 'image';
  dynamicKey: string;
  defaultValue?: string;
  placeholder?: string;
}

type BatchStatus = 'pending' | 'processing' | 'completed' | 'partial' | 'failed' | 'canceled';

interface Counts {
  total: number;
  done: number;
  failed: number;
  canceled: number;
  pending: number;
  processing: number;
}

interface Batch {
  batchId: string;
  status: BatchStatus;
  counts: Counts;
  progress: number;
  createdAt: string;
  completedAt: string | null;
  downloadUrl: string;
}

interface BatchRow {
  row: number;
  status: string;
  error: string | null;
  generationId: string | null;
}

interface Boot {
  project: { id: string; name: string; width: number; height: number; dynamicElements: DynamicElement[] };
  batches: Batch[];
  maxRows: number;
  previewRows: number;
}

interface Table {
  header: string[];
  rows: string[][];
}

const STATUS_CLASS: Record<BatchStatus, string> = {
  pending: 'neutral', processing: 'info', completed: 'success', partial: 'warning', failed: 'danger', canceled: 'neutral',
};
const POLL_MS = 3000;

function readJson<T>(id: string, fallback: T): T {
  const node = document.getElementById(id);
  try {
    return node?.textContent ? (JSON.parse(node.textContent) as T) : fallback;
  } catch {
    return fallback;
  }
}

let strings: Record<string, string> = {};

function t(key: string, params: Record<string, string | number> = {}): string {
  let text = strings[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.split(`%(${name})s`).join(String(value));
  return text;
}

// --- CSV -------------------------------------------------------------------------------------

/** RFC 4180 CSV (quotes, doubled quotes, newlines inside quotes); the delimiter is the one of
 *  `,` `;` tab that the header line uses most — the same rules as the server (batches.parsing). */
export function parseCsv(text: string): Table {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.split('\n', 1)[0] ?? '';
  const delimiter = [',', ';', '\t'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',');
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error('a quoted value is not closed');
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  const [header = [], ...rest] = records;
  return { header: header.map((h) => h.trim()), rows: rest.filter((r) => r.some((v) => v.trim() !== '')) };
}

function toCsv(rows: string[][]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

// --- mapping ---------------------------------------------------------------------------------

const suffixOf = (el: DynamicElement) => (el.type === 'image' ? 'img' : 'text');
const norm = (s: string) => s.toLowerCase().replace(/[\s_.-]+/g, '');

/** The column a key is matched to by name: "<key>.text"/"<key>.img" first, then the key (or
 *  its placeholder) spelled loosely (case, spaces, _ - . ignored). -1 when none. */
export function autoMatch(el: DynamicElement, header: string[]): number {
  const exact = header.findIndex((h) => h.toLowerCase() === `${el.dynamicKey}.${suffixOf(el)}`.toLowerCase());
  if (exact >= 0) return exact;
  const names = [el.dynamicKey, el.placeholder ?? ''].map(norm).filter(Boolean);
  return header.findIndex((h) => names.includes(norm(h)));
}

// --- the page --------------------------------------------------------------------------------

export function initBatch(): void {
  const root = document.querySelector<HTMLElement>('[data-testid=batch-page]');
  if (!root) return;
  const boot = readJson<Boot>('batch-boot', { project: { id: '', name: '', width: 0, height: 0, dynamicElements: [] }, batches: [], maxRows: 5000, previewRows: 3 });
  strings = readJson<Record<string, string>>('batch-strings', {});
  const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector) as T;
  const step = (name: string) => $(`[data-step=${name}]`);
  const errorBox = $('[data-testid=batch-error]');
  const elements = boot.project.dynamicElements;
  let table: Table | null = null;
  let mapping: number[] = [];
  let current: Batch | null = null;
  let pollTimer: number | undefined;
  let liveReady = false;

  const showError = (message: string | null) => {
    errorBox.textContent = message ?? '';
    errorBox.hidden = !message;
  };
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

  // 1. the file
  const input = $<HTMLInputElement>('[data-testid=csv-input]');
  const drop = $('[data-testid=drop-zone]');
  const readFile = async (file: File) => {
    showError(null);
    try {
      const parsed = parseCsv(await file.text());
      if (!parsed.rows.length) throw new Error(t('emptyFile'));
      if (parsed.rows.length > boot.maxRows) throw new Error(t('tooManyRows', { max: boot.maxRows, count: parsed.rows.length }));
      table = parsed;
    } catch (err) {
      table = null;
      showError(t('parseFailed', { error: errorText(err) }));
      step('map').hidden = step('preview').hidden = true;
      return;
    }
    const name = document.createElement('bdi');
    name.textContent = file.name;
    $('[data-slot=file-info]').replaceChildren(name, ` · ${t('rowsFound', { count: table.rows.length, columns: table.header.length })}`);
    mapping = elements.map((el) => autoMatch(el, table!.header));
    drawMapping();
    step('map').hidden = step('preview').hidden = false;
    $('[data-slot=previews]').replaceChildren();
    updateStart();
  };
  input.addEventListener('change', () => input.files?.[0] && readFile(input.files[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('is-over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('is-over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('is-over');
    const file = e.dataTransfer?.files?.[0];
    if (file) readFile(file);
  });

  // 2. the mapping
  const drawMapping = () => {
    const body = $('[data-testid=mapping] tbody');
    body.replaceChildren(...elements.map((el, i) => {
      const tr = document.createElement('tr');
      const key = document.createElement('td');
      key.innerHTML = '<code class="mono" dir="ltr"></code>';
      key.firstElementChild!.textContent = `${el.dynamicKey}.${suffixOf(el)}`;
      const kind = document.createElement('td');
      kind.innerHTML = `<span class="badge ${el.type === 'image' ? 'info' : 'neutral'}"></span>`;
      kind.firstElementChild!.textContent = el.type;
      const pick = document.createElement('td');
      const select = document.createElement('select');
      select.dataset.key = el.dynamicKey;
      select.setAttribute('aria-label', el.dynamicKey);
      select.append(new Option(t('keepTemplate'), '-1'), ...table!.header.map((h, c) => new Option(h || `#${c + 1}`, String(c))));
      select.value = String(mapping[i]);
      const sample = document.createElement('td');
      sample.className = 'bt-sample';
      sample.dir = 'auto';
      const showSample = () => {
        sample.textContent = mapping[i] >= 0 ? table!.rows[0][mapping[i]] ?? '' : el.defaultValue ?? '';
        sample.classList.toggle('faint', mapping[i] < 0);
      };
      select.addEventListener('change', () => {
        mapping[i] = Number(select.value);
        showSample();
        updateStart();
      });
      showSample();
      pick.append(select);
      tr.append(key, kind, pick, sample);
      return tr;
    }));
  };
  const format = $<HTMLSelectElement>('[data-testid=format]');
  const quality = $<HTMLInputElement>('[data-testid=quality]');
  format.addEventListener('change', () => (quality.disabled = format.value === 'png'));

  const rowData = (cells: string[]): Record<string, string> => {
    const data: Record<string, string> = {};
    elements.forEach((el, i) => {
      const value = mapping[i] >= 0 ? (cells[mapping[i]] ?? '') : '';
      if (value.trim() !== '') data[`${el.dynamicKey}.${suffixOf(el)}`] = el.type === 'image' ? value.trim() : value;
    });
    return data;
  };
  const startButton = $<HTMLButtonElement>('[data-testid=start]');
  const updateStart = () => {
    const count = table?.rows.length ?? 0;
    startButton.textContent = `${startButton.dataset.label ?? ''} (${count})`;
    startButton.disabled = !table || !mapping.some((m) => m >= 0);
  };

  // 3. preview and start
  $('[data-action=preview]').addEventListener('click', async () => {
    if (!table) return showError(t('noFile'));
    showError(null);
    const box = $('[data-slot=previews]');
    const rows = table.rows.slice(0, boot.previewRows);
    box.replaceChildren(...rows.map((_, i) => {
      const figure = document.createElement('figure');
      figure.className = 'bt-preview is-loading';
      figure.style.aspectRatio = `${boot.project.width} / ${boot.project.height}`;
      const caption = document.createElement('figcaption');
      caption.textContent = t('previewRow', { row: i + 1 });
      figure.append(caption);
      return figure;
    }));
    await Promise.all(rows.map(async (cells, i) => {
      const figure = box.children[i] as HTMLElement;
      try {
        const answer = await request<{ previewUrl: string }>('POST', 'render/preview', { projectId: boot.project.id, data: rowData(cells) });
        const img = new Image();
        img.alt = t('previewRow', { row: i + 1 });
        img.src = answer.previewUrl;
        await img.decode().catch(() => undefined);
        figure.prepend(img);
      } catch (err) {
        const p = document.createElement('p');
        p.className = 'bt-preview-error';
        p.textContent = t('previewFailed', { error: errorText(err) });
        figure.prepend(p);
      } finally {
        figure.classList.remove('is-loading');
      }
    }));
  });

  startButton.addEventListener('click', async () => {
    if (!table) return showError(t('noFile'));
    if (!mapping.some((m) => m >= 0)) return showError(t('nothingMapped'));
    showError(null);
    startButton.disabled = true;
    // The mapped columns, renamed to the template's keys, plus the source line as metadata so a
    // row that maps to nothing still keeps its place (and its number).
    const keys = elements.map((el) => `${el.dynamicKey}.${suffixOf(el)}`);
    const used = elements.map((_, i) => mapping[i] >= 0);
    const lines = [[...keys.filter((_, i) => used[i]), 'metadata.row']];
    table.rows.forEach((cells, r) => {
      const data = rowData(cells);
      lines.push([...keys.filter((_, i) => used[i]).map((k) => data[k] ?? ''), String(r + 1)]);
    });
    const form = new FormData();
    form.append('projectId', boot.project.id);
    form.append('format', format.value);
    if (format.value !== 'png') form.append('quality', quality.value || '90');
    form.append('file', new Blob([toCsv(lines)], { type: 'text/csv' }), 'rows.csv');
    try {
      const response = await fetch('/api/render/batches', {
        method: 'POST', body: form, credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
      });
      const body = await response.json();
      if (!response.ok) {
        const bad = (body.badRows ?? []) as { row: number | null; key: string; message: string }[];
        const first = bad.slice(0, 5).map((b) => t('badRow', { row: b.row ?? '—', key: b.key, message: b.message }));
        throw new ApiError(response.status, body.code, [body.error, ...first].join('\n'));
      }
      toast(t('started', { count: body.counts.total }), 'success');
      follow(body as Batch);
    } catch (err) {
      showError(t('startFailed', { error: errorText(err) }));
    } finally {
      updateStart();
    }
  });

  // 4. progress
  const progressCard = step('progress');
  const draw = (batch: Batch) => {
    current = batch;
    progressCard.hidden = false;
    $('[data-slot=batch-id]').textContent = batch.batchId;
    const badge = $('[data-slot=status]');
    badge.className = `badge ${STATUS_CLASS[batch.status]}`;
    badge.dataset.status = batch.status;
    badge.textContent = t(`status.${batch.status}`);
    const c = batch.counts;
    const percent = Math.round(batch.progress * 100);
    const bar = $('[data-testid=progress-bar]');
    bar.setAttribute('aria-valuenow', String(percent));
    (bar.firstElementChild as HTMLElement).style.inlineSize = `${percent}%`;
    $('[data-slot=progress-text]').textContent = t('progress', { done: c.done, total: c.total, failed: c.failed });
    const counts: Record<string, number> = { total: c.total, done: c.done, failed: c.failed, waiting: c.pending + c.processing };
    root.querySelectorAll<HTMLElement>('[data-count]').forEach((el) => (el.textContent = String(counts[el.dataset.count!] ?? 0)));
    const finished = Boolean(batch.completedAt);
    const download = $<HTMLAnchorElement>('[data-slot=download]');
    download.hidden = !finished || c.done === 0;
    download.href = `/api/render/batches/${encodeURIComponent(batch.batchId)}/download`;
    $('[data-action=cancel]').hidden = finished || batch.status === 'canceled';
    $('[data-action=retry]').hidden = !finished || c.failed === 0;
    $('[data-action=new]').hidden = !finished;
    $('[data-slot=live]').hidden = finished || !liveReady;
    root.dataset.batchStatus = finished ? batch.status : 'running';
    const row = root.querySelector<HTMLElement>(`[data-testid=history] tr[data-batch-id="${batch.batchId}"]`);
    const historyBadge = row?.querySelector<HTMLElement>('.badge');
    if (historyBadge) {
      historyBadge.className = `badge ${STATUS_CLASS[batch.status]}`;
      historyBadge.textContent = t(`status.${batch.status}`);
    }
    const images = row?.querySelector<HTMLElement>('td.num');
    if (images) images.textContent = `${c.done} / ${c.total}`;
    if (finished) {
      window.clearTimeout(pollTimer);
      if (c.failed) loadFailed(batch.batchId);
      else $('[data-slot=failed]').hidden = true;
    }
  };
  const refresh = async () => {
    if (!current) return;
    try {
      draw(await request<Batch>('GET', `render/batches/${encodeURIComponent(current.batchId)}?limit=1`));
    } catch {
      /* the next poll or live event will do */
    }
  };
  const poll = () => {
    window.clearTimeout(pollTimer);
    if (!current || current.completedAt) return;
    pollTimer = window.setTimeout(async () => {
      await refresh();
      poll();
    }, liveReady ? POLL_MS * 3 : POLL_MS);
  };
  const follow = (batch: Batch) => {
    $('[data-slot=failed]').hidden = true;
    addToHistory(batch);
    draw(batch);
    progressCard.scrollIntoView({ block: 'nearest' });
    if (!batch.completedAt) poll();
  };
  const addToHistory = (batch: Batch) => {
    const body = $('[data-testid=history] tbody');
    if (body.querySelector(`tr[data-batch-id="${batch.batchId}"]`)) return;
    body.querySelector('[data-testid=history-empty]')?.closest('tr')?.remove();
    const tr = document.createElement('tr');
    tr.dataset.batchId = batch.batchId;
    tr.innerHTML = '<td><code class="mono" dir="ltr"></code></td><td><span class="badge"></span></td><td class="num"></td>'
      + '<td class="nowrap"></td><td class="actions"></td>';
    tr.querySelector('code')!.textContent = `${batch.batchId.slice(0, 12)}…`;
    tr.children[2].textContent = `${batch.counts.done} / ${batch.counts.total}`;
    tr.children[3].textContent = formatDate(batch.createdAt, true);
    body.prepend(tr);
  };
  const loadFailed = async (batchId: string) => {
    const answer = await request<{ rows: BatchRow[] }>('GET', `render/batches/${encodeURIComponent(batchId)}?status=failed&limit=100`);
    const body = $('[data-testid=failed-rows] tbody');
    body.replaceChildren(...answer.rows.map((r) => {
      const tr = document.createElement('tr');
      const n = document.createElement('td');
      n.className = 'num';
      n.textContent = String(r.row);
      const e = document.createElement('td');
      e.dir = 'auto';
      e.textContent = r.error ?? '';
      tr.append(n, e);
      return tr;
    }));
    $('[data-slot=failed]').hidden = answer.rows.length === 0;
  };

  connectLive((frame) => {
    const kind = frame.type as string;
    if (kind === 'ready') {
      liveReady = true;
      if (current) draw(current);
    }
    const payload = frame.payload as unknown as Batch | undefined;
    if (kind === 'batch.updated' && payload && current && payload.batchId === current.batchId) draw(payload);
  });

  $('[data-action=cancel]').addEventListener('click', async () => {
    if (!current) return;
    const ok = await confirmDialog({ title: t('cancelTitle'), body: t('cancelBody'), ok: t('cancelOk'), danger: true });
    if (!ok) return;
    try {
      draw(await request<Batch>('POST', `render/batches/${encodeURIComponent(current.batchId)}/cancel`));
    } catch (err) {
      showError(t('cancelFailed', { error: errorText(err) }));
    }
  });
  $('[data-action=retry]').addEventListener('click', async () => {
    if (!current) return;
    try {
      const batch = await request<Batch>('POST', `render/batches/${encodeURIComponent(current.batchId)}/retry`);
      toast(t('retried', { count: batch.counts.total }), 'success');
      follow(batch);
    } catch (err) {
      showError(t('retryFailed', { error: errorText(err) }));
    }
  });
  $('[data-action=new]').addEventListener('click', () => {
    progressCard.hidden = true;
    current = null;
    input.value = '';
    step('upload').scrollIntoView({ block: 'nearest' });
  });
  root.querySelectorAll<HTMLButtonElement>('[data-action=open]').forEach((button) =>
    button.addEventListener('click', async () => {
      try {
        follow(await request<Batch>('GET', `render/batches/${encodeURIComponent(button.dataset.batchId!)}?limit=1`));
      } catch (err) {
        showError(errorText(err));
      }
    }),
  );
  root.querySelectorAll<HTMLElement>('[data-testid=history] .badge[data-status]').forEach((badge) => {
    const status = badge.dataset.status as BatchStatus;
    badge.className = `badge ${STATUS_CLASS[status] ?? 'neutral'}`;
    badge.textContent = t(`status.${status}`);
  });
  updateStart();
}
