#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# libsubid_uncmap.so, the stateless libsubid module, end to end: with
# "subid: uncmap" in nsswitch.conf the real setuid newuidmap/newgidmap and
# shadow's getsubids ask it, and it serves shadow's deterministic ranges
# from login.defs, with no subuid line at all. The module is installed by
# module_ns.bash, as the test module is.

load helpers
load module_ns

suite_setup() {
	module_install "$(find "$UNC_PREFIX" -name libsubid_uncmap.so | head -1)"
	set_etc nsswitch.conf "$(grep -v '^subid:' "$UNC_ETC/orig/nsswitch.conf")
subid: uncmap
"
	# alice (2001): 1065536, bob (2002): 1131072, in both kinds
	login_defs 'SUB_UID_DETERMINISTIC yes' 'SUB_GID_DETERMINISTIC yes'
}

# login_defs LINE...: the base settings plus these lines
login_defs() {
	set_etc login.defs "$(printf '%s\n' 'UID_MIN 2000' 'SUB_UID_MIN 1000000' \
		'SUB_GID_MIN 1000000' 'SUB_UID_MAX 2000000000' 'SUB_GID_MAX 2000000000' "$@")
"
}

@test "uncmap module: the real newuidmap maps the deterministic range of a user with no subuid line" {
	! grep -q '^bob:' /etc/subuid
	run in_module_ns as bob uncmap --range 65536 -- sh -c \
		'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"'
	assert_success
	assert_output '0 2002 1
1 1131072 65535
0 2002 1
1 1131072 65535'
	# alice's /etc/subuid line (100000) is not what the module serves
	run in_module_ns getsubids alice
	assert_success
	assert_output '0: alice 1065536 65536'
	run in_module_ns getsubids -g bob
	assert_output '0: bob 1131072 65536'
}

@test "uncmap module: newuidmap grants exactly the range, not one ID beyond it" {
	run try_newuidmap bob '0 1131072 65537' '0 1131072 65536'
	assert_line 'newuidmap: uid range [0-65537) -> [1131072-1196609) not allowed'
	assert_line '0 1131072 65537: 1'
	assert_line '0 1131072 65536: 0'
}

@test "uncmap module: a user only NSS knows (extrausers) gets his range" {
	echo 'ldapuser:x:5001:5001:directory user:/nonexistent:/bin/sh' >"$UNC_EXTRAUSERS/passwd"
	echo 'ldapuser:x:5001:' >"$UNC_EXTRAUSERS/group"
	set_etc nsswitch.conf "$(grep -v '^subid:' "$UNC_ETC/orig/nsswitch.conf" |
		sed -e 's/^passwd:.*/passwd: files extrausers/' -e 's/^group:.*/group: files extrausers/')
subid: uncmap
"
	# 1000000 + (5001 - 2000) * 65536
	run in_module_ns getsubids ldapuser
	assert_success
	assert_output '0: ldapuser 197673536 65536'
	mkdir -p "$WORK/ldaphome" && chown 5001:5001 "$WORK/ldaphome"
	run in_module_ns setpriv --reuid=5001 --regid=5001 --init-groups -- \
		env -i HOME="$WORK/ldaphome" PATH="$UNC_PREFIX/bin:/usr/bin:/bin" \
		uncmap --range 10 -- cat /proc/self/uid_map
	assert_success
	assert_line --index 1 --regexp '^ +1 +197673536 +9$'
}

@test "uncmap module: serves nothing without SUB_UID_DETERMINISTIC yes; fails closed on doubt" {
	login_defs
	run in_module_ns getsubids bob
	assert_failure
	run in_module_ns as bob uncmap -- true
	assert_failure 125
	# a value shadow would warn about: the module refuses everything
	login_defs 'SUB_UID_DETERMINISTIC yes' 'SUB_GID_DETERMINISTIC yes' 'SUB_UID_COUNT 65536x'
	run in_module_ns getsubids bob
	assert_failure
	run in_module_ns as bob uncmap --check
	assert_failure 1
	assert_line "FAIL libsubid_uncmap.so serves no subordinate UIDs (it fails closed): /etc/login.defs:8: SUB_UID_COUNT: '65536x' is not a number from 0 to 4294967295; shadow ignores it and uses the default; fix: correct /etc/login.defs"
	# the unsafe wrap mode: never served
	login_defs 'SUB_UID_DETERMINISTIC yes' 'UNSAFE_SUB_UID_DETERMINISTIC_WRAP yes'
	run in_module_ns getsubids bob
	assert_failure
	# below UID_MIN: no range (root has none either)
	login_defs 'SUB_UID_DETERMINISTIC yes' 'UID_MIN 2002'
	run in_module_ns getsubids alice
	assert_failure
	run in_module_ns getsubids bob
	assert_output '0: bob 1000000 65536'
}

@test "uncmap module: uncmap --check and subidctl list/check understand it" {
	run in_module_ns as alice uncmap --check
	assert_success
	assert_line 'ok   subordinate IDs come from the module libsubid_uncmap.so (the subid: line of /etc/nsswitch.conf)'
	assert_line 'ok   libsubid_uncmap.so serves subordinate UIDs by UID from /etc/login.defs: 1000000 + (UID - 2000) * 65536, up to 2000000000'
	assert_line "ok   alice has 65536 subordinate UIDs in the subid source 'uncmap' of /etc/nsswitch.conf: 1065536-1131071"
	run subidctl list bob alice
	assert_success
	assert_output "subidctl: note: /etc/nsswitch.conf sends subid: to 'uncmap'; these are the ranges libsubid_uncmap.so computes from /etc/login.defs
bob uids=1131072:65536 gids=1131072:65536
alice uids=1065536:65536 gids=1065536:65536"
	login_defs 'SUB_UID_DETERMINISTIC yes'
	run subidctl check --gids
	assert_failure 1
	assert_line --index 1 '/etc/login.defs: module: libsubid_uncmap.so serves no subordinate GIDs: SUB_GID_DETERMINISTIC is not yes in /etc/login.defs'
	assert_line --index 2 '/etc/login.defs: module: fix: set SUB_GID_DETERMINISTIC yes in /etc/login.defs, or correct the subid: line of /etc/nsswitch.conf'
	run in_module_ns as alice uncmap --check
	assert_failure 1
	assert_line 'FAIL libsubid_uncmap.so serves no subordinate GIDs: SUB_GID_DETERMINISTIC is not yes in /etc/login.defs; fix: set SUB_GID_DETERMINISTIC yes in /etc/login.defs'
}
