#!/usr/bin/env bats
# Named sessions (issue 14): uncmap --session NAME creates the namespaces
# once and later calls join them with no helper; --sessions, --end,
# --session-idle, --check --session. Every session of a test lives in that
# test's own XDG_RUNTIME_DIR and is ended by teardown.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

suite_setup() {
	need_hermetic
	RT=$WORK/rt
	as alice mkdir -m 700 "$RT"
	UNC_EXTRA_ENV="${UNC_EXTRA_ENV:-} XDG_RUNTIME_DIR=$RT"
	STATE=$RT/uncmap
}

# Every sleep of this suite is "sleep 62NN.NN", so teardown kills only ours.
suite_teardown() {
	as alice uncmap --end --all >/dev/null 2>&1 || true
	pkill -KILL -f '^sleep 62[0-9]{2}\.[0-9]{2}$' 2>/dev/null || true
	if [ -n "${BG:-}" ]; then kill -KILL "$BG" 2>/dev/null || true; wait "$BG" 2>/dev/null || true; fi
}


# live PID: the process exists and is not a zombie
live() {
	local s
	s=$(ps -o stat= -p "$1") || return 1
	[[ $s != Z* ]]
}
dead() { ! live "$1"; }
# the holder's PID from a session's state file
holder_of() { awk '$1 == "holder" {print $2}' "$STATE/$1"; }
keeper_of() { awk '$1 == "keeper" {print $2}' "$STATE/$1"; }
# processes (not zombies) whose command line is exactly "sleep $1"
sleeping() { ps -eo stat=,args= | awk -v a="sleep $1" '$1 !~ /^Z/ { $1 = ""; sub(/^ /, ""); if ($0 == a) n++ } END { exit !n }'; }

# set_holder PID START: the saved state of session s ($WORK/state.s, whose
# session has ended) written back as alice's, naming PID and START
set_holder() {
	sed "s/^holder .*/holder $1 $2/" "$WORK/state.s" >"$STATE/s"
	chown alice: "$STATE/s"
	chmod 600 "$STATE/s"
}
start_of() { awk '{sub(/.*\) /, ""); split($0, f, " "); print f[20]}' "/proc/$1/stat"; }

# save_ended: make session s, keep its state in $WORK/state.s, end it
save_ended() {
	as alice uncmap --session s -- true
	cp "$STATE/s" "$WORK/state.s"
	as alice uncmap --end s
}

# as_alice_argv: AS as as_argv sets it, with this test's XDG_RUNTIME_DIR
as_alice_argv() {
	as_argv alice
	AS+=(XDG_RUNTIME_DIR="$RT")
}

@test "the same user namespace across calls; the first call creates, later ones join" {
	run as alice uncmap --session s -- readlink /proc/self/ns/user
	assert_success
	first=$output
	[ -f "$STATE/s" ]
	run as alice uncmap --session s -- readlink /proc/self/ns/user
	assert_success
	assert_output "$first"
	# the holder is PID 1 of the session, a join is in its PID namespace
	run as alice uncmap --session s -- sh -c 'cat /proc/1/comm 2>/dev/null; readlink /proc/self/ns/pid'
	assert_success
	assert_equal "$(readlink "/proc/$(holder_of s)/ns/pid")" "${lines[-1]}"
	# and the full map: 65536 IDs, root is alice
	run as alice uncmap --session s -- cat /proc/self/uid_map
	assert_success
	assert_line --index 0 --regexp "^ +0 +$(id -u alice) +1\$"
	assert_line --index 1 --regexp "^ +1 +[0-9]+ +65535\$"
}

@test "a join runs no helper: it works with newuidmap gone" {
	run as alice uncmap --session s -- true
	assert_success
	run as alice uncmap --session s --newuidmap /bin/false --newgidmap /bin/false -- id -u
	assert_success
	assert_output 0
}

@test "a tmpfs mounted in one call is there in the next" {
	mkdir "$WORK/m" && chmod 777 "$WORK/m"
	run as alice uncmap --session s -- sh -c "mount -t tmpfs x '$WORK/m' && echo kept >'$WORK/m/f'"
	assert_success
	run as alice uncmap --session s -- cat "$WORK/m/f"
	assert_success
	assert_output kept
	# not on the host
	[ ! -e "$WORK/m/f" ]
}

@test "--root, --hostname and the PID namespace hold for every join" {
	make_rootfs "$WORK/rfs"
	run as alice uncmap --session box --root "$WORK/rfs" --hostname box -- sh -c 'echo one >/tmp/f; hostname'
	assert_success
	assert_output box
	run as alice uncmap --session box -- sh -c 'cat /tmp/f; hostname; ls /proc/1/ >/dev/null && cat /proc/1/comm'
	assert_success
	assert_output $'one\nbox\nuncmap-holder'
	# per-command options apply to the join
	run as alice uncmap --session box --user bob --wd /home -- sh -c 'id -un; pwd'
	assert_success
	assert_output $'bob\n/home'
}

@test "a join whose namespace options differ is refused, naming the option and both values" {
	run as alice uncmap --session s --range 1000 -- true
	assert_success
	run as alice uncmap --session s --range 5 -- true
	assert_failure 125
	assert_output "uncmap: --session s: --range differs: the session has '1000', given '5'
uncmap: leave --range out to join the session as it is, or end it first: uncmap --end s"
	run as alice uncmap --session s --uts -- true
	assert_failure 125
	assert_output --partial "uncmap: --session s: --uts differs: the session has none, given --uts"
	# the same options again are fine, and so is leaving them out
	run as alice uncmap --session s --range 1000 --pid --mount -- true
	assert_success
}

@test "a state directory of another user is refused" {
	as bob mkdir -m 700 "$WORK/rt2"
	as bob mkdir -m 755 "$WORK/rt2/uncmap"
	chmod 777 "$WORK/rt2"
	run as alice env XDG_RUNTIME_DIR="$WORK/rt2" uncmap --session s -- true
	assert_failure 125
	assert_output "uncmap: --session: $WORK/rt2/uncmap belongs to UID $(id -u bob), not to you: it is not used
uncmap: remove it, or set XDG_RUNTIME_DIR to a directory of yours"
	# one of alice's own that others may write is refused too
	as alice mkdir -m 777 "$WORK/rt/uncmap"
	as alice chmod 777 "$WORK/rt/uncmap"
	run as alice uncmap --session s -- true
	assert_failure 125
	assert_output "uncmap: --session: $WORK/rt/uncmap is writable by others (mode 0777): it is not used
uncmap: chmod go-w $WORK/rt/uncmap"
}

@test "without XDG_RUNTIME_DIR or /run/user/UID, --session says what to do" {
	run as alice env -u XDG_RUNTIME_DIR uncmap --session s -- true
	if [ -d "/run/user/$(id -u alice)" ]; then skip_or_fail "alice has /run/user/UID here"; fi
	assert_failure 125
	assert_output "uncmap: --session: no directory for the session state: XDG_RUNTIME_DIR is not set and /run/user/$(id -u alice) does not exist
uncmap: set XDG_RUNTIME_DIR to a directory of yours, mode 0700"
}

@test "the state of a dead holder is cleaned up and the session made again" {
	run as alice uncmap --session s -- readlink /proc/self/ns/user
	assert_success
	old=$output
	cp "$STATE/s" "$WORK/state.s"
	keeper=$(keeper_of s) holder=$(holder_of s)
	# the keeper first: the holder dies with it and no one removes the state
	kill -KILL "$keeper"
	wait_until dead "$holder"
	[ -f "$STATE/s" ]
	run as alice uncmap --sessions
	assert_success
	assert_output ''
	[ ! -e "$STATE/s" ]
	# and a call with the name makes a new session
	cp "$WORK/state.s" "$STATE/s" && chown alice: "$STATE/s"
	run as alice uncmap --session s -- readlink /proc/self/ns/user
	assert_success
	[ "$output" != "$old" ]
	[ "$(holder_of s)" != "$holder" ]
}

@test "a state file pointing at a recycled PID is never joined" {
	as_alice_argv
	"${AS[@]}" sleep 6201.01 &
	BG=$!
	wait_until sleeping 6201.01
	pid=$(pgrep -f '^sleep 6201.01$')
	save_ended
	# the state names alice's own sleep, with another start time
	set_holder "$pid" 1
	run as alice uncmap --session s -- readlink /proc/self/ns/user
	assert_success
	[ "$output" != "$(readlink "/proc/$pid/ns/user")" ]
	[ "$(holder_of s)" != "$pid" ]
	live "$pid"
}

@test "a state file pointing at a foreign process is refused, and it is left alone" {
	sleep 6202.01 &
	BG=$!
	save_ended
	# root's sleep, with its true start time
	set_holder "$BG" "$(start_of "$BG")"
	run as alice uncmap --session s -- true
	assert_failure 125
	assert_output "uncmap: session 's': PID $BG is not a holder of yours: Permission denied"
	live "$BG"
	# alice's own process outside any session, with its true start time
	as_alice_argv
	"${AS[@]}" sleep 6202.02 &
	mine=$!
	wait_until sleeping 6202.02
	mine=$(pgrep -f '^sleep 6202.02$')
	set_holder "$mine" "$(start_of "$mine")"
	run as alice uncmap --session s -- true
	assert_failure 125
	assert_output "uncmap: session 's': PID $mine is not its holder (its user namespace is not yours): it is not joined
uncmap: remove the state file and start the session again"
	live "$mine"
}

@test "--end kills everything in the session, nested namespaces too, and leaves no process" {
	run as alice uncmap --session s -- sh -c 'sleep 6203.01 >/dev/null 2>&1 & unshare -U sh -c "sleep 6203.02 >/dev/null 2>&1 &"'
	assert_success
	holder=$(holder_of s) keeper=$(keeper_of s)
	# what the command left runs on in the session
	wait_until sleeping 6203.01
	wait_until sleeping 6203.02
	run as alice uncmap --end s
	assert_success
	assert_output ''
	! sleeping 6203.01
	! sleeping 6203.02
	dead "$holder"
	dead "$keeper"
	[ ! -e "$STATE/s" ]
	run as alice uncmap --end s
	assert_failure 125
	assert_output "uncmap: --end: no session 's'"
}

@test "--end --all ends every session" {
	as alice uncmap --session a -- true
	as alice uncmap --session b -- true
	a=$(holder_of a) b=$(holder_of b)
	run as alice uncmap --end --all
	assert_success
	dead "$a"
	dead "$b"
	run as alice uncmap --sessions
	assert_output ''
}

@test "--sessions lists name, holder, since, maps and namespaces; --json too" {
	as alice uncmap --session build --uts -- true
	holder=$(holder_of build)
	run as alice uncmap --sessions
	assert_success
	assert_line --index 0 --regexp '^NAME +HOLDER +SINCE +UID-MAP +GID-MAP +NAMESPACES$'
	assert_line --index 1 --regexp "^build +$holder +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +0:$(id -u alice):1,1:[0-9]+:65535 +0:$(id -g alice):1,1:[0-9]+:65535 +user,pid,mnt,uts\$"
	run as alice uncmap --sessions --json
	assert_success
	run python3 -c 'import json,sys; s=json.load(sys.stdin); print(s[0]["name"], s[0]["holder"], s[0]["namespaces"])' <<<"$output"
	assert_output "build $holder user,pid,mnt,uts"
}

@test "exit status and signals as for a launch: N, 128+N, and uncmap dies of the command's signal" {
	as alice uncmap --session s -- true
	as_alice_argv
	run "${AS[@]}" uncmap --session s -- sh -c 'exit 7'
	assert_failure 7
	run "${AS[@]}" perl -e 'system(@ARGV); printf "%d %d\n", $? >> 8, $? & 127' \
		uncmap --session s -- sh -c 'kill -INT $$'
	assert_output '0 2'
	run -127 "${AS[@]}" uncmap --session s -- no-such-program
	assert_failure 127
}

@test "^C (SIGINT to uncmap) ends the joined command, uncmap dies of it, the session stays" {
	as alice uncmap --session s -- true
	holder=$(holder_of s)
	as_alice_argv
	"${AS[@]}" perl -e '$SIG{INT} = "DEFAULT"; system(@ARGV); printf "%d %d\n", $? >> 8, $? & 127' \
		uncmap --session s -- sleep 6204.01 >"$WORK/out" 2>&1 &
	BG=$!
	wait_until sleeping 6204.01
	pkill -INT -x uncmap -P "$BG"
	wait "$BG"
	run cat "$WORK/out"
	assert_output '0 2'
	! sleeping 6204.01
	live "$holder"
}

@test "a joined command gets its own terminal, not the caller's" {
	command -v script >/dev/null || skip_or_fail "needs script (bsdutils)"
	as alice uncmap --session s -- true
	run as alice script -qec "tty; uncmap --session s -- tty" /dev/null
	assert_success
	assert_line --index 0 --regexp '^/dev/pts/[0-9]+'
	# (the relay's first byte is echoed as ^@, as for a launch)
	assert_line --index 1 --regexp '/dev/pts/[0-9]+'
	[ "${lines[0]%$'\r'}" != "${lines[1]#^@}" ]
	# and with no terminal, none
	run as alice uncmap --session s -- tty
	assert_failure 1
	assert_output 'not a tty'
}

@test "--session-idle ends a session with no process but the holder" {
	run as alice uncmap --session s --session-idle 1 -- true
	assert_success
	holder=$(holder_of s)
	wait_until dead "$holder"
	wait_until test ! -e "$STATE/s"
	# while something runs in it, it stays
	run as alice uncmap --session t --session-idle 1 -- sh -c 'sleep 6205.01 >/dev/null 2>&1 &'
	holder=$(holder_of t)
	sleep 2.5
	live "$holder"
	pkill -KILL -f '^sleep 6205.01$'
	wait_until dead "$holder"
}

@test "--check --session diagnoses a session" {
	as alice uncmap --session s -- true
	holder=$(holder_of s)
	run as alice uncmap --check --session s
	assert_success
	assert_line --index 2 --regexp "^ok   holder PID $holder verified"
	assert_line "result: session 's' can be joined"
	run as alice uncmap --check --session nope
	assert_failure 1
	assert_line "FAIL no session 'nope'; fix: uncmap --session NAME [options] creates it"
	assert_line "result: session 'nope' cannot be joined"
}

@test "a session's holder holds no descriptor of the caller's and no terminal" {
	run as alice bash -c "exec 5</; uncmap --session s -- true"
	assert_success
	holder=$(holder_of s) keeper=$(keeper_of s)
	# the caller's 5 was /: neither holds it (nor any other of its)
	run readlink "/proc/$holder/fd/"* "/proc/$keeper/fd/"*
	refute_line /
	refute_line --regexp '^/dev/(pts|tty)'
	assert_equal "$(ps -o tty= -p "$holder" | tr -d ' ')" '?'
	assert_equal "$(ps -o tty= -p "$keeper" | tr -d ' ')" '?'
}

@test "concurrent first calls make one session: all of them join the same namespace" {
	local pids=() i
	as_alice_argv
	for i in 1 2 3 4; do
		"${AS[@]}" uncmap --session c -- readlink /proc/self/ns/user >"$WORK/c.$i" 2>&1 &
		pids+=($!)
	done
	# these four only: bats has a job of its own (BATS_TEST_TIMEOUT)
	wait "${pids[@]}"
	run sort -u "$WORK/c.1" "$WORK/c.2" "$WORK/c.3" "$WORK/c.4"
	assert_output --regexp '^user:\[[0-9]+\]$'
	run as alice uncmap --sessions
	assert_equal "${#lines[@]}" 2
}

@test "a failed creation leaves no session and no process: a helper fails, the holder's setup fails" {
	run as alice uncmap --session f --newuidmap /bin/false -- touch "$WORK/ran"
	assert_failure 125
	assert_line "uncmap: /bin/false failed with exit status 1; the command was not run"
	[ ! -e "$WORK/ran" ]
	[ ! -e "$STATE/f" ]
	run as alice uncmap --session f --root "$WORK/no-such-root" -- touch "$WORK/ran"
	assert_failure 125
	assert_line --index 0 --partial "--root: "
	[ ! -e "$WORK/ran" ]
	[ ! -e "$STATE/f" ]
	# neither a keeper nor a holder of alice's is left (but zombies)
	run ps -u alice -o stat=,comm=
	refute_output --regexp $'(^|\n)[^Z][^ ]* +uncmap-(keeper|holder)'
}

@test "--die-with-parent: when a join's caller dies, the joined command ends, the session stays" {
	as alice uncmap --session s -- true
	holder=$(holder_of s)
	as_alice_argv
	"${AS[@]}" sh -c 'uncmap --session s --die-with-parent -- sleep 6206.01 & wait' </dev/null >/dev/null 2>&1 &
	BG=$!
	wait_until sleeping 6206.01
	kill -KILL "$BG"
	wait_until eval '! sleeping 6206.01'
	live "$holder"
}
