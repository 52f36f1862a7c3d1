// The "Test data" tab: a value for each dynamic element, the live preview of the template with
// those values, and the result of the last render.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, isAbort } from './api';
import { config } from './config';
import { useEditor } from './editor';
import { dataFor, dataKey, type RenderState, type TestValues } from './hooks/use-render';
import { t } from './i18n';

interface RateLimit {
  remaining: number;
  resetAt: number;
}
interface PreviewOut {
  previewUrl: string;
  cached?: boolean;
  rateLimit?: RateLimit;
}

function rateLimitOf(body: Record<string, unknown> | null): RateLimit | null {
  const r = body?.rateLimit;
  if (typeof r !== 'object' || r === null) return null;
  const { remaining, resetAt } = r as Record<string, unknown>;
  return typeof remaining === 'number' && typeof resetAt === 'number' ? { remaining, resetAt } : null;
}

export function TestData({ values, onChange, gen }: { values: TestValues; onChange: (v: TestValues) => void; gen: RenderState | null }) {
  const ed = useEditor();
  const fields = ed.doc.elements.filter((e) => e.dynamicKey && e.type !== 'shape');
  const [preview, setPreview] = useState<null | { url: string; cached?: boolean }>(null);
  const [rate, setRate] = useState<RateLimit | null>(null);
  const [previewError, setPreviewError] = useState('');
  const [busy, setBusy] = useState(false);
  const [paused, setPaused] = useState(false);
  const inflight = useRef<AbortController | null>(null);
  const last = useRef('');
  const timer = useRef<number | undefined>(undefined);
  const savedAt = ed.project?.updatedAt;

  const payload = useMemo(() => ({ projectId: ed.project?.id, data: dataFor(ed.project?.document, values) }), [values, savedAt, ed.project?.id]);

  async function run(force = false) {
    if (!payload.projectId || config.readOnly) return;
    const key = JSON.stringify(payload) + savedAt;
    if (!force && key === last.current) return;
    last.current = key;
    inflight.current?.abort();
    const ctrl = new AbortController();
    inflight.current = ctrl;
    setBusy(true);
    setPreviewError('');
    try {
      const { data } = await api<PreviewOut>('POST', 'render/preview', payload, { signal: ctrl.signal });
      setPreview({ url: data.previewUrl, cached: data.cached });
      if (data.rateLimit) {
        setRate(data.rateLimit);
        setPaused(data.rateLimit.remaining < 5);
      }
    } catch (e) {
      if (isAbort(e)) return;
      last.current = '';
      if (e instanceof ApiError && e.status === 429) {
        const retry = typeof e.body?.retryAfter === 'number' ? e.body.retryAfter : 10;
        setRate(rateLimitOf(e.body) || { remaining: 0, resetAt: Date.now() + retry * 1000 });
        setPaused(true);
        setPreviewError(t('rateLimited', { n: retry }));
      } else setPreviewError(errorMessage(e));
    } finally {
      if (inflight.current === ctrl) setBusy(false);
    }
  }

  useEffect(() => {
    if (paused) return;
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => run(), 600);
    return () => clearTimeout(timer.current);
  }, [JSON.stringify(payload), savedAt, paused]);
  useEffect(() => () => inflight.current?.abort(), []);

  return (
    <div class="props" data-testid="test-data">
      {fields.length === 0 && <p class="muted small">{t('noDynamic')}</p>}
      {fields.map((el) => {
        const key = dataKey(el);
        return (
          <label class="field field--wide" key={el.id}>
            <span class="field__label"><code dir="ltr">{key}</code></span>
            {el.type === 'text' ? (
              <textarea rows={2} dir="auto" data-testid={`data-${el.dynamicKey}`} placeholder={el.placeholder || el.text || ''} value={values[key] || ''}
                onInput={(e) => onChange({ ...values, [key]: e.currentTarget.value })} />
            ) : (
              <input type="url" dir="ltr" data-testid={`data-${el.dynamicKey}`} placeholder={el.placeholder || 'https://…'} value={values[key] || ''}
                onInput={(e) => onChange({ ...values, [key]: e.currentTarget.value })} />
            )}
          </label>
        );
      })}
      {!config.readOnly && (
        <section class="panel-section">
          <h3 class="panel-title">
            {t('preview')} {busy && <span class="spinner" aria-hidden="true" />}
            {rate && <span class={`rate${rate.remaining < 5 ? ' rate--low' : ''}`} data-testid="rate">{t('rateLeft', { n: rate.remaining })}</span>}
          </h3>
          {ed.dirty && <p class="hint">{t('previewStale')}</p>}
          {paused && (
            <p class="hint hint--warn">
              {t('previewPaused')}{' '}
              <button type="button" class="btn btn--small" onClick={() => run(true)}>{t('previewNow')}</button>
            </p>
          )}
          {previewError && <p class="hint hint--warn" role="alert">{previewError}</p>}
          <div class="preview-box">{preview ? <img src={preview.url} alt={t('preview')} data-testid="preview-image" /> : <div class="preview-box__empty">…</div>}</div>
        </section>
      )}
      {gen && <RenderResult gen={gen} />}
    </div>
  );
}

function RenderResult({ gen }: { gen: RenderState }) {
  return (
    <section class="panel-section" data-testid="render-result">
      <h3 class="panel-title">{gen.status === 'completed' ? t('renderDone') : t('renderResult')}</h3>
      {(gen.status === 'pending' || gen.status === 'processing') && <div class="progress"><span /></div>}
      {gen.status === 'completed' && gen.imageUrl && (
        <>
          <a href={gen.imageUrl} target="_blank" rel="noopener" class="preview-box"><img src={gen.imageUrl} alt={t('renderDone')} data-testid="render-image" /></a>
          <p class="hint">
            <a href={gen.imageUrl} target="_blank" rel="noopener">{t('openImage')} ↗</a>
            {gen.creditsRemaining !== undefined && <span> · {t('credits', { n: gen.creditsRemaining })}</span>}
          </p>
        </>
      )}
      {gen.status === 'failed' && <p class="hint hint--warn" role="alert" data-testid="render-error">{gen.error}</p>}
    </section>
  );
}
