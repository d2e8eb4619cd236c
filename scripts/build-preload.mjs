#!/usr/bin/env node
// Bundles Electron's preload (electron/preload/preload.ts) to dist/electron/preload/preload.cjs.
// A sandboxed preload cannot be an ES module and may require() only 'electron', so it is bundled
// as one CommonJS file with Vite (rolldown), 'electron' left external. Type-checking is tsc's job
// (tsc -p electron); this only transforms.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: 'dist/electron/preload',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    target: 'chrome140', // Electron 45
    lib: { entry: 'electron/preload/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
