// What the Studio tells the user without a dialog: one banner (conflict, remote save, error,
// info) under the top bar, and short toasts.
import { useCallback, useState } from 'preact/hooks';

export interface Banner {
  kind: 'conflict' | 'remote' | 'error' | 'info';
  text: string;
  /** An error's API code: some codes add a way out (INSUFFICIENT_CREDITS → Billing). */
  code?: string;
}

export interface Notices {
  banner: Banner | null;
  setBanner: (b: Banner | null) => void;
  toast: string;
  flash: (msg: string) => void;
}

export function useNotices(): Notices {
  const [banner, setBanner] = useState<Banner | null>(null);
  const [toast, setToast] = useState('');
  const flash = useCallback((msg: string) => {
    setToast(msg);
    window.setTimeout(() => setToast((cur) => (cur === msg ? '' : cur)), 2600);
  }, []);
  return { banner, setBanner, toast, flash };
}
