# bench/common.bash: what the launch benchmarks share. Sourced, not run.
#
# bench_setup NAME "$@": reads [-n ROUNDS] [-u UNCMAP] [-- EXTRA UNCMAP
# OPTIONS] into rounds, uncmap and extra (an array), and refuses to go on
# as root or without uncmap: these benchmarks measure an unprivileged
# caller with a subordinate range.
bench_setup() {
	local name=$1
	shift
	rounds=30
	uncmap=${UNCMAP:-uncmap}
	while [ $# -gt 0 ]; do
		case $1 in
		-n) rounds=$2; shift 2 ;;
		-u) uncmap=$2; shift 2 ;;
		--) shift; break ;;
		*) echo "usage: $name [-n ROUNDS] [-u UNCMAP] [-- EXTRA UNCMAP OPTIONS]" >&2; exit 2 ;;
		esac
	done
	extra=("$@")
	if [ "$(id -u)" = 0 ]; then
		echo "$name: run this as an unprivileged user with a subordinate range" >&2
		exit 2
	fi
	command -v "$uncmap" >/dev/null || { echo "$name: $uncmap not found" >&2; exit 2; }
}

# bench_time_us NAME CMD...: one timed run of CMD, in microseconds, on
# stdout; a failed run aborts the benchmark, saying so as NAME.
bench_time_us() {
	local name=$1 s e
	shift
	s=${EPOCHREALTIME/./}
	"$@" >/dev/null || { echo "$name: failed: $*" >&2; exit 1; }
	e=${EPOCHREALTIME/./}
	echo $((e - s))
}

# bench_median N...: the median of the numbers
bench_median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# bench_line LETTER WHAT MEDIAN_US: one line of a report
bench_line() { printf '%s  %-60s median %8.2f ms\n' "$1" "$2" "$(awk -v v="$3" 'BEGIN{print v/1000}')"; }
