import { defineConfig } from '@playwright/test';

/** Debian's Chromium (Playwright cannot download its own browsers here). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The preview server's port; PATCHFLOW_E2E_PORT lets several test runs share a machine. */
export const PREVIEW_PORT = Number(process.env.PATCHFLOW_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 300_000,
  workers: 1,
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${PREVIEW_PORT}`,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
  },
  projects: [
    // no GPU adapter: the app falls back to WASM and says why
    { name: 'wasm', testIgnore: /webgpu/ },
    // SwiftShader's WebGPU adapter: real WebGPU on the CPU
    { name: 'webgpu', testMatch: /webgpu/, use: { launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } } },
  ],
  webServer: {
    // the production build: the dev server re-optimises dependencies on first visit and reloads the page
    command: `npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort`,
    url: `http://127.0.0.1:${PREVIEW_PORT}`,
    timeout: 180_000,
    reuseExistingServer: false,
  },
});
