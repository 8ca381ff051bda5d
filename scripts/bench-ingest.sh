#!/usr/bin/env bash
# bench-ingest.sh is `make bench-ingest`: how fast events get in. A real `forma serve` on
# loopback against a fresh database, one tenant with the Event model (as bench-load.sh
# applies it), and BENCH_ROWS events (default 100,000) written, in each of BENCH_RUNS
# rounds (default 3), in turn:
#
#   minimal  POST /data/event with JSON arrays of BENCH_BATCH rows (default 1,000) and
#            Prefer: return=minimal, by BENCH_CLIENTS clients (default 1), each one curl
#            process sending its arrays one after another on one connection
#   echo     the same arrays without Prefer: every record is answered
#   copy     psql \copy of the same rows (CSV) into a table of the same shape (CREATE
#            TABLE … (LIKE … INCLUDING ALL): the identity, defaults and indexes)
#
# Both tables are emptied before each write. It prints rows/s of each and, at the end,
# the medians and minimal / copy and echo / copy. Figures: README (bulk writes).
#
# Environment (all optional): BENCH_RUNS, BENCH_ROWS, BENCH_BATCH, BENCH_CLIENTS, and
# bench-lib.sh's BENCH_PG, BENCH_PG_QUERY, BENCH_REDIS_URL, BENCH_LOG_LEVEL, BENCH_GOGC,
# BENCH_KEEP, BENCH_FORMA_BIN; BENCH_DB (default forma_bench_ingest).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

runs=${BENCH_RUNS:-3}
rows=${BENCH_ROWS:-100000}
batch=${BENCH_BATCH:-1000}
BENCH_CLIENTS=${BENCH_CLIENTS:-1}
bench_name=bench-ingest bench_db=forma_bench_ingest
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
((runs >= 1 && rows >= 1 && batch >= 1 && clients >= 1)) || die "BENCH_RUNS, BENCH_ROWS, BENCH_BATCH and BENCH_CLIENTS must be at least 1"
command -v python3 >/dev/null || die "python3 not found (it writes the rows)"

bench_start
tenant=bench
bench_tenant "$tenant"
table="\"$schema\".\"$model\""
psql_bench -c "CREATE TABLE public.copy_event (LIKE $table INCLUDING ALL)"

# The same rows twice: JSON arrays for forma (timestamp is auto_now_add: forma sets it),
# CSV for psql with a timestamp of the same moment.
say "writing $rows rows in arrays of $batch, and as CSV"
python3 - "$work" "$rows" "$batch" <<'PY'
import json, random, sys
work, rows, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(1)
countries, now = ["PL", "DE", "US", "GB"], "2026-01-01 00:00:00+00"
evs = [{"country": rng.choice(countries), "source": "src%d" % rng.randrange(100), "value": rng.randrange(1000)} for _ in range(rows)]
with open(work + "/rows.csv", "w") as f:
    for e in evs:
        f.write("%s,%s,%s,%d\n" % (now, e["country"], e["source"], e["value"]))
for i, start in enumerate(range(0, rows, batch)):
    with open("%s/batch-%06d.json" % (work, i), "w") as f:
        json.dump(evs[start:start + batch], f, separators=(",", ":"))
PY
mapfile -t files < <(ls "$work"/batch-*.json)

# post [prefer]: every array, by $clients curl processes; fails on any answer but 201.
post() {
	local c pids=() code
	for ((c = 0; c < clients; c++)); do
		local args=() i
		for ((i = c; i < ${#files[@]}; i += clients)); do
			((i > c)) && args+=(--next)
			args+=(-sS -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json'
				${1:+-H "Prefer: $1"} --data-binary "@${files[i]}" "$base/api/v1/t/$tenant/data/$model")
		done
		curl "${args[@]}" >"$work/codes.$c" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	code=$(cat "$work"/codes.* | sort | uniq -c | tr -s ' ')
	[[ $code == " ${#files[@]} 201" ]] || die "answers: $code"
}
empty() { psql_bench -c "TRUNCATE $table RESTART IDENTITY; TRUNCATE public.copy_event RESTART IDENTITY; CHECKPOINT"; }
count() { psql_bench -c "SELECT count(*) FROM $1"; }
rate() { python3 -c "import sys; print(round($rows / (float(sys.argv[2]) - float(sys.argv[1]))))" "$1" "$2"; }

declare -A got
for ((r = 1; r <= runs; r++)); do
	for what in minimal echo copy; do
		empty
		t0=$(date +%s.%N)
		case $what in
		minimal) post return=minimal ;;
		echo) post ;;
		copy) psql_bench -c "\\copy public.copy_event (timestamp, country, source, value) FROM '$work/rows.csv' (FORMAT csv)" ;;
		esac
		t1=$(date +%s.%N)
		target=$table
		[[ $what == copy ]] && target=public.copy_event
		[[ $(count "$target") == "$rows" ]] || die "$what: $(count "$target") rows, not $rows"
		got[$what]+="$(rate "$t0" "$t1") "
		say "round $r: $what $(rate "$t0" "$t1") rows/s"
	done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m_min=$(median "${got[minimal]}") m_echo=$(median "${got[echo]}") m_copy=$(median "${got[copy]}")
echo "bench-ingest: $rows rows, arrays of $batch, $clients client(s), $runs rounds (rows/s, medians)"
echo "  minimal  ${got[minimal]}-> $m_min ($(python3 -c "print(round(100*$m_min/$m_copy))")% of copy)"
echo "  echo     ${got[echo]}-> $m_echo ($(python3 -c "print(round(100*$m_echo/$m_copy))")% of copy)"
echo "  copy     ${got[copy]}-> $m_copy"
