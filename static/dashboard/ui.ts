// The dashboard shell every page shares: the active nav item, the theme switch, the sidebar on
// narrow screens, toasts, the styled confirm dialog (<dialog id="confirm-dialog"> in
// dashboard/base.html — no page uses the browser's native confirm()), copy buttons, and forms
// that ask before they submit (form[data-confirm-title]).

export type ToastKind = 'success' | 'danger';

export function toast(message: string, kind?: ToastKind): void {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = document.createElement('div');
  el.className = `toast${kind ? ` ${kind}` : ''}`;
  el.setAttribute('role', kind === 'danger' ? 'alert' : 'status');
  el.textContent = message;
  box.append(el);
  setTimeout(() => el.remove(), kind === 'danger' ? 6000 : 3000);
}

export interface ConfirmOptions {
  title: string;
  body?: string;
  ok?: string;
  danger?: boolean;
}

/** Ask in the page's own dialog; resolves true when the user confirms. */
export function confirmDialog(opts: ConfirmOptions): Promise<boolean> {
  const dialog = document.getElementById('confirm-dialog') as HTMLDialogElement | null;
  if (!dialog) return Promise.resolve(false);
  const title = dialog.querySelector<HTMLElement>('[data-role=title]');
  const body = dialog.querySelector<HTMLElement>('[data-role=body]');
  const ok = dialog.querySelector<HTMLButtonElement>('[data-role=ok]');
  const cancel = dialog.querySelector<HTMLButtonElement>('[data-role=cancel]');
  if (title) title.textContent = opts.title;
  if (body) body.textContent = opts.body ?? '';
  if (ok) {
    if (!ok.dataset.default) ok.dataset.default = ok.textContent ?? '';
    ok.textContent = opts.ok || ok.dataset.default;
    ok.className = `button ${opts.danger ? 'danger solid' : 'primary'}`;
  }
  dialog.returnValue = '';
  dialog.showModal();
  (opts.danger ? cancel : ok)?.focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the textarea way
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand('copy');
  } catch {
    done = false;
  }
  area.remove();
  return done;
}

/** The page's language ("en", "ar") as the html element says it. */
export function pageLanguage(): string {
  return document.documentElement.lang || 'en';
}

/** One date format per locale, the same as the server's `day`/`moment` filters (core.templatetags.ui):
 *  "24 Nov 2026" / "24 Nov 2026, 14:05" in English, Arabic month names with Latin digits in Arabic. */
export function formatDate(iso: string | null | undefined, withTime = false): string {
  if (!iso) return '';
  const opts: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' };
  if (withTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const locale = pageLanguage().startsWith('ar') ? 'ar-u-nu-latn-ca-gregory' : 'en-GB';
  try {
    return new Intl.DateTimeFormat(locale, opts).format(new Date(iso));
  } catch {
    return iso;
  }
}

function markActiveNav(): void {
  let active = document.body.dataset.nav ?? '';
  if (!active) {
    const path = location.pathname.replace(/\/+$/, '');
    active = path === '/render' ? 'home' : (path.match(/^\/render\/([^/]+)/) ?? [])[1] ?? '';
  }
  document.querySelectorAll<HTMLAnchorElement>('.nav a[data-nav]').forEach((a) => {
    if (a.dataset.nav === active) a.setAttribute('aria-current', 'page');
  });
}

function themeSwitch(): void {
  // Instant switch, remembered in the audome_theme cookie (the server reads it too).
  const group = document.getElementById('theme-switch');
  group?.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[name=theme]');
    if (!button) return;
    event.preventDefault();
    document.cookie = `audome_theme=${button.value}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.dataset.theme = button.value;
    group.querySelectorAll<HTMLButtonElement>('button[name=theme]').forEach((b) => {
      b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
    });
  });
}

function sidebar(): void {
  const toggle = document.getElementById('nav-toggle');
  const shell = document.getElementById('shell');
  if (!toggle || !shell) return;
  const close = () => {
    shell.classList.remove('nav-open');
    toggle.setAttribute('aria-expanded', 'false');
  };
  toggle.addEventListener('click', () => {
    toggle.setAttribute('aria-expanded', shell.classList.toggle('nav-open') ? 'true' : 'false');
  });
  shell.addEventListener('click', (event) => {
    if (shell.classList.contains('nav-open') && !(event.target as Element).closest('#sidebar, #nav-toggle')) close();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && shell.classList.contains('nav-open')) close();
  });
}

function copyButtons(): void {
  document.addEventListener('click', async (event) => {
    const button = (event.target as Element).closest<HTMLElement>('[data-copy], [data-copy-text]');
    if (!button) return;
    let text = button.dataset.copyText;
    if (text === undefined) {
      const source = document.querySelector<HTMLElement>(button.dataset.copy ?? '');
      text = source instanceof HTMLInputElement ? source.value : source?.textContent ?? '';
    }
    if (!(await copyText(text.trim()))) return;
    const label = button.querySelector<HTMLElement>('[data-role=label]') ?? button;
    const before = label.textContent;
    label.textContent = button.dataset.copied ?? '✓';
    button.classList.add('is-copied');
    setTimeout(() => {
      label.textContent = before;
      button.classList.remove('is-copied');
    }, 1600);
  });
}

function confirmingForms(): void {
  // Destructive form buttons (webhooks' delete, roll secret…) ask in the styled dialog first.
  document.addEventListener(
    'submit',
    async (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.matches('form[data-confirm-title]') || form.dataset.confirmed) return;
      event.preventDefault();
      const yes = await confirmDialog({
        title: form.dataset.confirmTitle ?? '',
        body: form.dataset.confirmBody,
        ok: form.dataset.confirmOk,
        danger: true,
      });
      if (!yes) return;
      form.dataset.confirmed = '1';
      form.requestSubmit();
    },
    true,
  );
}

export function initShell(): void {
  markActiveNav();
  themeSwitch();
  sidebar();
  copyButtons();
  confirmingForms();
}
