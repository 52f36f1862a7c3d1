// Rendering the open project with the test data (the Render button and the host's exportImage):
// save first when there are edits, POST /generate (async when the socket is up, so the result
// comes as a push), and tell the host how it ended.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ImageFormat } from '../../protocol/messages';
import type { TemplateDocument } from '../../renderer/types';
import { api, ApiError, errorMessage, type Generation } from '../api';
import { config } from '../config';
import { editor } from '../editor';
import type { GenerationWatch } from '../generations';
import { emit } from '../host';

/** What the Studio shows of the last render. */
export interface RenderState {
  status: Generation['status'];
  imageUrl?: string;
  error?: string;
  /** The API's error code (INSUFFICIENT_CREDITS links to Billing). */
  code?: string;
  generationId?: string;
  width?: number;
  height?: number;
  creditsRemaining?: number;
}

export type TestValues = Record<string, string>;

/** The data key of an element's dynamic value: "<dynamicKey>.text" or "<dynamicKey>.img". */
export function dataKey(el: { dynamicKey?: string; type: string }): string {
  return `${el.dynamicKey}.${el.type === 'image' ? 'img' : 'text'}`;
}

/** The test values that belong to the document's dynamic elements, empty ones left out. */
export function dataFor(doc: TemplateDocument | undefined, values: TestValues): TestValues {
  const keys = new Set<string>();
  for (const el of doc?.elements || []) if (el.dynamicKey) keys.add(dataKey(el));
  const out: TestValues = {};
  for (const [k, v] of Object.entries(values)) if (keys.has(k) && v !== '') out[k] = v;
  return out;
}

export function useRender({ save, live, generations }: { save: () => Promise<boolean>; live: boolean; generations: GenerationWatch }) {
  const [gen, setGen] = useState<RenderState | null>(null);
  const [testData, setTestData] = useState<TestValues>({});

  useEffect(
    () => generations.subscribe((g) => setGen((cur) => (cur && cur.generationId === g.generationId ? { ...cur, ...g } : cur))),
    [],
  );

  const renderNow = useCallback(async (format: ImageFormat = 'png', requestId?: string): Promise<string | null> => {
    const p = editor.project;
    const failRender = (code: string, message: string) => {
      setGen({ status: 'failed', error: message, code });
      emit('render:error', { code, message, requestId });
      return null;
    };
    if (!p) return failRender('PROJECT_NOT_FOUND', 'No project is open.');
    if (config.readOnly) return failRender('FORBIDDEN', 'This embed session is view-only.');
    if (editor.dirty && !(await save())) return failRender('SAVE_FAILED', 'The project could not be saved before rendering.');
    setGen({ status: 'pending' });
    try {
      const { data, response } = await api<Generation>('POST', 'render/generate', { projectId: p.id, data: dataFor(editor.project?.document, testData), format, async: live });
      let g = data;
      setGen({ status: g.status || 'processing', generationId: g.generationId });
      if (response.status === 202) g = await generations.wait(g.generationId);
      if (g.status && g.status !== 'completed')
        return failRender(g.errorCode || (g.status === 'canceled' ? 'CANCELED' : 'RENDER_FAILED'), typeof g.error === 'string' ? g.error : 'Render failed');
      const imageUrl = g.imageUrl || '';
      setGen({ status: 'completed', imageUrl, generationId: g.generationId, width: g.width, height: g.height, creditsRemaining: data.creditsRemaining });
      emit('render:complete', { imageUrl, generationId: g.generationId, projectId: p.id, width: g.width, height: g.height, format: g.format || format, requestId });
      return imageUrl;
    } catch (e) {
      return failRender(e instanceof ApiError ? e.code : 'RENDER_FAILED', errorMessage(e));
    }
  }, [testData, live]);

  return {
    gen, testData, setTestData, renderNow,
    /** Another project was opened: its render and test data start empty. */
    reset() {
      setGen(null);
      setTestData({});
    },
  };
}
