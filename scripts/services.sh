#!/usr/bin/env bash
# services.sh makes sure the Postgres and Redis that the tests use answer.
#
# It reads TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
# TEST_REDIS_URL (default redis://127.0.0.1:6379/0). For each service that does not
# answer, in this order, it:
#   1. starts the machine's own service (Debian's pg_ctlcluster cluster; Debian's
#      redis-server with /var/lib/redis), when the URL is the default local one;
#   2. else starts a private one from the system's binaries (initdb/pg_ctl,
#      redis-server) with its data under .data/ in the repository;
#   3. else says in one line what to install, and fails.
# A URL that names another host is only checked, never started.
#
# FORMA_SERVICES_PRIVATE=1 skips step 1 (to try step 2 on other ports).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data="$root/.data"

pg_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}

say() { echo "services: $*" >&2; }
die() { echo "services: FAIL: $*" >&2; exit 1; }

# hostport URL DEFAULT_PORT prints "host port" of a postgres:// or redis:// URL.
hostport() {
	local rest=${1#*://} port=$2
	rest=${rest%%/*}
	rest=${rest%%\?*}
	rest=${rest##*@}
	local host=${rest%%:*}
	[[ $rest == *:* ]] && port=${rest##*:}
	[[ -z $host ]] && host=127.0.0.1
	echo "$host $port"
}
read -r pg_host pg_port <<<"$(hostport "$pg_url" 5432)"
read -r redis_host redis_port <<<"$(hostport "$redis_url" 6379)"

local_host() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }
private_only() { [[ ${FORMA_SERVICES_PRIVATE:-} == 1 ]]; }

# find_bin NAME prints the path of a binary from PATH or from Debian's PostgreSQL dirs.
find_bin() {
	if command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
		return
	fi
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		[[ -x $d/$1 ]] && { echo "$d/$1"; return; }
	done
	return 1
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pg_up() {
	local isready
	if isready=$(find_bin pg_isready); then
		"$isready" -q -h "$pg_host" -p "$pg_port" -t 2
	else
		tcp_open "$pg_host" "$pg_port"
	fi
}

redis_up() {
	if command -v redis-cli >/dev/null 2>&1; then
		[[ $(redis-cli -h "$redis_host" -p "$redis_port" ping 2>/dev/null) == PONG ]]
	else
		local reply
		exec 3<>"/dev/tcp/$redis_host/$redis_port" 2>/dev/null || return 1
		printf 'PING\r\n' >&3
		read -r -t 2 reply <&3 || true
		exec 3<&- 3>&-
		[[ $reply == +PONG* ]]
	fi
}

# wait_for NAME CHECK waits up to 30 s for CHECK to succeed.
wait_for() {
	local i
	for ((i = 0; i < 60; i++)); do
		"$2" && return 0
		sleep 0.5
	done
	return 1
}

# as_owner runs a command as the owner of the private Postgres data: initdb and postgres
# refuse to run as root, so root runs them as the postgres (or nobody) user.
pg_user=""
as_owner() {
	if [[ -z $pg_user ]]; then
		"$@"
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u "$pg_user" -- "$@"
	else
		su -s /bin/sh "$pg_user" -c "$(printf '%q ' "$@")"
	fi
}

start_private_postgres() {
	local initdb pg_ctl dir="$data/postgres-$pg_port"
	initdb=$(find_bin initdb) && pg_ctl=$(find_bin pg_ctl) || return 1
	if [[ $EUID -eq 0 ]]; then
		pg_user=nobody
		id postgres >/dev/null 2>&1 && pg_user=postgres
	fi
	mkdir -p "$dir"
	[[ -n $pg_user ]] && chown "$pg_user" "$data" "$dir" && chmod 0755 "$data"
	if [[ ! -f $dir/PG_VERSION ]]; then
		say "initdb (private Postgres in ${dir#"$root"/})"
		as_owner "$initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-locale >"$dir.initdb.log" 2>&1 ||
			die "initdb failed, see $dir.initdb.log"
	fi
	say "starting private Postgres on $pg_host:$pg_port"
	as_owner "$pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=$pg_host -p $pg_port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || die "private Postgres did not start, see $dir/server.log"
}

ensure_postgres() {
	pg_up && { say "Postgres answers on $pg_host:$pg_port"; return; }
	local_host "$pg_host" || die "Postgres does not answer at $pg_host:$pg_port (TEST_DATABASE_URL); start it or point TEST_DATABASE_URL at one that runs"
	local cluster
	cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1 || true)
	if ! private_only && [[ $pg_port == 5432 && -n $cluster ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
		say "starting the machine's Postgres (pg_ctlcluster $cluster main)"
		pg_ctlcluster --skip-systemctl-redirect "$cluster" main start ||
			say "pg_ctlcluster did not start it (maybe already starting); waiting"
	elif find_bin initdb >/dev/null && find_bin pg_ctl >/dev/null; then
		start_private_postgres
	else
		die "Postgres does not answer on $pg_host:$pg_port and no server binaries were found: install PostgreSQL (Debian: apt-get install postgresql) or run one there"
	fi
	wait_for Postgres pg_up || die "Postgres still does not answer on $pg_host:$pg_port after 30 s"
	say "Postgres answers on $pg_host:$pg_port"
}

ensure_redis() {
	redis_up && { say "Redis answers on $redis_host:$redis_port"; return; }
	local_host "$redis_host" || die "Redis does not answer at $redis_host:$redis_port (TEST_REDIS_URL); start it or point TEST_REDIS_URL at one that runs"
	command -v redis-server >/dev/null 2>&1 ||
		die "Redis does not answer on $redis_host:$redis_port and redis-server was not found: install Redis (Debian: apt-get install redis-server) or run one there"
	if ! private_only && [[ $redis_port == 6379 && -d /var/lib/redis && -d /var/log/redis ]]; then
		say "starting the machine's Redis"
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log
	else
		local dir="$data/redis-$redis_port"
		mkdir -p "$dir"
		say "starting private Redis on $redis_host:$redis_port (${dir#"$root"/})"
		redis-server --daemonize yes --bind "$redis_host" --port "$redis_port" --save "" --appendonly no \
			--dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid"
	fi
	wait_for Redis redis_up || die "Redis still does not answer on $redis_host:$redis_port after 30 s"
	say "Redis answers on $redis_host:$redis_port"
}

# stop_private stops the private services started under .data/ (make services-stop).
stop_private() {
	local dir pg_ctl
	for dir in "$data"/postgres-*; do
		[[ -f $dir/postmaster.pid ]] || continue
		pg_ctl=$(find_bin pg_ctl) || continue
		if [[ $EUID -eq 0 ]]; then
			pg_user=$(stat -c %U "$dir")
		fi
		as_owner "$pg_ctl" -D "$dir" -m fast stop >/dev/null && say "stopped ${dir#"$root"/}"
	done
	for dir in "$data"/redis-*; do
		[[ -f $dir/redis.pid ]] || continue
		kill "$(cat "$dir/redis.pid")" 2>/dev/null && say "stopped ${dir#"$root"/}"
		rm -f "$dir/redis.pid"
	done
}

case ${1:-start} in
start)
	ensure_postgres
	ensure_redis
	;;
stop-private) stop_private ;;
*) die "usage: $0 [start|stop-private]" ;;
esac
