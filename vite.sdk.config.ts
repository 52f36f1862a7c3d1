// The embed SDK: one dependency-free file, /embed/audome-embed.js.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'static/dist/embed',
    emptyOutDir: false,
    target: 'es2019',
    lib: { entry: 'static/embed-sdk/index.ts', name: 'AudomeEmbed', formats: ['iife'], fileName: () => 'audome-embed.js' },
  },
});
