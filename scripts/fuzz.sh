#!/usr/bin/env bash
# fuzz.sh runs every Fuzz* target of the given packages (default ./shared/...) for
# FUZZTIME each (default 5s), one at a time, as go test allows. Targets are discovered
# with `go test -list`, so a new fuzz target is picked up without editing anything.
# A failure leaves the crashing input in the package's testdata/fuzz/ and fails the run;
# a failure that wrote no input is run once more (see fuzz_once).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime=${FUZZTIME:-5s}
[[ $# -eq 0 ]] && set -- ./shared/...

# go test -list prints a package's matching names, then "ok  <import path> <time>".
listing=$(go test -list '^Fuzz' "$@")
targets=()
pending=()
while read -r first second _; do
	case $first in
	Fuzz*) pending+=("$first") ;;
	ok)
		for t in "${pending[@]}"; do targets+=("$second $t"); done
		pending=()
		;;
	esac
done <<<"$listing"

if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no Fuzz targets in $*"
	exit 0
fi

# fuzz_once PKG TARGET: one run; 2 when it failed without writing a failing input.
# Go 1.26's fuzzing coordinator can fail a run at the -fuzztime deadline with a bare
# "context deadline exceeded" and nothing found (golang/go#75804, fixed in Go 1.27).
fuzz_once() {
	local out rc=0
	out=$(mktemp)
	go test -run='^$' -fuzz="^${2}\$" -fuzztime="$fuzztime" "$1" 2>&1 | tee "$out" || rc=1
	if ((rc == 1)) && ! grep -q 'Failing input written to' "$out"; then
		rc=2
	fi
	rm -f "$out"
	return "$rc"
}

failed=0
for entry in "${targets[@]}"; do
	read -r pkg target <<<"$entry"
	echo "fuzz: $pkg $target for $fuzztime"
	rc=0
	fuzz_once "$pkg" "$target" || rc=$?
	if ((rc == 2)); then
		echo "fuzz: $pkg $target failed with no failing input written; running it again" >&2
		rc=0
		fuzz_once "$pkg" "$target" || rc=$?
	fi
	if ((rc != 0)); then
		echo "fuzz: FAIL: $pkg $target" >&2
		failed=1
	fi
done
exit $failed
