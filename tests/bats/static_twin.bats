#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The static-pie uncmap and its dynamically linked twin (lib/core/twin.h):
# what the static one does alone, and what it hands to the twin (NSS,
# --check, a libsubid module). Built wherever the toolchain links
# static-pie, which a sanitizer build cannot: tests/run-all leaves this
# file out of its ASan+UBSan phase, as it leaves out valgrind.bats.

load helpers
load module_ns

suite_setup() {
	TWIN=$UNC_PREFIX/libexec/uncmap/uncmap
	[ -x "$TWIN" ] || skip_or_fail "no twin at $TWIN: uncmap is linked dynamically here (UNC_STATIC_UNCMAP=OFF, or no static-pie libc or libcap.a)"
	mkdir "$WORK/lone"
	cp "$UNC_PREFIX/bin/uncmap" "$WORK/lone/"
	chmod -R a+rX "$WORK/lone"
}

# module_setup LINE...: the test module as nsswitch.conf's subid source,
# serving these ranges ("uid alice 500000 65536")
module_setup() {
	module_install "$UNC_TESTBIN/libsubid_unctest.so"
	set_etc nsswitch.conf "$(grep -v '^subid:' "$UNC_ETC/orig/nsswitch.conf")
subid: unctest
"
	printf '%s\n' "$@" >"$MODDIR/libsubid_unctest.ranges"
	chmod 644 "$MODDIR/libsubid_unctest.ranges"
}

@test "uncmap is static-pie, its twin dynamic; a lone uncmap launches when nothing needs loading" {
	run readelf -hl "$UNC_PREFIX/bin/uncmap"
	assert_success
	assert_output --partial 'DYN (Position-Independent Executable file)'
	refute_output --partial 'INTERP'
	run readelf -l "$TWIN"
	assert_output --partial 'Requesting program interpreter'
	# no twin beside this copy: with the files for passwd and subid, the
	# static uncmap does the whole launch itself
	run as alice "$WORK/lone/uncmap" --range 65536 -- sh -c 'cat /proc/self/uid_map; id -u'
	assert_success
	assert_line --index 1 --regexp '^ +1 +100000 +65535$'
	assert_line --index 2 0
}

@test "a static uncmap hands --check and an unknown passwd entry to its twin, and names it when it is missing" {
	# the installed pair: --check runs (in the twin)
	run as alice uncmap --check
	assert_success
	assert_output --partial 'passwd'
	run as alice "$WORK/lone/uncmap" --check
	assert_failure 125
	assert_line --index 0 "uncmap: cannot run $WORK/lone/../libexec/uncmap/uncmap, the dynamically linked uncmap needed for --check: No such file or directory"
	assert_line --index 1 "uncmap: reinstall uncmap: it installs both"
	# a UID the files do not know: NSS must be asked, in the twin
	run setpriv --reuid=4242 --regid=4242 --clear-groups -- "$WORK/lone/uncmap" --range 10 -- true
	assert_failure 125
	assert_line --index 0 "uncmap: cannot run $WORK/lone/../libexec/uncmap/uncmap, the dynamically linked uncmap needed for your passwd entry: No such file or directory"
}

@test "module: a static uncmap reads the module's ranges through its twin, the caller's ignored signals intact" {
	module_setup 'uid alice 500000 65536' 'gid alice 600000 65536'
	# what the command ignores is what the caller ignored (USR1), not
	# the SIGPIPE the static uncmap ignored for itself
	run in_module_ns as alice sh -c 'trap "" USR1; exec grep ^SigIgn /proc/self/status'
	assert_success
	local want=$output
	[ $((0x${want##*[[:space:]]} & (1 << 9))) != 0 ]
	run in_module_ns as alice sh -c 'trap "" USR1; exec uncmap --range 65536 -- sh -c "sed -n 2p /proc/self/uid_map; grep ^SigIgn /proc/self/status"'
	assert_success
	assert_line --index 0 --regexp '^ +1 +500000 +65535$'
	assert_line --index 1 "$want"
	# a lone copy, no twin beside it: refused, naming the missing file
	run in_module_ns as alice "$WORK/lone/uncmap" --range 65536 -- true
	assert_failure 125
	assert_line --index 0 --partial "cannot run $WORK/lone/../libexec/uncmap/uncmap, the dynamically linked uncmap needed for libsubid.so.4: No such file or directory"
}
