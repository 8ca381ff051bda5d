#!/usr/bin/env bash
# fuzz.sh runs every Fuzz* target of the given packages (default ./shared/...) for
# FUZZTIME each (default 5s), one at a time, as go test allows. Targets are discovered
# with `go test -list`, so a new fuzz target is picked up without editing anything.
# A failure leaves the crashing input in the package's testdata/fuzz/ and fails the run.
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

failed=0
for entry in "${targets[@]}"; do
	read -r pkg target <<<"$entry"
	echo "fuzz: $pkg $target for $fuzztime"
	if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"; then
		echo "fuzz: FAIL: $pkg $target" >&2
		failed=1
	fi
done
exit $failed
