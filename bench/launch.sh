#!/bin/bash
# bench/launch.sh: median wall time of an uncmap launch against util-linux
# `unshare --user --map-auto --map-root-user` and against bench/floor.c (the
# least code this design needs: clone CLONE_NEWUSER paused, newuidmap and
# newgidmap at once, release, exec), run in rotation (A B C A B C ...) after
# a warm-up, so the three share the machine's moods. The floor is built as
# cc builds a program (dynamic); uncmap is static-pie where it can be, so
# the same floor linked static-pie (D) is timed too: it says how much of
# uncmap's lead is the linking, which any program could have. Run it as an
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
"${CC:-cc}" -O2 -fPIE -static-pie -o "$tmp/floor-static" "$(dirname "$0")/floor.c" 2>/dev/null ||
	cp "$tmp/floor" "$tmp/floor-static"
plan=$("$uncmap" --range 65536 --print-map)
umap=$(awk '/^uid map/ {f=1; next} /^gid map/ {f=0} f {printf "%s %s %s ", $1, $2, $3}' <<<"$plan")
gmap=$(awk '/^gid map/ {f=1; next} f {printf "%s %s %s ", $1, $2, $3}' <<<"$plan")

a=("$uncmap" --range 65536 "${extra[@]}" /bin/true)
b=(unshare --user --map-auto --map-root-user /bin/true)
c=("$tmp/floor" "$umap" "$gmap" /bin/true)
d=("$tmp/floor-static" "$umap" "$gmap" /bin/true)

time_us() { bench_time_us bench/launch.sh "$@"; }

for _ in 1 2 3 4 5; do
	time_us "${a[@]}" >/dev/null; time_us "${b[@]}" >/dev/null; time_us "${c[@]}" >/dev/null
	time_us "${d[@]}" >/dev/null
done

ta=() tb=() tc=() td=()
for ((i = 0; i < rounds; i++)); do
	ta+=("$(time_us "${a[@]}")")
	tb+=("$(time_us "${b[@]}")")
	tc+=("$(time_us "${c[@]}")")
	td+=("$(time_us "${d[@]}")")
done

ma=$(bench_median "${ta[@]}")
mb=$(bench_median "${tb[@]}")
mc=$(bench_median "${tc[@]}")
md=$(bench_median "${td[@]}")
echo "rounds: $rounds (after 5 warm-up rounds)"
bench_line A "${a[*]}" "$ma"
bench_line B "${b[*]}" "$mb"
bench_line C "floor (bench/floor.c) /bin/true" "$mc"
bench_line D "floor linked static-pie /bin/true" "$md"
awk -v a="$ma" -v b="$mb" -v c="$mc" -v d="$md" \
	'BEGIN{printf "ratio A/B (uncmap/unshare): %.3f\nratio A/C (uncmap/floor):   %.3f\nratio C/B (floor/unshare):  %.3f\nratio A/D (uncmap/static floor): %.3f\n", a/b, a/c, c/b, a/d}'
