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
# the medians and minimal / copy and echo / copy. Then, for 1 and for 4 clients (in
# BENCH_RUNS rounds each, alternated):
#
#   ndjson   the same rows as streamed NDJSON bodies (Content-Type: application/x-ndjson),
#            one body per client (BENCH_ROWS / clients rows each), curl -T
#   csv      the same as CSV bodies (text/csv)
#   copy     as many psql \copy processes at once, each of the same share of the rows
#
# and last one CSV body of BENCH_BIG_ROWS rows (default 1,000,000) in one request, with
# forma's peak resident memory during it (VmHWM of /proc/PID/status, reset before it
# through clear_refs). BENCH_ARRAYS=0 leaves the arrays out, BENCH_STREAMS=0 the
# streamed bodies, BENCH_BIG_ROWS=0 the big one. Figures: docs/ingest.md.
#
# Environment (all optional): BENCH_RUNS, BENCH_ROWS, BENCH_BATCH, BENCH_CLIENTS,
# BENCH_ARRAYS, BENCH_STREAMS, BENCH_BIG_ROWS, and
# bench-lib.sh's BENCH_PG, BENCH_PG_QUERY, BENCH_REDIS_URL, BENCH_LOG_LEVEL, BENCH_GOGC,
# BENCH_KEEP, BENCH_FORMA_BIN; BENCH_DB (default forma_bench_ingest).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

runs=${BENCH_RUNS:-3}
rows=${BENCH_ROWS:-100000}
batch=${BENCH_BATCH:-1000}
arrays=${BENCH_ARRAYS:-1}
streams=${BENCH_STREAMS:-1}
big_rows=${BENCH_BIG_ROWS:-1000000}
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
python3 - "$work" "$rows" "$batch" "$big_rows" <<'PY'
import json, random, sys
work, rows, batch, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(1)
countries, now = ["PL", "DE", "US", "GB"], "2026-01-01 00:00:00+00"
evs = [{"country": rng.choice(countries), "source": "src%d" % rng.randrange(100), "value": rng.randrange(1000)} for _ in range(rows)]
with open(work + "/rows.csv", "w") as f:
    for e in evs:
        f.write("%s,%s,%s,%d\n" % (now, e["country"], e["source"], e["value"]))
for i, start in enumerate(range(0, rows, batch)):
    with open("%s/batch-%06d.json" % (work, i), "w") as f:
        json.dump(evs[start:start + batch], f, separators=(",", ":"))
# streamed bodies: for k clients, k shares of the rows, as NDJSON, CSV for forma and
# CSV for psql
for k in (1, 4):
    for c in range(k):
        share = evs[c * rows // k:(c + 1) * rows // k]
        with open("%s/s%d-%d.ndjson" % (work, k, c), "w") as f:
            for e in share:
                f.write(json.dumps(e, separators=(",", ":")) + "\n")
        with open("%s/s%d-%d.csv" % (work, k, c), "w") as f:
            f.write("country,source,value\n")
            for e in share:
                f.write("%s,%s,%d\n" % (e["country"], e["source"], e["value"]))
        with open("%s/c%d-%d.csv" % (work, k, c), "w") as f:
            for e in share:
                f.write("%s,%s,%s,%d\n" % (now, e["country"], e["source"], e["value"]))
if big > 0:
    with open(work + "/big.csv", "w") as f:
        f.write("country,source,value\n")
        for i in range(big):
            f.write("%s,src%d,%d\n" % (countries[i % 4], i % 100, i % 1000))
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
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
pct() { python3 -c "print(round(100*$1/$2))"; }
for ((r = 1; r <= runs * arrays; r++)); do
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

# stream k format: k curl processes at once, each one body of its share; fails on any
# answer but 201 {"created":share}.
stream() {
	local c pids=() ctype=application/x-ndjson ext=ndjson
	[[ $2 == csv ]] && ctype=text/csv ext=csv
	for ((c = 0; c < $1; c++)); do
		curl -sS -o "$work/answer.$c" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $key" -H "Content-Type: $ctype" \
			-T "$work/s$1-$c.$ext" "$base/api/v1/t/$tenant/data/$model" >"$work/scodes.$c" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for ((c = 0; c < $1; c++)); do
		[[ $(cat "$work/scodes.$c") == 201 ]] || die "$2 body $c: $(cat "$work/scodes.$c") $(cat "$work/answer.$c")"
	done
}
# copies k: k psql \copy at once, each of its share.
copies() {
	local c pids=()
	for ((c = 0; c < $1; c++)); do
		psql_bench -c "\\copy public.copy_event (timestamp, country, source, value) FROM '$work/c$1-$c.csv' (FORMAT csv)" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
}
if ((streams)); then
	for k in 1 4; do
		for ((r = 1; r <= runs; r++)); do
			for what in ndjson csv copy; do
				empty
				t0=$(date +%s.%N)
				case $what in
				copy) copies "$k" ;;
				*) stream "$k" "$what" ;;
				esac
				t1=$(date +%s.%N)
				target=$table
				[[ $what == copy ]] && target=public.copy_event
				[[ $(count "$target") == "$rows" ]] || die "$what x$k: $(count "$target") rows, not $rows"
				got[$what$k]+="$(rate "$t0" "$t1") "
				say "$k client(s), round $r: $what $(rate "$t0" "$t1") rows/s"
			done
		done
	done
fi
if ((big_rows > 0)); then
	empty
	echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || say "cannot reset forma's VmHWM: the peak is since its start"
	t0=$(date +%s.%N)
	code=$(curl -sS -o "$work/answer.big" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" -H 'Content-Type: text/csv' \
		-T "$work/big.csv" "$base/api/v1/t/$tenant/data/$model")
	t1=$(date +%s.%N)
	[[ $code == 201 && $(cat "$work/answer.big") == "{\"created\":$big_rows}" ]] || die "big body: $code $(cat "$work/answer.big")"
	[[ $(count "$table") == "$big_rows" ]] || die "big body: $(count "$table") rows, not $big_rows"
	big_rate=$(python3 -c "import sys; print(round($big_rows / (float(sys.argv[2]) - float(sys.argv[1]))))" "$t0" "$t1")
	big_hwm=$(awk '/^VmHWM/ {print $2 " " $3}' "/proc/$server_pid/status")
	big_mb=$(du -m "$work/big.csv" | cut -f1)
fi
echo "bench-ingest: $rows rows, $runs rounds (rows/s, medians); load average $(cut -d' ' -f1-3 /proc/loadavg)"
if ((arrays)); then
	m_min=$(median "${got[minimal]}") m_echo=$(median "${got[echo]}") m_copy=$(median "${got[copy]}")
	echo " arrays of $batch, $clients client(s):"
	echo "  minimal  ${got[minimal]}-> $m_min ($(pct "$m_min" "$m_copy")% of copy)"
	echo "  echo     ${got[echo]}-> $m_echo ($(pct "$m_echo" "$m_copy")% of copy)"
	echo "  copy     ${got[copy]}-> $m_copy"
fi
if ((streams)); then
	for k in 1 4; do
		m_nd=$(median "${got[ndjson$k]}") m_csv=$(median "${got[csv$k]}") m_cp=$(median "${got[copy$k]}")
		echo " streamed bodies, $k client(s):"
		echo "  ndjson   ${got[ndjson$k]}-> $m_nd ($(pct "$m_nd" "$m_cp")% of copy)"
		echo "  csv      ${got[csv$k]}-> $m_csv ($(pct "$m_csv" "$m_cp")% of copy)"
		echo "  copy     ${got[copy$k]}-> $m_cp"
	done
fi
if ((big_rows > 0)); then
	echo " one CSV body of $big_rows rows ($big_mb MB): $big_rate rows/s; forma's peak RSS during it: $big_hwm"
fi
