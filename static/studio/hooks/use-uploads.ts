// Uploads from the Studio: images (to the asset library) and fonts (added to the picker and the
// canvas at once). The account's fonts are loaded when the Studio starts.
import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, type Asset, type Font, type FontList } from '../api';
import { addAccountFont, bundledOptions, fontOptions, type FontOption } from '../fonts';
import { emit } from '../host';
import { t } from '../i18n';
import type { Notices } from './use-notices';

export function useUploads(notices: Notices, fatal: boolean) {
  const [fonts, setFonts] = useState<FontOption[]>(bundledOptions);

  useEffect(() => {
    if (fatal) return;
    api<FontList>('GET', 'render/fonts')
      .then(({ data }) => {
        const uploaded = data.fonts || [];
        uploaded.forEach(addAccountFont);
        setFonts(fontOptions(uploaded, (data.bundled || []).map((f) => f.family)));
      })
      .catch(() => {});
  }, []);

  async function uploadImage(file: File): Promise<Asset | null> {
    const form = new FormData();
    form.append('file', file);
    try {
      const { data } = await api<Asset>('POST', 'render/assets', undefined, { form });
      return data.url ? data : null;
    } catch (e) {
      notices.setBanner({ kind: 'error', text: errorMessage(e) });
      return null;
    }
  }

  async function uploadFont(file: File): Promise<string | null> {
    const form = new FormData();
    form.append('file', file);
    try {
      const { data: f } = await api<Font>('POST', 'render/fonts', undefined, { form });
      addAccountFont(f);
      setFonts((list) => (list.some((x) => x.family === f.familyName) ? list : [...list, { family: f.familyName, uploaded: true }]));
      emit('font:upload', { id: f.id, familyName: f.familyName });
      notices.flash(t('fontUploaded'));
      return f.familyName;
    } catch (e) {
      notices.setBanner({ kind: 'error', text: errorMessage(e) });
      return null;
    }
  }

  return { fonts, uploadImage, uploadFont };
}
