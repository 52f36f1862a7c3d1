// /render/api-tokens: create, rename and revoke through the REST API with the dashboard session
// + CSRF. The plain token exists only in this page's memory after creation: a reload shows the
// list without it. Strings come from data-msg-* on #tokens-page.
import { ApiError, tokens } from './api';
import type { Token, TokenScope } from './api';
import { confirmDialog, formatDate, toast } from './ui';

export function initTokens(): void {
  const page = document.getElementById('tokens-page');
  const form = document.getElementById('token-create-form') as HTMLFormElement | null;
  if (!page || !form) return;
  const msg = (key: string) => page.getAttribute(`data-msg-${key}`) ?? '';
  const rows = page.querySelector<HTMLElement>('[data-role=rows]')!;
  const createError = page.querySelector<HTMLElement>('[data-role=create-error]')!;
  const newBox = page.querySelector<HTMLElement>('[data-role=new-token]')!;
  const newValue = document.getElementById('new-token-value')!;
  const max = Number.parseInt(page.dataset.max ?? '', 10) || 10;
  const nameInput = form.querySelector<HTMLInputElement>('input[name=name]')!;

  function errorText(err: unknown): string {
    if (err instanceof ApiError) {
      if (err.details.tokens) return msg('limit');
      if (err.details.name) return msg('name');
    }
    return msg('error');
  }

  function refreshCount(): void {
    const active = rows.querySelectorAll('tr[data-token-id]:not(.is-inactive)').length;
    page!.querySelector('[data-role=count]')!.textContent = msg('count').replace('{n}', String(active)).replace('{max}', String(max));
    const any = rows.querySelector('tr[data-token-id]') !== null;
    page!.querySelector<HTMLElement>('[data-role=empty]')!.hidden = any;
    page!.querySelector<HTMLElement>('[data-role=table]')!.hidden = !any;
  }

  function scopeBadge(scope: string): Node {
    const template = document.getElementById('scope-badges') as HTMLTemplateElement;
    const badge = template.content.querySelector(`[data-scope="${scope}"]`);
    return badge ? badge.cloneNode(true) : document.createTextNode(scope);
  }

  function buildRow(t: Token): HTMLTableRowElement {
    const template = document.getElementById('token-row-template') as HTMLTemplateElement;
    const tr = template.content.querySelector('tr')!.cloneNode(true) as HTMLTableRowElement;
    tr.dataset.tokenId = t.id;
    tr.querySelector('[data-field=name]')!.textContent = t.name;
    tr.querySelector('[data-field=prefix]')!.textContent = `aud_${t.prefix}…`;
    tr.querySelector('[data-field=scope]')!.replaceChildren(scopeBadge(t.scope));
    const created = tr.querySelector<HTMLTimeElement>('[data-field=created]')!;
    created.dateTime = t.createdAt;
    created.textContent = formatDate(t.createdAt);
    const last = tr.querySelector('[data-field=last-used]')!;
    if (t.lastUsedAt) {
      const time = document.createElement('time');
      time.dateTime = t.lastUsedAt;
      time.textContent = formatDate(t.lastUsedAt, true);
      last.replaceChildren(time);
    } else {
      const never = document.createElement('span');
      never.className = 'faint';
      never.textContent = msg('never');
      last.replaceChildren(never);
    }
    tr.querySelector('[data-field=usage]')!.textContent = String(t.usageCount);
    return tr;
  }

  function markRevoked(tr: HTMLElement): void {
    tr.classList.add('is-inactive');
    const badge = document.createElement('span');
    badge.className = 'badge neutral';
    badge.textContent = msg('revoked-badge');
    tr.querySelector('[data-field=status]')!.replaceChildren(badge);
    tr.querySelector('.actions')!.replaceChildren();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    const scope = (form.querySelector<HTMLInputElement>('input[name=scope]:checked')?.value ?? 'render-only') as TokenScope;
    createError.hidden = true;
    if (!name || name.length > 100) {
      createError.textContent = msg('name');
      createError.hidden = false;
      nameInput.focus();
      return;
    }
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    button.disabled = true;
    try {
      const created = await tokens.create(name, scope);
      newValue.textContent = created.token;
      newBox.hidden = false;
      rows.prepend(buildRow(created.tokenData));
      form.reset();
      refreshCount();
      toast(msg('created'), 'success');
      newBox.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    } catch (err) {
      createError.textContent = errorText(err);
      createError.hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  newBox.querySelector('[data-action=dismiss]')?.addEventListener('click', () => {
    newValue.textContent = '';
    newBox.hidden = true;
  });

  // Rename (a dialog) and revoke (the confirm dialog) from the table.
  const renameDialog = document.getElementById('rename-dialog') as HTMLDialogElement;
  const renameInput = document.getElementById('rename-input') as HTMLInputElement;
  const renameError = renameDialog.querySelector<HTMLElement>('[data-role=rename-error]')!;
  let renaming: HTMLElement | null = null;

  rows.addEventListener('click', async (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const tr = button?.closest<HTMLElement>('tr[data-token-id]');
    if (!button || !tr) return;
    const tokenId = tr.dataset.tokenId ?? '';
    if (button.dataset.action === 'rename') {
      renaming = tr;
      renameInput.value = tr.querySelector('[data-field=name]')?.textContent ?? '';
      renameError.hidden = true;
      renameDialog.showModal();
      renameInput.select();
      return;
    }
    if (button.dataset.action !== 'revoke') return;
    const yes = await confirmDialog({ title: msg('revoke-title'), body: msg('revoke-body'), ok: msg('revoke-ok'), danger: true });
    if (!yes) return;
    try {
      await tokens.revoke(tokenId);
      markRevoked(tr);
      refreshCount();
      toast(msg('revoked'), 'success');
    } catch (err) {
      toast(errorText(err), 'danger');
    }
  });

  renameDialog.querySelector('[data-action=close]')?.addEventListener('click', () => renameDialog.close());
  renameDialog.querySelector('form')?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = renameInput.value.trim();
    if (!name || name.length > 100 || !renaming) {
      renameError.textContent = msg('name');
      renameError.hidden = false;
      return;
    }
    try {
      const answer = await tokens.rename(renaming.dataset.tokenId ?? '', name);
      renaming.querySelector('[data-field=name]')!.textContent = answer.tokenData.name;
      renameDialog.close();
      toast(msg('renamed'), 'success');
    } catch (err) {
      renameError.textContent = errorText(err);
      renameError.hidden = false;
    }
  });
}
