#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# uncmap part 1: refusals, exit statuses and their messages.

load helpers

@test "a user with no subordinate range is told so, and how to get one" {
	need_hermetic
	run as bob uncmap -- touch marker
	assert_failure 125
	assert_line --index 0 'uncmap: no subordinate UIDs for bob (looked in /etc/subuid)'
	assert_line --index 1 'uncmap: ask an administrator to run: subidctl add bob'
	assert_line --index 2 "uncmap: run 'uncmap --check' for a diagnosis"
	[ "${#lines[@]}" = 3 ]
	[ ! -e marker ]
}

@test "a range too small for --range names what was needed and found" {
	need_hermetic
	run as erin uncmap --range 65536 -- true
	assert_failure 125
	assert_line --index 0 'uncmap: --range 65536 needs 65535 subordinate UIDs but only 100 are usable in /etc/subuid (400000-400099)'
	assert_line --index 1 'uncmap: use a smaller --range, or ask an administrator to run: subidctl add erin --top-up 65536'
}

@test "an outside range not delegated to the caller is refused before anything runs" {
	run as alice uncmap --map-uid 0:900000:10 -- touch marker
	assert_failure 125
	assert_output --partial 'uncmap: --map-uid 0:900000:10: outside UIDs 900000-900009 are not delegated to alice in /etc/subuid (alice has: 100000-165535)'
	[ ! -e marker ]
}

@test "overlapping inside ranges are refused" {
	run as alice uncmap --map-uid 0:100000:10 --map-uid 5:100020:1 -- true
	assert_failure 125
	assert_output 'uncmap: --map-uid: inside UIDs overlap: 0-9 and 5-5'
}

@test "overlapping outside ranges are refused" {
	run as alice uncmap --map-gid 0:100000:10 --map-gid 20:100005:10 -- true
	assert_failure 125
	assert_output 'uncmap: --map-gid: outside GIDs overlap: 100000-100009 and 100005-100014'
}

@test "32-bit overflow is refused" {
	run as alice uncmap --map-uid 4294967000:100000:1000 -- true
	assert_failure 125
	assert_output 'uncmap: --map-uid 4294967000:100000:1000: inside UIDs 4294967000-4294967999 go past 4294967294, the largest UID'
}

@test "more extents than the kernel allows are refused" {
	local args=() i
	for ((i = 0; i < 341; i++)); do args+=(--map-uid "$i:$((100000 + i)):1"); done
	run as alice uncmap "${args[@]}" -- true
	assert_failure 125
	assert_output 'uncmap: --map-uid: more than 340 extents, the kernel'"'"'s limit for one map'
}

@test "the caller's own ID may be mapped only on its own" {
	need_hermetic
	run as dave uncmap --map-uid 0:2000:10 -- true
	assert_success
	run as alice uncmap --map-uid "0:$(($(uid_of alice) - 1)):3" -- true
	assert_failure 125
	assert_output --partial 'include your own UID 2001, which may only be mapped on its own, as IN:2001:1'
}

@test "bad option values get one line naming the value" {
	run as alice uncmap --range abc true
	assert_failure 125
	assert_output "uncmap: --range: 'abc' is not a non-negative decimal number"
	run as alice uncmap --range -5 true
	assert_output "uncmap: --range: '-5' is not a non-negative decimal number"
	run as alice uncmap --range 0 true
	assert_output "uncmap: --range: 0 is out of range (1-4294967294)"
	run as alice uncmap --range 99999999999999999999 true
	assert_output "uncmap: --range: 99999999999999999999 is out of range (1-4294967294)"
	run as alice uncmap --map-root=both true
	assert_output "uncmap: --map-root: 'both' is not 'self' or 'sub'"
	run as alice uncmap --map-uid 1:2 true
	assert_output "uncmap: --map-uid: '1:2' is not IN:OUT:COUNT"
	run as alice uncmap --map-uid 0:100000:0 true
	assert_output "uncmap: --map-uid 0:100000:0: COUNT: 0 is out of range (1-4294967294)"
	run as alice uncmap --subuid-file /nonexistent true
	assert_output "uncmap: --subuid-file: cannot read '/nonexistent': No such file or directory"
}

@test "an unknown option says how to get help" {
	run as alice uncmap --frobnicate
	assert_failure 125
	assert_line --index 0 --partial "unrecognized option '--frobnicate'"
	assert_line --index 1 "Try 'uncmap --help' for more information."
}

@test "--help goes to stdout in util-linux's layout, --version names the version" {
	run as alice uncmap --help
	assert_success
	assert_line --index 0 'Usage:'
	assert_line --partial ' -r, --range <n>'
	assert_line 'Exit status:'
	assert_line 'Examples:'
	run as alice uncmap --version
	assert_success
	assert_output --regexp '^uncmap [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a failing newuidmap: the command never runs, 125, the helper's words and a hint" {
	run as alice uncmap --newuidmap "$UNC_TESTBIN/fail-helper" -- touch marker
	assert_failure 125
	assert_line --index 0 'fail-helper: refusing on purpose'
	assert_line --index 1 --partial 'fail-helper failed with exit status 1; the command was not run'
	assert_line --index 2 --partial 'uncmap: check that'
	[ ! -e marker ]
}

@test "a newgidmap killed by a signal counts as failed: the command never runs" {
	run as alice uncmap --newgidmap "$UNC_TESTBIN/signal-helper" -- touch marker
	assert_failure 125
	assert_output --partial 'signal-helper was killed by signal 9 (Killed); the command was not run'
	[ ! -e marker ]
}

@test "a helper that hangs is killed after --helper-timeout, named, and nothing runs" {
	run as alice uncmap --helper-timeout 1 --newuidmap "$UNC_TESTBIN/hang-helper" -- touch marker
	assert_failure 125
	assert_output --partial 'hang-helper hung and was killed after the --helper-timeout; the command was not run'
	[ ! -e marker ]
}

@test "exit statuses: the command's own, 128+N, 126, 127" {
	run as alice uncmap -- sh -c 'exit 42'
	assert_failure 42
	run as alice uncmap -- sh -c 'kill -TERM $$'
	assert_failure 143
	run -127 as alice uncmap -- /nonexistent/program
	assert_failure 127
	assert_output "uncmap: cannot run '/nonexistent/program': No such file or directory"
	run -127 as alice uncmap -- no-such-program-anywhere
	assert_failure 127
	assert_output "uncmap: cannot run 'no-such-program-anywhere': No such file or directory"
	printf 'not a program' >"$WORK/data"
	chmod 644 "$WORK/data"
	run as alice uncmap -- "$WORK/data"
	assert_failure 126
	assert_output "uncmap: cannot run '$WORK/data': Permission denied"
}

@test "no descriptor other than 0, 1 and 2 reaches the command" {
	run as alice bash -c 'exec 7</etc/hostname 9>/dev/null; uncmap -- sh -c "ls /proc/self/fd"'
	assert_success
	# ls itself opens one descriptor to read the directory
	[ "$(echo "$output" | grep -cv -E '^[012]$')" -le 1 ]
	run as alice bash -c 'exec 7</etc/hostname; uncmap -- sh -c "test -e /proc/self/fd/7 && echo leaked || echo clean"'
	assert_output 'clean'
}

# kill -9 of uncmap while the command runs with a background grandchild:
# nothing of the namespace may survive it.
kill9_leaves_nothing() {
	local token="$((4000 + RANDOM % 1000)).0$((RANDOM % 100 + 1))"
	mkfifo "$WORK/ready"
	chmod 666 "$WORK/ready"
	as_argv alice
	"${AS[@]}" uncmap "$@" -- sh -c "sleep $token & echo go > $WORK/ready; wait" >/dev/null 2>&1 &
	local upid=$!
	read -r _ <"$WORK/ready"
	local victims
	victims=$(pgrep -f "sleep $token")
	[ -n "$victims" ]
	[ "$(cat /proc/$upid/comm)" = uncmap ]
	kill -KILL "$upid"
	local i left
	for ((i = 0; i < 200; i++)); do
		left=$(pgrep -f "sleep $token" || true)
		[ -z "$left" ] && break
		sleep 0.05
	done
	[ -z "$left" ] || { echo "survivors: $left" >&2; ps -o pid,ppid,comm -p $left >&2; return 1; }
}

@test "kill -9 of uncmap: no process of the namespace survives it" {
	kill9_leaves_nothing
}

@test "kill -9 of uncmap --pid: no process of the namespace survives it" {
	kill9_leaves_nothing --pid
}

suite_teardown() {
	pkill -KILL -f 'sleep 4[0-9]{3}\.0[0-9]+$' 2>/dev/null || true
}

@test "a helper that cannot be executed: its path named, 125, the command never runs" {
	printf 'not a program' >"$WORK/badhelper"
	chmod 755 "$WORK/badhelper"
	run as alice uncmap --newgidmap "$WORK/badhelper" -- touch marker
	assert_failure 125
	assert_line --index 0 "$WORK/badhelper: cannot be executed"
	assert_line --index 1 "uncmap: $WORK/badhelper failed with exit status 127; the command was not run"
	[ ! -e marker ]
}
