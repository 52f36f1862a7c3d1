// The URL-signing panel on the API tokens page (rendering/_url_signing_panel.html): show, copy
// and roll the account's URL-signing secret, and build a signed /r/… URL in the browser
// (HMAC-SHA256 over the path and the canonical query, contract §4).
import { projects as projectsApi, rendering } from './api';
import type { ProjectSummary } from './api';
import { canonicalQuery, hmacHex } from './signing';
import { confirmDialog, copyText } from './ui';

export function initUrlSigning(): void {
  const panel = document.getElementById('url-signing');
  if (!panel) return;
  const msg = (name: string) => panel.dataset[`msg${name}`] ?? '';
  const $ = <E extends Element>(selector: string) => panel.querySelector<E>(selector)!;
  const secretInput = $<HTMLInputElement>('#url-signing-secret');
  const secretStatus = $<HTMLElement>('[data-role=secret-status]');
  const builderStatus = $<HTMLElement>('[data-role=builder-status]');
  const projectSelect = $<HTMLSelectElement>('[data-role=project]');
  const fieldsBox = $<HTMLElement>('[data-role=fields]');
  const urlBox = $<HTMLTextAreaElement | HTMLInputElement>('[data-role=url]');
  const openLink = $<HTMLAnchorElement>('[data-role=open]');
  const copyUrl = $<HTMLButtonElement>('[data-action=copy-url]');
  let templates: ProjectSummary[] = [];

  async function copy(text: string, status: HTMLElement) {
    status.textContent = (await copyText(text)) ? msg('Copied') : msg('Error');
  }

  function renderFields() {
    fieldsBox.replaceChildren();
    const project = templates.find((p) => p.id === projectSelect.value);
    const dynamic = project?.dynamicElements ?? [];
    if (!dynamic.length) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = msg('NoFields');
      fieldsBox.append(p);
      return;
    }
    for (const el of dynamic) {
      const key = el.dynamicKey + (el.type === 'image' ? '.img' : '.text');
      const label = document.createElement('label');
      const name = document.createElement('span');
      name.textContent = key;
      name.dir = 'ltr';
      const input = document.createElement('input');
      input.type = el.type === 'image' ? 'url' : 'text';
      input.dataset.key = key;
      input.value = el.defaultValue ?? '';
      input.placeholder = el.placeholder ?? '';
      input.dir = 'auto';
      label.append(name, input);
      fieldsBox.append(label);
    }
  }

  async function loadProjects() {
    try {
      templates = (await projectsApi.list(100)).projects ?? [];
    } catch {
      builderStatus.textContent = msg('Error');
      return;
    }
    projectSelect.replaceChildren();
    if (!templates.length) {
      builderStatus.textContent = msg('NoTemplates');
      return;
    }
    for (const p of templates) {
      projectSelect.append(new Option(`${p.name} (${p.width}×${p.height})`, p.id));
    }
    renderFields();
  }

  async function build() {
    builderStatus.textContent = '';
    if (!window.crypto?.subtle) {
      builderStatus.textContent = msg('NoCrypto');
      return;
    }
    const projectId = projectSelect.value;
    if (!projectId) {
      builderStatus.textContent = msg('NoTemplates');
      return;
    }
    const params: [string, string][] = [];
    fieldsBox.querySelectorAll<HTMLInputElement>('input[data-key]').forEach((input) => {
      if (input.value !== '') params.push([input.dataset.key ?? '', input.value]);
    });
    for (const role of ['w', 'h']) {
      const value = $<HTMLInputElement>(`[data-role=${role}]`).value.trim();
      if (value) params.push([role, value]);
    }
    const ttl = $<HTMLSelectElement>('[data-role=exp]').value;
    if (ttl) params.push(['exp', String(Math.floor(Date.now() / 1000) + Number(ttl))]);
    const path = `/r/${projectId}.${$<HTMLSelectElement>('[data-role=format]').value}`;
    const query = canonicalQuery(params);
    const signature = await hmacHex(secretInput.value, `${path}?${query}`);
    const url = `${location.origin}${path}?${query ? `${query}&` : ''}s=${signature}`;
    urlBox.value = url;
    openLink.href = url;
    openLink.hidden = false;
    copyUrl.disabled = false;
  }

  panel.addEventListener('click', async (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('[data-action]');
    if (!button) return;
    const action = button.dataset.action;
    if (action === 'toggle') {
      const shown = secretInput.type === 'text';
      secretInput.type = shown ? 'password' : 'text';
      button.textContent = shown ? msg('Show') : msg('Hide');
    } else if (action === 'copy-secret') {
      await copy(secretInput.value, secretStatus);
    } else if (action === 'roll') {
      const yes = await confirmDialog({ title: msg('RollConfirm'), ok: button.textContent?.trim(), danger: true });
      if (!yes) return;
      button.disabled = true;
      try {
        secretInput.value = (await rendering.rollUrlSecret()).secret;
        secretStatus.textContent = msg('Rolled');
        urlBox.value = '';
        openLink.hidden = true;
        copyUrl.disabled = true;
      } catch {
        secretStatus.textContent = msg('Error');
      } finally {
        button.disabled = false;
      }
    } else if (action === 'build') {
      build().catch(() => {
        builderStatus.textContent = msg('Error');
      });
    } else if (action === 'copy-url') {
      await copy(urlBox.value, builderStatus);
    }
  });
  projectSelect.addEventListener('change', renderFields);
  panel.querySelector('details')?.addEventListener('toggle', (event) => {
    if ((event.target as HTMLDetailsElement).open && !templates.length) void loadProjects();
  });
}
