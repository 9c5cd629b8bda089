import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// WASM threads need cross-origin isolation, on the dev server and the preview server alike.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// index.html's Content-Security-Policy forbids inline styles; the dev server injects each CSS module as a
// <style> element, so there (only there) the policy allows them
const devInlineStyles: Plugin = {
  name: 'dev-inline-styles',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
};

export default defineConfig({
  plugins: [
    react(),
    devInlineStyles,
    // Offline on the shop floor: the service worker precaches the app shell, onnxruntime's .wasm, the
    // backbone and the shipped part models, so after one visit the app installs and inspects without a server.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: null, // registered by src/ui/app (it reports offline readiness)
      manifest: {
        name: 'PatchFlow Inspect',
        short_name: 'PatchFlow',
        description: 'Surface-defect inspection of part photos, offline in the browser',
        theme_color: '#101820',
        background_color: '#101820',
        display: 'standalone',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,wasm,onnx,json,zip,svg,png}'],
        // the ORT .wasm (~28 MB), the backbone (~14 MB) and the part models (~22 MB each)
        maximumFileSizeToCacheInBytes: 256 * 2 ** 20,
        navigateFallback: 'index.html',
      },
    }),
  ],
  // PATCHFLOW_DIST lets several checkouts' test runs build side by side
  build: { outDir: process.env.PATCHFLOW_DIST ?? 'dist' },
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
