#!/usr/bin/env bash
# e2e.sh runs the designer's end-to-end tests (web/e2e/*.test.mjs) in Debian's Chromium,
# driven by playwright-core, against a real `forma serve` and a real Postgres:
#
#   1. builds the designer (scripts/web.sh) and the forma binary (.data/bin/forma);
#   2. creates a fresh database forma_e2e_<random> and starts `forma serve` on a free
#      loopback port (no Redis: one replica with its in-process cache);
#   3. runs the tests (each file creates its own tenant through the platform API);
#   4. stops the server and drops the database on exit, whatever happened.
#
# Environment (all optional):
#   E2E_PG          a Postgres URL whose server hosts the test database
#                   (default $TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
#   CHROMIUM        the browser (default /usr/bin/chromium, else chromium on PATH; when
#                   neither is there, Debian's chromium is installed, as root or with sudo)
#   E2E_SKIP_BUILD  set to 1 to reuse the last build of web/ and forma
#   E2E_SCREENSHOTS where to save screenshots (default docs/screenshots)
#   E2E_KEEP        set to 1 to keep the database and the server log for a look afterwards
#
#   scripts/e2e.sh                      every file
#   scripts/e2e.sh web/e2e/designer.test.mjs   one file
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

fail() { echo "e2e.sh: $*" >&2; exit 1; }

find_chromium() {
  if [[ -x /usr/bin/chromium ]]; then echo /usr/bin/chromium
  else command -v chromium || command -v chromium-browser || true
  fi
}

# install_chromium installs Debian's chromium, as root or through passwordless sudo, so
# that `make test` sets up a fresh machine by itself.
install_chromium() {
  local sudo=()
  ((EUID == 0)) || sudo=(sudo -n)
  command -v apt-get >/dev/null || fail "Chromium is not installed, and there is no apt-get to install it with"
  echo "==> installing Debian's chromium (missing)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium </dev/null ||
    fail "Chromium is not installed, and apt-get install chromium failed (it needs root or passwordless sudo)"
}

chromium=${CHROMIUM:-$(find_chromium)}
if [[ -z $chromium ]]; then
  install_chromium
  chromium=$(find_chromium)
fi
[[ -n $chromium && -x $chromium ]] || fail "Chromium not found${CHROMIUM:+ at $CHROMIUM}"
command -v node >/dev/null || fail "install Node.js 20 or newer"
command -v psql >/dev/null || fail "psql is needed to drop the test database (Debian: apt-get install -y postgresql-client)"

pg=${E2E_PG:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}}

if [[ ${E2E_SKIP_BUILD:-} != 1 ]]; then
  bash scripts/web.sh
  echo "==> go build .data/bin/forma"
  mkdir -p .data/bin
  go build -o .data/bin/forma ./backend/cmd/forma
else
  (cd web && [[ -d node_modules/playwright-core ]]) || fail "web/node_modules is missing: run scripts/web.sh first"
fi
[[ -x .data/bin/forma ]] || fail ".data/bin/forma is missing"

# The test database: same server as $pg, a name of its own.
db=forma_e2e_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
base=${pg%%\?*}
query=""
[[ $pg == *\?* ]] && query="?${pg#*\?}"
database_url="${base%/*}/$db$query"
admin_url="${base%/*}/postgres$query"

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
admin_key="fa_e2e_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
log=$(mktemp -t forma-e2e-XXXXXX.log)
server_pid=""

cleanup() {
  local rc=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  if [[ ${E2E_KEEP:-} == 1 ]]; then
    echo "e2e.sh: kept database $db and server log $log" >&2
  else
    psql "$admin_url" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
      echo "e2e.sh: could not drop database $db" >&2
    if [[ $rc -ne 0 && -s $log ]]; then
      echo "---- forma serve log (last 40 lines) ----" >&2
      tail -n 40 "$log" >&2
    fi
    rm -f "$log"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> database $db"
DATABASE_URL=$database_url .data/bin/forma createdb

echo "==> forma serve on 127.0.0.1:$port"
DATABASE_URL=$database_url FORMA_ADDR=127.0.0.1:$port FORMA_ADMIN_KEY=$admin_key REDIS_URL= \
  FORMA_LOG_LEVEL=${FORMA_LOG_LEVEL:-warn} .data/bin/forma serve >"$log" 2>&1 &
server_pid=$!
url=http://127.0.0.1:$port
for i in $(seq 150); do
  if curl -fsS "$url/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "forma serve exited"; }
  [[ $i -eq 150 ]] && { cat "$log" >&2; fail "forma serve did not become ready in 15 s"; }
  sleep 0.1
done

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  mapfile -t files < <(ls web/e2e/*.test.mjs)
fi
shots=${E2E_SCREENSHOTS:-$root/docs/screenshots}
mkdir -p "$shots"

echo "==> e2e tests (${#files[@]} files, Chromium $("$chromium" --version 2>/dev/null | awk '{print $2}'))"
FORMA_URL=$url FORMA_ADMIN_KEY=$admin_key CHROMIUM=$chromium E2E_SCREENSHOTS=$shots \
  node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
echo "e2e: all passed"
