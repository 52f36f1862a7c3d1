// Theme (light/dark, or the OS's for "auto") and language (English/Arabic, right-to-left): applied
// to <html>, remembered in the dashboard's cookies (not inside the embed: the host decides).
import { useState } from 'preact/hooks';
import type { Locale, Theme } from '../../protocol/messages';
import { config } from '../config';
import { setLang } from '../i18n';

export function applyTheme(theme: Theme | 'auto'): Theme {
  const resolved = theme === 'auto' ? (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark') : theme;
  document.documentElement.dataset.theme = resolved;
  return resolved;
}

export function applyLang(l: Locale) {
  setLang(l);
  document.documentElement.lang = l;
  document.documentElement.dir = l === 'ar' ? 'rtl' : 'ltr';
}

function setCookie(name: string, value: string) {
  if (config.mode === 'dashboard') document.cookie = `${name}=${value}; path=/; max-age=31536000; samesite=lax`;
}

export function useAppearance() {
  const [theme, setTheme] = useState<Theme>(() => applyTheme(config.theme));
  const [, setLangTick] = useState(0);
  return {
    theme,
    changeTheme(next: Theme) {
      setTheme(applyTheme(next));
      setCookie('audome_theme', next);
    },
    changeLang(next: Locale) {
      applyLang(next);
      setCookie('django_language', next);
      setLangTick((n) => n + 1);
    },
  };
}
