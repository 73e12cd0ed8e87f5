#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# subidctl (and uncmap --check) say what shadow's reader will do: NUL
# bytes, files shadow cannot read, symbolic links, (uid_t)-1, escaped
# owner names, JSON that is always valid UTF-8.

load helpers
load subidctl_tree

suite_setup() {
	mk_tree
}

@test "check: a NUL byte joins the next line, as shadow reads it" {
	printf 'alice:100000:65536\nbob:200000:10\0x\ncarol:300000:10\n' >"$T/etc/subuid"
	run sc check --uids
	assert_failure 1
	S=$T/etc/subuid
	assert_output "$S:2: nul: a NUL byte: shadow cuts the line there and reads line 3 onto it, and skips the result
$S:3: nul: shadow never reads this line: a NUL byte on line 2 makes it read this one onto that one"
	# a NUL at the end of the file only cuts the line: the range counts
	printf 'alice:100000:65536\nbob:200000:10\0' >"$T/etc/subuid"
	run sc check --uids
	assert_failure 1
	assert_output "$S:2: nul: a NUL byte: shadow reads the line only up to it, as bob's range 200000:10"
	run sc list bob --uids
	assert_output "bob uids=200000:10"
}

@test "check: a file shadow cannot read at all" {
	printf 'alice:100000:65536\nbob:200000:10\0\n' >"$T/etc/subuid"
	run sc check --uids
	assert_failure 1
	assert_line --index 0 "$T/etc/subuid:2: unreadable: a NUL byte before the last newline: shadow cannot read this file at all, and newuidmap refuses every user"
}

@test "add, del and sync refuse a file with a NUL byte: an appended line could join another" {
	printf 'alice:100000:65536\nbob:200000:10\0\n' >"$T/etc/subuid"
	cp "$T/etc/subuid" before
	for cmd in "add carol" "del alice" "sync"; do
		# shellcheck disable=SC2086
		run sc $cmd --uids
		assert_failure 1
		assert_output "subidctl: cannot change $T/etc/subuid: line 2 holds a NUL byte, so shadow reads the lines after it other than as written
subidctl: fix the line (subidctl check shows how shadow reads it), then run this again
subidctl: nothing was written"
	done
	cmp before "$T/etc/subuid"
}

@test "a symbolic link is flagged by check and never replaced" {
	mv "$T/etc/subuid" "$T/etc/subuid.real"
	ln -s subuid.real "$T/etc/subuid"
	run sc check --uids
	assert_failure 1
	assert_output "$T/etc/subuid: symlink: a symbolic link: newuidmap and newgidmap refuse to open it, so no user's ranges work, and subidctl will not replace it"
	run sc add bob
	assert_failure 1
	assert_output "subidctl: cannot change $T/etc/subuid: it is a symbolic link, which newuidmap and newgidmap refuse to read
subidctl: replace the link with a regular file, then run this again
subidctl: nothing was written"
	[ -L "$T/etc/subuid" ]
	run cat "$T/etc/subgid"
	assert_output "alice:100000:65536"
}

@test "allocation never hands out 4294967295, (uid_t)-1" {
	printf 'SUB_UID_MIN 4294900000\nSUB_UID_MAX 4294967295\nSUB_GID_MIN 4294900000\nSUB_GID_MAX 4294967295\n' >"$T/etc/login.defs"
	run sc add bob --count 67295
	assert_success
	assert_line --index 0 "added bob:4294900000:67295 to $T/etc/subuid"
	run sc add carol --count 1
	assert_failure 1
	assert_line --index 0 "subidctl: cannot add 1 subordinate UIDs to carol in $T/etc/subuid: no free range of 1 IDs in 4294900000-4294967295"
	run sc check
	assert_success
}

@test "list escapes owner names; JSON stays valid UTF-8 and has a version" {
	printf 'ev\033]0;x\007il:1:1\nb\xffad:2:2\nok\xc3\xa9:3:3\nback\\slash:4:4\nc1\xc2\x9b:5:5\n' >"$T/etc/subuid"
	: >"$T/etc/subgid"
	run sc list --uids
	assert_success
	assert_output 'ev\x1b]0;x\x07il uids=1:1
b\xffad uids=2:2
oké uids=3:3
back\\slash uids=4:4
c1\xc2\x9b uids=5:5'
	sc list --json --uids >out.json
	iconv -f UTF-8 -t UTF-8 out.json >/dev/null
	run jq -r '.version, .users[].user' out.json
	assert_output '1
ev\x1b]0;x\x07il
b\xffad
oké
back\\slash
c1\xc2\x9b'
	run sc check --json --uids
	iconv -f UTF-8 -t UTF-8 <<<"$output" >/dev/null
	run jq -e '.version == 1' <<<"$output"
	assert_success
}

@test "check: a '#' line is a warning, and check still exits 0" {
	printf '# managed by hand\nalice:100000:65536\n' >"$T/etc/subuid"
	run sc check --uids
	assert_success
	assert_output "$T/etc/subuid:1: warning: comment: a '#' line: shadow has no comments and skips it only because it does not parse"
}

@test "uncmap --check agrees with newuidmap when a NUL swallows the user's line" {
	need_hermetic
	printf 'bob:1:1\0\nalice:100000:65536\n' >"$UNC_ETC/subuid"
	run getsubids alice
	assert_failure
	run as alice uncmap --check
	assert_failure 1
	assert_output --partial "no subordinate UIDs for alice"
	# and a file shadow cannot read at all is an error, not "no range"
	printf 'alice:100000:65536\nbob:1:1\0\n' >"$UNC_ETC/subuid"
	run as alice uncmap -- true
	assert_failure 125
	assert_line --index 0 "uncmap: /etc/subuid: shadow cannot read it: its last line holds a NUL byte before its newline, so shadow's reader fails on the whole file"
	assert_line --index 1 "uncmap: ask an administrator to fix the file: subidctl check shows how shadow reads it"
}

@test "add --top-up N adds only what a user lacks, next to its range when free" {
	run sc add alice --top-up 100000
	assert_success
	assert_output "added alice:165536:34464 to $T/etc/subuid
added alice:165536:34464 to $T/etc/subgid"
	run sc add alice --top-up 100000 --uids
	assert_output "alice already holds 100000 subordinate UIDs in $T/etc/subuid; left alone"
	# taken right after: the rest goes to the first free gap
	printf 'alice:100000:65536\nbob:165536:65536\n' >"$T/etc/subuid"
	run sc add alice --top-up 70000 --uids
	assert_output "added alice:231072:4464 to $T/etc/subuid"
	run sc add alice --top-up 5 --count 5
	assert_failure 2
	assert_line --index 0 "subidctl: --top-up and --count cannot go together"
	run sc add alice --top-up 5 --start 1
	assert_failure 2
	assert_line --index 0 "subidctl: --top-up goes with add, without --start"
}

# with_log_listener CMD...: run CMD in a nested private mount namespace
# whose /dev holds a test-only /dev/log (a datagram socket read by a
# python3 listener into $WORK/syslog.txt); the host's /dev and syslog are
# never touched.
with_log_listener() {
	unshare --mount --propagation private -- bash -ec '
		W=$1; shift
		rm -f "$W/dev/log" "$W/syslog.txt.ready"
		mkdir -p "$W/dev"
		for n in null zero urandom random tty full; do
			touch "$W/dev/$n"; mount --bind "/dev/$n" "$W/dev/$n"
		done
		python3 -c "
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
os.mkfifo(sys.argv[2] + \".ready\"); open(sys.argv[2] + \".ready\", \"w\").close()
s.settimeout(20)
with open(sys.argv[2], \"ab\") as f:
    while True:
        try: d = s.recv(65536)
        except socket.timeout: break
        if d == b\"STOP\": break
        f.write(d + b\"\\n\"); f.flush()
" "$W/dev/log" "$W/syslog.txt" &
		listener=$!
		while [ ! -p "$W/syslog.txt.ready" ]; do sleep 0.01; done
		cat "$W/syslog.txt.ready" >/dev/null
		mount --bind "$W/dev" /dev
		rc=0; "$@" || rc=$?
		python3 -c "import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b\"STOP\", \"/dev/log\")"
		wait "$listener"
		exit $rc
	' with_log_listener "$WORK" "$@"
}

@test "every change goes to syslog (auth): who, what range, which file" {
	with_log_listener subidctl --prefix "$T" add bob
	with_log_listener subidctl --prefix "$T" del alice --uids
	with_log_listener subidctl --prefix "$T" add carol --dry-run
	run sed -E 's/^(<[0-9]+>).{15} subidctl\[[0-9]+\]: /\1 /' "$WORK/syslog.txt"
	assert_output "<38> added subordinate UIDs 165536-231071 (65536) to bob in $T/etc/subuid, by root (uid 0)
<38> added subordinate GIDs 165536-231071 (65536) to bob in $T/etc/subgid, by root (uid 0)
<38> removed subordinate UIDs 100000-165535 (65536) from alice in $T/etc/subuid, by root (uid 0)"
}

@test "pairs: the same start in both files when both are free there; --unpaired allows differing" {
	printf 'alice:100000:65536\nx:165536:10\n' >"$T/etc/subuid"
	printf 'alice:100000:65536\ny:231072:10\n' >"$T/etc/subgid"
	run sc add bob
	assert_success
	assert_output "added bob:231082:65536 to $T/etc/subuid
added bob:231082:65536 to $T/etc/subgid"
	run sc add carol --unpaired
	assert_output "added carol:165546:65536 to $T/etc/subuid
added carol:165536:65536 to $T/etc/subgid"
	sc del bob
	run sc sync --count 10
	assert_output "gave 1 user subordinate UIDs in $T/etc/subuid
gave 1 user subordinate GIDs in $T/etc/subgid"
	run sc list bob
	assert_output "bob uids=231082:10 gids=231082:10"
}

@test "pairs: a crash between the two files is reported by check and repaired by re-running" {
	local cmd SHIM=$UNC_TESTBIN/faultshim.so
	for cmd in "add bob" "sync"; do
		mk_tree
		# shellcheck disable=SC2086
		run env LD_PRELOAD="$SHIM" UNC_FAULT_OP=rename UNC_FAULT_PATH="$T/etc/subgid" \
			subidctl --prefix "$T" $cmd
		assert_failure 1
		run sc check
		assert_success
		assert_line "$T/etc/subuid:2: warning: unpaired: bob holds subordinate UIDs here but none in $T/etc/subgid (a crash between the two files, or an add of one kind): run: subidctl add bob"
		# shellcheck disable=SC2086
		run sc $cmd
		assert_success
		run sc list bob
		assert_output "bob uids=165536:65536 gids=165536:65536"
		run sc check
		assert_output "no problems found in either file"
	done
}
