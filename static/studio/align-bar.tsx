// Align, distribute, group and ungroup buttons for the selection (arrange.ts does the work).
import { align, canDistribute, canGroup, canUngroup, distribute, group, ungroup, unitCount, type AlignEdge } from './arrange';
import { useEditor } from './editor';
import { Icon, type IconName } from './icons';
import { t, type Key } from './i18n';

const EDGES: [AlignEdge, IconName, Key][] = [
  ['left', 'alignLeft', 'alignLeft'], ['hcenter', 'alignHcenter', 'alignHcenter'], ['right', 'alignRight', 'alignRight'],
  ['top', 'alignTop', 'alignTop'], ['vcenter', 'alignVcenter', 'alignVcenter'], ['bottom', 'alignBottom', 'alignBottom'],
];

export function AlignBar() {
  const ed = useEditor();
  if (!ed.selection.some((e) => !e.locked)) return null;
  const many = ed.selection.length > 1;
  return (
    <section class="panel-section" data-testid="align-bar">
      <h3 class="panel-title">{unitCount() > 1 ? t('alignSelection') : t('alignCanvas')}</h3>
      <div class="toolbar-row toolbar-row--wrap" role="toolbar" aria-label={t('align')}>
        {EDGES.map(([edge, icon, label]) => (
          <button type="button" key={edge} class="icon-btn" data-testid={`align-${edge}`} title={t(label)} aria-label={t(label)} onClick={() => align(edge)}>
            <Icon name={icon} />
          </button>
        ))}
        {many && (
          <>
            <span class="divider" />
            <button type="button" class="icon-btn" data-testid="distribute-x" disabled={!canDistribute()} title={t('distributeH')} aria-label={t('distributeH')} onClick={() => distribute('x')}>
              <Icon name="distributeH" />
            </button>
            <button type="button" class="icon-btn" data-testid="distribute-y" disabled={!canDistribute()} title={t('distributeV')} aria-label={t('distributeV')} onClick={() => distribute('y')}>
              <Icon name="distributeV" />
            </button>
          </>
        )}
      </div>
      {(canGroup() || canUngroup()) && (
        <div class="toolbar-row">
          {canGroup() && (
            <button type="button" class="btn btn--small" data-testid="group" title={`${t('group')} (Ctrl+G)`} onClick={group}><Icon name="group" /> {t('group')}</button>
          )}
          {canUngroup() && (
            <button type="button" class="btn btn--small" data-testid="ungroup" title={`${t('ungroup')} (Ctrl+Shift+G)`} onClick={ungroup}><Icon name="ungroup" /> {t('ungroup')}</button>
          )}
        </div>
      )}
    </section>
  );
}
