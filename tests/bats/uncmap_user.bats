#!/usr/bin/env bats
# uncmap --user, --cap-add, --cap-drop, --no-new-privs.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

without_1000() {
	set_etc passwd "$(awk -F: '$3 != 1000' "$UNC_ETC/orig/passwd")"$'\n'
	set_etc group "$(awk -F: '$3 != 1000' "$UNC_ETC/orig/group")"$'\n'
}

# Copy a host program and the libraries it loads into a root filesystem.
add_program() {
	local r=$1 prog=$2 lib
	mkdir -p "$r$(dirname "$prog")"
	cp "$prog" "$r$prog"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	chmod -R a+rX "$r"
}

@test "--root --user: the user and its groups come from the root's files" {
	make_rootfs "$WORK/rfs"
	# GNU id prints the primary group first (busybox's follows the
	# kernel's sorted list)
	add_program "$WORK/rfs" /usr/bin/id
	run as alice uncmap --root rfs --user bob -- /usr/bin/id
	assert_success
	assert_output 'uid=1000(bob) gid=1000(bob) groups=1000(bob),100(users)'
}

@test "--user USER:GROUP sets the primary group" {
	run as alice uncmap --user 1000:100 -- id -g
	assert_success
	assert_output '100'
	run as alice uncmap --user 1000:100 -- id -G
	assert_output '100'
}

@test "--user sets HOME, USER, LOGNAME and SHELL; --keep-env keeps the rest" {
	make_rootfs "$WORK/rfs"
	UNC_EXTRA_ENV='FOO=bar' run as alice uncmap --root rfs --keep-env --user bob -- sh -c 'echo "$HOME $USER $LOGNAME $SHELL $FOO"'
	assert_success
	assert_output '/home/bob bob bob /bin/sh bar'
	# under --root without --keep-env, nothing of the caller's but TERM
	UNC_EXTRA_ENV='FOO=bar' run as alice uncmap --root rfs --user bob -- sh -c 'echo "$HOME $USER $LOGNAME $SHELL ${FOO-none}"'
	assert_success
	assert_output '/home/bob bob bob /bin/sh none'
}

@test "--user leaves a non-root user with no capabilities, for good" {
	without_1000
	run as alice uncmap --user 1000 -- grep -E '^Cap(Inh|Prm|Eff|Amb):' /proc/self/status
	assert_success
	[ "${#lines[@]}" = 4 ]
	refute_output --regexp '[1-9a-f]$'
	run as alice uncmap --user 1000 -- newuidshell 0
	assert_failure 125
	assert_output 'newuidshell: cannot switch users: no CAP_SETUID in this user namespace (run it as root inside uncmap)'
}

@test "--user is refused when the map does not hold it" {
	run as alice uncmap --user 70000 -- true
	assert_failure 125
	assert_output 'uncmap: uid 70000 is not mapped in this user namespace (mapped: 0-65535)'
	run as alice uncmap --user 0:70000 -- true
	assert_failure 125
	assert_output 'uncmap: gid 70000 is not mapped in this user namespace (mapped: 0-65535)'
}

@test "--user names are looked up inside --root, not on the host" {
	make_rootfs "$WORK/rfs"
	run as alice uncmap --root rfs --user carol -- true
	assert_failure 125
	assert_output "uncmap: user 'carol' does not exist in /etc/passwd"
	run as alice uncmap --root rfs --user bob:wheel -- true
	assert_failure 125
	assert_output "uncmap: group 'wheel' does not exist in /etc/group"
}

@test "--user with --pid: the command runs as the user" {
	without_1000
	run as alice uncmap --pid --mount-proc --user 1000 -- sh -c 'id -u; ps -o user=,comm= -p $$'
	assert_success
	assert_line --index 0 '1000'
	assert_line --index 1 --regexp '^1000 +sh$'
}

@test "--user with setgroups denied (--range 1) says so once and runs" {
	run as alice uncmap --range 1 --user 0 -- id -u
	assert_success
	assert_line --index 0 'uncmap: setgroups is denied in a map of only your own ID: --user sets the primary group only, supplementary groups are unchanged'
	assert_line --index 1 '0'
	[ "${#lines[@]}" = 2 ]
}

@test "--cap-drop ALL empties every set, the bounding set too" {
	run as alice uncmap --cap-drop ALL -- grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	assert_success
	[ "${#lines[@]}" = 5 ]
	refute_output --regexp '[1-9a-f]$'
}

@test "--cap-drop takes one capability from root's command" {
	as alice touch f
	run as alice uncmap --cap-drop CAP_CHOWN -- chown 1000 f
	assert_failure
	assert_output --partial 'Operation not permitted'
	run as alice uncmap --cap-drop chown -- sh -c 'grep "^CapBnd:" /proc/self/status'
	assert_output --regexp '[02468ace]$'
	run as alice uncmap -- chown 1000 f
	assert_success
}

@test "--cap-add keeps a capability for a --user, as an ambient one" {
	without_1000
	# CAP_NET_BIND_SERVICE is bit 10: 0x400
	run as alice uncmap --user 1000 --cap-add net_bind_service -- grep -E '^Cap(Inh|Prm|Eff|Amb):' /proc/self/status
	assert_success
	assert_line --index 0 --regexp '^CapInh:\s+0000000000000400$'
	assert_line --index 1 --regexp '^CapPrm:\s+0000000000000400$'
	assert_line --index 2 --regexp '^CapEff:\s+0000000000000400$'
	assert_line --index 3 --regexp '^CapAmb:\s+0000000000000400$'
}

@test "--cap-drop ALL --cap-add: root keeps only what is added" {
	run as alice uncmap --cap-drop ALL --cap-add CAP_CHOWN,CAP_FOWNER -- grep -E '^Cap(Eff|Bnd):' /proc/self/status
	assert_success
	assert_line --index 0 --regexp '^CapEff:\s+0000000000000009$'
	assert_line --index 1 --regexp '^CapBnd:\s+0000000000000009$'
}

@test "--no-new-privs sets no_new_privs for the command" {
	run as alice uncmap --no-new-privs -- grep '^NoNewPrivs:' /proc/self/status
	assert_success
	assert_output --regexp '^NoNewPrivs:\s+1$'
	run as alice uncmap -- grep '^NoNewPrivs:' /proc/self/status
	assert_output --regexp '^NoNewPrivs:\s+0$'
}

@test "option errors: unknown capability, empty --user parts" {
	run as alice uncmap --cap-add foo -- true
	assert_failure 125
	assert_line --index 0 "uncmap: --cap-add: unknown capability 'foo'"
	assert_line --index 1 'uncmap: capability names are listed in capabilities(7), e.g. CAP_NET_ADMIN or net_admin'
	run as alice uncmap --cap-add ALL -- true
	assert_failure 125
	assert_line --index 0 "uncmap: --cap-add: unknown capability 'ALL'"
	run as alice uncmap --user bob: -- true
	assert_failure 125
	assert_output "uncmap: --user: no group after ':'"
	run as alice uncmap --user :users -- true
	assert_failure 125
	assert_output 'uncmap: --user: no user given'
}
