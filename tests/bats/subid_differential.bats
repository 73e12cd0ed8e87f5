#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Exact agreement with shadow's reader: the same files go to our parser
# (lib/core/subid.c, through tests/helpers/subiddiff) and to shadow's own
# (getsubids, which reads /etc/subuid through libsubid), and every owner
# must get the same ranges, in the same order, from both. The files are
# written into the hermetic /etc/subuid, which tests/lib/hermetic.sh
# bind-mounted in this private mount namespace: never the host's.

load helpers

suite_setup() {
	need_hermetic
	command -v getsubids >/dev/null || fail "getsubids (package uidmap) is not installed"
	DIFF=$UNC_TESTBIN/subid-diff
}

# same_as_shadow FILE: both readers give every owner the same ranges
same_as_shadow() {
	local ours theirs o
	local -a owners
	cat "$1" >"$UNC_ETC/subuid"
	mapfile -t owners < <("$DIFF" owners /etc/subuid | LC_ALL=C sort -u)
	ours=$("$DIFF" ranges /etc/subuid "${owners[@]}")
	theirs=$(for o in "${owners[@]}"; do getsubids "$o" 2>&1 || true; done)
	if [ "$ours" != "$theirs" ]; then
		echo "our reader and shadow's disagree on $1:"
		od -c "$1" | head -20
		diff <(echo "$ours") <(echo "$theirs")
		return 1
	fi
}

@test "differential: the issue's hostile cases, as shadow 4.13 reads them" {
	# a NUL: the line is cut there and the next one read onto it
	printf 'u2:231072:65536\0x\nu1:165536:65536\nu3:1:2\n' >"$WORK/nul"
	same_as_shadow "$WORK/nul"
	run getsubids u2
	assert_failure
	run getsubids u3
	assert_output "0: u3 1 2"
	# a NUL at the end of the file: the line up to it is a range
	printf 'u9:5:6\nu2:231072:65536\0' >"$WORK/nul-end"
	same_as_shadow "$WORK/nul-end"
	run "$DIFF" ranges /etc/subuid u2
	assert_output "0: u2 231072 65536"
	# a NUL before the last newline: shadow reads nothing at all
	printf 'u9:5:6\nu2:231072:65536\0\n' >"$WORK/nul-last"
	same_as_shadow "$WORK/nul-last"
	run "$DIFF" ranges /etc/subuid u9
	assert_output "Error fetching ranges"
	# an owner stitched from two lines
	printf 'a\0\nx:1:2\n' >"$WORK/stitched"
	same_as_shadow "$WORK/stitched"
	run "$DIFF" ranges /etc/subuid ax
	assert_output "0: ax 1 2"
	# CRLF, comments, NIS lines, -1 starts, counts near 2^64
	printf '%s\n' $'alice:100000:65536\r' '#c:1:2' '# note' '-n:1:2' '+p:3:4' \
		'alice:-1:10' 'alice:5:18446744073709551615' 'alice:6:18446744073709551616' \
		'alice:7:-18446744073709551615' '2001:300000:10' >"$WORK/mixed"
	same_as_shadow "$WORK/mixed"
	run "$DIFF" ranges /etc/subuid alice '#c'
	assert_output "0: alice 18446744073709551615 10
1: alice 5 18446744073709551615
2: alice 7 1
3: alice 300000 10
0: #c 1 2"
}

@test "differential: a last line at the edge of shadow's 4096-byte buffer" {
	local n
	for n in 4094 4095 4096 8191; do
		{ echo 'u1:1:1'; head -c "$n" /dev/zero | tr '\0' z; } >"$WORK/edge$n"
		same_as_shadow "$WORK/edge$n"
	done
	run "$DIFF" ranges /etc/subuid u1 # the 8191-byte file: unreadable
	assert_output "Error fetching ranges"
}

@test "differential: every fuzz corpus file" {
	local f n=0
	for f in "$UNC_SRC"/tests/fuzz/corpus/fuzz_subid_line/* \
		"$UNC_SRC"/tests/fuzz/corpus/fuzz_subidfile/* "$UNC_SRC"/tests/fixtures/subuid*; do
		same_as_shadow "$f"
		n=$((n + 1))
	done
	[ "$n" -ge 5 ]
}

@test "differential: 200 generated hostile files" {
	local seed
	for seed in $(seq 1 200); do
		"$DIFF" gen "$seed" "$WORK/gen"
		same_as_shadow "$WORK/gen"
	done
}
