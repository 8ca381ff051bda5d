/// <reference types="vitest/config" />
import { createReadStream, existsSync } from "node:fs";
import { resolve } from "node:path";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig, type Plugin } from "vite";

// wasmFromRepo serves ../wasm/forma.wasm and wasm_exec.js (from `make wasm`) to the dev
// server; in a build, scripts/web.sh copies them beside the app instead.
function wasmFromRepo(): Plugin {
  const files: Record<string, [string, string]> = {
    "/forma.wasm": [resolve(__dirname, "../wasm/forma.wasm"), "application/wasm"],
    "/wasm_exec.js": [resolve(__dirname, "../wasm/wasm_exec.js"), "text/javascript"],
  };
  return {
    name: "forma-wasm-from-repo",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const file = files[(req.url ?? "").split("?")[0]];
        if (!file || !existsSync(file[0])) return next();
        res.setHeader("Content-Type", file[1]);
        createReadStream(file[0]).pipe(res);
      });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), wasmFromRepo()],
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 300 },
  // `npm run dev` talks to a `forma serve` on the default address.
  server: { proxy: { "/api": process.env.FORMA_URL ?? "http://127.0.0.1:8080" } },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
