# bench-lib.sh holds what the load runs share: scripts/bench-load.sh (make bench-load) and
# scripts/bench-tenants.sh (make bench-tenants) source it after setting bench_name (the
# prefix of their messages) and bench_db (their default database). It reads the
# BENCH_* variables both take (described at the top of bench-load.sh), finds the tools,
# and defines: a fresh database and a real forma serve (bench_start), the API from the
# shell (api), the Event model (event_model), and CPU sampling around formaload and
# pgbench (measure_forma, measure_pgbench, pgbench_stats). Sourcing it sets the trap that
# stops the server and drops the database whatever happens.
# shellcheck shell=bash

duration=${BENCH_DURATION:-15}
duration=${duration%s}
((duration >= 3)) || { echo "$bench_name: BENCH_DURATION must be at least 3 (seconds)" >&2; exit 2; }
warmup=${BENCH_WARMUP:-2}
warmup=${warmup%s}
clients=${BENCH_CLIENTS:-32}
pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
pg_query=${BENCH_PG_QUERY:-sslmode=disable}
dbname=${BENCH_DB:-$bench_db}
redis_url=${BENCH_REDIS_URL-redis://127.0.0.1:6379/15}
log_level=${BENCH_LOG_LEVEL:-info}
model=event
countries=PL,DE,US,GB

say() { echo "$bench_name: $*" >&2; }
die() { say "$*"; exit 1; }

pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1 || true)
[[ -x ${pgbench:-} ]] || die "pgbench not found: install postgresql-contrib (or the postgresql-NN package)"
command -v psql >/dev/null || die "psql not found: install postgresql-client"
command -v curl >/dev/null || die "curl not found"
command -v jq >/dev/null || die "jq not found"

bench_url="$pg/$dbname?$pg_query"
psql_admin() { psql "$pg/postgres?$pg_query" -v ON_ERROR_STOP=1 -qAtX "$@"; }
psql_bench() { psql "$bench_url" -v ON_ERROR_STOP=1 -qAtX "$@"; }
psql_admin -c 'SELECT 1' >/dev/null || die "Postgres does not answer at $pg (run scripts/services.sh)"

work=$(mktemp -d "${TMPDIR:-/tmp}/forma-$bench_name.XXXXXX")
server_pid=
cleanup() {
	local rc=$?
	[[ -n ${pg_mask:-} ]] && unsplit_cpus
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ ${BENCH_KEEP:-} == 1 || ${BENCH_PERF:-} == 1 ]]; then
		say "kept $work and database $dbname"
	else
		psql_admin -c "DROP DATABASE IF EXISTS \"$dbname\" WITH (FORCE)" >/dev/null 2>&1 || true
		if [[ -n $redis_url ]] && command -v redis-cli >/dev/null; then
			clean_redis
		fi
		rm -rf "$work"
	fi
	exit "$rc"
}
# forma's Redis keys are forma:v:<tenant id> and forma:snap:<tenant id>:<version>, the same
# for every database: the run uses its own Redis database (15) and empties those keys
# there before and after, so it neither reads nor leaves snapshots of another database.
clean_redis() {
	[[ $redis_url =~ /([1-9][0-9]*)$ ]] || return 0 # never in database 0
	redis-cli -u "$redis_url" --scan --pattern 'forma:*' 2>/dev/null |
		xargs -r redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
}
trap cleanup EXIT
# a command that fails where set -e ends the run says so, functions included
set -E
trap 'say "stopped: line $LINENO: $BASH_COMMAND"' ERR

# --- BENCH_SPLIT_CPUS: Postgres on a CPU of its own ------------------------------------
app=() # the command prefix that runs forma, formaload and pgbench
pg_pids=() pg_mask=
split_cpus() {
	command -v taskset >/dev/null || die "BENCH_SPLIT_CPUS needs taskset (util-linux)"
	local n last datadir pm
	n=$(nproc)
	((n >= 2)) || die "BENCH_SPLIT_CPUS needs two CPUs or more"
	last=$((n - 1))
	datadir=$(psql_admin -c 'SHOW data_directory')
	pm=$(head -1 "$datadir/postmaster.pid" 2>/dev/null) || die "BENCH_SPLIT_CPUS: cannot read $datadir/postmaster.pid"
	pg_mask=$(taskset -p "$pm" | awk '{print $NF}')
	mapfile -t pg_pids < <(echo "$pm"; pgrep -P "$pm")
	for p in "${pg_pids[@]}"; do
		taskset -a -c -p "$last" "$p" >/dev/null || die "BENCH_SPLIT_CPUS: cannot pin Postgres process $p"
	done
	app=(taskset -c "0-$((last - 1))")
	say "Postgres pinned to CPU $last (was mask $pg_mask), forma, formaload and pgbench to CPUs 0-$((last - 1))"
}
unsplit_cpus() {
	for p in "${pg_pids[@]}"; do
		taskset -a -p "$pg_mask" "$p" >/dev/null 2>&1 || true
	done
}
trap 'exit 130' INT TERM

[[ ${BENCH_SPLIT_CPUS:-} == 1 ]] && split_cpus

# bench_start drops and creates the database, builds forma and formaload into $work
# (or copies BENCH_FORMA_BIN, BENCH_LOAD_BIN) and starts forma serve on a free port:
# it sets server_pid, base (its URL) and admin_key (the platform key).
bench_start() {
	local free
	free=$(psql_admin -c "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
	((free >= clients + 32 + 2)) || say "warning: Postgres has $free connections free, the run needs up to $((clients + 32 + 2)) (forma's pool and pgbench's clients): another run on this server?"
	say "database $dbname (dropped and created)"
	psql_admin -c "DROP DATABASE IF EXISTS \"$dbname\" WITH (FORCE)" >/dev/null
	psql_admin -c "CREATE DATABASE \"$dbname\"" >/dev/null

	if [[ -n $redis_url ]]; then
		local hostport=${redis_url#redis://}
		hostport=${hostport%%/*}
		hostport=${hostport##*@}
		if ! (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
			say "Redis does not answer at $redis_url: running without it"
			redis_url=
		fi
	fi

	[[ -n $redis_url ]] && command -v redis-cli >/dev/null && clean_redis
	say "building forma and formaload"
	binary forma "${BENCH_FORMA_BIN:-}"
	binary formaload "${BENCH_LOAD_BIN:-}"

	admin_key="fa_bench_$(head -c 18 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
	bench_serve
}

# bench_serve starts forma serve on the database (bench_start does, once; bench-tenants'
# A/B mode again per configuration, with variables of its own in serve_env), and sets
# server_pid and base.
serve_env=()
bench_serve() {
	# The tenants' request limits are lifted: the load runs measure how much forma serves.
	# bench-noisy.sh keeps each tenant's share of the database, what it measures
	# (bench_db_share: empty is forma's default).
	DATABASE_URL=$bench_url REDIS_URL=$redis_url FORMA_ADMIN_KEY=$admin_key \
		FORMA_TENANT_REQUESTS_PER_SECOND=0 FORMA_TENANT_CONCURRENT_REQUESTS=0 \
		FORMA_TENANT_DATABASE_CONNECTIONS=${bench_db_share-0} \
		FORMA_ADDR=127.0.0.1:0 FORMA_LOG_LEVEL=$log_level GOGC=${BENCH_GOGC:-} env "${serve_env[@]}" \
		"${app[@]}" "$work/forma" serve >"$work/forma.log" 2>&1 &
	server_pid=$!
	base=
	for _ in $(seq 1 100); do
		base=$(grep -o 'url=http://[0-9.:]*' "$work/forma.log" 2>/dev/null | head -1 | cut -d= -f2 || true)
		[[ -n $base ]] && break
		kill -0 "$server_pid" 2>/dev/null || { cat "$work/forma.log" >&2; die "forma serve exited"; }
		sleep 0.1
	done
	[[ -n $base ]] || { cat "$work/forma.log" >&2; die "forma serve did not start"; }
	for _ in $(seq 1 50); do
		curl -fsS "$base/readyz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	say "forma serve at $base (redis: ${redis_url:-none}, log level $log_level${serve_env[*]:+, ${serve_env[*]}})"
}

# bench_unserve stops the forma serve that bench_serve started.
bench_unserve() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

binary() { # name [prebuilt]: this tree's build, or another build to compare with it
	if [[ -n $2 ]]; then cp "$2" "$work/$1"; else go build -o "$work/$1" "./backend/cmd/$1"; fi
}

api() { # method path key [body]
	local out
	out=$(curl -sS -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
		${4:+--data-binary "$4"} "$base$2")
	local code=${out##*$'\n'}
	[[ $code == 2* ]] || die "$1 $2 -> $code ${out%$'\n'*}"
	printf '%s' "${out%$'\n'*}"
}

# event_model prints the talk's Event model as the runs PUT it: the composite index is
# the one the list case needs.
event_model() {
	cat <<'JSON'
{"name":"event","label":"Event","fields":[
 {"name":"timestamp","type":"datetime","options":{"auto_now_add":true}},
 {"name":"country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE","US","GB"],"index":true},
 {"name":"source","type":"text","options":{"max_length":10}},
 {"name":"value","type":"integer"}],
 "indexes":[["country","-timestamp","id"]]}
JSON
}

# bench_tenant slug: creates the tenant and applies the Event model; sets key (its admin
# key) and schema (t<id>_<slug>).
bench_tenant() {
	local created
	created=$(api POST /api/v1/tenants "$admin_key" "{\"slug\":\"$1\"}")
	key=$(jq -r .key.key <<<"$created")
	[[ $key == fk_* ]] || die "no tenant key in the answer"
	schema=$(jq -r .tenant.schema <<<"$created")
	[[ $schema =~ ^t[0-9]*_$1$ ]] || die "no tenant schema in the answer"
	api PUT "/api/v1/t/$1/models/$model" "$key" "$(event_model)" >/dev/null
}

# formaload_exec args...: formaload against this server's Event model, in place of the
# shell (as a background job, $! is formaload itself, which measure_forma samples)
formaload_exec() { GOMAXPROCS=${BENCH_LOAD_PROCS:-} exec "${app[@]}" "$work/formaload" -url "$base" -model "$model" -countries "$countries" "$@"; }

# --- CPU accounting --------------------------------------------------------------------
# On a shared machine throughput moves with whatever else runs, the CPU each part spends
# per request much less. Ticks are user+system time from /proc.
clk_tck=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# every postgres process, and what the postmaster reaped of exited backends; one cat
# and one awk, so that a sample takes milliseconds even on a loaded machine. A process
# that exits between pgrep and cat (an autovacuum worker: many tables start many) makes
# cat fail, which under pipefail would end the run: its ticks are the postmaster's now.
pg_ticks() {
	# shellcheck disable=SC2046 # one path per process
	{ cat $(pgrep -x postgres | sed 's|.*|/proc/&/stat|') 2>/dev/null || true; } | awk '{s += $14 + $15 + $16 + $17} END {print s + 0}'
}
# us_per ticks requests -> µs of CPU per request
us_per() { awk -v t="$1" -v n="$2" -v hz="$clk_tck" 'BEGIN {printf "%.0f", (n > 0 ? 1e6 * t / hz / n : 0)}'; }

# measure_forma label command...: runs the command (formaload with warmup and duration,
# in the place of its shell, so that $! is formaload) with its JSON going to
# $work/forma-<label>.json, samples forma's and Postgres's CPU inside the measured
# window, and writes "forma formaload postgres" (µs per request) to $work/cpu-forma-<label>.
measure_forma() {
	local label=$1
	shift
	psql_bench -c CHECKPOINT
	if [[ ${BENCH_PERF:-} == 1 ]]; then
		(sleep $((warmup + 1)) && perf record -e cpu-clock -F 499 -a -g -o "$work/perf-$label.data" -- sleep 10 \
			>/dev/null 2>&1) &
		perf_pid=$!
	fi
	"$@" >"$work/forma-$label.json" &
	local lp=$! f0 p0 f1 p1
	sleep "$warmup"
	f0=$(ticks "$server_pid") p0=$(pg_ticks)
	sleep "$duration"
	f1=$(ticks "$server_pid") p1=$(pg_ticks)
	wait "$lp" || die "formaload $label failed"
	[[ -n ${perf_pid:-} ]] && wait "$perf_pid" && perf_pid=
	cat "$work/forma-$label.json" >&2
	local n
	n=$(jq -r '.rps * .duration_s' "$work/forma-$label.json")
	echo "$(us_per $((f1 - f0)) "$n") $(jq -r '.cpu_us_per_req | round' "$work/forma-$label.json") $(us_per $((p1 - p0)) "$n")" \
		>"$work/cpu-forma-$label"
}

# measure_pgbench label script mode: pgbench -M mode with $clients clients on
# $work/<script>.sql, a warm-up run then $duration seconds with a per-transaction log;
# writes "pgbench postgres" (µs per transaction) to $work/cpu-pgbench-<label>.
measure_pgbench() {
	local label=$1 s=$2 mode=$3
	psql_bench -c CHECKPOINT
	say "pgbench $label: -c $clients -j 2 -M $mode, ${warmup}s warm-up, ${duration}s"
	if ((warmup > 0)); then
		"${app[@]}" "$pgbench" -n -M "$mode" -c "$clients" -j 2 -T "$warmup" -f "$work/$s.sql" "$bench_url" \
			>"$work/pgbench-$label-warmup.out" 2>&1 || { tail -5 "$work/pgbench-$label-warmup.out" >&2; die "pgbench $label (warm-up) failed"; }
	fi
	mkdir -p "$work/pglog-$label"
	(cd "$work/pglog-$label" && exec "${app[@]}" "$pgbench" -n -M "$mode" -c "$clients" -j 2 -T "$duration" -f "$work/$s.sql" -l \
		"$bench_url") >"$work/pgbench-$label.out" 2>&1 &
	# CPU inside the run, away from its connections' setup and teardown: from 1 s in to
	# 1 s before the end, against the transactions the log shows ending in between
	local bp=$! t0 t1 b0 b1 p0 p1
	sleep 1
	t0=$(date +%s.%N) b0=$(ticks "$bp") p0=$(pg_ticks)
	sleep $((duration - 2))
	t1=$(date +%s.%N) b1=$(ticks "$bp") p1=$(pg_ticks)
	wait "$bp" || { cat "$work/pgbench-$label.out" >&2; die "pgbench $label failed"; }
	grep -E '^(tps|latency average|number of failed)' "$work/pgbench-$label.out" >&2 || true
	local n
	# log lines: client, transaction, latency µs, script, end time (s), end time (µs)
	n=$(cat "$work/pglog-$label"/pgbench_log.* | awk -v a="$t0" -v b="$t1" '{t = $5 + $6 / 1e6} t >= a && t < b {n++} END {print n + 0}')
	echo "$(us_per $((b1 - b0)) "$n") $(us_per $((p1 - p0)) "$n")" >"$work/cpu-pgbench-$label"
}

# pgbench_stats label -> "tps lat_avg p50 p99" (ms), percentiles from the per-transaction log
pgbench_stats() {
	local out=$work/pgbench-$1.out tps avg
	tps=$(sed -nE 's/^tps = ([0-9.]+) \(without.*/\1/p' "$out")
	avg=$(sed -nE 's/^latency average = ([0-9.]+) ms.*/\1/p' "$out")
	cat "$work/pglog-$1"/pgbench_log.* | awk '{print $3}' | sort -n >"$work/pglat-$1"
	local n p50 p99
	n=$(wc -l <"$work/pglat-$1")
	p50=$(awk -v n="$n" 'NR == int(n*0.50+0.5) {printf "%.3f", $1/1000}' "$work/pglat-$1")
	p99=$(awk -v n="$n" 'NR == int(n*0.99+0.5) {printf "%.3f", $1/1000}' "$work/pglat-$1")
	echo "$tps $avg $p50 $p99"
}
