// Which project is open: opening one (from the URL, the picker, the host or after a remote save),
// the browser's back/forward between Studio URLs, and the unsaved-changes guard on leaving.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, projectOf, type ProjectOut } from '../api';
import { config } from '../config';
import { editor } from '../editor';
import { emit } from '../host';
import { t } from '../i18n';
import { useLatest } from './use-latest';
import type { Notices } from './use-notices';

export interface OpenOptions {
  /** Add a history entry (dashboard): default true. */
  push?: boolean;
  /** Don't ask before dropping unsaved edits of another project. */
  quiet?: boolean;
}

export type OpenProject = (id: string, opts?: OpenOptions) => Promise<boolean>;

export function useProject({ notices, fatal, onSwitch, onReady }: {
  notices: Notices;
  fatal: boolean;
  /** Another project than the one open was loaded. */
  onSwitch: () => void;
  /** The first project (or the picker) is shown: once per page. */
  onReady: () => void;
}) {
  const [loading, setLoading] = useState(false);
  const [picker, setPicker] = useState(false);
  const ready = useRef(false);
  const hooks = useLatest({ onSwitch, onReady, notices });

  const openProject: OpenProject = useCallback(async (id, opts = {}) => {
    if (editor.dirty && editor.project?.id !== id && !opts.quiet && !confirm(t('leaveConfirm'))) return false;
    setLoading(true);
    try {
      const { data } = await api<ProjectOut>('GET', `render/projects/${encodeURIComponent(id)}`);
      const p = projectOf(data);
      if (editor.project?.id !== p.id) {
        editor.select([]);
        hooks.current.onSwitch();
      }
      editor.load(p);
      hooks.current.notices.setBanner(null);
      setPicker(false);
      if (config.mode === 'dashboard' && opts.push !== false && location.pathname !== `/render/studio/${p.id}`)
        history.pushState({}, '', `/render/studio/${p.id}`);
      if (config.mode === 'embed' && ready.current) emit('project:open', { id: p.id, name: p.name });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return false;
      hooks.current.notices.setBanner({ kind: 'error', text: errorMessage(e) });
      return false;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (fatal) return;
    (async () => {
      if (config.projectId) await openProject(config.projectId, { push: false });
      else setPicker(true);
      if (!ready.current) {
        ready.current = true;
        hooks.current.onReady();
      }
    })();
    const onPop = () => {
      const m = location.pathname.match(/^\/render\/studio\/([^/]+)/);
      if (m) openProject(m[1], { push: false });
    };
    window.addEventListener('popstate', onPop);
    const guard = (e: BeforeUnloadEvent) => {
      if (editor.dirty && !config.readOnly) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', guard);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('beforeunload', guard);
    };
  }, []);

  return { loading, picker, setPicker, openProject };
}
