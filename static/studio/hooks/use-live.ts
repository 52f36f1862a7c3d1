// Live updates over the WebSocket: another tab's (or the API's) save of this project reloads it
// when there are no local edits and asks otherwise; render progress goes to the GenerationWatch.
import { useEffect, useRef, useState } from 'preact/hooks';
import { editor } from '../editor';
import type { GenerationWatch } from '../generations';
import { t } from '../i18n';
import { connectLive, type LiveEvent } from '../live';
import { useLatest } from './use-latest';
import type { Notices } from './use-notices';
import type { OpenProject } from './use-project';
import type { Saver } from './use-save';

type RemoteSave = Extract<LiveEvent, { type: 'project.updated' }>['payload'];

export function useLive({ projectId, fatal, fail, saver, openProject, notices, generations }: {
  projectId: string | undefined;
  fatal: boolean;
  fail: (code: string, message: string) => void;
  saver: Saver;
  openProject: OpenProject;
  notices: Notices;
  generations: GenerationWatch;
}): boolean {
  const [live, setLive] = useState(false);
  // A remote save that arrived while ours was out: looked at once ours settles.
  const pending = useRef<RemoteSave | null>(null);

  const onRemoteSave = useLatest((payload: RemoteSave) => {
    const mine = editor.project;
    if (!mine) return;
    if (saver.isSaving()) {
      pending.current = payload;
      return;
    }
    if (payload.updatedAt && mine.updatedAt && payload.updatedAt <= mine.updatedAt) return;
    if (!editor.dirty) {
      openProject(mine.id, { quiet: true, push: false }).then((ok) => ok && notices.flash(t('reloaded')));
    } else notices.setBanner({ kind: 'remote', text: t('remoteUpdate') });
  });

  useEffect(() => {
    if (saver.saving || !pending.current) return;
    const payload = pending.current;
    pending.current = null;
    onRemoteSave.current(payload);
  }, [saver.saving]);

  useEffect(() => {
    if (!projectId || fatal) return;
    return connectLive(projectId, {
      onStatus: setLive,
      onFatal: (code) => code === 'TOKEN_EXPIRED' && fail('TOKEN_EXPIRED', t('expired')),
      onEvent: (event) => {
        if (event.type === 'project.updated') onRemoteSave.current(event.payload);
        else generations.update(event.payload);
      },
    });
  }, [projectId, fatal]);

  return live;
}
