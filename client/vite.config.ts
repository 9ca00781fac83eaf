import { defineConfig } from 'vite';

/**
 * One single-page app served by the Express server under a strict CSP:
 * no inline scripts or styles, so CSS stays in files and the module-preload
 * polyfill (an inline helper in some setups) is off.
 */
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: true,
    // livekit-client alone is ~530 kB minified (~140 kB gzip); it loads only for the call.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      // shared/ is side-effect free; without this, its zod schemas (server-side validation) would ride along.
      treeshake: { moduleSideEffects: (id: string) => !id.includes('/shared/src/') },
    },
  },
  server: {
    // `npm run dev -w @alcove/client` against a running `npm run start:local`.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
