#!/usr/bin/env bats
# The command's terminal (issue 10, items 1 and 8): it never shares the
# caller's, so nothing inside can type into the caller's shell (TIOCSTI),
# and inside --root its pseudo-terminal is /dev/console. Driven through
# tmux, as a person at a terminal would use it: an interactive bash of
# alice's in an 80x24 pane runs uncmap.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

suite_setup() {
	command -v tmux >/dev/null || skip_or_fail "needs tmux (.ci/deps)"
	TSOCK=$WORK/tmux.sock
	TMUX_PID=
}

suite_teardown() {
	if [ -n "${TMUX_PID:-}" ]; then
		tm kill-server 2>/dev/null || true
		wait "$TMUX_PID" 2>/dev/null || true
	fi
}

# tm ARGS...: tmux, as alice, on this test's own server
tm() {
	as alice tmux -S "$TSOCK" "$@"
}

# A tmux server of alice's that stays our child (-D), so the test reaps
# it, and one session "t": an interactive bash in WORK. The sanitizers'
# settings (UNC_EXTRA_ENV) reach what runs in the pane.
start_shell() {
	local i
	as_argv alice
	# shellcheck disable=SC2086
	"${AS[@]}" ${UNC_EXTRA_ENV:-} tmux -D -f /dev/null -S "$TSOCK" </dev/null >/dev/null 2>&1 3>&- &
	TMUX_PID=$!
	for i in $(seq 100); do
		[ -S "$TSOCK" ] && break
		sleep 0.05
	done
	tm new-session -d -x 80 -y 24 -s t -c "$WORK" 'bash --norc --noprofile -i'
}

# type TEXT: the keys, then Enter, into the pane
type_line() {
	tm send-keys -t t -l "$1"
	tm send-keys -t t Enter
}

# wait_for NAME: until something in the pane runs `tmux wait-for -S NAME`
wait_for() {
	timeout 20 "${AS[@]}" tmux -S "$TSOCK" wait-for "$1" ||
		fail "no '$1' from the pane: $(tm capture-pane -p -t t | grep -v '^$')"
}

# in_pane LINE: type LINE at the outer shell, and wait until it has run
in_pane() {
	type_line "$1; tmux wait-for -S ran"
	wait_for ran
}

# The attack: the command pushes "touch $WORK/pwned" into every terminal
# it can reach. If any of it reaches the outer shell's terminal, the
# outer shell runs it once uncmap has ended, before the next line typed.
inject() {
	in_pane "$* ${TIOCSTI:-$UNC_TESTBIN/tiocsti} 'touch $WORK/pwned' >/dev/null; echo \$? > $WORK/rc"
	in_pane "echo next > $WORK/next"
	[ "$(cat "$WORK/next")" = next ]
	INJECT_RC=$(cat "$WORK/rc")
}

# contained RC ARGS...: pushed from the command run by ARGS, the line
# lands in a pty of the command's own (RC 0) or nowhere (RC 1), never in
# the caller's shell
contained() {
	local want=$1
	shift
	start_shell
	inject "$@"
	[ "$INJECT_RC" = "$want" ] || fail "tiocsti exited $INJECT_RC, not $want"
	[ ! -e "$WORK/pwned" ] || fail "text pushed inside uncmap ran in the caller's shell"
}

@test "tiocsti control: the same push from a plain command reaches the shell" {
	# proves the harness sees an injection, so the tests below can fail
	start_shell
	inject ""
	[ "$INJECT_RC" = 0 ]
	[ -e "$WORK/pwned" ] || fail "the control injection did not run"
}

@test "tiocsti: a command of uncmap's pushes only into its own pty" {
	contained 0 uncmap --
}

@test "tiocsti: with --root, --pid and --hostname" {
	make_rootfs "$WORK/rfs"
	cp "$UNC_TESTBIN/tiocsti" "$WORK/rfs/bin/tiocsti"
	TIOCSTI=/bin/tiocsti contained 0 uncmap --root rfs --pid --hostname box --
}

@test "tiocsti: as --user 1000 with no capabilities" {
	contained 0 uncmap --user 1000 --
}

@test "tiocsti: in a --pid namespace" {
	contained 0 uncmap --pid --
}

@test "tiocsti: as a user reached with newuidshell" {
	contained 0 uncmap -- newuidshell 1000 --
}

@test "tiocsti: --no-pty gives a session with no controlling terminal" {
	# every terminal refuses: the caller's is not the command's
	contained 1 uncmap --no-pty --
}

@test "tiocsti: standard input not a terminal: no pty, and no way in either" {
	start_shell
	in_pane "uncmap -- sh -c 'readlink /proc/self/fd/0; $UNC_TESTBIN/tiocsti \"touch $WORK/pwned\"' </dev/null >$WORK/out; echo \$? > $WORK/rc"
	in_pane "echo next > $WORK/next"
	[ "$(cat "$WORK/rc")" = 1 ]
	# 0 and 1 are what they were; 2, the caller's terminal, refuses
	run cat "$WORK/out"
	assert_line --index 0 /dev/null
	assert_line --index 3 'tiocsti: 2: Operation not permitted'
	assert_line --index 4 'tiocsti: /dev/tty: No such device or address'
	[ ! -e "$WORK/pwned" ]
}

@test "the pty is the command's controlling terminal in a session of its own" {
	start_shell
	in_pane "uncmap --pid --mount-proc -- sh -c 'ps -o sid=,pgid=,tty= -p \$\$; tty' >$WORK/out; echo \$? > $WORK/rc"
	[ "$(cat "$WORK/rc")" = 0 ]
	run cat "$WORK/out"
	# sh is PID 2 (the init is 1), leader of its session and its group,
	# on a pty of its own
	assert_line --index 0 --regexp '^ +2 +2 pts/[0-9]+$'
	# stdout was a file: passed on as it was, not the pty
	assert_line --index 1 --regexp '^/dev/pts/[0-9]+$'
	outer=$(tm display-message -p -t t '#{pane_tty}')
	refute_line --index 1 "$outer"
}

@test "inside --root the terminal is /dev/console, for --user too" {
	make_rootfs "$WORK/rfs"
	ln -s busybox "$WORK/rfs/bin/tty"
	start_shell
	in_pane "uncmap --root rfs --user 1000 -- sh -c 'tty; id -u; ls -l /dev/console' >$WORK/out; echo \$? > $WORK/rc"
	[ "$(cat "$WORK/rc")" = 0 ]
	run cat "$WORK/out"
	assert_line --index 0 /dev/console
	assert_line --index 1 1000
	assert_line --index 2 --regexp '^crw--w---- +1 root +root +136, +0 '
	# without a pty (--no-pty) there is no console, and no terminal
	in_pane "uncmap --root rfs --no-pty -- sh -c 'tty; test -e /dev/console || echo no-console' >$WORK/out; echo \$? > $WORK/rc"
	[ "$(cat "$WORK/rc")" = 0 ]
	run cat "$WORK/out"
	assert_output $'not a tty\nno-console'
}

@test "--pty with no terminal at all: output through the pty, end of input is end of file" {
	run as alice uncmap --pty -- sh -c 'cat; tty >/dev/null && echo on-a-tty' <<<'typed'
	assert_success
	# the pty's line discipline: the echo of what was typed, then cat's
	# copy, with \r\n
	assert_output $'typed\r\ntyped\r\non-a-tty\r'
}

# A root filesystem with the host's bash and its libraries, and a fifo
# through which the shell inside answers the test.
make_bash_rootfs() {
	local r=$1 lib
	make_rootfs "$r"
	ln -s busybox "$r/bin/stty"
	ln -s busybox "$r/bin/tty"
	cp /bin/bash "$r/bin/bash"
	for lib in $(ldd /bin/bash | grep -o '/[^ ]*'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	mkfifo -m 666 "$r/tmp/answer"
	chmod -R a+rX "$r"
}

# ask LINE: type LINE (which writes to /tmp/answer) at the shell inside
# and print the answer
ask() {
	type_line "$1"
	timeout 20 cat "$WORK/rfs/tmp/answer" || fail "no answer to '$1'"
}

# job_state N: "<state> fg|bg" of the `sleep N` running in the pane, or
# "gone", from the host's /proc: foreground when its process group is
# its terminal's foreground group
job_state() {
	local p s
	for p in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" = "sleep $1 " ] || continue
		s=$(sed 's/.*) //' "$p/stat" 2>/dev/null) || continue
		set -- $s
		if [ "$3" = "$6" ]; then echo "$1 fg"; else echo "$1 bg"; fi
		return
	done
	echo gone
}

# until_state N WANT: wait (at most 10 s) for job_state N to be WANT
until_state() {
	local i
	for i in $(seq 200); do
		[ "$(job_state "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fail "sleep $1 is '$(job_state "$1")', not '$2': $(tm capture-pane -p -t t | grep -v '^$')"
}

@test "an interactive bash in --root --pid --hostname: tty, resize, job control, exit status" {
	make_bash_rootfs "$WORK/rfs"
	local n=$((4000 + RANDOM % 1000))
	start_shell
	type_line "stty -g > before; uncmap --root rfs --pid --hostname box bash; echo \$? > rc; stty -g > after; tmux wait-for -S done"
	run ask 'tty > /tmp/answer'
	assert_output /dev/console
	run ask 'hostname > /tmp/answer'
	assert_output box
	run ask 'stty size > /tmp/answer'
	assert_output '24 80'
	tm resize-window -t t -x 100 -y 30
	run ask 'stty size > /tmp/answer'
	assert_output '30 100'
	# job control: ^Z stops the job, bg runs it, fg and ^C end it
	type_line "sleep $n"
	until_state "$n" 'S fg'
	tm send-keys -t t C-z
	until_state "$n" 'T bg'
	type_line bg
	until_state "$n" 'S bg'
	type_line fg
	until_state "$n" 'S fg'
	tm send-keys -t t C-c
	until_state "$n" gone
	run ask 'echo $? > /tmp/answer'
	assert_output 130
	type_line 'exit 3'
	wait_for done
	[ "$(cat "$WORK/rc")" = 3 ]
	# the caller's terminal is as it was: no raw mode left behind
	[ -s "$WORK/before" ]
	cmp "$WORK/before" "$WORK/after"
}

@test "the caller's terminal is restored when the command cannot run" {
	start_shell
	in_pane "stty -g > before; uncmap -- /nonexistent/cmd; echo \$? > rc; stty -g > after"
	[ "$(cat "$WORK/rc")" = 127 ]
	cmp "$WORK/before" "$WORK/after"
	run tm capture-pane -p -t t
	assert_line "uncmap: cannot run '/nonexistent/cmd': No such file or directory"
}
