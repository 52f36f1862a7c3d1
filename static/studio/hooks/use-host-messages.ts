// Commands from the embedding page (AudomeEmbed's handle): locale, theme, open a project, export.
import { useEffect } from 'preact/hooks';
import type { ImageFormat, Locale, Theme } from '../../protocol/messages';
import { onHostMessage } from '../host';
import { useLatest } from './use-latest';
import type { OpenProject } from './use-project';

export function useHostMessages(handlers: {
  changeLang: (l: Locale) => void;
  changeTheme: (th: Theme) => void;
  openProject: OpenProject;
  renderNow: (format: ImageFormat, requestId?: string) => Promise<string | null>;
}) {
  const latest = useLatest(handlers);
  useEffect(
    () =>
      onHostMessage((command) => {
        const h = latest.current;
        switch (command.type) {
          case 'host:setLocale':
            return h.changeLang(command.payload.locale);
          case 'host:setTheme':
            return h.changeTheme(command.payload.theme);
          case 'host:openProject':
            if (command.payload.projectId) h.openProject(command.payload.projectId, { quiet: true });
            return;
          case 'host:exportImage':
            h.renderNow(command.payload.format, command.payload.requestId || undefined);
            return;
        }
      }),
    [],
  );
}
