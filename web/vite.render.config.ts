import { defineConfig } from "vite";

// The Verse render page's bundle (src/features/verse/render.ts): one classic script, so headless
// Chromium can load it from a file:// page. Built after the studio into dist/verse-render/.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist/verse-render",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 1000,
    lib: {
      entry: "src/features/verse/render.ts",
      formats: ["iife"],
      name: "BeaconVerseRender",
      fileName: () => "render.js",
    },
  },
});
