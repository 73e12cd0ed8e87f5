#!/bin/bash
# bench/session.sh: what a join of a named session costs. Median wall time
# of `uncmap --session NAME /bin/true` with NAME existing (a join: no
# helper runs) against util-linux `unshare --user --map-auto
# --map-root-user /bin/true` and against a fresh `uncmap --range 65536
# /bin/true` and against bench/joinfloor.c (the least code a join needs),
# and against bench/twoexec.c (two execs and nothing else: the floor under
# any join), run in rotation (A B C D E F A B ...) after a warm-up, so all
# share the machine's moods. The target (issue 14) is A/B <= 0.35.
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
tmp=$(mktemp -d)
"$uncmap" --session "$name" "${extra[@]}" -- /bin/true
trap '"$uncmap" --end "$name" >/dev/null 2>&1 || true; rm -rf "$tmp" ${own_rt:+"$own_rt"}' EXIT

# the join's floor (bench/joinfloor.c), built here, on the session's holder
"${CC:-cc}" -O2 -o "$tmp/joinfloor" "$(dirname "$0")/joinfloor.c"
# and linked static-pie, as uncmap is where it can be (bench/launch.sh)
"${CC:-cc}" -O2 -fPIE -static-pie -o "$tmp/joinfloor-static" "$(dirname "$0")/joinfloor.c" \
	2>/dev/null || cp "$tmp/joinfloor" "$tmp/joinfloor-static"
"${CC:-cc}" -O2 -fPIE -static-pie -o "$tmp/twoexec" "$(dirname "$0")/twoexec.c" 2>/dev/null ||
	"${CC:-cc}" -O2 -o "$tmp/twoexec" "$(dirname "$0")/twoexec.c"
state=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/uncmap/$name
holder=$(awk '$1 == "holder" {print $2}' "$state")
nsflags=$(awk '$1 == "nsflags" {print $2}' "$state")

a=("$uncmap" --session "$name" -- /bin/true)
b=(unshare --user --map-auto --map-root-user /bin/true)
c=("$uncmap" --range 65536 /bin/true)
d=("$tmp/joinfloor" "$holder" "$nsflags" /bin/true)
e=("$tmp/joinfloor-static" "$holder" "$nsflags" /bin/true)
f=("$tmp/twoexec" /bin/true)

for _ in 1 2 3 4 5; do
	for cmd in a b c d e f; do
		declare -n run=$cmd
		bench_time_us bench/session.sh "${run[@]}" >/dev/null
	done
done
ta=() tb=() tc=() td=() te=() tf=()
for ((i = 0; i < rounds; i++)); do
	ta+=("$(bench_time_us bench/session.sh "${a[@]}")")
	tb+=("$(bench_time_us bench/session.sh "${b[@]}")")
	tc+=("$(bench_time_us bench/session.sh "${c[@]}")")
	td+=("$(bench_time_us bench/session.sh "${d[@]}")")
	te+=("$(bench_time_us bench/session.sh "${e[@]}")")
	tf+=("$(bench_time_us bench/session.sh "${f[@]}")")
done

ma=$(bench_median "${ta[@]}")
mb=$(bench_median "${tb[@]}")
mc=$(bench_median "${tc[@]}")
md=$(bench_median "${td[@]}")
me=$(bench_median "${te[@]}")
mf=$(bench_median "${tf[@]}")
echo "rounds: $rounds (after 5 warm-up rounds)"
bench_line A "uncmap --session $name /bin/true (a join)" "$ma"
bench_line B "${b[*]}" "$mb"
bench_line C "${c[*]}" "$mc"
bench_line D "join floor (bench/joinfloor.c) /bin/true" "$md"
bench_line E "join floor linked static-pie /bin/true" "$me"
bench_line F "two execs, nothing else (bench/twoexec.c) /bin/true" "$mf"
awk -v a="$ma" -v b="$mb" -v c="$mc" -v d="$md" -v e="$me" -v f="$mf" \
	'BEGIN{printf "ratio A/B (join/unshare):    %.3f (target <= 0.35)\nratio A/C (join/launch):     %.3f\nratio A/D (join/join floor): %.3f\nratio D/B (floor/unshare):   %.3f\nratio A/E (join/static join floor): %.3f\nratio E/B (static floor/unshare):   %.3f\nratio A/F (join/two execs):  %.3f\nratio F/B (two execs/unshare): %.3f (no join can be below this)\n", a/b, a/c, a/d, d/b, a/e, e/b, a/f, f/b}'
