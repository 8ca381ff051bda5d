#!/usr/bin/env bash
# bench-load.sh is the load run of `make bench` (`make bench-load`): a real `forma serve`
# on loopback against a fresh database, the talk's Event model with 100,000 rows, and
# for each case (create, get by id, list a page of 20 by country sorted by -timestamp)
# formaload with 32 clients for a fixed time, then pgbench running the same SQL at the
# same concurrency against the same table. It prints two tables: Forma's req/s and
# latencies beside pgbench's, with their ratio against the aims (get and list 35%, create 50% of pgbench), and the CPU
# each process spent per request.
# Figures and how to read them: docs/benchmarks-load.md.
#
# Environment (all optional):
#   BENCH_DURATION     seconds measured per case and tool (default 15)
#   BENCH_WARMUP       seconds run before measuring, per case and tool (default 2)
#   BENCH_CLIENTS      concurrent clients for formaload and pgbench (default 32)
#   BENCH_ROWS         rows loaded before the cases (default 100000, bulk POSTs of 1,000)
#   BENCH_PG           server URL without database (default postgres://postgres@127.0.0.1:5432)
#   BENCH_PG_QUERY     connection parameters for forma, pgbench and psql alike (default
#                      sslmode=disable; host=/var/run/postgresql&sslmode=disable: the Unix socket)
#   BENCH_DB           database created and dropped (default forma_bench)
#   BENCH_REDIS_URL    Redis for the model cache when it answers (default
#                      redis://127.0.0.1:6379/15; set it empty to run without Redis)
#   BENCH_LOG_LEVEL    forma's FORMA_LOG_LEVEL, info or debug (default info: one log line
#                      per request, as shipped; the log goes to a file, and the script reads
#                      forma's URL from it)
#   BENCH_GOGC         forma's GOGC (default unset: forma's own default, 400)
#   BENCH_LOAD_PROCS   formaload's GOMAXPROCS (default unset: one per CPU)
#   BENCH_PERF=1       record 10 s of every CPU with `perf record -a -g` during each Forma
#                      case (perf-<case>.data in the work directory; implies BENCH_KEEP=1);
#                      `perf report -i F --sort comm` splits forma/postgres/formaload,
#                      `perf report -i F --comm forma --no-children` shows forma's costs
#   BENCH_KEEP=1       keep the work directory (logs, pgbench scripts) and the database
#   BENCH_CASES        the cases to run, in this order (default "get list create")
#   BENCH_FORMA_BIN    a forma binary to run instead of building this tree's (A/B runs)
#   BENCH_LOAD_BIN     the same for formaload
#   BENCH_SPLIT_CPUS=1 give Postgres a CPU of its own: the postmaster and every Postgres
#                      process (and so every backend it starts) pinned to the last CPU,
#                      forma, formaload and pgbench to the others (taskset; needs two
#                      CPUs or more and the right to change the postmaster's affinity);
#                      the postmaster's affinity is put back at exit
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

duration=${BENCH_DURATION:-15}
duration=${duration%s}
((duration >= 3)) || { echo "bench-load: BENCH_DURATION must be at least 3 (seconds)" >&2; exit 2; }
warmup=${BENCH_WARMUP:-2}
warmup=${warmup%s}
clients=${BENCH_CLIENTS:-32}
rows=${BENCH_ROWS:-100000}
pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
pg_query=${BENCH_PG_QUERY:-sslmode=disable}
dbname=${BENCH_DB:-forma_bench}
redis_url=${BENCH_REDIS_URL-redis://127.0.0.1:6379/15}
log_level=${BENCH_LOG_LEVEL:-info}
tenant=bench
model=event
countries=PL,DE,US,GB

say() { echo "bench-load: $*" >&2; }
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

work=$(mktemp -d "${TMPDIR:-/tmp}/forma-bench-load.XXXXXX")
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

# --- a fresh database and a real forma serve ------------------------------------------
say "database $dbname (dropped and created)"
psql_admin -c "DROP DATABASE IF EXISTS \"$dbname\" WITH (FORCE)" >/dev/null
psql_admin -c "CREATE DATABASE \"$dbname\"" >/dev/null

if [[ -n $redis_url ]]; then
	hostport=${redis_url#redis://}
	hostport=${hostport%%/*}
	hostport=${hostport##*@}
	if ! (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
		say "Redis does not answer at $redis_url: running without it"
		redis_url=
	fi
fi

[[ -n $redis_url ]] && command -v redis-cli >/dev/null && clean_redis
say "building forma and formaload"
binary() { # name [prebuilt]: this tree's build, or another build to compare with it
	if [[ -n $2 ]]; then cp "$2" "$work/$1"; else go build -o "$work/$1" "./backend/cmd/$1"; fi
}
binary forma "${BENCH_FORMA_BIN:-}"
binary formaload "${BENCH_LOAD_BIN:-}"

admin_key="fa_bench_$(head -c 18 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
# The tenant's request limits are lifted: the benchmark measures how much forma serves.
DATABASE_URL=$bench_url REDIS_URL=$redis_url FORMA_ADMIN_KEY=$admin_key \
	FORMA_TENANT_REQUESTS_PER_SECOND=0 FORMA_TENANT_CONCURRENT_REQUESTS=0 \
	FORMA_ADDR=127.0.0.1:0 FORMA_LOG_LEVEL=$log_level GOGC=${BENCH_GOGC:-} \
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
say "forma serve at $base (redis: ${redis_url:-none}, log level $log_level)"

api() { # method path key [body]
	local out
	out=$(curl -sS -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
		${4:+--data-binary "$4"} "$base$2")
	local code=${out##*$'\n'}
	[[ $code == 2* ]] || die "$1 $2 -> $code ${out%$'\n'*}"
	printf '%s' "${out%$'\n'*}"
}

# --- the tenant, the talk's Event model, 100,000 rows ---------------------------------
created=$(api POST /api/v1/tenants "$admin_key" "{\"slug\":\"$tenant\"}")
key=$(jq -r .key.key <<<"$created")
[[ $key == fk_* ]] || die "no tenant key in the answer"
schema=$(jq -r .tenant.schema <<<"$created") # t<id>_bench
[[ $schema =~ ^t[0-9]*_$tenant$ ]] || die "no tenant schema in the answer"
schema_table="\"$schema\".\"$model\""
schema_table_schema="\"$schema\""
api PUT "/api/v1/t/$tenant/models/$model" "$key" '{"name":"event","label":"Event","fields":[
 {"name":"timestamp","type":"datetime","options":{"auto_now_add":true}},
 {"name":"country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE","US","GB"],"index":true},
 {"name":"source","type":"text","options":{"max_length":10}},
 {"name":"value","type":"integer"}],
 "indexes":[["country","-timestamp","id"]]}' >/dev/null

# load_exec runs formaload in place of the shell: as a background job, $! is its pid
load_exec() { GOMAXPROCS=${BENCH_LOAD_PROCS:-} exec "${app[@]}" "$work/formaload" -url "$base" -key "$key" -tenant "$tenant" -model "$model" -countries "$countries" "$@"; }
load() { (load_exec "$@"); }
say "loading $rows rows (bulk POSTs of 1,000)"
load -case seed -rows "$rows" -batch 1000
read -r id_min id_max n < <(psql_bench -F' ' -c "SELECT min(id), max(id), count(*) FROM $schema_table")
[[ $n == "$rows" ]] || die "expected $rows rows, found $n"
psql_bench -c "VACUUM ANALYZE $schema_table"
{
	echo "-- the table as Forma created it"
	psql_bench -c "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = '$schema_table'::regclass ORDER BY 1"
} >"$work/indexes.txt"
say "indexes Forma created: $(grep -c . "$work/indexes.txt" | awk '{print $1-1}')"
sed 1d "$work/indexes.txt" | sed 's/^/  /' >&2

# --- the same SQL for pgbench (what backend/internal/records runs; -M prepared, as pgx
# caches prepared statements per connection) -----------------------------------------
cols='"id", "created_at", "updated_at", "timestamp", "country", "source", "value"'
arr="(ARRAY['PL','DE','US','GB'])"
cat >"$work/create.sql" <<SQL
\set ci random(1, 4)
\set v random(0, 999)
INSERT INTO $schema_table ("country", "source", "value", "timestamp") VALUES ($arr[:ci], 'web', :v, now()) RETURNING $cols;
SQL
cat >"$work/get.sql" <<SQL
\set id random($id_min, $id_max)
SELECT $cols FROM $schema_table WHERE "id" = :id;
SQL
cat >"$work/list.sql" <<SQL
\set ci random(1, 4)
SELECT $cols FROM $schema_table WHERE "country" = $arr[:ci] ORDER BY "timestamp" DESC, "id" LIMIT 21;
SQL

# --- the cases --------------------------------------------------------------------------
results=$work/results.tsv
: >"$results"

# CPU accounting: on a shared machine throughput moves with whatever else runs, the CPU
# each part spends per request much less. Ticks are user+system time from /proc.
clk_tck=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# every postgres process, and what the postmaster reaped of exited backends; one cat
# and one awk, so that a sample takes milliseconds even on a loaded machine
pg_ticks() {
	# shellcheck disable=SC2046 # one path per process
	cat $(pgrep -x postgres | sed 's|.*|/proc/&/stat|') 2>/dev/null | awk '{s += $14 + $15 + $16 + $17} END {print s + 0}'
}
# us_per ticks requests -> µs of CPU per request
us_per() { awk -v t="$1" -v n="$2" -v hz="$clk_tck" 'BEGIN {printf "%.0f", (n > 0 ? 1e6 * t / hz / n : 0)}'; }

run_forma() { # case label: formaload's JSON into $work/forma-<label>.json
	local c=$1 label=$2
	psql_bench -c CHECKPOINT
	if [[ ${BENCH_PERF:-} == 1 ]]; then
		(sleep $((warmup + 1)) && perf record -e cpu-clock -F 499 -a -g -o "$work/perf-$label.data" -- sleep 10 \
			>/dev/null 2>&1) &
		perf_pid=$!
	fi
	say "forma   $label: $clients clients, ${warmup}s warm-up, ${duration}s"
	load_exec -case "$c" -c "$clients" -duration "${duration}s" -warmup "${warmup}s" -id-min "$id_min" -id-max "$id_max" \
		>"$work/forma-$label.json" &
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

run_pgbench() { # script label
	local s=$1 label=$2
	psql_bench -c CHECKPOINT
	say "pgbench $label: -c $clients -j 2 -M prepared, ${warmup}s warm-up, ${duration}s"
	if ((warmup > 0)); then
		"${app[@]}" "$pgbench" -n -M prepared -c "$clients" -j 2 -T "$warmup" -f "$work/$s.sql" "$bench_url" >/dev/null 2>&1
	fi
	mkdir -p "$work/pglog-$label"
	(cd "$work/pglog-$label" && exec "${app[@]}" "$pgbench" -n -M prepared -c "$clients" -j 2 -T "$duration" -f "$work/$s.sql" -l \
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

record() { # case label aim
	local f=$work/forma-$2.json
	echo -e "$2\t$(jq -r '[.rps, .p50_ms, .p99_ms] | @tsv' "$f")\t$(pgbench_stats "$2" | tr ' ' '\t')\t$3" >>"$results"
	echo -e "$2\t$(tr ' ' '\t' <"$work/cpu-forma-$2")\t$(tr ' ' '\t' <"$work/cpu-pgbench-$2")" >>"$work/cpu.tsv"
}

# Reads first, so they see exactly the rows loaded; create last (it grows the table).
declare -A aims=([get]=35 [list]=35 [create]=50)
for c in ${BENCH_CASES:-get list create}; do
	[[ -n ${aims[$c]:-} ]] || die "unknown case $c in BENCH_CASES (get, list, create)"
	run_forma "$c" "$c"
	run_pgbench "$c" "$c"
	record "$c" "$c" "${aims[$c]}"
done

# --- the table -------------------------------------------------------------------------
{
	echo
	echo "Forma vs pgbench: $clients clients, ${duration}s per case, $rows rows loaded; $(nproc) CPUs; Postgres: $bench_url; Redis: ${redis_url:-none}"
	echo
	echo "| case | Forma req/s | Forma p50 ms | Forma p99 ms | pgbench tps | pgbench avg ms | pgbench p50 ms | pgbench p99 ms | Forma/pgbench | aim |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	while IFS=$'\t' read -r label rps p50 p99 tps avg pp50 pp99 aim; do
		awk -v l="$label" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v tps="$tps" -v avg="$avg" \
			-v pp50="$pp50" -v pp99="$pp99" -v aim="$aim" 'BEGIN {
			r = 100 * rps / tps
			printf "| %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %.1f%% | >= %d%% %s |\n",
				l, rps, p50, p99, tps, avg, pp50, pp99, r, aim, (r >= aim ? "met" : "MISSED")
		}'
	done <"$results"
	echo
	echo "CPU per request, in µs of user+system time (from /proc), in the measured window:"
	echo
	echo "| case | forma | formaload | postgres (Forma) | Forma total | pgbench | postgres (pgbench) | pgbench total |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r label f l p b q; do
		echo "| $label | $f | $l | $p | $((f + l + p)) | $b | $q | $((b + q)) |"
	done <"$work/cpu.tsv"
	echo
	echo "Indexes on $schema_table, all created by Forma from the model:"
	sed 1d "$work/indexes.txt" | sed 's/^/  /'
}
