#!/usr/bin/env bash
# bench-tenants.sh is `make bench-tenants`: the load run of bench-load.sh spread over
# many tenants. A real `forma serve` on loopback against a fresh database; BENCH_TENANTS
# tenants (bt0, bt1, ...), each with the talk's Event model (as bench-load.sh applies
# it) and 100 rows, created through the API BENCH_SETUP_CLIENTS at a time (formaload
# -case setup), and beside them one tenant with as many rows as all of them together.
# Then, per case (get by id, list a page of 20 by country sorted by -timestamp, create):
#
#   Forma, N tenants   formaload -tenants: each request to a tenant drawn at random,
#                      with that tenant's key
#   Forma, one tenant  the same case against the one big tenant, as in bench-load.sh
#   pgbench, N schemas the same SQL over N copies of the tenants' tables, a schema drawn
#                      at random per transaction (below: why copies)
#   pgbench, one       the same SQL on the one tenant's table
#
# pgbench runs with -M simple in both: the schema is a variable, and pgbench cannot
# prepare a statement whose table changes. It substitutes :t anywhere in the text, but
# a variable name runs on over letters, digits and underscores, so Forma's schema names
# t<id>_<slug> cannot be written as one; the run copies each tenant's table (LIKE ...
# INCLUDING ALL, same rows, same indexes) into a schema pb<i> that pb:t.event names.
#
# It prints the setup's times, each run's req/s, latencies and CPU per request (forma,
# the load generator, Postgres), forma's memory, and the ratios Forma N tenants / Forma
# one tenant and Forma N tenants / pgbench N schemas.
# Figures and how to read them: docs/benchmarks-tenants.md.
#
# Environment (all optional), besides bench-load.sh's BENCH_DURATION (default here 10),
# BENCH_WARMUP, BENCH_CLIENTS, BENCH_PG, BENCH_PG_QUERY, BENCH_REDIS_URL,
# BENCH_LOG_LEVEL, BENCH_GOGC, BENCH_LOAD_PROCS, BENCH_KEEP, BENCH_CASES,
# BENCH_FORMA_BIN, BENCH_LOAD_BIN, BENCH_SPLIT_CPUS:
#   BENCH_TENANTS        tenants created (default 1000; 10000 works, setup takes longer)
#   BENCH_TENANT_ROWS    rows per tenant (default 100, one bulk POST)
#   BENCH_ROWS           rows of the one tenant (default tenants × rows per tenant)
#   BENCH_SETUP_CLIENTS  tenants created at once (default 8)
#   BENCH_DB             database created and dropped (default forma_bench_tenants)
#   BENCH_AB             forma configurations to alternate instead of the run above, as
#                        values of FORMA_DATABASE_LANES ("1 4"): no pgbench, forma
#                        restarted per configuration, BENCH_AB_ROUNDS rounds (default
#                        3), one-tenant cases BENCH_AB_ONE (default get); medians
#   BENCH_AB_VAR         the variable BENCH_AB's values are of (default
#                        FORMA_DATABASE_LANES)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BENCH_DURATION=${BENCH_DURATION:-10}
bench_name=bench-tenants bench_db=forma_bench_tenants
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
tenants=${BENCH_TENANTS:-1000}
per_tenant=${BENCH_TENANT_ROWS:-100}
rows=${BENCH_ROWS:-$((tenants * per_tenant))}
setup_clients=${BENCH_SETUP_CLIENTS:-8}
prefix=bt
((tenants >= 2 && per_tenant >= 1 && rows >= 1)) || die "BENCH_TENANTS must be at least 2, the row counts at least 1"

bench_start
event_model >"$work/model.json"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
rss() { awk -v f="$1:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status"; } # VmRSS, VmHWM -> MiB

# --- the one tenant, as in bench-load.sh -------------------------------------------------
bench_tenant one # key, schema
one_key=$key one_table="\"$schema\".\"$model\""
say "one tenant: loading $rows rows (bulk POSTs of 1,000)"
t=$(now)
GOMAXPROCS=${BENCH_LOAD_PROCS:-} "${app[@]}" "$work/formaload" -url "$base" -key "$one_key" -tenant one -model "$model" \
	-countries "$countries" -case seed -rows "$rows" -batch 1000
one_load_s=$(since "$t")
read -r id_min id_max n < <(psql_bench -F' ' -c "SELECT min(id), max(id), count(*) FROM $one_table")
[[ $n == "$rows" ]] || die "one tenant: expected $rows rows, found $n"

# --- N tenants through the API ------------------------------------------------------------
say "creating $tenants tenants with the Event model and $per_tenant rows each, $setup_clients at a time"
t=$(now)
"${app[@]}" "$work/formaload" -url "$base" -admin-key "$admin_key" -model "$model" -countries "$countries" -case setup \
	-n "$tenants" -prefix "$prefix" -definition "$work/model.json" -rows "$per_tenant" -batch 1000 -c "$setup_clients" \
	-out "$work/tenants.txt" >"$work/setup.json"
setup_s=$(since "$t")
cat "$work/setup.json" >&2
rss_setup=$(rss VmRSS)
# every tenant's table holds ids 1..per_tenant: what formaload's get and the pgbench
# scripts draw from
psql_bench -c "DO \$\$
DECLARE r record; bad int; i int := 0;
BEGIN
	FOR r IN SELECT schema_name FROM forma.tenants WHERE slug ~ '^$prefix[0-9]+\$' LOOP
		EXECUTE format('SELECT count(*) FILTER (WHERE id NOT BETWEEN 1 AND $per_tenant) + abs(count(*) - $per_tenant) FROM %I.$model', r.schema_name) INTO bad;
		IF bad <> 0 THEN RAISE EXCEPTION 'tenant schema %: not ids 1..$per_tenant', r.schema_name; END IF;
		i := i + 1;
		IF i % 500 = 0 THEN COMMIT; END IF; -- stay under max_locks_per_transaction
	END LOOP;
END \$\$"
[[ $(psql_bench -c "SELECT count(*) FROM forma.tenants WHERE slug ~ '^$prefix[0-9]+\$'") == "$tenants" ]] ||
	die "expected $tenants tenants"

# --- BENCH_AB: forma configurations alternated on the same tenants ----------------------
# BENCH_AB="1 4" runs the cases over the N tenants (and BENCH_AB_ONE's against the one
# tenant) with forma restarted per configuration, FORMA_DATABASE_LANES=1 then 4, for
# BENCH_AB_ROUNDS rounds (default 3), alternating; no pgbench. BENCH_AB_VAR names another
# variable of forma's to alternate instead of FORMA_DATABASE_LANES (its values then go
# in BENCH_AB). Beside each run: the private memory of the Postgres backends serving
# forma at its end, forma's peak RSS.
if [[ -n ${BENCH_AB:-} ]]; then
	rounds=${BENCH_AB_ROUNDS:-3}
	ab_tsv=$work/ab.tsv
	: >"$ab_tsv"
	load_exec() { GOMAXPROCS=${BENCH_LOAD_PROCS:-} exec "${app[@]}" "$work/formaload" -url "$base" -model "$model" -countries "$countries" "$@"; }
	pg_private() { # MiB of private memory of the database's client backends, and how many
		local pids
		pids=$(psql_bench -c "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
		for p in $pids; do awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s + 0}' "/proc/$p/smaps_rollup" 2>/dev/null || true; done |
			awk '{s += $1; n++} END {printf "%.0f\t%d", s / 1024, n}'
	}
	# Postgres's CPU: only this database's backends and the server's own processes (the
	# WAL writer, the checkpointer...), not other databases' clients on a shared server
	pg_ticks() {
		local pids
		pids=$(psql_bench -c "SELECT pid FROM pg_stat_activity WHERE (datname = current_database() OR datname IS NULL) AND pid <> pg_backend_pid()")
		# shellcheck disable=SC2046 # one path per process
		{ cat $(sed 's|.*|/proc/&/stat|' <<<"$pids") 2>/dev/null || true; } | awk '{s += $14 + $15} END {print s + 0}'
	}
	bench_unserve
	for r in $(seq 1 "$rounds"); do
		for lanes in $BENCH_AB; do
			serve_env=("${BENCH_AB_VAR:-FORMA_DATABASE_LANES}=$lanes")
			bench_serve
			for c in ${BENCH_CASES:-get list create}; do
				for w in multi one; do
					if [[ $w == multi ]]; then
						args=(-tenants "$work/tenants.txt" -id-min 1 -id-max "$per_tenant")
					else
						[[ " ${BENCH_AB_ONE-get} " == *" $c "* ]] || continue
						args=(-tenant one -key "$one_key" -id-min "$id_min" -id-max "$id_max")
					fi
					label="$c-$w-r$r-l$lanes"
					say "round $r, lanes $lanes: $c over $w"
					measure_forma "$label" load_exec -case "$c" -c "$clients" -duration "${duration}s" -warmup "${warmup}s" "${args[@]}"
					echo -e "$r\t$lanes\t$c\t$w\t$(jq -r '[.rps, .p50_ms, .p99_ms] | @tsv' "$work/forma-$label.json")\t$(tr ' ' '\t' <"$work/cpu-forma-$label")\t$(pg_private)\t$(rss VmHWM)" >>"$ab_tsv"
				done
			done
			# statements that waited out their lane (lanes > 1): to the log
			say "lanes $lanes: $(curl -fsS "$base/metrics" | grep -E '^forma_database_lane_(overflows|connections) ' | tr '\n' ' ')"
			bench_unserve
		done
	done
	{
		echo
		echo "Postgres µs: CPU of this database's backends and of the server's own processes only."
		echo "A/B over $tenants tenants ($per_tenant rows each; one tenant: $rows rows): ${BENCH_AB_VAR:-FORMA_DATABASE_LANES} in ($BENCH_AB), $rounds rounds alternated, $clients clients, ${duration}s per case; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
		echo
		echo "| round | lanes | case | tenants | req/s | p50 ms | p99 ms | forma µs | load µs | Postgres µs | PG backends' private MiB | backends | forma peak RSS MiB |"
		echo "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		awk -F'\t' '{printf "| %s | %s | %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13}' "$ab_tsv"
		echo
		echo "Medians over the rounds:"
		echo
		echo "| case | tenants | lanes | req/s | p99 ms | forma µs | Postgres µs | PG private MiB | forma peak RSS MiB |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
		for c in ${BENCH_CASES:-get list create}; do
			for w in multi one; do
				for lanes in $BENCH_AB; do
					awk -F'\t' -v c="$c" -v w="$w" -v l="$lanes" '
						function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
							return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
						$3 == c && $4 == w && $2 == l { n++; r[n] = $5; p[n] = $7; f[n] = $8; q[n] = $10; m[n] = $11; s[n] = $13 }
						END { if (n) printf "| %s | %s | %s | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f |\n", c, w, l, med(r, n), med(p, n), med(f, n), med(q, n), med(m, n), med(s, n) }' "$ab_tsv"
				done
			done
		done
	}
	exit 0
fi

# --- pgbench's copies: pb<i>.event, the table of tenant bt<i> -----------------------------
say "copying the $tenants tables into schemas pb0 ... for pgbench"
t=$(now)
psql_bench -c "DO \$\$
DECLARE r record; s text; i int := 0;
BEGIN
	FOR r IN SELECT slug, schema_name FROM forma.tenants WHERE slug ~ '^$prefix[0-9]+\$' LOOP
		s := 'pb' || substr(r.slug, $((${#prefix} + 1)));
		EXECUTE format('CREATE SCHEMA %I', s);
		EXECUTE format('CREATE TABLE %I.$model (LIKE %I.$model INCLUDING ALL)', s, r.schema_name);
		EXECUTE format('INSERT INTO %I.$model SELECT * FROM %I.$model', s, r.schema_name);
		EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), $per_tenant)', s || '.$model');
		i := i + 1;
		IF i % 200 = 0 THEN COMMIT; END IF; -- a few locks per table: stay under max_locks_per_transaction
	END LOOP;
END \$\$"
copy_s=$(since "$t")
t=$(now)
psql_bench -c "VACUUM ANALYZE"
vacuum_s=$(since "$t")

# --- the SQL for pgbench (what backend/internal/records runs), -M simple -------------------
cols='"id", "created_at", "updated_at", "timestamp", "country", "source", "value"'
arr="(ARRAY['PL','DE','US','GB'])"
pick="\\set t random(0, $((tenants - 1)))"
for w in multi one; do
	if [[ $w == multi ]]; then table="pb:t.$model" ids="1, $per_tenant" head=$pick; else table=$one_table ids="$id_min, $id_max" head=; fi
	cat >"$work/get-$w.sql" <<SQL
$head
\\set id random($ids)
SELECT $cols FROM $table WHERE "id" = :id;
SQL
	cat >"$work/list-$w.sql" <<SQL
$head
\\set ci random(1, 4)
SELECT $cols FROM $table WHERE "country" = $arr[:ci] ORDER BY "timestamp" DESC, "id" LIMIT 21;
SQL
	cat >"$work/create-$w.sql" <<SQL
$head
\\set ci random(1, 4)
\\set v random(0, 999)
INSERT INTO $table ("country", "source", "value", "timestamp") VALUES ($arr[:ci], 'web', :v, now()) RETURNING $cols;
SQL
done

# --- the cases ------------------------------------------------------------------------------
load_exec() { GOMAXPROCS=${BENCH_LOAD_PROCS:-} exec "${app[@]}" "$work/formaload" -url "$base" -model "$model" -countries "$countries" "$@"; }
rows_tsv=$work/rows.tsv
: >"$rows_tsv"
forma_case() { # case label formaload-args...
	local c=$1 label=$2
	shift 2
	say "forma   $label: $clients clients, ${warmup}s warm-up, ${duration}s"
	measure_forma "$label" load_exec -case "$c" -c "$clients" -duration "${duration}s" -warmup "${warmup}s" "$@"
	echo -e "$c\t$label\t$(jq -r '[.rps, .p50_ms, .p99_ms] | @tsv' "$work/forma-$label.json")\t$(tr ' ' '\t' <"$work/cpu-forma-$label")" >>"$rows_tsv"
}
pgbench_case() { # case label script
	measure_pgbench "$2" "$3" simple
	local tps avg p50 p99 b q
	read -r tps avg p50 p99 < <(pgbench_stats "$2")
	read -r b q <"$work/cpu-pgbench-$2"
	echo -e "$1\t$2\t$tps\t$p50\t$p99\t-\t$b\t$q" >>"$rows_tsv"
}
# Reads first, so they see exactly the rows loaded; create last (it grows the tables).
for c in ${BENCH_CASES:-get list create}; do
	[[ $c =~ ^(get|list|create)$ ]] || die "unknown case $c in BENCH_CASES (get, list, create)"
	forma_case "$c" "$c-forma-multi" -tenants "$work/tenants.txt" -id-min 1 -id-max "$per_tenant"
	forma_case "$c" "$c-forma-one" -tenant one -key "$one_key" -id-min "$id_min" -id-max "$id_max"
	pgbench_case "$c" "$c-pgbench-multi" "$c-multi"
	pgbench_case "$c" "$c-pgbench-one" "$c-one"
done
rss_end=$(rss VmRSS) rss_peak=$(rss VmHWM)

# --- the tables -----------------------------------------------------------------------------
{
	echo
	echo "Forma over $tenants tenants ($per_tenant rows each) vs one tenant ($rows rows) vs pgbench: $clients clients, ${duration}s per case; $(nproc) CPUs; Postgres: $bench_url; Redis: ${redis_url:-none}"
	echo
	jq -r --arg s "$setup_s" '"Setup: \(.tenants) tenants through the API, \(.concurrency) at a time, in \($s) s (\(.tenants_per_s | round) tenants/s); per tenant: create \(.create_tenant_ms * 10 | round / 10) ms, model \(.put_model_ms * 10 | round / 10) ms, \(.rows_per_tenant) rows \(.rows_ms * 10 | round / 10) ms (each summed over the clients)"' "$work/setup.json"
	echo "The one tenant's $rows rows: $one_load_s s. pgbench's copies of the tables: $copy_s s. VACUUM ANALYZE of the database: $vacuum_s s."
	echo "forma's RSS: $rss_setup MiB after the setup, $rss_end MiB at the end (peak $rss_peak MiB)."
	echo
	echo "CPU per request in µs of user+system time (from /proc), in the measured window; \"load\" is formaload or pgbench:"
	echo
	echo "| case | run | req/s | p50 ms | p99 ms | forma µs | load µs | Postgres µs |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r c label rps p50 p99 f l p; do
		run=${label#"$c"-}
		run=${run/forma-multi/Forma, $tenants tenants}
		run=${run/forma-one/Forma, one tenant}
		run=${run/pgbench-multi/pgbench, $tenants schemas}
		run=${run/pgbench-one/pgbench, one schema}
		printf '| %s | %s | %.0f | %.2f | %.2f | %s | %s | %s |\n' "$c" "$run" "$rps" "$p50" "$p99" "${f:--}" "$l" "$p"
	done <"$rows_tsv"
	echo
	echo "Ratios (req/s; CPU per request of forma and of Postgres, N tenants against one):"
	echo
	echo "| case | Forma N / Forma one | Forma N / pgbench N | pgbench N / pgbench one | forma CPU N / one | Postgres CPU (Forma) N / one |"
	echo "|---|---:|---:|---:|---:|---:|"
	for c in ${BENCH_CASES:-get list create}; do
		awk -F'\t' -v c="$c" '$1 == c {rps[$2] = $3; f[$2] = $6; p[$2] = $8}
			END {
				fm = c "-forma-multi"; fo = c "-forma-one"; pm = c "-pgbench-multi"; po = c "-pgbench-one"
				printf "| %s | %.1f%% | %.1f%% | %.1f%% | %.2f | %.2f |\n", c, 100 * rps[fm] / rps[fo], 100 * rps[fm] / rps[pm],
					100 * rps[pm] / rps[po], (f[fo] > 0 ? f[fm] / f[fo] : 0), (p[fo] > 0 ? p[fm] / p[fo] : 0)
			}' "$rows_tsv"
	done
}
