/**
 * Builds the renderer into dist/renderer/ (index.html + assets/). The same build is served by the
 * web host over http and loaded by Electron from file://, so asset URLs are relative (base './')
 * and nothing is fetched from the network at run time.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [vue()],
  define: {
    // vue-i18n: composition API only, no legacy API, no devtools hooks in production builds.
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // A strict CSP (style-src 'self') forbids inline styles and scripts: keep everything in files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev:renderer` against a running `riscstation serve`: set RISCSTATION_DEV_API to its
    // origin (http://127.0.0.1:PORT) and open the dev page with the same ?token=.
    proxy: process.env.RISCSTATION_DEV_API
      ? { '/api': { target: process.env.RISCSTATION_DEV_API, ws: true } }
      : undefined,
  },
});
