#!/bin/bash
# bench/subidctl.sh: subidctl against shadow's usermod on a --prefix tree
# of 50,000 users (in a temporary directory; /etc is never touched).
# Median wall time of several runs each. Needs root (usermod --prefix).
# Not a test; CI does not run it.
#
#   bench/subidctl.sh [-n RUNS] [-u USERS] [-s SUBIDCTL]
#
# Targets (issue 5): add <= 0.25 x usermod --add-subuids; sync of 50,000
# users < 1 s; check < 0.5 s.
set -euo pipefail

runs=7
users=50000
subidctl=${SUBIDCTL:-subidctl}
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=$2; shift 2 ;;
	-u) users=$2; shift 2 ;;
	-s) subidctl=$2; shift 2 ;;
	*) echo "usage: $0 [-n RUNS] [-u USERS] [-s SUBIDCTL]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/subidctl.sh: run as root (usermod --prefix needs it)" >&2; exit 2; }
command -v "$subidctl" >/dev/null || { echo "bench/subidctl.sh: $subidctl not found" >&2; exit 2; }
command -v usermod >/dev/null || { echo "bench/subidctl.sh: usermod not found (package passwd)" >&2; exit 2; }

dir=$(mktemp -d /var/tmp/subidctl-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# A tree: $users users with UIDs 10000.., each with a 65536-ID range
# (SUB_UID_MAX raised so that 50,000 ranges fit), plus "newbie" without;
# shadow and gshadow present, as on a real system.
make_tree() { # DIR WITH_RANGES
	local t=$1 with=$2
	mkdir -p "$t/etc"
	python3 - "$t/etc" "$users" "$with" <<'PY'
import sys
etc, n, with_ranges = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
with open(f"{etc}/passwd", "w") as pw, open(f"{etc}/group", "w") as gr, \
        open(f"{etc}/shadow", "w") as sh, open(f"{etc}/gshadow", "w") as gs:
    pw.write("root:x:0:0:root:/root:/bin/sh\n")
    gr.write("root:x:0:\n")
    sh.write("root:*:19000:0:99999:7:::\n")
    gs.write("root:*::\n")
    for i in range(n):
        pw.write(f"user{i}:x:{10000 + i}:{10000 + i}::/home/user{i}:/bin/sh\n")
        gr.write(f"user{i}:x:{10000 + i}:\n")
        sh.write(f"user{i}:!:19000:0:99999:7:::\n")
        gs.write(f"user{i}:!::\n")
    pw.write("newbie:x:9999:9999::/home/newbie:/bin/sh\n")
    gr.write("newbie:x:9999:\n")
    sh.write("newbie:!:19000:0:99999:7:::\n")
    gs.write("newbie:!::\n")
for f in ("subuid", "subgid"):
    with open(f"{etc}/{f}", "w") as s:
        if with_ranges:
            for i in range(n):
                s.write(f"user{i}:{100000 + i * 65536}:65536\n")
with open(f"{etc}/login.defs", "w") as d:
    d.write("SUB_UID_MAX 4294967294\nSUB_GID_MAX 4294967294\nUID_MIN 1000\nUID_MAX 4294967294\n")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f ms", ns / 1e6}'; }

# time_it LABEL SETUP_CMD RUN_CMD...: median of $runs runs, setup untimed
time_it() {
	local setup=$1 i t0 t1
	shift
	for ((i = 0; i < runs; i++)); do
		eval "$setup"
		# bash's clock, not $(date): no fork inside the timed span
		t0=${EPOCHREALTIME/./}
		"$@" >/dev/null
		t1=${EPOCHREALTIME/./}
		echo $(((t1 - t0) * 1000))
	done | median
}

echo "building a tree of $users users with ranges..."
make_tree "$dir/full" 1
make_tree "$dir/bare" 0
# the range usermod is told to add: what subidctl would pick
first=$((100000 + users * 65536))
last=$((first + 65535))
cp -a "$dir/full" "$dir/pristine"
restore='rm -rf "$dir/full"; cp -a "$dir/pristine" "$dir/full"; sync'

# usermod and subidctl add in alternation (A B A B ...), so that the
# machine's slow and fast moments fall on both alike
pairs=$(for ((p = 0; p < runs; p++)); do
	um1=$(runs=1 time_it "$restore" usermod --prefix "$dir/full" --add-subuids "$first-$last" \
		--add-subgids "$first-$last" newbie)
	sa1=$(runs=1 time_it "$restore" "$subidctl" --prefix "$dir/full" add newbie)
	echo "$um1 $sa1"
done)
um=$(awk '{print $1}' <<<"$pairs" | median)
sa=$(awk '{print $2}' <<<"$pairs" | median)
rm -rf "$dir/full"; cp -a "$dir/pristine" "$dir/full"
"$subidctl" --prefix "$dir/full" add newbie >/dev/null
grep -q "^newbie:$first:65536$" "$dir/full/etc/subuid" || echo "warning: subidctl picked another range than $first" >&2
ck=$(time_it ":" "$subidctl" --prefix "$dir/full" check)
cp -a "$dir/bare" "$dir/bare-pristine"
sy=$(time_it 'rm -rf "$dir/bare"; cp -a "$dir/bare-pristine" "$dir/bare"; sync' "$subidctl" --prefix "$dir/bare" sync)
"$subidctl" --prefix "$dir/bare" check >/dev/null || echo "warning: check after sync found problems" >&2

printf '%-52s %s\n' "usermod --add-subuids --add-subgids (1 user, $users)" "$(ms "$um")"
printf '%-52s %s  (%.2fx usermod; target <= 0.25x)\n' "subidctl add (1 user, $users)" "$(ms "$sa")" \
	"$(awk -v a="$sa" -v b="$um" 'BEGIN {print a / b}')"
printf '%-52s %s  (target < 1000 ms)\n' "subidctl sync ($users users without ranges)" "$(ms "$sy")"
printf '%-52s %s  (target < 500 ms)\n' "subidctl check ($users users with ranges)" "$(ms "$ck")"
echo "(median of $runs runs each; $(nproc) CPUs; $(df -T "$dir" | awk 'NR==2 {print $2}') at $dir)"
