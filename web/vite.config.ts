import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The Rust gateway listens on 8080 in development; it serves the REST API
// under /api, Socket.IO under /socket.io and, in production, the files that
// `npm run build` writes to web/dist.
const GATEWAY = "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  base: "/",
  server: {
    proxy: {
      "/api": { target: GATEWAY },
      "/socket.io": { target: GATEWAY, ws: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // Component tests wait on real timers and DOM updates; on a busy 2-core CI machine the
    // default 5 s per test has cut short tests that pass (a real hang still fails).
    testTimeout: 15_000,
  },
});
