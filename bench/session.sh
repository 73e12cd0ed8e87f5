#!/bin/bash
# bench/session.sh: what a join of a named session costs. Median wall time
# of `uncmap --session NAME /bin/true` with NAME existing (a join: no
# helper runs) against util-linux `unshare --user --map-auto
# --map-root-user /bin/true` and against a fresh `uncmap --range 65536
# /bin/true`, run in rotation (A B C A B C ...) after a warm-up, so the
# three share the machine's moods. The target (issue 14) is A/B <= 0.35.
# Run it as an unprivileged user with a subordinate range. Not a test; CI
# does not run it.
#
#   bench/session.sh [-n ROUNDS] [-u UNCMAP] [-- EXTRA UNCMAP OPTIONS]
#
# The extra options are the session's, given when it is created.
# Example: bench/session.sh -n 50 -- --root rfs
set -euo pipefail

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
bench_setup bench/session.sh "$@"

# the session's state in a directory of our own unless there is one
own_rt=
if [ -z "${XDG_RUNTIME_DIR:-}" ] && [ ! -d "/run/user/$(id -u)" ]; then
	own_rt=$(mktemp -d)
	export XDG_RUNTIME_DIR=$own_rt
fi
name=bench-$$
"$uncmap" --session "$name" "${extra[@]}" -- /bin/true
trap '"$uncmap" --end "$name" >/dev/null 2>&1 || true; [ -z "$own_rt" ] || rm -rf "$own_rt"' EXIT

a=("$uncmap" --session "$name" -- /bin/true)
b=(unshare --user --map-auto --map-root-user /bin/true)
c=("$uncmap" --range 65536 /bin/true)

for _ in 1 2 3 4 5; do
	for cmd in a b c; do
		declare -n run=$cmd
		bench_time_us bench/session.sh "${run[@]}" >/dev/null
	done
done
ta=() tb=() tc=()
for ((i = 0; i < rounds; i++)); do
	ta+=("$(bench_time_us bench/session.sh "${a[@]}")")
	tb+=("$(bench_time_us bench/session.sh "${b[@]}")")
	tc+=("$(bench_time_us bench/session.sh "${c[@]}")")
done

ma=$(bench_median "${ta[@]}")
mb=$(bench_median "${tb[@]}")
mc=$(bench_median "${tc[@]}")
echo "rounds: $rounds (after 5 warm-up rounds)"
bench_line A "uncmap --session $name /bin/true (a join)" "$ma"
bench_line B "${b[*]}" "$mb"
bench_line C "${c[*]}" "$mc"
awk -v a="$ma" -v b="$mb" -v c="$mc" \
	'BEGIN{printf "ratio A/B (join/unshare):  %.3f (target <= 0.35)\nratio A/C (join/launch):   %.3f\n", a/b, a/c}'
