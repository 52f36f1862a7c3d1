// The "Test data" tab: a value for each dynamic element, a live preview of the template as it is
// in the editor now (saved or not) with those values — drawn in the browser by the same
// renderer /generate uses — and the result of the last render.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { config } from './config';
import { useDrawing } from './draw';
import { useEditor } from './editor';
import { dataFor, dataKey, type RenderState, type TestValues } from './hooks/use-render';
import { t } from './i18n';

export function TestData({ values, onChange, gen }: { values: TestValues; onChange: (v: TestValues) => void; gen: RenderState | null }) {
  const ed = useEditor();
  const fields = ed.doc.elements.filter((e) => e.dynamicKey && e.type !== 'shape');
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
      <section class="panel-section">
        <h3 class="panel-title">{t('preview')}</h3>
        <LivePreview values={values} />
        <p class="hint">{t('previewHint')}</p>
      </section>
      {gen && <RenderResult gen={gen} />}
    </div>
  );
}

/** The editor's document with the test values, scaled to the panel's width. */
function LivePreview({ values }: { values: TestValues }) {
  const ed = useEditor();
  const box = useRef<HTMLDivElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const [boxWidth, setBoxWidth] = useState(260);
  const { width: W, height: H } = ed.meta;
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => el.clientWidth && setBoxWidth(el.clientWidth);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useDrawing(root, ed.doc, W, H, dataFor(ed.doc, values));
  const scale = Math.min(boxWidth / W, 1);
  return (
    <div class="live-preview" ref={box} data-testid="preview">
      <div class="live-preview__frame" style={{ width: `${Math.round(W * scale)}px`, height: `${Math.round(H * scale)}px` }}>
        <div class="live-preview__scale" style={{ transform: `scale(${scale})` }} dir="ltr">
          <div ref={root} class="render-root" data-testid="preview-root" />
        </div>
      </div>
    </div>
  );
}

function RenderResult({ gen }: { gen: RenderState }) {
  const outOfCredits = gen.code === 'INSUFFICIENT_CREDITS';
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
      {gen.status === 'failed' && (
        <div class="hint hint--warn" role="alert" data-testid="render-error">
          <p>{outOfCredits ? t('outOfCredits') : gen.error}</p>
          {/* Billing is the account owner's page: the dashboard links to it; inside the embed the host hears render:error. */}
          {outOfCredits && config.mode === 'dashboard' && (
            <a class="btn btn--primary btn--small" href="/render/billing" data-testid="billing-link">{t('goToBilling')}</a>
          )}
        </div>
      )}
    </section>
  );
}
