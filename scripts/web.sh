#!/usr/bin/env bash
# web.sh builds the designer (web/) and puts it where the forma binary embeds it
# (backend/internal/webui/dist): the Vite build, forma.wasm built from ./wasm, and Go's
# wasm_exec.js from the same toolchain, with gzip-compressed copies the server sends to
# clients that accept them.
#
#   scripts/web.sh          build (what `make web` runs)
#   scripts/web.sh test     the designer's unit tests (Vitest) and type check (svelte-check)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/web
dest=$root/backend/internal/webui/dist
go=${GO:-go}

need() {
  command -v "$1" >/dev/null || { echo "web.sh: $1 is not installed; $2" >&2; exit 1; }
}

# deps runs `npm ci` when node_modules is missing or older than package-lock.json.
deps() {
  need node "install Node.js 20 or newer"
  need npm "install npm (it comes with Node.js)"
  if [[ ! -f $web/node_modules/.package-lock.json || $web/package-lock.json -nt $web/node_modules/.package-lock.json ]]; then
    echo "==> npm ci (web/)"
    (cd "$web" && npm ci --no-audit --no-fund) || { echo "web.sh: npm ci failed in web/" >&2; exit 1; }
    touch "$web/node_modules/.package-lock.json"
  fi
}

build() {
  deps
  need "$go" "install Go (see go.work for the version)"
  echo "==> forma.wasm (GOOS=js GOARCH=wasm)"
  (cd "$root" && GOOS=js GOARCH=wasm "$go" build -trimpath -ldflags="-s -w" -o wasm/forma.wasm ./wasm)
  cp "$("$go" env GOROOT)/lib/wasm/wasm_exec.js" "$root/wasm/wasm_exec.js"

  echo "==> vite build (web/dist)"
  (cd "$web" && npm run --silent build)

  echo "==> $dest"
  find "$dest" -mindepth 1 ! -name .gitkeep -delete
  cp -R "$web/dist/." "$dest/"
  cp "$root/wasm/forma.wasm" "$root/wasm/wasm_exec.js" "$dest/"
  # Precompress what is worth it; index.html stays plain (it is small and never cached).
  find "$dest" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \) -size +1k \
    -exec gzip -9 -k -n -f {} \;

  raw=$(wc -c <"$dest/forma.wasm")
  gz=$(wc -c <"$dest/forma.wasm.gz")
  echo "forma.wasm: $raw bytes, $gz gzipped ($(awk "BEGIN{printf \"%.2f\", $gz/1048576}") MiB)"
  echo "web: built; go build ./backend/... now embeds it"
}

test_web() {
  deps
  echo "==> vitest (web/)"
  (cd "$web" && npm test --silent)
  echo "==> svelte-check (web/)"
  (cd "$web" && npm run --silent check)
}

case ${1:-build} in
  build) build ;;
  test) test_web ;;
  *) echo "usage: scripts/web.sh [build|test]" >&2; exit 2 ;;
esac
