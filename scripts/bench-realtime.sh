#!/usr/bin/env bash
# bench-realtime.sh is `make bench-realtime`: what live changes cost. A real `forma serve`
# on loopback against a fresh database, BENCH_TENANTS tenants (default 100) with the Event
# model, then:
#
#   memory    BENCH_STREAMS change streams (default 10,000) open over the tenants, held
#             open: forma's RSS before and with them open, per stream
#   delivery  the same streams open while BENCH_RATE records a second (default 1,000) are
#             created over the tenants for BENCH_DURATION seconds: from each record's
#             created_at to its arrival on every stream of its tenant, p50 and p99, and
#             whether every stream got every record
#   create    the create case (formaload, 32 clients) on one tenant's model with 0, 1 and
#             BENCH_SUBSCRIBERS (default 1,000) streams open on that model, alternated
#             BENCH_RUNS rounds (default 3): req/s and the ratio to 0 subscribers
#
# Figures and how to read them: docs/benchmarks-realtime.md.
#
# Environment (all optional), besides bench-lib.sh's BENCH_PG, BENCH_PG_QUERY,
# BENCH_REDIS_URL, BENCH_LOG_LEVEL, BENCH_GOGC, BENCH_KEEP, BENCH_FORMA_BIN,
# BENCH_LOAD_BIN, BENCH_CLIENTS, BENCH_WARMUP: BENCH_TENANTS, BENCH_STREAMS, BENCH_RATE,
# BENCH_DURATION (default 20), BENCH_SUBSCRIBERS, BENCH_RUNS, BENCH_CASES (default
# "memory delivery create"), BENCH_DB (default forma_bench_realtime).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BENCH_DURATION=${BENCH_DURATION:-20}
tenants=${BENCH_TENANTS:-100}
streams=${BENCH_STREAMS:-10000}
rate=${BENCH_RATE:-1000}
subscribers=${BENCH_SUBSCRIBERS:-1000}
runs=${BENCH_RUNS:-3}
bench_name=bench-realtime bench_db=forma_bench_realtime
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
((tenants >= 1 && streams >= 1 && subscribers >= 1 && runs >= 1)) || die "BENCH_TENANTS, BENCH_STREAMS, BENCH_SUBSCRIBERS and BENCH_RUNS must be at least 1"
per_tenant=$(((streams + tenants - 1) / tenants))
# The streams' own bounds are lifted to what the run opens, and the connections forma
# serves at once (a stream is a connection); file descriptors too (one on each side).
max_per_tenant=$((per_tenant > subscribers ? per_tenant : subscribers))
serve_env=("FORMA_CHANGES_MAX_STREAMS=$((streams + subscribers + 10))" "FORMA_CHANGES_MAX_STREAMS_PER_TENANT=$((max_per_tenant + 1))"
	"FORMA_MAX_CONNS=$((streams + subscribers + 200))")
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) > streams + 1000)) || die "open files limit $(ulimit -n) is below the $streams streams the run opens"

bench_start
event_model >"$work/model.json"
rss() { awk -v f="$1:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status"; } # VmRSS, VmHWM -> MiB
rss_kib() { awk '$1 == "VmRSS:" {print $2}' "/proc/$server_pid/status"; }
load_bg() { GOMAXPROCS=${BENCH_LOAD_PROCS:-} "${app[@]}" "$work/formaload" -url "$base" -model "$model" -countries "$countries" "$@"; }

say "creating $tenants tenants with the Event model"
load_bg -admin-key "$admin_key" -case setup -n "$tenants" -prefix rt -definition "$work/model.json" -rows 1 -batch 1 \
	-c 8 -out "$work/tenants.txt" >"$work/setup.json"
head -1 "$work/tenants.txt" >"$work/one.txt"

for c in ${BENCH_CASES:-memory delivery create}; do
	case $c in
	memory)
		sleep 2
		before=$(rss_kib)
		load_bg -case streams -tenants "$work/tenants.txt" -streams "$streams" -rate 0 -duration 10s >"$work/memory.json" 2>"$work/memory.err" &
		lp=$!
		# sampled once every stream is open (formaload says so), while they are held
		until grep -q 'streams open' "$work/memory.err" 2>/dev/null; do
			kill -0 "$lp" 2>/dev/null || { cat "$work/memory.err" >&2; die "formaload memory failed"; }
			sleep 0.2
		done
		sleep 3
		with=$(rss_kib)
		wait "$lp" || die "formaload memory failed"
		open_s=$(jq -r .open_s "$work/memory.json")
		printf 'memory: %d streams over %d tenants opened in %.1f s; forma RSS %.0f MiB before, %.0f MiB with them open: %.1f KiB per stream\n' \
			"$streams" "$tenants" "$open_s" "$(echo "$before / 1024" | bc -l)" "$(echo "$with / 1024" | bc -l)" \
			"$(echo "($with - $before) / $streams" | bc -l)"
		;;
	delivery)
		t0=$(ticks "$server_pid") p0=$(pg_ticks)
		load_bg -case streams -tenants "$work/tenants.txt" -streams "$streams" -rate "$rate" -c 64 \
			-duration "${BENCH_DURATION}s" -warmup 2s >"$work/delivery.json" || say "formaload delivery: some deliveries missing (see below)"
		t1=$(ticks "$server_pid") p1=$(pg_ticks)
		jq -c . "$work/delivery.json" >&2
		jq -r --arg f "$(us_per $((t1 - t0)) "$(jq .creates "$work/delivery.json")")" --arg p "$(us_per $((p1 - p0)) "$(jq .creates "$work/delivery.json")")" \
			'"delivery: \(.streams) streams over \(.tenants) tenants, \(.creates) creates in \(.duration_s) s (\(.rate_wanted)/s asked): \(.deliveries) of \(.expected) deliveries, commit to delivery p50 \(.delivery_p50_ms) ms p99 \(.delivery_p99_ms) ms max \(.delivery_max_ms) ms; creates p50 \(.create_p50_ms) ms p99 \(.create_p99_ms) ms; CPU per create: forma \($f) µs, Postgres \($p) µs"' \
			"$work/delivery.json"
		;;
	create)
		declare -A rates=()
		for r in $(seq 1 "$runs"); do
			for n in 0 1 "$subscribers"; do
				hold=
				if ((n > 0)); then
					load_bg -case streams -tenants "$work/one.txt" -streams "$n" -rate 0 -duration $((BENCH_DURATION + 10))s >/dev/null &
					hold=$!
					sleep 5
				fi
				load_bg -case create -tenants "$work/one.txt" -c "$clients" -duration "${BENCH_DURATION}s" -warmup "${warmup}s" \
					>"$work/create-$n-$r.json"
				[[ -n $hold ]] && { kill "$hold" 2>/dev/null || true; wait "$hold" 2>/dev/null || true; }
				rates[$n]+="$(jq -r .rps "$work/create-$n-$r.json") "
				printf 'create, round %d, %d subscribers: %s\n' "$r" "$n" "$(jq -c '{rps, p50_ms, p99_ms}' "$work/create-$n-$r.json")"
			done
		done
		median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
		# shellcheck disable=SC2086 # the rates are words
		base0=$(median ${rates[0]})
		for n in 0 1 "$subscribers"; do
			# shellcheck disable=SC2086
			m=$(median ${rates[$n]})
			printf 'create with %d subscribers: median %.0f req/s, %.0f%% of none\n' "$n" "$m" "$(echo "100 * $m / $base0" | bc -l)"
		done
		;;
	*) die "unknown case $c in BENCH_CASES (memory, delivery, create)" ;;
	esac
done
