#!/bin/bash
# bench/launch.sh: median wall time of an uncmap launch against util-linux
# `unshare --user --map-auto --map-root-user`, run in alternation (A B A B
# ...) after a warm-up. Run it as an unprivileged user with a subordinate
# range. Not a test; CI does not run it.
#
#   bench/launch.sh [-n PAIRS] [-u UNCMAP] [-- EXTRA UNCMAP OPTIONS]
#
# Example: bench/launch.sh -n 50 -- --pid --mount-proc
set -euo pipefail

pairs=30
uncmap=${UNCMAP:-uncmap}
while [ $# -gt 0 ]; do
	case $1 in
	-n) pairs=$2; shift 2 ;;
	-u) uncmap=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [-n PAIRS] [-u UNCMAP] [-- EXTRA UNCMAP OPTIONS]" >&2; exit 2 ;;
	esac
done
extra=("$@")

if [ "$(id -u)" = 0 ]; then
	echo "bench/launch.sh: run this as an unprivileged user with a subordinate range" >&2
	exit 2
fi
command -v "$uncmap" >/dev/null || { echo "bench/launch.sh: $uncmap not found" >&2; exit 2; }

a=("$uncmap" --range 65536 "${extra[@]}" /bin/true)
b=(unshare --user --map-auto --map-root-user /bin/true)

# One timed run, in microseconds; a failed run aborts the benchmark.
time_us() {
	local s e
	s=${EPOCHREALTIME/./}
	"$@" >/dev/null || { echo "bench/launch.sh: failed: $*" >&2; exit 1; }
	e=${EPOCHREALTIME/./}
	echo $((e - s))
}

for _ in 1 2 3 4 5; do time_us "${a[@]}" >/dev/null; time_us "${b[@]}" >/dev/null; done

ta=() tb=()
for ((i = 0; i < pairs; i++)); do
	ta+=("$(time_us "${a[@]}")")
	tb+=("$(time_us "${b[@]}")")
done

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
ma=$(median "${ta[@]}")
mb=$(median "${tb[@]}")
echo "pairs: $pairs (after 5 warm-up pairs)"
printf 'A  %-60s median %8.2f ms\n' "${a[*]}" "$(awk -v v="$ma" 'BEGIN{print v/1000}')"
printf 'B  %-60s median %8.2f ms\n' "${b[*]}" "$(awk -v v="$mb" 'BEGIN{print v/1000}')"
awk -v a="$ma" -v b="$mb" 'BEGIN{printf "ratio A/B: %.3f\n", a/b}'
