// The asset library: the account's uploaded images, to use again in this template (on the
// selected image element, or as a new one) or to delete. Inside the embed nothing is deleted
// (an embed session may not delete the account's assets).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorMessage, type Asset, type AssetList } from '../api';
import { config } from '../config';
import { editor } from '../editor';
import { Icon } from '../icons';
import { t } from '../i18n';
import { Modal } from './modal';

const PAGE = 24;

function usedInDocument(url: string): boolean {
  return editor.doc.background?.image === url || editor.doc.elements.some((e) => e.type === 'image' && e.src === url);
}

export function AssetLibrary({ onClose, onUse, onUpload }: {
  onClose: () => void;
  onUse: (asset: Asset) => void;
  onUpload: (file: File) => Promise<Asset | null>;
}) {
  const [items, setItems] = useState<Asset[] | null>(null);
  const [page, setPage] = useState(1);
  const [hasNext, setHasNext] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const canDelete = config.mode === 'dashboard' && !config.readOnly;

  async function load(p: number) {
    try {
      const { data } = await api<AssetList>('GET', `render/assets?page=${p}&limit=${PAGE}`);
      setItems((cur) => (p === 1 ? data.assets : [...(cur || []), ...data.assets.filter((a) => !cur?.some((c) => c.id === a.id))]));
      setPage(p);
      setHasNext(data.pagination.hasNext);
    } catch (e) {
      setItems((cur) => cur || []);
      setError(errorMessage(e));
    }
  }
  useEffect(() => {
    load(1);
  }, []);

  async function remove(asset: Asset) {
    setError('');
    try {
      await api('DELETE', `render/assets/${encodeURIComponent(asset.id)}`);
      setItems((cur) => (cur || []).filter((a) => a.id !== asset.id));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setConfirming(null);
    }
  }

  return (
    <Modal title={t('assetLibrary')} onClose={onClose} wide>
      <div class="picker__bar">
        {!config.readOnly && (
          <button type="button" class="btn btn--primary" data-testid="library-upload" disabled={busy} onClick={() => file.current?.click()}>
            <Icon name="upload" /> {busy ? t('loading') : t('uploadImage')}
          </button>
        )}
        <input ref={file} type="file" hidden accept="image/png,image/jpeg,image/webp,image/gif,image/svg+xml" data-testid="library-file"
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (!f) return;
            setBusy(true);
            const asset = await onUpload(f);
            setBusy(false);
            if (asset) setItems((cur) => [asset, ...(cur || []).filter((a) => a.id !== asset.id)]);
          }}
        />
      </div>
      {error && <p class="hint hint--warn" role="alert" data-testid="library-error">{error}</p>}
      <div class="asset-grid" data-testid="asset-library">
        {items === null && <p class="muted">{t('loading')}</p>}
        {items && items.length === 0 && <p class="muted" data-testid="library-empty">{t('assetsEmpty')}</p>}
        {items?.map((a) => (
          <figure key={a.id} class="asset-card" data-asset-id={a.id}>
            <button type="button" class="asset-card__thumb" title={t('useAsset')} aria-label={`${t('useAsset')} ${a.width} × ${a.height}`} data-testid="use-asset" onClick={() => onUse(a)}>
              <img src={a.url} alt="" loading="lazy" />
            </button>
            {usedInDocument(a.url) && <span class="chip asset-card__used" data-testid="asset-used">{t('inThisTemplate')}</span>}
            <figcaption class="asset-card__meta">
              <span dir="ltr">{a.width} × {a.height}</span>
              {canDelete && confirming !== a.id && (
                <button type="button" class="icon-btn danger" title={t('deleteAsset')} aria-label={t('deleteAsset')} data-testid="delete-asset" onClick={() => setConfirming(a.id)}>
                  <Icon name="trash" />
                </button>
              )}
            </figcaption>
            {confirming === a.id && (
              <div class="asset-card__confirm" role="alertdialog" aria-label={t('deleteAsset')}>
                <p>{t('deleteAssetConfirm')}</p>
                <button type="button" class="btn btn--small btn--danger" data-testid="confirm-delete-asset" onClick={() => remove(a)}>{t('delete')}</button>
                <button type="button" class="btn btn--small btn--ghost" onClick={() => setConfirming(null)}>{t('cancel')}</button>
              </div>
            )}
          </figure>
        ))}
      </div>
      {hasNext && (
        <footer class="modal__foot">
          <button type="button" class="btn" data-testid="library-more" onClick={() => load(page + 1)}>{t('loadMore')}</button>
        </footer>
      )}
    </Modal>
  );
}
