#!/usr/bin/env bash
# bench-noisy.sh is `make bench-noisy`: can one tenant starve another? A real `forma serve`
# on loopback against a fresh database, two tenants with the Event model (as
# bench-load.sh applies it):
#
#   noisy  BENCH_NOISY_ROWS rows (default 500,000), searched by BENCH_NOISY_CLIENTS
#          clients (default 16) with ?source__icontains=<a string no row holds>: source
#          has no index, so every list reads the whole table
#   quiet  BENCH_QUIET_ROWS rows (default 1,000), read by id by BENCH_QUIET_CLIENTS
#          clients (default 4)
#
# Each of BENCH_RUNS rounds (default 3) measures the quiet tenant's gets alone, then the
# same gets while the noisy tenant's lists run (started a second before, ending after).
# It prints each round and the medians: the quiet tenant's p50 and p99 alone and beside
# the noisy one, the ratio of the p99s, and the noisy tenant's lists per second (and its
# 429s, which a fair share may answer). Alongside, once per round, what the connections
# of the pool and Postgres's backends were doing in the middle of the noisy phase.
# Figures and how to read them: docs/benchmarks-noisy.md. To compare two builds, run it
# with BENCH_FORMA_BIN set to each in turn, alternating, so that both see the same load.
#
# Environment (all optional), besides bench-load.sh's BENCH_DURATION (default here 10),
# BENCH_WARMUP, BENCH_PG, BENCH_PG_QUERY, BENCH_REDIS_URL, BENCH_LOG_LEVEL, BENCH_GOGC,
# BENCH_LOAD_PROCS, BENCH_KEEP, BENCH_FORMA_BIN, BENCH_LOAD_BIN, BENCH_SPLIT_CPUS:
#   BENCH_RUNS           rounds (default 3)
#   BENCH_NOISY_ROWS     rows of the noisy tenant (default 500000)
#   BENCH_NOISY_CLIENTS  its concurrent lists (default 16)
#   BENCH_NOISY_QUERY    its list's query string (default source__icontains=zq)
#   BENCH_QUIET_ROWS     rows of the quiet tenant (default 1000)
#   BENCH_QUIET_CLIENTS  its concurrent gets (default 4)
#   BENCH_DB             database created and dropped (default forma_bench_noisy)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BENCH_DURATION=${BENCH_DURATION:-10}
runs=${BENCH_RUNS:-3}
noisy_rows=${BENCH_NOISY_ROWS:-500000}
noisy_clients=${BENCH_NOISY_CLIENTS:-16}
noisy_query=${BENCH_NOISY_QUERY:-source__icontains=zq}
quiet_rows=${BENCH_QUIET_ROWS:-1000}
quiet_clients=${BENCH_QUIET_CLIENTS:-4}
BENCH_CLIENTS=$((noisy_clients + quiet_clients)) # what bench_start checks Postgres's free connections against
bench_name=bench-noisy bench_db=forma_bench_noisy
bench_db_share=${FORMA_TENANT_DATABASE_CONNECTIONS:-} # forma's default unless set
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
((runs >= 1 && noisy_rows >= 1 && quiet_rows >= 1 && noisy_clients >= 1 && quiet_clients >= 1)) ||
	die "BENCH_RUNS, the row counts and the client counts must be at least 1"

bench_start
load() { formaload_exec "$@"; }

bench_tenant noisy
noisy_key=$key noisy_table="\"$schema\".\"$model\""
say "noisy tenant: $noisy_rows rows (INSERT ... SELECT, as the API's bulk creates would write them)"
psql_bench -c "INSERT INTO $noisy_table (country, source, value, timestamp)
	SELECT (ARRAY['PL','DE','US','GB'])[1 + i % 4], (ARRAY['web','ios','android','api','email'])[1 + i % 5], i % 1000,
		now() - i * interval '1 second'
	FROM generate_series(1, $noisy_rows) i"
bench_tenant quiet
quiet_key=$key quiet_table="\"$schema\".\"$model\""
say "quiet tenant: $quiet_rows rows through the API"
(load -tenant quiet -key "$quiet_key" -case seed -rows "$quiet_rows" -batch 1000)
read -r id_min id_max < <(psql_bench -F' ' -c "SELECT min(id), max(id) FROM $quiet_table")
psql_bench -c "VACUUM ANALYZE $noisy_table" -c "VACUUM ANALYZE $quiet_table"
[[ $(api GET "/api/v1/t/noisy/data/$model?$noisy_query" "$noisy_key" | jq '.data | length') == 0 ]] ||
	die "the noisy list ($noisy_query) finds rows: it should read the whole table"

quiet() { # label: the quiet tenant's gets, warmup then duration
	measure_forma "$1" load -tenant quiet -key "$quiet_key" -case get -c "$quiet_clients" -id-min "$id_min" -id-max "$id_max" \
		-duration "${duration}s" -warmup "${warmup}s"
}
# what the noisy phase looks like from inside, once, in its middle
snapshot() {
	sleep $((warmup + duration / 2))
	{
		echo "pool: $(curl -fsS "$base/metrics" | grep -E '^pgxpool_(acquired|idle|total|max)_conns' | awk '{printf "%s=%s ", $1, $2}' | sed 's/{[^}]*}//g')"
		echo "postgres backends (state, wait):"
		psql_bench -F' ' -c "SELECT coalesce(state, '-'), coalesce(wait_event_type || ':' || wait_event, 'cpu'), count(*)
			FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1, 2 ORDER BY 3 DESC" | sed 's/^/  /'
		echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$work/snapshot-$1" 2>&1
}
rows_tsv=$work/rows.tsv
: >"$rows_tsv"
for r in $(seq 1 "$runs"); do
	say "round $r: quiet tenant alone, $quiet_clients clients, ${warmup}s warm-up, ${duration}s"
	quiet "alone-$r"
	say "round $r: quiet tenant beside $noisy_clients clients of the noisy tenant's ?$noisy_query"
	(load -tenant noisy -key "$noisy_key" -case list -query "$noisy_query" -c "$noisy_clients" -allow-429 \
		-warmup "$((warmup + 1))s" -duration "$((duration + 2))s" >"$work/noisy-$r.json") &
	noisy_pid=$!
	sleep 1
	snapshot "$r" &
	snap_pid=$!
	quiet "beside-$r"
	wait "$noisy_pid" || die "the noisy tenant's formaload failed"
	wait "$snap_pid"
	cat "$work/noisy-$r.json" "$work/snapshot-$r" >&2
	echo -e "$r\t$(jq -r '[.p50_ms, .p99_ms, .max_ms] | @tsv' "$work/forma-alone-$r.json")\t$(jq -r '[.p50_ms, .p99_ms, .max_ms] | @tsv' "$work/forma-beside-$r.json")\t$(jq -r '[.rps, .rate_limited / .duration_s, .p50_ms] | @tsv' "$work/noisy-$r.json")\t$(jq -r .rps "$work/forma-alone-$r.json")\t$(jq -r .rps "$work/forma-beside-$r.json")" >>"$rows_tsv"
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
col() { cut -f"$1" "$rows_tsv" | median; }
{
	echo
	echo "Noisy neighbour: tenant noisy ($noisy_rows rows) runs $noisy_clients clients of ?$noisy_query; tenant quiet ($quiet_rows rows) $quiet_clients clients of gets by id; ${duration}s per phase, $runs rounds; $(nproc) CPUs; forma ${BENCH_FORMA_BIN:-this tree}; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| round | quiet alone p50 / p99 / max ms | quiet beside noisy p50 / p99 / max ms | p99 beside / alone | quiet gets/s alone / beside | noisy lists/s | noisy 429/s | noisy list p50 ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r r a50 a99 amax b50 b99 bmax nrps n429 n50 arps brps; do
		printf '| %s | %.2f / %.2f / %.1f | %.2f / %.2f / %.1f | %.2f | %.0f / %.0f | %.1f | %.1f | %.0f |\n' \
			"$r" "$a50" "$a99" "$amax" "$b50" "$b99" "$bmax" "$(awk -v a="$a99" -v b="$b99" 'BEGIN {print b / a}')" "$arps" "$brps" "$nrps" "$n429" "$n50"
	done <"$rows_tsv"
	a50=$(col 2) a99=$(col 3) b50=$(col 5) b99=$(col 6) nrps=$(col 8) n429=$(col 9) arps=$(col 11) brps=$(col 12)
	ratio=$(awk -F'\t' '{print $6 / $3}' "$rows_tsv" | median)
	printf '| median | %.2f / %.2f | %.2f / %.2f | %.2f | %.0f / %.0f | %.1f | %.1f | |\n' "$a50" "$a99" "$b50" "$b99" "$ratio" "$arps" "$brps" "$nrps" "$n429"
}
