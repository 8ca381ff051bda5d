#!/usr/bin/env bash
# bench-roles.sh is `make bench-roles`: what a custom role and an end-user token cost. A
# real `forma serve` on loopback against a fresh database, one tenant with the Event
# model (as bench-load.sh applies it) and BENCH_ROWS rows, and three callers of the same
# gets by id and lists (?country=<random>&sort=-timestamp&limit=20):
#
#   write   a key with the built-in write role
#   viewer  a key with the custom role viewer: list and get with a row filter
#           (country__in every country, so both callers see the same rows) and "*" fields
#   token   an HS256 token of the tenant's users acting as viewer, the same token on
#           every request (verified once, then served from the token cache)
#
# Each of BENCH_RUNS rounds (default 3) runs every case with every caller in turn, so all
# see the same load; it prints each round and the medians of viewer / write (the cost of
# the role's rules) and token / viewer (the cost of a cached token against a key).
# Figures: docs/benchmarks-roles.md.
#
# Environment (all optional), besides bench-load.sh's BENCH_DURATION (default here 10),
# BENCH_WARMUP, BENCH_CLIENTS, BENCH_PG, BENCH_PG_QUERY, BENCH_REDIS_URL, BENCH_LOG_LEVEL,
# BENCH_GOGC, BENCH_LOAD_PROCS, BENCH_KEEP, BENCH_FORMA_BIN, BENCH_LOAD_BIN:
#   BENCH_RUNS   rounds (default 3)
#   BENCH_ROWS   rows of the tenant (default 100000)
#   BENCH_CASES  the cases (default "get list")
#   BENCH_DB     database created and dropped (default forma_bench_roles)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BENCH_DURATION=${BENCH_DURATION:-10}
runs=${BENCH_RUNS:-3}
rows=${BENCH_ROWS:-100000}
cases=${BENCH_CASES:-get list}
bench_name=bench-roles bench_db=forma_bench_roles
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
((runs >= 1 && rows >= 1)) || die "BENCH_RUNS and BENCH_ROWS must be at least 1"
command -v openssl >/dev/null || die "openssl not found (it signs the test token)"

bench_start
tenant=bench
bench_tenant "$tenant"
admin=$key table="\"$schema\".\"$model\""
say "loading $rows rows (bulk POSTs of 1,000)"
(formaload_exec -tenant "$tenant" -key "$admin" -case seed -rows "$rows" -batch 1000)
psql_bench -c "VACUUM ANALYZE $table"
read -r id_min id_max < <(psql_bench -F' ' -c "SELECT min(id), max(id) FROM $table")

rule='{"filter": {"country__in": ["PL", "DE", "US", "GB"]}, "fields": "*"}'
api PUT "/api/v1/t/$tenant/roles/viewer" "$admin" "{\"permissions\": {\"$model\": {\"list\": $rule, \"get\": $rule}}}" >/dev/null
key_of() { api POST "/api/v1/t/$tenant/keys" "$admin" "{\"name\": \"bench $1\", \"role\": \"$1\"}" | jq -r .key; }
write_key=$(key_of write) viewer_key=$(key_of viewer)

secret=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
api PUT "/api/v1/t/$tenant/auth" "$admin" "{\"jwt\": {\"algorithm\": \"HS256\", \"secret\": \"$secret\"}}" >/dev/null
b64url() { base64 | tr '+/' '-_' | tr -d '=\n'; }
signing_input="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url).$(printf '{"sub":"user-1","role":"viewer","exp":%d}' $(($(date +%s) + 86400)) | b64url)"
token="$signing_input.$(printf '%s' "$signing_input" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)"
[[ $(api GET "/api/v1/t/$tenant/data/$model/$id_min" "$token" | jq -r .id) == "$id_min" ]] || die "the token does not read a record"

declare -A caller_key=([write]=$write_key [viewer]=$viewer_key [token]=$token)
callers=(write viewer token)
run_case() { # case caller round
	measure_forma "$1-$2-$3" formaload_exec -tenant "$tenant" -key "${caller_key[$2]}" -case "$1" -c "$clients" \
		-id-min "$id_min" -id-max "$id_max" -duration "${duration}s" -warmup "${warmup}s"
}
rows_tsv=$work/rows.tsv
: >"$rows_tsv"
for r in $(seq 1 "$runs"); do
	for c in $cases; do
		line="$r	$c"
		for who in "${callers[@]}"; do
			say "round $r: $c as $who, $clients clients, ${warmup}s warm-up, ${duration}s"
			run_case "$c" "$who" "$r"
			line+="	$(jq -r '[.rps, .p99_ms] | @tsv' "$work/forma-$c-$who-$r.json")"
		done
		echo "$line" >>"$rows_tsv"
	done
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
{
	echo
	echo "Roles and tokens: one tenant, $rows rows, $clients clients, ${duration}s per run, $runs rounds; $(nproc) CPUs; forma ${BENCH_FORMA_BIN:-this tree}; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| round | case | write req/s (p99 ms) | viewer req/s (p99 ms) | token req/s (p99 ms) | viewer / write | token / viewer |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r r c w w99 v v99 t t99; do
		printf '| %s | %s | %.0f (%.1f) | %.0f (%.1f) | %.0f (%.1f) | %.1f%% | %.1f%% |\n' \
			"$r" "$c" "$w" "$w99" "$v" "$v99" "$t" "$t99" "$(awk -v a="$v" -v b="$w" 'BEGIN {print 100 * a / b}')" "$(awk -v a="$t" -v b="$v" 'BEGIN {print 100 * a / b}')"
	done <"$rows_tsv"
	for c in $cases; do
		vw=$(awk -F'\t' -v c="$c" '$2 == c {print 100 * $5 / $3}' "$rows_tsv" | median)
		tv=$(awk -F'\t' -v c="$c" '$2 == c {print 100 * $7 / $5}' "$rows_tsv" | median)
		tw=$(awk -F'\t' -v c="$c" '$2 == c {print 100 * $7 / $3}' "$rows_tsv" | median)
		printf '| median | %s | | | | **%.1f%%** | **%.1f%%** (token / write %.1f%%) |\n' "$c" "$vw" "$tv" "$tw"
	done
}
