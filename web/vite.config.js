// The web UI's browser code: one entry per page script plus the stylesheet, built to dist/web with
// content-hashed names and a manifest the server reads to link them (src/routes/web/assets.ts).
// Pages are rendered on the server, so there is no index.html: Vite runs as a library-style multi-entry build.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: here('.'),
  // Built files are served under /-/assets/, so URLs inside the bundles (CSS url(), chunk imports) start here.
  base: '/-/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    manifest: true,
    target: 'es2022',
    // Pages load their entries with <script type="module"> and list shared chunks themselves; no polyfill is injected.
    modulePreload: { polyfill: false },
    sourcemap: true,
    rollupOptions: {
      input: {
        app: here('src/app.js'),
        style: here('src/app.css'),
        'job-log': here('src/job-log.js'),
        'live-refresh': here('src/live-refresh.js'),
      },
    },
  },
});
