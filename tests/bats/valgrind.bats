#!/usr/bin/env bats
# One valgrind memcheck run of a full launch (issue 7): --pid --root, the
# helpers, the init, the mounts. No error and no leak, in uncmap or in the
# processes it forks (the init and the command's process before exec).
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

@test "valgrind memcheck: a full launch with --pid --root has no error and no leak" {
	command -v valgrind >/dev/null || fail "valgrind is not installed (.ci/deps installs it)"
	make_rootfs "$WORK/rfs"
	# memcheck replaces malloc only in a dynamically linked program: the
	# static uncmap's dynamic twin (lib/core/twin.h) is the same code
	local uncmap=uncmap
	[ -x "$UNC_PREFIX/libexec/uncmap/uncmap" ] && uncmap=$UNC_PREFIX/libexec/uncmap/uncmap
	# valgrind follows the forked init and command into the new root,
	# where no log file could be made: everything goes to stderr
	run --separate-stderr as alice valgrind -q --trace-children=no \
		--leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--error-exitcode=99 \
		"$uncmap" --pid --root rfs --hostname vg -- /bin/sh -c 'hostname; id -u'
	echo "$stderr" >&3
	assert_success
	assert_output $'vg\n0'
	# nothing but valgrind's note that it cannot emulate some new
	# system calls (uncmap falls back)
	local other
	other=$(grep -v -E '^--[0-9]+-- ' <<<"$stderr" || true)
	[ -z "$other" ]
}
