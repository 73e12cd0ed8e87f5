#!/usr/bin/env bats
# newuidshell: from root inside a user namespace, become another user of it.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

NOCAP='newuidshell: cannot switch users: no CAP_SETUID in this user namespace (run it as root inside uncmap)'
DENIED='newuidshell: setgroups is denied in this user namespace: only the primary group was set, supplementary groups are unchanged'

# The hermetic passwd and group keep the host's entries; make sure no
# entry has ID 1000, so that 1000 is a bare number.
without_1000() {
	set_etc passwd "$(awk -F: '$3 != 1000' "$UNC_ETC/orig/passwd")"$'\n'
	set_etc group "$(awk -F: '$3 != 1000' "$UNC_ETC/orig/group")"$'\n'
}

# Copy a host program and the libraries it loads into a root filesystem.
add_program() {
	local r=$1 prog=$2 dest=$3 lib
	mkdir -p "$r$(dirname "$dest")"
	cp "$prog" "$r$dest"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}

# A root filesystem with newuidshell and GNU id in it (it prints the
# primary group first, where busybox's follows the kernel's sorted list),
# and bob's login shell /bin/ash, so the shell is seen to come from rfs.
rootfs_with_newuidshell() {
	local r=$1
	make_rootfs "$r"
	add_program "$r" "$UNC_PREFIX/bin/newuidshell" /bin/newuidshell
	add_program "$r" /usr/bin/id /usr/bin/id
	ln -sf busybox "$r/bin/ash"
	ln -sf busybox "$r/bin/sort"
	printf 'root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000:Bob:/home/bob:/bin/ash\n' >"$r/etc/passwd"
	chmod -R a+rX "$r"
	if [ "${UNC_HERMETIC:-0}" = 1 ]; then chown -R alice:alice "$r"; fi
}

@test "a number needs no passwd entry: uid, gid and the only group are that number" {
	without_1000
	run as alice uncmap -- newuidshell 1000 -c 'id'
	assert_success
	assert_output 'uid=1000 gid=1000 groups=1000'
}

@test "after the switch every capability set is empty" {
	without_1000
	run as alice uncmap -- newuidshell 1000 -c 'grep -E "^Cap(Eff|Prm|Inh|Amb):" /proc/self/status'
	assert_success
	assert_line --index 0 --regexp '^CapInh:\s+0000000000000000$'
	assert_line --index 1 --regexp '^CapPrm:\s+0000000000000000$'
	assert_line --index 2 --regexp '^CapEff:\s+0000000000000000$'
	assert_line --index 3 --regexp '^CapAmb:\s+0000000000000000$'
	[ "${#lines[@]}" = 4 ]
	# root inside had them: the switch took them away
	run as alice uncmap -- grep '^CapEff:' /proc/self/status
	refute_output --regexp '0000000000000000$'
}

@test "the user cannot switch back" {
	without_1000
	run as alice uncmap -- newuidshell 1000 -c 'newuidshell 0 -c "id -u"'
	assert_failure 125
	assert_output "$NOCAP"
	run as alice uncmap -- newuidshell 1000 -c 'setpriv --reuid=0 --regid=0 --clear-groups id -u || echo refused'
	assert_line 'refused'
	refute_line '0'
}

@test "a uid outside the namespace's map is refused before any change" {
	run as alice uncmap -- newuidshell 70000
	assert_failure 125
	assert_output 'newuidshell: uid 70000 is not mapped in this user namespace (mapped: 0-65535)'
	run as alice uncmap -- newuidshell -g 70000 0 -c 'echo ran'
	assert_failure 125
	assert_output 'newuidshell: gid 70000 is not mapped in this user namespace (mapped: 0-65535)'
	run as alice uncmap -- newuidshell -G 0,70000 0 -c 'echo ran'
	assert_failure 125
	assert_output 'newuidshell: supplementary gid 70000 is not mapped in this user namespace (mapped: 0-65535)'
}

@test "on the host, as an ordinary user, there is nothing to switch with" {
	run as alice newuidshell bob
	assert_failure 125
	assert_output "$NOCAP"
}

@test "names come from the root's /etc/passwd: bob's own shell, HOME, groups" {
	rootfs_with_newuidshell "$WORK/rfs"
	run as alice uncmap --root rfs -- newuidshell bob <<<'echo "$0 $HOME $USER $LOGNAME $SHELL"; pwd; /usr/bin/id'
	assert_success
	assert_line --index 0 'ash /home/bob bob bob /bin/ash'
	assert_line --index 1 '/home/bob'
	assert_line --index 2 'uid=1000(bob) gid=1000(bob) groups=1000(bob),100(users)'
}

@test "-l: a login shell with a clean environment, in HOME" {
	rootfs_with_newuidshell "$WORK/rfs"
	UNC_EXTRA_ENV='FOO=bar TERM=xterm' run as alice uncmap --root rfs -- \
		newuidshell -l bob -c 'echo "$0"; pwd; env | sort'
	assert_success
	assert_line --index 0 '-ash'
	assert_line --index 1 '/home/bob'
	assert_line 'HOME=/home/bob'
	assert_line 'USER=bob'
	assert_line 'LOGNAME=bob'
	assert_line 'SHELL=/bin/ash'
	assert_line 'PATH=/usr/local/bin:/usr/bin:/bin'
	assert_line 'TERM=xterm'
	refute_line 'FOO=bar'
	refute_line 'LANG=C'
}

@test "without -l the environment stays, with the user's HOME, USER, LOGNAME, SHELL" {
	rootfs_with_newuidshell "$WORK/rfs"
	UNC_EXTRA_ENV='FOO=bar' run as alice uncmap --root rfs --keep-env -- \
		newuidshell bob -- env
	assert_success
	assert_line 'FOO=bar'
	assert_line 'HOME=/home/bob'
	assert_line 'USER=bob'
	assert_line 'LOGNAME=bob'
	assert_line 'SHELL=/bin/ash'
}

@test "-g and -G replace the primary and supplementary groups" {
	rootfs_with_newuidshell "$WORK/rfs"
	run as alice uncmap --root rfs -- newuidshell -g users -G 5,bob bob -c '/usr/bin/id'
	assert_success
	assert_output 'uid=1000(bob) gid=100(users) groups=100(users),5,1000(bob)'
}

@test "a user or group the root's files do not know is named" {
	rootfs_with_newuidshell "$WORK/rfs"
	# carol exists on the host, not in rfs
	run as alice uncmap --root rfs -- newuidshell carol
	assert_failure 125
	assert_output "newuidshell: user 'carol' does not exist in /etc/passwd"
	run as alice uncmap --root rfs -- newuidshell -g wheel bob
	assert_failure 125
	assert_output "newuidshell: group 'wheel' does not exist in /etc/group"
}

@test "a program after the user runs directly; 127 and 126 as for uncmap" {
	without_1000
	run as alice uncmap -- newuidshell 1000 -- sh -c 'echo "$1"' sh direct
	assert_success
	assert_output 'direct'
	run -127 as alice uncmap -- newuidshell 1000 -- no-such-program
	assert_failure 127
	assert_output "newuidshell: cannot run 'no-such-program': No such file or directory"
	run as alice uncmap -- newuidshell 1000 -- /etc
	assert_failure 126
}

@test "usage errors" {
	run newuidshell
	assert_failure 125
	assert_line --index 0 'newuidshell: no user given'
	assert_line --index 1 "Try 'newuidshell --help' for more information."
	run newuidshell -c id bob -- id
	assert_failure 125
	assert_output 'newuidshell: give either -c <command> or a program after the user, not both'
	run newuidshell --help
	assert_success
	assert_line --index 0 'Usage:'
}

@test "setgroups denied (--range 1): the switch works with the primary group alone and says so once" {
	run as alice uncmap --range 1 -- newuidshell 0 -c 'id -u; id -g; cat /proc/self/setgroups'
	assert_success
	assert_line --index 0 "$DENIED"
	assert_line --index 1 '0'
	assert_line --index 2 '0'
	assert_line --index 3 'deny'
	[ "$(grep -c 'setgroups is denied' <<<"$output")" = 1 ]
}

@test "setgroups denied with many IDs mapped: a non-root user gets its primary group" {
	need_hermetic
	# a namespace whose maps real root writes itself, setgroups denied;
	# root stays 0 inside so that newuidshell keeps its capabilities
	# across exec. Each map goes in one write(), as the kernel wants.
	mkfifo "$WORK/ready" "$WORK/go"
	without_1000
	unshare --user -- sh -c "echo \$\$ >$WORK/ready; read x <$WORK/go; exec newuidshell 1000 -c 'id -u; id -g'" \
		>"$WORK/out" 2>&1 &
	local pid f
	pid=$(cat "$WORK/ready")
	echo deny >"/proc/$pid/setgroups"
	for f in uid_map gid_map; do
		python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY); os.write(fd, b"0 0 1\n1 100001 65535\n")' "/proc/$pid/$f"
	done
	echo go >"$WORK/go"
	wait $!
	run cat "$WORK/out"
	assert_line --index 0 "$DENIED"
	assert_line --index 1 '1000'
	assert_line --index 2 '1000'
	[ "${#lines[@]}" = 3 ]
}
