#!/bin/bash
# bench/subidmodule.sh: what libsubid_uncmap.so adds to newuidmap.
#
# The real setuid newuidmap maps the same 65536 IDs for the same user,
# alternately with the range in /etc/subuid ("subid:" unset: shadow's
# files) and served by the module ("subid: uncmap"), ROUNDS rounds of
# RUNS maps each (which goes first alternates); prints the median of each
# and their difference (target: the module adds < 1 ms). Needs root, for a private mount namespace in which
# a bench user (UID 1500), its /etc/subuid line, login.defs and the module
# are put in place; the host's /etc and /usr are never written. Not a
# test; CI does not run it.
#
#   bench/subidmodule.sh [-m MODULE] [-r ROUNDS] [-n RUNS]
set -euo pipefail

module=
rounds=100
runs=2
while [ $# -gt 0 ]; do
	case $1 in
	-m) module=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-n) runs=$2; shift 2 ;;
	*) echo "usage: $0 [-m MODULE] [-r ROUNDS] [-n RUNS]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/subidmodule.sh: run as root" >&2; exit 2; }
libdir=$(dirname "$(readlink -f "$(ldd /usr/bin/newuidmap | awk '/libc\.so/ {print $3}')")")
module=${module:-$libdir/libsubid_uncmap.so}
[ -f "$module" ] || { echo "bench/subidmodule.sh: no module at $module (give -m)" >&2; exit 2; }

dir=$(mktemp -d /tmp/subidmodule-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir "$dir/lib"
cp "$module" "$dir/lib/libsubid_uncmap.so"
# UID 1500 with UID_MIN 1000: 100000 + 500 * 65536
start=32868000
{ cat /etc/passwd; echo "uncbench:x:1500:1500::/nonexistent:/bin/sh"; } >"$dir/passwd"
{ cat /etc/group; echo "uncbench:x:1500:"; } >"$dir/group"
echo "uncbench:$start:65536" >"$dir/subuid"
printf '%s\n' 'UID_MIN 1000' 'SUB_UID_MIN 100000' 'SUB_UID_MAX 600100000' \
	'SUB_UID_COUNT 65536' 'SUB_UID_DETERMINISTIC yes' 'SUB_GID_DETERMINISTIC yes' >"$dir/login.defs"
grep -v '^subid:' /etc/nsswitch.conf >"$dir/nss-files" || true
{ cat "$dir/nss-files"; echo 'subid: uncmap'; } >"$dir/nss-uncmap"
chmod -R a+rX "$dir"

# one round of RUNS maps as the bench user: microseconds, one a line
cat >"$dir/round.sh" <<'ROUND'
set -eu
self=$(readlink /proc/self/ns/user)
for _ in $(seq "$1"); do
	unshare --user sleep 30 &
	p=$!
	while [ "$(readlink "/proc/$p/ns/user" 2>/dev/null || echo "$self")" = "$self" ]; do :; done
	t0=$EPOCHREALTIME
	newuidmap "$p" 0 "$2" 65536
	t1=$EPOCHREALTIME
	kill "$p"
	wait "$p" 2>/dev/null || true
	echo "$t0 $t1" | awk '{ printf "%d\n", ($2 - $1) * 1000000 }'
done
ROUND

unshare --mount --propagation private -- bash -c '
	set -eu
	dir=$1 libdir=$2 rounds=$3 runs=$4 start=$5
	for f in passwd group subuid login.defs; do mount --bind "$dir/$f" "/etc/$f"; done
	mount -t overlay uncmapbench -o "lowerdir=$dir/lib:$libdir" "$libdir"
	# as after an install: the loader finds the module in its cache
	# (-X: no links made; the private cache is bound over the real one)
	ldconfig -X -C "$dir/ld.so.cache"
	mount --bind "$dir/ld.so.cache" /etc/ld.so.cache
	for r in $(seq "$rounds"); do
		order="files uncmap"
		[ $((r % 2)) = 0 ] && order="uncmap files"   # neither always goes first
		for v in $order; do
			mount --bind "$dir/nss-$v" /etc/nsswitch.conf
			setpriv --reuid=1500 --regid=1500 --clear-groups -- \
				bash "$dir/round.sh" "$runs" "$start" >>"$dir/$v.us" 2>>"$dir/$v.err"
			umount /etc/nsswitch.conf
		done
	done' _ "$dir" "$libdir" "$rounds" "$runs" "$start"

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for v in files uncmap; do
	[ -s "$dir/$v.err" ] && printf "%s: newuidmap said (once a map):\n%s\n" "$v" "$(sort -u "$dir/$v.err")"
done
files=$(median "$dir/files.us")
mod=$(median "$dir/uncmap.us")
n=$(wc -l <"$dir/files.us")
awk -v f="$files" -v m="$mod" -v n="$n" 'BEGIN {
	printf "newuidmap, %d maps each, median wall:\n", n
	printf "  subuid file (files)        %8.3f ms\n", f / 1000
	printf "  libsubid_uncmap.so module  %8.3f ms\n", m / 1000
	printf "  the module adds            %8.3f ms (ratio %.3f)\n", (m - f) / 1000, m / f
}'
