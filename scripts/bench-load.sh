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

bench_name=bench-load bench_db=forma_bench
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
rows=${BENCH_ROWS:-100000}
tenant=bench

bench_start

# --- the tenant, the talk's Event model, 100,000 rows ---------------------------------
bench_tenant "$tenant" # key, schema: t<id>_bench
schema_table="\"$schema\".\"$model\""

load_exec() { formaload_exec -key "$key" -tenant "$tenant" "$@"; }
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

run_forma() { # case label: formaload's JSON into $work/forma-<label>.json
	say "forma   $2: $clients clients, ${warmup}s warm-up, ${duration}s"
	measure_forma "$2" load_exec -case "$1" -c "$clients" -duration "${duration}s" -warmup "${warmup}s" \
		-id-min "$id_min" -id-max "$id_max"
}

run_pgbench() { measure_pgbench "$2" "$1" prepared; } # script label

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
