#!/usr/bin/env bash
# run.sh starts Forma on this machine (`make run`): it makes sure Postgres and Redis
# answer (scripts/services.sh), creates the database if it is missing, builds the
# designer (scripts/web.sh) and `forma` into .data/bin, and runs `forma serve`, printing
# the URL and the platform key.
#
# Environment (all optional):
#   DATABASE_URL     default postgres://postgres@127.0.0.1:5432/forma?sslmode=disable
#   REDIS_URL        default redis://127.0.0.1:6379/0; set it empty (REDIS_URL=) to run without Redis
#   FORMA_ADDR       default 127.0.0.1:8080
#   FORMA_ADMIN_KEY  default: generated once and kept in .data/admin-key (mode 600)
#   FORMA_WEBHOOK_ALLOW_PRIVATE  default true here (local development)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p .data/bin

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/forma?sslmode=disable}
export REDIS_URL=${REDIS_URL-redis://127.0.0.1:6379/0}
export FORMA_ADDR=${FORMA_ADDR:-127.0.0.1:8080}
export FORMA_WEBHOOK_ALLOW_PRIVATE=${FORMA_WEBHOOK_ALLOW_PRIVATE:-true}

if [[ -z ${FORMA_ADMIN_KEY:-} ]]; then
	keyfile=.data/admin-key
	if [[ ! -s $keyfile ]]; then
		(umask 077 && printf 'fa_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" >"$keyfile")
	fi
	FORMA_ADMIN_KEY=$(<"$keyfile")
	export FORMA_ADMIN_KEY
fi

if [[ -x scripts/services.sh ]]; then
	TEST_DATABASE_URL=$DATABASE_URL TEST_REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0} scripts/services.sh
fi

echo "run: building the designer (scripts/web.sh)" >&2
bash scripts/web.sh
echo "run: building forma" >&2
go build -o .data/bin/forma ./backend/cmd/forma
.data/bin/forma createdb

cat >&2 <<MSG

  Forma:         http://$FORMA_ADDR
  platform key:  $FORMA_ADMIN_KEY
  try:           curl -s -H "Authorization: Bearer \$FORMA_ADMIN_KEY" -d '{"slug":"acme"}' http://$FORMA_ADDR/api/v1/tenants
  stop:          Ctrl-C

MSG
exec .data/bin/forma serve
