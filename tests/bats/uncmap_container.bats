#!/usr/bin/env bats
# uncmap part 2: pid, mount, root filesystem, uts, ipc, net, cgroup.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

suite_setup() {
	make_rootfs "$WORK/rfs"
}

suite_teardown() {
	pkill -KILL -f 'sleep 3002' 2>/dev/null || true
}

@test "--root --pid --hostname: a container with its own host name and processes" {
	run as alice uncmap --root rfs --pid --hostname box -- /bin/sh -c 'hostname; ps -o pid,comm | tail -n +2 | wc -l; id -u; readlink /proc/self/ns/uts | grep -c uts'
	assert_success
	assert_line --index 0 'box'
	# init, sh, ps, tail, wc: nothing of the host's
	[ "${lines[1]}" -le 6 ]
	assert_line --index 2 '0'
}

@test "files made inside --root belong to mapped IDs on the host" {
	run as alice uncmap --root rfs -- sh -c 'touch /home/bob/x && chown 1000:100 /home/bob/x'
	assert_success
	run stat -c '%u:%g' rfs/home/bob/x
	assert_output '100999:100099'
}

@test "--root gives a minimal /dev, a fresh /proc with --pid, and a read-only /sys" {
	run as alice uncmap --root rfs --pid -- sh -c 'ls /dev | tr "\n" " "; echo; echo x > /dev/null && echo null-ok; readlink /dev/ptmx; readlink /dev/fd; ls /proc/1/comm >/dev/null && cat /proc/1/comm; touch /sys/x 2>/dev/null || echo sys-ro; grep -c " /dev/pts devpts" /proc/self/mounts'
	assert_success
	assert_line --index 0 'fd full null ptmx pts random shm stderr stdin stdout tty urandom zero '
	assert_line --index 1 'null-ok'
	assert_line --index 2 'pts/ptmx'
	assert_line --index 3 '/proc/self/fd'
	assert_line --index 4 'uncmap-init'
	assert_line --index 5 'sys-ro'
	assert_line --index 6 '1'
}

@test "the old root is detached after pivot_root" {
	run as alice uncmap --root rfs -- sh -c 'ls /; test -e /bin/busybox && echo inside'
	assert_success
	assert_line 'inside'
	refute_line 'usr'
	# nothing of the host's root remains mounted: only the new root, its
	# /proc, /dev and /sys, and newuidshell's place
	run as alice uncmap --root rfs -- sh -c 'cut -d" " -f5 /proc/self/mountinfo | grep -v -E "^/(proc|dev|sys)(/|$)" | sort -u'
	assert_output $'/\n/run/uncmap/bin\n/run/uncmap/bin/newuidshell'
}

@test "--pid --mount-proc: ps sees only the namespace's processes" {
	run as alice uncmap --pid --mount-proc -- ps -e -o pid=,comm=
	assert_success
	assert_line --index 0 --regexp '^ +1 uncmap-init$'
	assert_line --index 1 --regexp '^ +2 ps$'
	[ "${#lines[@]}" = 2 ]
}

@test "--mount-proc without --pid says what is missing" {
	run as alice uncmap --mount-proc -- true
	assert_failure 125
	assert_output 'uncmap: --mount-proc needs a new PID namespace: add --pid'
}

@test "--mount: mounts made inside do not reach the host" {
	mkdir -p "$WORK/m"
	run as alice uncmap --mount -- sh -c "mount -t tmpfs none $WORK/m && touch $WORK/m/inside && grep -c $WORK/m /proc/self/mounts"
	assert_success
	assert_output '1'
	[ ! -e "$WORK/m/inside" ]
	run grep -c "$WORK/m" /proc/self/mounts
	assert_output '0'
}

@test "--net: only lo, and it is up" {
	run as alice uncmap --net -- ip -brief link
	assert_success
	assert_output --regexp '^lo +(UNKNOWN|UP) .*<LOOPBACK,UP,LOWER_UP>'
	[ "${#lines[@]}" = 1 ]
}

@test "--uts, --ipc, --cgroup each make their own namespace" {
	local kind
	for kind in uts ipc cgroup net mnt pid; do
		local opt=--$kind
		[ $kind = mnt ] && opt=--mount
		run as alice uncmap $opt -- readlink /proc/self/ns/$kind
		assert_success
		[ "$output" != "$(readlink /proc/self/ns/$kind)" ]
	done
	run as alice uncmap --pid -- readlink /proc/self/ns/pid
	[ "$output" != "$(readlink /proc/self/ns/pid)" ]
	run as alice uncmap -- readlink /proc/self/ns/uts
	assert_output "$(readlink /proc/self/ns/uts)"
}

@test "--bind, --ro-bind and --tmpfs are applied in order inside --root" {
	mkdir -p "$WORK/srv"
	echo data >"$WORK/srv/f"
	chmod -R a+rwX "$WORK/srv"
	run as alice uncmap --bind "$WORK/srv:/data" --ro-bind "$WORK/srv/f:/etc/resolv.conf" \
		--tmpfs /tmp --tmpfs /mnt --bind "$WORK/srv:/mnt" --root rfs -- \
		sh -c 'cat /data/f; cat /etc/resolv.conf; { echo x >> /etc/resolv.conf; } 2>/dev/null || echo ro; ls /tmp | wc -l; cat /mnt/f; touch /data/new'
	assert_success
	assert_output $'data\ndata\nro\n0\ndata'
	[ -e "$WORK/srv/new" ]
}

@test "bind options work without --root too, in a private mount namespace" {
	mkdir -p "$WORK/a" "$WORK/b"
	echo a >"$WORK/a/f"
	chmod -R a+rwX "$WORK/a" "$WORK/b"
	run as alice uncmap --ro-bind "$WORK/a:$WORK/b" -- sh -c "cat $WORK/b/f; touch $WORK/b/g 2>/dev/null || echo ro"
	assert_success
	assert_output $'a\nro'
	[ ! -e "$WORK/b/f" ]
}

@test "missing sources and destinations are clear errors, and nothing runs" {
	run as alice uncmap --root rfs --bind /nonexistent:/data -- touch /tmp/marker
	assert_failure 125
	assert_output "uncmap: --bind: source '/nonexistent': No such file or directory"
	run as alice uncmap --bind "$WORK:/nowhere" -- touch /tmp/marker
	assert_failure 125
	assert_output - <<-'EOF'
		uncmap: --bind: destination '/nowhere': No such file or directory
		uncmap: uncmap creates missing destinations only inside --root, never on the host
	EOF
	[ ! -e /nowhere ]
	run as alice uncmap --root "$WORK/none" -- true
	assert_output "uncmap: --root: cannot use '$WORK/none': No such file or directory"
	run as alice uncmap --bind nocolon -- true
	assert_output "uncmap: --bind: 'nocolon' is not SRC:DST"
	run as alice uncmap --bind /tmp:relative -- true
	assert_output "uncmap: --bind: destination 'relative' must be an absolute path"
	run as alice uncmap --ro-bind "$WORK/rfs/etc/passwd:/data" --root rfs -- true
	assert_output "uncmap: --ro-bind: cannot mount file '$WORK/rfs/etc/passwd' on directory '/data'"
	[ ! -e rfs/tmp/marker ]
}

@test "a symlink in the root filesystem resolves inside it, never to the host" {
	ln -s / rfs/escape
	chown -h alice:alice rfs/escape
	# /escape/etc is the root filesystem's own /etc: the tmpfs covers it
	run as alice uncmap --root rfs --tmpfs /escape/etc -- ls /etc
	assert_success
	assert_output ''
	[ -e rfs/etc/passwd ]
}

@test "--wd sets the directory inside; the default is the current one if it exists there" {
	run as alice uncmap --root rfs --wd /home/bob -- pwd
	assert_output '/home/bob'
	run as alice uncmap --root rfs -- pwd
	assert_output '/'
	mkdir -p "rfs$WORK"
	chmod 777 "rfs$WORK"
	run as alice uncmap --root rfs -- pwd
	assert_output "$WORK"
	run as alice uncmap --root rfs --wd /nonexistent -- pwd
	assert_failure 125
	assert_output "uncmap: --wd: cannot enter '/nonexistent': No such file or directory"
}

@test "--hostname validates its value" {
	run as alice uncmap --hostname "" -- true
	assert_failure 125
	assert_output "uncmap: --hostname: '' is not a host name of 1 to 64 characters"
}

@test "exit status under --pid: the command's code, and 128+N for its signal" {
	run as alice uncmap --pid -- sh -c 'exit 7'
	assert_failure 7
	run as alice uncmap --pid -- sh -c 'kill -KILL $$'
	assert_failure 137
	run -127 as alice uncmap --pid -- no-such-program
	assert_output "uncmap: cannot run 'no-such-program': No such file or directory"
}

@test "--pid: SIGTERM to uncmap reaches the command, which dies of it: 143" {
	mkfifo "$WORK/ready"
	chmod 666 "$WORK/ready"
	as_argv alice
	"${AS[@]}" uncmap --pid -- sh -c "echo go > $WORK/ready; exec sleep 3002" &
	local upid=$!
	read -r _ <"$WORK/ready"
	[ "$(cat /proc/$upid/comm)" = uncmap ]
	kill -TERM "$upid"
	local st=0
	wait "$upid" || st=$?
	[ "$st" = 143 ]
}

@test "--pid: the command's handler sees the signal; the init relays SIGUSR1 and SIGHUP" {
	# One FIFO per message: the writer of one may still hold its FIFO
	# open after the reader has its line, and a second read of the same
	# FIFO would then see that writer's close as an empty message.
	mkfifo "$WORK/ready" "$WORK/got1" "$WORK/got2"
	chmod 666 "$WORK/ready" "$WORK/got1" "$WORK/got2"
	as_argv alice
	"${AS[@]}" uncmap --pid -- sh -c "trap 'echo usr1 > $WORK/got1' USR1; trap 'echo hup > $WORK/got2; exit 5' HUP; echo go > $WORK/ready; while :; do sleep 0.1; done" &
	local upid=$!
	read -r _ <"$WORK/ready"
	kill -USR1 "$upid"
	read -r got <"$WORK/got1"
	[ "$got" = usr1 ]
	kill -HUP "$upid"
	read -r got <"$WORK/got2"
	[ "$got" = hup ]
	local st=0
	wait "$upid" || st=$?
	[ "$st" = 5 ]
}

@test "--pid: orphaned grandchildren are reaped, no zombie is left under the init" {
	# sh starts a child that exits at once while sh still runs; the orphan
	# re-parents to init, which must reap it.
	run as alice uncmap --pid --mount-proc -- sh -c '(sh -c "exit 0" &) ; sleep 0.3; ps -o stat=,comm= | grep -c "^Z" || true'
	assert_success
	assert_output '0'
}
