#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Ranges served by a libsubid module (nsswitch.conf "subid: unctest"), end
# to end through the real setuid newuidmap/newgidmap, with the module
# installed by module_ns.bash.

load helpers
load module_ns

suite_setup() {
	module_install "$UNC_TESTBIN/libsubid_unctest.so"
	set_etc nsswitch.conf "$(grep -v '^subid:' "$UNC_ETC/orig/nsswitch.conf")
subid: unctest
"
}

# module_ranges LINE...: the module's ranges ("uid alice 500000 65536")
module_ranges() {
	printf '%s\n' "$@" >"$MODDIR/libsubid_unctest.ranges"
	chmod 644 "$MODDIR/libsubid_unctest.ranges"
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
	# newuidmap on its own: the files' range, then the module's
	run try_newuidmap alice '0 100000 1' '0 500000 1'
	assert_line 'newuidmap: uid range [0-1) -> [100000-100001) not allowed'
	assert_line '0 100000 1: 1'
	assert_line '0 500000 1: 0'
}

@test "module: --check names the module and the ranges it serves" {
	module_ranges 'uid alice 500000 65536' 'gid alice 600000 65536'
	run in_module_ns as alice uncmap --check
	assert_success
	assert_line 'ok   subordinate IDs come from the module libsubid_unctest.so (the subid: line of /etc/nsswitch.conf)'
	assert_line "ok   alice has 65536 subordinate UIDs in the subid source 'unctest' of /etc/nsswitch.conf: 500000-565535"
	assert_line "ok   alice has 65536 subordinate GIDs in the subid source 'unctest' of /etc/nsswitch.conf: 600000-665535"
	assert_line 'result: a --range 65536 launch would work'
	run in_module_ns as bob uncmap --check
	assert_failure 1
	assert_line "FAIL no subordinate UIDs for bob (looked in the subid source 'unctest' of /etc/nsswitch.conf); fix: ask an administrator to run: subidctl add bob"
}

@test "module: --check warns when the module nsswitch.conf names cannot be loaded" {
	run as alice uncmap --check
	assert_success
	assert_line "warn /etc/nsswitch.conf names the subid source 'unctest', but libsubid_unctest.so cannot be loaded (libsubid_unctest.so: cannot open shared object file: No such file or directory): shadow falls back to /etc/subuid and /etc/subgid; fix: install libsubid_unctest.so in the default library directory (for SSSD, the sssd package that ships it), or correct the subid: line of /etc/nsswitch.conf"
}

@test "module: an uncmap built without libsubid says it cannot follow the module" {
	module_ranges 'uid alice 500000 65536' 'gid alice 600000 65536'
	local b=$WORK/nolibsubid
	cmake -S "$UNC_SRC" -B "$b" -DUNC_WITH_LIBSUBID=OFF -DUNC_BUILD_TESTS=OFF >/dev/null
	cmake --build "$b" --target uncmap -j"$(nproc)" >/dev/null
	chmod -R a+rX "$b"
	run in_module_ns as alice "$b/cmd/uncmap/uncmap" --print-map --range 10
	assert_success
	assert_line --index 0 "uid map (10 IDs, from /etc/subuid (/etc/nsswitch.conf names subid source 'unctest', which this build cannot follow: it was built without libsubid)):"
	assert_line --index 2 --regexp '^ +1 +100000 +9$'
	run in_module_ns as alice "$b/cmd/uncmap/uncmap" --check
	assert_failure 1
	assert_line "FAIL /etc/nsswitch.conf names the subid source 'unctest', which this uncmap cannot follow: it was built without libsubid, so it reads /etc/subuid and /etc/subgid while newuidmap asks 'unctest'; fix: rebuild uncmap with libsubid (apt-get install libsubid-dev, then cmake -DUNC_WITH_LIBSUBID=ON), or pass the ranges 'unctest' grants with --map-uid and --map-gid"
	# the launch plans from the files, newuidmap asks the module: refused
	run in_module_ns as alice "$b/cmd/uncmap/uncmap" -- true
	assert_failure 125
	assert_line --partial 'newuidmap: uid range [1-65536) -> [100000-165535) not allowed'
	assert_line --index $((${#lines[@]} - 1)) "uncmap: run 'uncmap --check' for a diagnosis"
}
