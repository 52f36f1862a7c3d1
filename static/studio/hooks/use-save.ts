// Saving: PATCH with the updatedAt the edits started from, so a newer save elsewhere answers 409
// (a conflict banner) instead of being overwritten. Edits made while the request was out stay
// unsaved.
import { useCallback, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, projectOf, type ProjectOut } from '../api';
import { config } from '../config';
import { editor } from '../editor';
import { emit } from '../host';
import { t } from '../i18n';
import type { Notices } from './use-notices';

export interface Saver {
  saving: boolean;
  /** True while a save is out (read synchronously, unlike `saving`). */
  isSaving: () => boolean;
  save: () => Promise<boolean>;
}

export function useSave(notices: Notices): Saver {
  const [saving, setSaving] = useState(false);
  const savingRef = useRef(false);
  const save = useCallback(async (): Promise<boolean> => {
    const p = editor.project;
    if (!p || config.readOnly || savingRef.current) return false;
    savingRef.current = true;
    setSaving(true);
    const sentJson = editor.json();
    try {
      const body = { name: editor.meta.name, width: editor.meta.width, height: editor.meta.height, document: editor.doc, updatedAt: p.updatedAt };
      const { data } = await api<ProjectOut>('PATCH', `render/projects/${p.id}`, body);
      const saved = projectOf(data);
      const changedMeanwhile = editor.json() !== sentJson;
      editor.project = { ...p, ...saved };
      editor.savedJson = sentJson;
      if (!changedMeanwhile) editor.markSaved(editor.project);
      else editor.emit();
      notices.setBanner(null);
      notices.flash(t('saved'));
      emit('project:save', { id: p.id, name: saved.name || editor.meta.name });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) notices.setBanner({ kind: 'conflict', text: t('conflict') });
      else if (!(e instanceof ApiError && e.status === 401)) notices.setBanner({ kind: 'error', text: errorMessage(e) });
      return false;
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  }, []);
  return { saving, isSaving: () => savingRef.current, save };
}
