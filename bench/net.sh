#!/bin/bash
# bench/net.sh: what a working network costs at launch. Median wall time
# of `uncmap --net=pasta /bin/true` against `uncmap --net /bin/true` (lo
# only), and against `podman unshare` and `podman unshare --rootless-netns`
# when podman is installed, run in turns (A B C D A B C D ...) after a
# warm-up. Run it as an unprivileged user with a subordinate range. Not a
# test; CI does not run it.
#
#   bench/net.sh [-n ROUNDS] [-u UNCMAP] [-- EXTRA UNCMAP OPTIONS]
#
# podman 4.3 (Debian 12) has no `--network pasta` (it came in 4.4), and
# `podman unshare --rootless-netns` joins a network namespace podman keeps
# alive between calls (slirp4netns): after the first call it measures a
# join, not a start. Both are printed for what they are.
set -euo pipefail

rounds=30
uncmap=${UNCMAP:-uncmap}
while [ $# -gt 0 ]; do
	case $1 in
	-n) rounds=$2; shift 2 ;;
	-u) uncmap=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [-n ROUNDS] [-u UNCMAP] [-- EXTRA UNCMAP OPTIONS]" >&2; exit 2 ;;
	esac
done
extra=("$@")

if [ "$(id -u)" = 0 ]; then
	echo "bench/net.sh: run this as an unprivileged user with a subordinate range" >&2
	exit 2
fi
command -v "$uncmap" >/dev/null || { echo "bench/net.sh: $uncmap not found" >&2; exit 2; }

names=(A B)
cmds=("$uncmap ${extra[*]} --net /bin/true" "$uncmap ${extra[*]} --net=pasta /bin/true")
if command -v podman >/dev/null; then
	names+=(C D)
	cmds+=("podman unshare /bin/true" "podman unshare --rootless-netns /bin/true")
fi

# One timed run, in microseconds; a failed run aborts the benchmark.
time_us() {
	local s e
	s=${EPOCHREALTIME/./}
	# shellcheck disable=SC2086
	$1 >/dev/null 2>&1 || { echo "bench/net.sh: failed: $1" >&2; exit 1; }
	e=${EPOCHREALTIME/./}
	echo $((e - s))
}

declare -A t
for _ in 1 2 3 4 5; do
	for i in "${!cmds[@]}"; do time_us "${cmds[$i]}" >/dev/null; done
done
for ((r = 0; r < rounds; r++)); do
	for i in "${!cmds[@]}"; do
		t[$i]="${t[$i]:-} $(time_us "${cmds[$i]}")"
	done
done

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
echo "rounds: $rounds (after 5 warm-up rounds)"
base=
for i in "${!cmds[@]}"; do
	# shellcheck disable=SC2086
	m=$(median ${t[$i]})
	base=${base:-$m}
	printf '%s  %-58s median %8.2f ms  ratio to A %.2f\n' "${names[$i]}" "${cmds[$i]}" \
		"$(awk -v v="$m" 'BEGIN{print v/1000}')" "$(awk -v a="$m" -v b="$base" 'BEGIN{print a/b}')"
done
