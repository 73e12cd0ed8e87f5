#!/bin/bash
# tests/fuzz/run.sh: build the libFuzzer targets and run each in turn.
#
#   tests/fuzz/run.sh 30                  # the short run: 30 s a target
#   tests/fuzz/run.sh 600                 # the long run: 10 minutes a target
#   tests/fuzz/run.sh 600 /tmp/fuzz-build # ... building in that directory
#   FUZZ_TARGETS=fuzz_mapspec tests/fuzz/run.sh 3600   # one target, an hour
#
# Arguments: SECONDS per target (default 30), BUILD_DIR (default
# $TMPDIR/uncmap-fuzz, never inside the source tree).
# Environment: FUZZ_TARGETS (space-separated subset), FUZZ_ARGS (extra
# libFuzzer flags), UNC_CMAKE_ARGS (extra cmake arguments), CC (default
# clang).
#
# Each target starts from its seed corpus, tests/fuzz/corpus/<target>/,
# which is only read; what the fuzzer finds goes to BUILD_DIR/corpus/ and
# is kept between runs, crashing inputs to BUILD_DIR/artifacts/<target>/.
# Prints executions and coverage per target; exits 1 if any target
# crashed, leaked, timed out or broke an invariant (or the build failed).
set -uo pipefail

secs=${1:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-${TMPDIR:-/tmp}/uncmap-fuzz}
case $secs in '' | *[!0-9]*) echo "run.sh: SECONDS must be a number, not '$secs'" >&2; exit 2 ;; esac

say() { printf 'fuzz: %s\n' "$*"; }

# shellcheck disable=SC2086
CC=${CC:-clang} cmake -S "$src" -B "$build" -DUNC_FUZZ=ON -DUNC_BUILD_TESTS=ON \
	-DCMAKE_BUILD_TYPE=Debug -DUNC_WERROR=ON ${UNC_CMAKE_ARGS:-} >"$build.cmake.log" 2>&1 ||
	{ cat "$build.cmake.log" >&2; say "cmake configure failed"; exit 1; }
IFS=';' read -r -a all <"$build/tests/fuzz/targets.txt"
read -r -a targets <<<"${FUZZ_TARGETS:-${all[*]}}"
cmake --build "$build" -j2 --target "${targets[@]}" >"$build.build.log" 2>&1 ||
	{ cat "$build.build.log" >&2; say "build failed"; exit 1; }

rc=0
summary=()
for t in "${targets[@]}"; do
	seeds=$src/tests/fuzz/corpus/$t
	work=$build/corpus/$t
	art=$build/artifacts/$t
	log=$build/logs/$t.log
	mkdir -p "$work" "$art" "$build/logs"
	say "$t: ${secs}s"
	# shellcheck disable=SC2086
	"$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=4096 -use_value_profile=1 -print_final_stats=1 \
		-artifact_prefix="$art/" ${FUZZ_ARGS:-} "$work" "$seeds" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	if [ "$status" -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $status)"
		rc=1
		grep -E 'ERROR:|invariant broken|runtime error|SUMMARY' "$log" | head -5 >&2
		say "$t: log in $log; inputs in $art"
	fi
	summary+=("$(printf '%-16s %12s %8s %6s %7s %12s  %s' "$t" "${execs:-?}" \
		"${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done

printf '\n%-16s %12s %8s %6s %7s %12s  %s\n' target executions exec/s cov ft corpus result
printf '%s\n' "${summary[@]}"
exit $rc
