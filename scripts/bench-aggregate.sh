#!/usr/bin/env bash
# bench-aggregate.sh is `make bench-aggregate`: what an aggregation costs against
# Postgres running the same GROUP BY. A real `forma serve` on loopback against a fresh
# database, one tenant with an event model (timestamp datetime, country text max 3,
# source text max 10, value float) and BENCH_ROWS rows over one month of timestamps, then
# BENCH_RUNS alternated rounds of two cases, each with forma and with pgbench:
#
#   country  forma   formaload GET /data/event/aggregate?group_by=country
#            pgbench SELECT country, count(*) ... GROUP BY 1 ORDER BY 1 LIMIT 100
#   day      forma   formaload GET /data/event/aggregate?group_by=timestamp__day&measures=sum:value
#            pgbench SELECT <the day in UTC>, sum(value) ... GROUP BY 1 ORDER BY 1 LIMIT 100
#
# with the same clients (BENCH_CLIENTS, default 2: each statement reads every row) and
# pgbench -M prepared, as forma's statements are. It prints each round's requests per
# second, then the medians and forma / pgbench. Figures: docs/benchmarks-aggregate.md.
#
# Environment (all optional), besides bench-lib.sh's BENCH_DURATION (default here 10),
# BENCH_WARMUP, BENCH_PG, BENCH_PG_QUERY, BENCH_REDIS_URL, BENCH_LOG_LEVEL, BENCH_GOGC,
# BENCH_LOAD_PROCS, BENCH_KEEP, BENCH_FORMA_BIN, BENCH_LOAD_BIN:
#   BENCH_RUNS   rounds (default 3)
#   BENCH_ROWS   rows (default 1000000)
#   BENCH_CASES  the cases (default "country day")
#   BENCH_DB     database created and dropped (default forma_bench_aggregate)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_CLIENTS=${BENCH_CLIENTS:-2}
runs=${BENCH_RUNS:-3}
rows=${BENCH_ROWS:-1000000}
cases=${BENCH_CASES:-country day}
bench_name=bench-aggregate bench_db=forma_bench_aggregate
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
((runs >= 1 && rows >= 1)) || die "BENCH_RUNS and BENCH_ROWS must be at least 1"

bench_start
tenant=bench
created=$(api POST /api/v1/tenants "$admin_key" "{\"slug\":\"$tenant\"}")
key=$(jq -r .key.key <<<"$created") schema=$(jq -r .tenant.schema <<<"$created")
[[ $key == fk_* && $schema =~ ^t[0-9]*_$tenant$ ]] || die "no tenant key or schema in the answer"
api PUT "/api/v1/t/$tenant/models/$model" "$key" '{"name":"event","fields":[
 {"name":"timestamp","type":"datetime"},
 {"name":"country","type":"text","options":{"max_length":3}},
 {"name":"source","type":"text","options":{"max_length":10}},
 {"name":"value","type":"float"}]}' >/dev/null
table="\"$schema\".\"$model\""
say "loading $rows events over March 2025"
psql_bench -c "INSERT INTO $table (timestamp, country, source, value)
 SELECT timestamptz '2025-03-01' + (g % 2678400) * interval '1 second', (ARRAY['PL','DE','US','GB','FR','ES','IT'])[1 + g % 7],
  'src' || (g % 50), (g % 1000) / 10.0
 FROM generate_series(1, $rows) g" >/dev/null
psql_bench -c "VACUUM ANALYZE $table" >/dev/null

declare -A query sql
query[country]="group_by=country"
sql[country]="SELECT country, count(*) FROM $table GROUP BY 1 ORDER BY 1 LIMIT 100;"
query[day]="group_by=timestamp__day&measures=sum:value"
sql[day]="SELECT date_trunc('day', \"timestamp\" AT TIME ZONE 'UTC')::date::text, sum(value)::float8 FROM $table GROUP BY 1 ORDER BY 1 LIMIT 100;"
for c in $cases; do
	[[ -n ${query[$c]:-} ]] || die "unknown case $c (country, day)"
	echo "${sql[$c]}" >"$work/$c.sql"
	# both answer the same groups
	f=$(api GET "/api/v1/t/$tenant/data/$model/aggregate?${query[$c]}" "$key" | jq -r '.data | length')
	p=$(psql_bench -c "${sql[$c]}" | wc -l)
	[[ $f == "$p" && $f -gt 0 ]] || die "case $c: forma answers $f groups, Postgres $p"
done

rows_tsv=$work/rows.tsv
: >"$rows_tsv"
for r in $(seq 1 "$runs"); do
	for c in $cases; do
		say "round $r: $c, $clients clients, ${warmup}s warm-up, ${duration}s"
		measure_forma "$c-$r" formaload_exec -tenant "$tenant" -key "$key" -model "$model/aggregate" -case list \
			-query "${query[$c]}" -c "$clients" -duration "${duration}s" -warmup "${warmup}s"
		measure_pgbench "$c-$r" "$c" prepared
		read -r tps _ <<<"$(pgbench_stats "$c-$r")"
		fr=$(jq -r .rps "$work/forma-$c-$r.json")
		printf '%s\t%s\t%s\t%s\n' "$r" "$c" "$fr" "$tps" >>"$rows_tsv"
		printf 'round %d %-8s forma %8.2f req/s   pgbench %8.2f tps   forma/pgbench %3.0f%%\n' \
			"$r" "$c" "$fr" "$tps" "$(echo "100 * $fr / $tps" | bc -l)"
	done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for c in $cases; do
	mapfile -t fs < <(awk -F'\t' -v c="$c" '$2 == c {print $3}' "$rows_tsv")
	mapfile -t ps < <(awk -F'\t' -v c="$c" '$2 == c {print $4}' "$rows_tsv")
	fm=$(median "${fs[@]}") pm=$(median "${ps[@]}")
	printf 'median %-8s forma %8.2f req/s   pgbench %8.2f tps   forma/pgbench %3.0f%%\n' "$c" "$fm" "$pm" "$(echo "100 * $fm / $pm" | bc -l)"
done
