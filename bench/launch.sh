#!/bin/bash
# bench/launch.sh: median wall time of an uncmap launch against util-linux
# `unshare --user --map-auto --map-root-user` and against bench/floor.c (the
# least code this design needs: clone CLONE_NEWUSER paused, newuidmap and
# newgidmap at once, release, exec), run in rotation (A B C A B C ...) after
# a warm-up, so the three share the machine's moods. Run it as an
# unprivileged user with a subordinate range. Not a test; CI does not run it.
#
#   bench/launch.sh [-n ROUNDS] [-u UNCMAP] [-- EXTRA UNCMAP OPTIONS]
#
# Example: bench/launch.sh -n 50 -- --pid --mount-proc
set -euo pipefail

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
bench_setup bench/launch.sh "$@"

# The floor, built here from its source; it maps what uncmap plans.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${CC:-cc}" -O2 -o "$tmp/floor" "$(dirname "$0")/floor.c"
plan=$("$uncmap" --range 65536 --print-map)
umap=$(awk '/^uid map/ {f=1; next} /^gid map/ {f=0} f {printf "%s %s %s ", $1, $2, $3}' <<<"$plan")
gmap=$(awk '/^gid map/ {f=1; next} f {printf "%s %s %s ", $1, $2, $3}' <<<"$plan")

a=("$uncmap" --range 65536 "${extra[@]}" /bin/true)
b=(unshare --user --map-auto --map-root-user /bin/true)
c=("$tmp/floor" "$umap" "$gmap" /bin/true)

time_us() { bench_time_us bench/launch.sh "$@"; }

for _ in 1 2 3 4 5; do
	time_us "${a[@]}" >/dev/null; time_us "${b[@]}" >/dev/null; time_us "${c[@]}" >/dev/null
done

ta=() tb=() tc=()
for ((i = 0; i < rounds; i++)); do
	ta+=("$(time_us "${a[@]}")")
	tb+=("$(time_us "${b[@]}")")
	tc+=("$(time_us "${c[@]}")")
done

ma=$(bench_median "${ta[@]}")
mb=$(bench_median "${tb[@]}")
mc=$(bench_median "${tc[@]}")
echo "rounds: $rounds (after 5 warm-up rounds)"
bench_line A "${a[*]}" "$ma"
bench_line B "${b[*]}" "$mb"
bench_line C "floor (bench/floor.c) /bin/true" "$mc"
awk -v a="$ma" -v b="$mb" -v c="$mc" \
	'BEGIN{printf "ratio A/B (uncmap/unshare): %.3f\nratio A/C (uncmap/floor):   %.3f\nratio C/B (floor/unshare):  %.3f\n", a/b, a/c, c/b}'
