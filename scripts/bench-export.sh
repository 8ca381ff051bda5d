#!/usr/bin/env bash
# bench-export.sh: what an export costs against Postgres' own COPY. A real `forma serve`
# on loopback against a fresh database, one tenant with the Event model (bench-lib.sh's
# event_model) and BENCH_ROWS rows, then BENCH_RUNS alternated rounds of
#
#   forma  curl GET /t/bench/data/event/export?format=csv (every row, id order) to /dev/null
#   copy   psql -c "\copy (SELECT <the same columns> FROM <schema>.event ORDER BY id) TO STDOUT CSV HEADER"
#          to /dev/null
#
# printing each round's seconds and rows/s, then the medians and forma / copy.
#
# Environment (all optional): BENCH_RUNS (default 3), BENCH_ROWS (default 100000),
# BENCH_FORMAT (csv or ndjson, default csv), besides bench-lib.sh's BENCH_PG,
# BENCH_PG_QUERY, BENCH_REDIS_URL, BENCH_LOG_LEVEL, BENCH_GOGC, BENCH_KEEP,
# BENCH_FORMA_BIN, BENCH_DB (default forma_bench_export).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

runs=${BENCH_RUNS:-3}
rows=${BENCH_ROWS:-100000}
format=${BENCH_FORMAT:-csv}
BENCH_CLIENTS=${BENCH_CLIENTS:-1}
bench_name=bench-export bench_db=forma_bench_export
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
((runs >= 1 && rows >= 1)) || die "BENCH_RUNS and BENCH_ROWS must be at least 1"

bench_start
bench_tenant bench
psql_bench -c "INSERT INTO \"$schema\".event (timestamp, country, source, value)
 SELECT now() - g * interval '1 second', (ARRAY['PL','DE','US','GB'])[1 + g % 4], 'src' || (g % 50), g % 1000
 FROM generate_series(1, $rows) g; ANALYZE \"$schema\".event" >/dev/null
say "$rows events in $schema.event"
copy_sql="\\copy (SELECT id, created_at, updated_at, \"timestamp\", country, source, value FROM \"$schema\".event ORDER BY id) TO STDOUT CSV HEADER"

now() { date +%s.%N; }
forma_secs=() copy_secs=()
for ((i = 1; i <= runs; i++)); do
	t0=$(now)
	lines=$(curl -fsS -H "Authorization: Bearer $key" "$base/api/v1/t/bench/data/event/export?format=$format" | wc -l)
	t1=$(now)
	copied=$(psql "$bench_url" -qAtX -c "$copy_sql" | wc -l)
	t2=$(now)
	f=$(echo "$t1 - $t0" | bc -l) c=$(echo "$t2 - $t1" | bc -l)
	forma_secs+=("$f") copy_secs+=("$c")
	printf 'round %d: forma %.3f s (%d lines, %.0f rows/s)  copy %.3f s (%d lines, %.0f rows/s)\n' \
		"$i" "$f" "$lines" "$(echo "$rows / $f" | bc -l)" "$c" "$copied" "$(echo "$rows / $c" | bc -l)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
fm=$(median "${forma_secs[@]}") cm=$(median "${copy_secs[@]}")
printf 'median: forma %.0f rows/s, copy %.0f rows/s, forma/copy %.0f%%\n' \
	"$(echo "$rows / $fm" | bc -l)" "$(echo "$rows / $cm" | bc -l)" "$(echo "100 * $cm / $fm" | bc -l)"
