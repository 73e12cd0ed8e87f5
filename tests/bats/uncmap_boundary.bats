#!/usr/bin/env bats
# The boundary between the namespace and the caller (issue 10): descriptors,
# lifetime, signals, --check against the launch, exec. One test per item of
# the issue; each says which. The terminal (items 1 and 8) is in its own suite.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

# Every sleep of this suite is "sleep 61NN.NN", so teardown kills only ours.
suite_teardown() {
	pkill -KILL -f '^sleep 61[0-9]{2}\.[0-9]{2}$' 2>/dev/null || true
	if [ -n "${BG:-}" ]; then kill -KILL "$BG" 2>/dev/null || true; wait "$BG" 2>/dev/null || true; fi
}

# wait_for CMD...: until CMD succeeds, at most 10 s
wait_for() { wait_until "$@"; }

alive() { pgrep -f "^sleep $1\$" >/dev/null; }
# ended PID: the process is gone or a zombie
ended() {
	local s
	s=$(ps -o stat= -p "$1") || return 0
	[[ $s == Z* ]]
}
gone() { ! alive "$1"; }

# start_bg ARGS...: run ARGS as alice in the background; BG is its PID
start_bg() {
	as_argv alice
	"${AS[@]}" "$@" </dev/null >"$WORK/bg.out" 2>&1 &
	BG=$!
}

# child_fds SLEEP OPTION...: as alice, with the caller's / open on 5 and 6,
# start `uncmap --info-fd 7 OPTION... -- sleep SLEEP`; once the sleep runs,
# print where each descriptor of uncmap's child (the init or supervisor)
# leads, read as root from outside (its /proc entries are not the
# namespace's to read, nor alice's once it is released: see item 2b).
child_fds() {
	local s=$1 child
	shift
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root to read the supervisor's descriptors"
	start_bg bash -c "exec 5</ 6</ 7>$WORK/info; exec uncmap --info-fd 7 $* -- sleep $s"
	wait_for alive "$s"
	child=$(jq -r '."child-pid"' "$WORK/info")
	[ "$(cat /proc/"$child"/comm)" != uncmap ] # the init or supervisor, named
	local f
	for f in /proc/"$child"/fd/*; do readlink "$f"; done
	kill -TERM "$BG"
	wait "$BG" || true
}

@test "item 2: the supervisor holds no descriptor of the caller's" {
	run child_fds 6102.01
	assert_success
	[ "${#lines[@]}" -ge 2 ] # its pipes to uncmap, its signalfd
	refute_line /
	# and from inside, nothing of it to follow
	run as alice bash -c 'exec 5</; uncmap -- sh -c "ls /proc/\$PPID/fd/5/etc/hostname 2>&1"'
	assert_output --regexp '(No such file or directory|Permission denied)$'
}

@test "item 2: with --root --pid, PID 1 holds no descriptor of the caller's" {
	make_rootfs "$WORK/rfs"
	run child_fds 6102.02 --root "$WORK/rfs" --pid
	assert_success
	[ "${#lines[@]}" -ge 2 ]
	refute_line /
	run as alice bash -c 'exec 5</; uncmap --root rfs --pid -- cat /proc/1/fd/5/etc/hostname'
	assert_failure 1
	assert_output --regexp '(No such file or directory|Permission denied)$'
}

@test "item 2b: nothing inside reads the supervisor's memory, where the caller's environment is" {
	# The supervisor shares uncmap's memory (or holds a copy): its
	# environ and mem are the caller's. The command is root of the
	# namespace, with every capability there, and of the caller's UID.
	run as alice env UNC_TEST_SECRET=s3cr3t-2b uncmap -- sh -c \
		'cat /proc/$PPID/environ; (exec 3</proc/$PPID/mem) && echo mem-opened; ls /proc/$PPID/fd'
	refute_output --partial s3cr3t-2b
	refute_line mem-opened
	assert_output --partial "/proc/"
	assert_output --partial "Permission denied"
	run as alice env UNC_TEST_SECRET=s3cr3t-2b uncmap --pid --mount-proc -- sh -c \
		'cat /proc/1/environ; (exec 3</proc/1/mem) && echo mem-opened'
	refute_output --partial s3cr3t-2b
	refute_line mem-opened
}

@test "item 3: kill -9 of uncmap ends a process in a nested user namespace" {
	start_bg uncmap -- sh -c 'unshare -U sleep 6101.01 & wait'
	wait_for alive 6101.01
	kill -KILL "$BG"
	wait_for gone 6101.01
}

@test "item 3: kill -9 of uncmap ends what runs under a mount over /proc" {
	start_bg uncmap --mount -- sh -c 'mount -t tmpfs x /proc; sleep 6102.01 & wait'
	wait_for alive 6102.01
	kill -KILL "$BG"
	wait_for gone 6102.01
}

@test "item 3: kill -9 of uncmap ends a double fork that called setsid" {
	start_bg uncmap -- sh -c '(setsid sleep 6103.01 &) ; sleep 6103.02'
	wait_for alive 6103.01
	wait_for alive 6103.02
	kill -KILL "$BG"
	wait_for gone 6103.01
	wait_for gone 6103.02
}

@test "item 4: without --pid, a background job ends when the command does" {
	run as alice uncmap -- sh -c 'exec >/dev/null 2>&1; sleep 6104.01 & unshare -U sleep 6104.02 & exit 7'
	assert_failure 7
	gone 6104.01
	gone 6104.02
}

@test "item 4: a subreaper inside does not keep its orphans alive" {
	# a subreaper of the command's own (like systemd --user) whose
	# orphan lives on after it exits, and a nested PID namespace
	run as alice uncmap -- python3 -c '
import ctypes, os, subprocess
os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
subprocess.run(["sh", "-c", "(sleep 6105.01 &)"])
subprocess.run(["unshare", "-Upf", "sh", "-c", "sleep 6105.02 & sleep 6105.03 & exit 0"])
os._exit(0)'
	assert_success
	gone 6105.01
	gone 6105.02
	gone 6105.03
}

@test "item 5: signals the caller ignores stay ignored (nohup uncmap)" {
	run as alice nohup uncmap -- sh -c 'kill -HUP $$; echo still here'
	assert_success
	assert_output --partial 'still here'
	# and a signal the caller does not ignore is the default again
	run as alice uncmap -- sh -c 'kill -HUP $$; echo still here'
	assert_failure 129
	refute_output --partial 'still here'
}

@test "item 6: a command killed by SIGINT makes uncmap die of SIGINT" {
	as_argv alice
	for opt in --range=65536 --pid; do
		run "${AS[@]}" perl -e 'system(@ARGV); printf "%d %d\n", $? >> 8, $? & 127' \
			uncmap "$opt" -- sh -c 'kill -INT $$'
		assert_output '0 2'
	done
	run "${AS[@]}" perl -e 'system(@ARGV); printf "%d %d\n", $? >> 8, $? & 127' \
		uncmap -- sh -c 'kill -TERM $$'
	assert_output '0 15'
	# a command that exits 130 itself is not a signal
	run "${AS[@]}" perl -e 'system(@ARGV); printf "%d %d\n", $? >> 8, $? & 127' \
		uncmap -- sh -c 'exit 130'
	assert_output '130 0'
}

@test "item 6: one SIGINT ends a shell loop of uncmap calls" {
	# A terminal's ^C: SIGINT to the loop's whole process group. bash goes
	# on with the loop unless the child it waited for died of SIGINT too.
	# (perl: a background job starts with SIGINT ignored; undo that.)
	as_argv alice
	setsid "${AS[@]}" perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' \
		bash -c 'for i in 1 2 3; do uncmap -- sleep 6106.01; echo "pass $i"; done' \
		>"$WORK/loop.out" 2>&1 &
	BG=$!
	wait_for alive 6106.01
	kill -INT -- "-$BG"
	wait_for ended "$BG"
	run cat "$WORK/loop.out"
	refute_output --partial 'pass'
}

@test "item 7: --die-with-parent: when uncmap's parent dies, everything inside ends" {
	start_bg sh -c 'uncmap --die-with-parent -- sleep 6107.01 & wait'
	wait_for alive 6107.01
	kill -KILL "$BG"
	wait_for gone 6107.01
	# and without it the command outlives the parent (bwrap's default too)
	start_bg sh -c 'uncmap -- sleep 6107.02 & wait'
	wait_for alive 6107.02
	kill -KILL "$BG"
	sleep 0.3
	alive 6107.02
}

@test "item 10: a script without #! runs under sh with its whole argv, by path or PATH" {
	printf 'echo "$# ${300}"\n' >"$WORK/noshebang"
	chmod 755 "$WORK/noshebang"
	run as alice uncmap -- "$WORK/noshebang" $(seq 1 300)
	assert_success
	assert_output '300 300'
	run as alice env PATH="$WORK:$UNC_PREFIX/bin:/usr/bin:/bin" uncmap -- noshebang $(seq 1 300)
	assert_success
	assert_output '300 300'
}

@test "item 9: real root with no subordinate range: --check and the launch agree" {
	need_hermetic
	run uncmap --check
	assert_success
	assert_line 'ok   root maps UIDs 0-65535 of its own namespace'
	assert_line 'result: a --range 65536 launch would work'
	run uncmap -- cat /proc/self/uid_map
	assert_success
	assert_output --regexp '^ +0 +0 +65536$'
}

@test "item 9: root of a namespace maps what its namespace holds, and --check says so" {
	run as alice uncmap -- uncmap --check --map-uid 0:0:1000 --map-gid 0:0:1000
	assert_success
	assert_line 'ok   root maps GIDs 0-999 of its own namespace'
	run as alice uncmap -- uncmap --map-uid 0:0:1000 --map-gid 0:0:1000 -- cat /proc/self/gid_map
	assert_success
	assert_line --index 0 --regexp '^ +0 +0 +1$'
	assert_line --index 1 --regexp '^ +1 +1 +999$'
	run as alice uncmap -- uncmap -- id -u
	assert_success
	assert_output '0'
	# what --check predicts to fail, fails
	run as alice uncmap -- uncmap --check --range 70000
	assert_failure 1
	assert_line 'FAIL UID 65536 is not mapped in this user namespace (it maps 0-65535); fix: map only UIDs it maps: a smaller --range, or other --map-uid extents'
	run as alice uncmap -- uncmap --range 70000 -- true
	assert_failure 125
	assert_line --index 0 'uncmap: UID 65536 is not mapped in this user namespace (it maps 0-65535)'
	assert_line --index 1 'uncmap: map only UIDs it maps: a smaller --range, or other --map-uid extents'
}
