// The app bundles: the shared template renderer, the headless render page, the Studio.
// Entries are picked up as their folders appear; each owner edits only its own entry.
import { existsSync } from 'node:fs';
import { defineConfig } from 'vite';

const candidates: Record<string, string> = {
  'render-page': 'static/render-page/main.ts',
  studio: 'static/studio/main.tsx',
  dashboard: 'static/dashboard/main.ts',
};
const input = Object.fromEntries(Object.entries(candidates).filter(([, file]) => existsSync(file)));

export default defineConfig({
  base: '/static/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'static/dist',
    emptyOutDir: true,
    manifest: 'manifest.json',
    sourcemap: false,
    target: 'es2022',
    rollupOptions: { input },
  },
});
