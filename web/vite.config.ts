import { defineConfig } from "vitest/config";

// Dev server proxies the API to a running `beacon serve` (BEACON_URL, default 127.0.0.1:8080).
const target = process.env.BEACON_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    manifest: true,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      "/api": { target, ws: true, changeOrigin: false },
      "/media": target,
      "/live": target,
      "/healthz": target,
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
