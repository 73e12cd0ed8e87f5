#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Ranges served by a libsubid module (nsswitch.conf "subid: unctest"), end
# to end through the real setuid newuidmap/newgidmap.
#
# shadow dlopen()s libsubid_<name>.so by its bare name, and the setuid
# helper ignores LD_LIBRARY_PATH, so the module must be in a default
# library directory. in_module_ns runs a command in a nested private mount
# namespace where an overlay puts the module (and its ranges file) into
# that directory; the host's /usr is never written.

load helpers

suite_setup() {
	need_hermetic
	MODDIR=$WORK/module
	mkdir -p "$MODDIR"
	cp "$UNC_TESTBIN/libsubid_unctest.so" "$MODDIR/"
	chmod -R a+rX "$MODDIR"
	# the directory the loader searches: the one libc lives in
	LIBDIR=$(dirname "$(readlink -f "$(ldd /usr/bin/newuidmap | awk '/libc\.so/ {print $3}')")")
	set_etc nsswitch.conf "$(grep -v '^subid:' "$UNC_ETC/orig/nsswitch.conf")
subid: unctest
"
}

# module_ranges LINE...: the module's ranges ("uid alice 500000 65536")
module_ranges() {
	printf '%s\n' "$@" >"$MODDIR/libsubid_unctest.ranges"
	chmod 644 "$MODDIR/libsubid_unctest.ranges"
}

# in_module_ns CMD...: run CMD (may be the `as` function) where the module
# is installed.
in_module_ns() {
	export -f as
	unshare --mount --propagation private -- bash -c '
		mount -t overlay unctest -o "lowerdir=$1:$2" "$2" ||
			{ echo "cannot overlay the module onto $2" >&2; exit 90; }
		shift 2
		"$@"' _ "$MODDIR" "$LIBDIR" "$@"
}

@test "module: --range 65536 maps exactly the module's ranges, not /etc/subuid's" {
	module_ranges 'uid alice 500000 65536' 'gid alice 600000 65536'
	grep -q '^alice:100000:65536$' /etc/subuid
	run in_module_ns as alice uncmap --range 65536 -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
	assert_success
	assert_line --index 0 --regexp "^ +0 +$(uid_of alice) +1$"
	assert_line --index 1 --regexp '^ +1 +500000 +65535$'
	assert_line --index 2 --regexp "^ +0 +$(uid_of alice) +1$"
	assert_line --index 3 --regexp '^ +1 +600000 +65535$'
	[ "${#lines[@]}" = 4 ]
	refute_output --partial 100000
}

@test "module: a user with no /etc/subuid line launches on the module's range alone" {
	module_ranges 'uid bob 700000 65536' 'gid bob 700000 65536'
	! grep -q '^bob:' /etc/subuid
	run in_module_ns as bob uncmap -- sh -c 'touch f && chown 1000:1000 f && id -u'
	assert_success
	assert_output 0
	run stat -c '%u:%g' f
	assert_output '700999:700999'
}

@test "module: --print-map names the module as the source" {
	module_ranges 'uid alice 500000 65536' 'gid alice 600000 65536'
	run in_module_ns as alice uncmap --print-map --range 10
	assert_success
	assert_line --index 0 "uid map (10 IDs, from the subid source 'unctest' of /etc/nsswitch.conf):"
	assert_line --index 2 --regexp '^ +1 +500000 +9$'
	assert_line --index 5 --regexp '^ +1 +600000 +9$'
}

@test "module: /etc/subuid's range is refused, by uncmap and by newuidmap itself" {
	module_ranges 'uid alice 500000 65536' 'gid alice 600000 65536'
	run in_module_ns as alice uncmap --map-uid 0:2001:1 --map-uid 1:100000:10 -- true
	assert_failure 125
	assert_line --index 0 "uncmap: --map-uid 1:100000:10: outside UIDs 100000-100009 are not delegated to alice in the subid source 'unctest' of /etc/nsswitch.conf (alice has: 500000-565535)"
	# newuidmap on its own: a process in a new user namespace, held until
	# both maps have been tried
	mkfifo "$WORK/ready" "$WORK/hold"
	chmod 666 "$WORK/ready" "$WORK/hold"
	run in_module_ns as alice sh -c '
		unshare --user sh -c "echo >$1/ready; read x <$1/hold" &
		read x <"$1/ready"
		newuidmap $! 0 100000 1; echo "files: $?"
		newuidmap $! 0 500000 1; echo "module: $?"
		echo >"$1/hold"; wait' _ "$WORK"
	assert_line 'newuidmap: uid range [0-1) -> [100000-100001) not allowed'
	assert_line 'files: 1'
	assert_line 'module: 0'
}
