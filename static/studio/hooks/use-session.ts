// The session's end: a lost login (dashboard: back to the login page) or a bad or expired embed
// token (a fatal screen, and the host's onError through `studio:error`).
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ErrorPayload } from '../../protocol/messages';
import { setAuthLostHandler } from '../api';
import { config } from '../config';
import { emit } from '../host';
import { t } from '../i18n';

export function useSession() {
  const [fatal, setFatal] = useState<ErrorPayload | null>(config.error || null);
  const fail = useCallback((code: string, message: string) => {
    setFatal({ code, message });
    emit('studio:error', { code, message });
  }, []);
  useEffect(() => {
    if (config.error) emit('studio:error', config.error);
    setAuthLostHandler((err) => {
      if (config.mode === 'dashboard') {
        location.href = `/accounts/login/?next=${encodeURIComponent(location.pathname)}`;
        return;
      }
      const expired = config.expiresAt && Date.parse(config.expiresAt) <= Date.now();
      fail(expired ? 'TOKEN_EXPIRED' : 'UNAUTHORIZED', expired ? t('expired') : err.message);
    });
    if (config.mode === 'embed' && config.expiresAt) {
      const ms = Date.parse(config.expiresAt) - Date.now();
      if (ms > 0 && ms < 2 ** 31) {
        const id = window.setTimeout(() => fail('TOKEN_EXPIRED', t('expired')), ms);
        return () => clearTimeout(id);
      }
    }
  }, []);
  return { fatal, fail };
}
