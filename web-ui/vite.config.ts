// Vite build of the dashboard: `vite build web-ui` writes web-ui/dist, which the daemon serves.
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/',
  // JSX through Preact's automatic runtime, without a plugin
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // the CSP allows no inline script, and every browser we target supports modulepreload
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    sourcemap: false
  }
})
