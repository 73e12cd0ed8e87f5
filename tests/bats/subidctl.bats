#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# subidctl: every command, option and error, on --prefix trees in $WORK.

load helpers
load subidctl_tree

suite_setup() {
	mk_tree
}

@test "add: the first free range, around other owners' ranges and real UIDs" {
	run sc add bob carol high
	assert_success
	assert_golden subidctl/add-three T="$T"
	printf 'alice:100000:65536\nbob:165536:65536\ncarol:231072:65536\nhigh:296608:65536\n' >expect
	cmp expect "$T/etc/subuid"
	cmp expect "$T/etc/subgid"
}

@test "add: a real UID inside the window is stepped over" {
	printf 'alice:100000:65536\n' >"$T/etc/subuid"
	sed -i 's/^bob:x:2002:/bob:x:170000:/' "$T/etc/passwd"
	run sc add carol --uids
	assert_success
	assert_output "added carol:170001:65536 to $T/etc/subuid"
}

@test "add: a gap left by a deleted user is reused" {
	sc add bob carol
	run sc del bob
	assert_success
	assert_output "removed bob:165536:65536 from $T/etc/subuid (line 2)
removed bob:165536:65536 from $T/etc/subgid (line 2)"
	run sc add high --uids
	assert_output "added high:165536:65536 to $T/etc/subuid"
}

@test "add: a user who holds enough already is left alone" {
	run sc add alice
	assert_success
	assert_output "alice already holds 65536 subordinate UIDs in $T/etc/subuid; left alone
alice already holds 65536 subordinate GIDs in $T/etc/subgid; left alone"
	[ ! -e "$T/etc/subuid-" ]
	run sc add alice --count 70000 --uids
	assert_output "added alice:165536:70000 to $T/etc/subuid"
}

@test "add: --count, --uids and --gids" {
	run sc add bob --count 10 --gids
	assert_success
	assert_output "added bob:165536:10 to $T/etc/subgid"
	run sc add bob -c 20 -u
	assert_output "added bob:165536:20 to $T/etc/subuid"
}

@test "add: a numeric UID is accepted and written by name" {
	run sc add 2002 --uids
	assert_success
	assert_output "added bob:165536:65536 to $T/etc/subuid"
}

@test "add: --start takes the exact range, or names whom it would collide with" {
	run sc add bob --start 120000 --count 10
	assert_failure 1
	assert_output "subidctl: cannot add 120000-120009 to bob in $T/etc/subuid: it overlaps alice's range 100000-165535 (line 1)
subidctl: nothing was written"
	run sc add bob --start 100400 --count 200 --uids
	assert_failure 1
	run sc add bob --start 100499 --count 2 --gids
	assert_output --partial "it overlaps alice's range"
	run sc add carol --start 100450 --count 100 --uids
	assert_failure 1
	run sc add bob --start 500000 --count 100
	assert_success
	assert_output "added bob:500000:100 to $T/etc/subuid
added bob:500000:100 to $T/etc/subgid"
	run sc add bob --start 500000 --count 100
	assert_output --partial "bob already holds 100 subordinate UIDs"
	run sc add carol --start 4294967000 --count 1000 --uids
	assert_failure 1
	assert_line --index 0 "subidctl: cannot add 4294967000-4294967999 to carol in $T/etc/subuid: it goes past 4294967294, the largest ID"
}

@test "add: --start over a real UID or GID is refused" {
	run sc add bob --start 700000000 --count 1000 --uids
	assert_failure 1
	assert_output "subidctl: cannot add 700000000-700000999 to bob in $T/etc/subuid: it contains UID 700000100, high's own
subidctl: nothing was written"
	run sc add bob --start 700000000 --count 1000 --gids
	assert_output --partial "it contains GID 700000200, group high's own"
}

@test "add: a user that does not exist" {
	run sc add zed
	assert_failure 1
	assert_output "subidctl: cannot add ranges to zed: no such user in $T/etc/passwd
subidctl: nothing was written"
}

@test "a name that cannot be an owner is refused before anything is locked" {
	run sc add 'a:b'
	assert_failure 1
	assert_output "subidctl: 'a:b' cannot own subordinate IDs: its name contains ':'"
	run sc add $'a\nb'
	assert_output "subidctl: 'a\\nb' cannot own subordinate IDs: its name contains a newline"
	run sc del ''
	assert_output "subidctl: '' cannot own subordinate IDs: its name is empty"
	run sc add "$(printf 'x%.0s' {1..300})"
	assert_output --partial "cannot own subordinate IDs: its name is longer than 255 characters"
	[ ! -e "$T/etc/.pwd.lock" ]
	[ ! -e "$T/etc/subuid.lock" ]
}

@test "del: all of a user's ranges, or the one at --start" {
	printf 'alice:100000:65536\n# keep me\nalice:300000:10\nbob:400000:5\n' >"$T/etc/subuid"
	run sc del alice --start 300000 --uids
	assert_success
	assert_output "removed alice:300000:10 from $T/etc/subuid (line 3)"
	printf 'alice:100000:65536\n# keep me\nbob:400000:5\n' >expect
	cmp expect "$T/etc/subuid"
	run sc del alice bob --uids
	assert_success
	printf '# keep me\n' >expect
	cmp expect "$T/etc/subuid"
}

@test "del: a user with no range is an error" {
	run sc del bob
	assert_failure 1
	assert_output "subidctl: cannot delete bob's ranges: bob holds no range in $T/etc/subuid or $T/etc/subgid
subidctl: nothing was written"
	run sc del alice --start 5 --uids
	assert_output "subidctl: cannot delete alice's ranges: alice holds no range starting at 5 in $T/etc/subuid
subidctl: nothing was written"
}

@test "del: a former user, gone from passwd, is removed by name" {
	printf 'alice:100000:65536\nghost:200000:10\n' >"$T/etc/subuid"
	run sc del ghost --uids
	assert_success
	assert_output "removed ghost:200000:10 from $T/etc/subuid (line 2)"
}

@test "sync: every login user without a range gets one, system and high UIDs do not" {
	run sc sync
	assert_success
	assert_output "gave 2 users subordinate UIDs in $T/etc/subuid
gave 2 users subordinate GIDs in $T/etc/subgid"
	printf 'alice:100000:65536\nbob:165536:65536\ncarol:231072:65536\n' >expect
	cmp expect "$T/etc/subuid"
	cmp expect "$T/etc/subgid"
	run sc sync
	assert_output "every login user holds subordinate UIDs in $T/etc/subuid already
every login user holds subordinate GIDs in $T/etc/subgid already"
}

@test "sync: a user who holds a range by UID is not given another" {
	printf 'alice:100000:65536\n2002:200000:65536\n' >"$T/etc/subuid"
	run sc sync --uids --count 1000
	assert_success
	assert_output "gave 1 user subordinate UIDs in $T/etc/subuid"
	run grep -c '^carol:165536:1000$' "$T/etc/subuid"
	assert_output 1
}

@test "login.defs: SUB_UID_MIN, SUB_UID_COUNT, UID_MIN and UID_MAX are followed" {
	cat >"$T/etc/login.defs" <<-'EOF2'
	# login.defs
	UID_MIN 2002
	UID_MAX 200000
	SUB_UID_MIN	1000000
	SUB_UID_COUNT "1000"
	SUB_GID_COUNT 500
	EOF2
	run sc sync
	assert_success
	printf 'alice:100000:65536\nbob:1000000:1000\ncarol:1001000:1000\n' >expect
	cmp expect "$T/etc/subuid"
	run grep '^bob:' "$T/etc/subgid"
	assert_output "bob:165536:500"
	# shadow warns and uses the default; so does subidctl
	echo 'SUB_UID_COUNT many' >>"$T/etc/login.defs"
	run sc add high --uids
	assert_success
	assert_output "subidctl: warning: $T/etc/login.defs:7: SUB_UID_COUNT: 'many' is not a number from 0 to 4294967295; shadow ignores it and uses the default
added high:1002000:65536 to $T/etc/subuid"
}

@test "exhaustion says so and how to fix it" {
	printf 'SUB_UID_MIN 100000\nSUB_UID_MAX 200000\n' >"$T/etc/login.defs"
	run sc add bob --uids
	assert_failure 1
	assert_output "subidctl: cannot add 65536 subordinate UIDs to bob in $T/etc/subuid: no free range of 65536 IDs in 100000-200000
subidctl: raise SUB_UID_MAX in $T/etc/login.defs, or delete ranges that are no longer needed
subidctl: nothing was written"
	printf 'alice:100000:65536\n' >expect
	cmp expect "$T/etc/subuid"
}

@test "list: who holds what, in text and JSON" {
	printf 'alice:100000:65536\ncarol:200000:1000\ncarol:300000:70000\nwe"ird:1:1\n' >"$T/etc/subuid"
	printf 'alice:100000:65536\nbob:400000:10\n' >"$T/etc/subgid"
	run sc list
	assert_success
	assert_output 'alice uids=100000:65536 gids=100000:65536
carol uids=200000:1000,300000:70000 gids=-
we"ird uids=1:1 gids=-
bob uids=- gids=400000:10'
	run sc list bob carol
	assert_output 'bob uids=- gids=400000:10
carol uids=200000:1000,300000:70000 gids=-'
	run sc list --json
	assert_success
	echo "$output" | jq -e . >/dev/null
	run jq -c '.version, .users[2]' <<<"$output"
	assert_output '1
{"user":"we\"ird","uids":[{"start":1,"count":1}],"gids":[]}'
	run sc list alice --json --gids
	assert_output '{"version":1,"users":[{"user":"alice","gids":[{"start":100000,"count":65536}]}]}'
	run sc list zed
	assert_failure 1
	assert_output "subidctl: zed: no such user in $T/etc/passwd, and no owner of that name"
}

@test "check: a clean tree" {
	run sc check
	assert_success
	assert_output "no problems found in either file"
	run sc check --json
	assert_output '{"version":1,"problems":[]}'
}

@test "check: every kind of problem, with file and line" {
	printf '%s\n' 'alice:100000:65536' 'bob:165000:1000' '#carol:300000:5' '# a note' \
		'dave:500000:10' 'carol:400000:0' 'carol:4294967000:1000' 'carol:2000:10' \
		' carol:600000:1' 'carol:700000:1 ' $'carol:800000:1\r' 'carol:900000:1:x' \
		'carol:0x100000:1' 'carol:01000000:1' 'nonsense' >"$T/etc/subuid"
	printf 'bob:1000000:1' >"$T/etc/subgid"
	run sc check
	assert_failure 1
	assert_golden subidctl/check-every-problem T="$T"
	run sc check --json
	assert_failure 1
	run jq -r '.problems[0,1,2] | "\(.line) \(.problem) \(.severity)"' <<<"$output"
	assert_output "1 unpaired warning
2 overlap error
3 comment warning"
}

@test "--dry-run prints the change as a diff and writes nothing" {
	printf '# ranges\nalice:100000:65536' >"$T/etc/subuid"
	cp "$T/etc/subuid" before
	run sc add bob --uids --dry-run
	assert_success
	assert_golden subidctl/dry-run-add T="$T"
	cmp before "$T/etc/subuid"
	[ ! -e "$T/etc/subuid-" ] && [ ! -e "$T/etc/.pwd.lock" ]
	# the diff applies
	sc add bob --uids --dry-run >change.diff
	cp before applied && patch -s applied change.diff
	sc add bob --uids >/dev/null
	cmp applied "$T/etc/subuid"
	run sc del alice -n
	assert_output --partial "@@ -2,1 +1,0 @@"
	run sc sync -n --gids
	assert_output --partial "+bob:165536:65536"
}

@test "untouched lines stay byte for byte, in place; backup, mode and owner kept" {
	printf '# site ranges\r\n  odd : spacing\nalice:100000:65536\n\nzed:0x927c0:10:extra\ncarol:500000:5' >"$T/etc/subuid"
	cp "$T/etc/subuid" before
	chmod 0640 "$T/etc/subuid"
	chown 2:3 "$T/etc/subuid" 2>/dev/null || true
	owner=$(stat -c %u:%g "$T/etc/subuid")
	sc add bob --uids >/dev/null
	printf '# site ranges\r\n  odd : spacing\nalice:100000:65536\n\nzed:0x927c0:10:extra\ncarol:500000:5\nbob:165536:65536\n' >expect
	cmp expect "$T/etc/subuid"
	cmp before "$T/etc/subuid-"
	[ "$(stat -c %a "$T/etc/subuid")" = 640 ]
	[ "$(stat -c %u:%g "$T/etc/subuid")" = "$owner" ]
	[ "$(stat -c %a "$T/etc/subuid-")" = 640 ]
	sc del carol --uids >/dev/null
	printf '# site ranges\r\n  odd : spacing\nalice:100000:65536\n\nzed:0x927c0:10:extra\nbob:165536:65536\n' >expect
	cmp expect "$T/etc/subuid"
	[ ! -e "$T/etc/subuid+" ] && [ ! -e "$T/etc/subuid.lock" ]
}

@test "a missing subgid file is created" {
	rm "$T/etc/subgid"
	run sc add bob
	assert_success
	# the first gap free in both files: a user's pair starts at one ID
	printf 'bob:165536:65536\n' >expect
	cmp expect "$T/etc/subgid"
	[ ! -e "$T/etc/subgid-" ]
}

@test "subid: from another source than files: changes refused, list and check say so" {
	echo 'subid: sss' >"$T/etc/nsswitch.conf"
	for cmd in "add bob" "del alice" "sync"; do
		run sc $cmd
		assert_failure 1
		assert_output "subidctl: subordinate IDs come from 'sss' here (the subid: line of $T/etc/nsswitch.conf), not from $T/etc/subuid
subidctl: manage the ranges where 'sss' keeps them (for SSSD, in FreeIPA or the directory it reads); subidctl edits the files only"
	done
	run sc list
	assert_success
	assert_output "subidctl: note: $T/etc/nsswitch.conf sends subid: to 'sss'; this shows $T/etc/subuid and $T/etc/subgid only
alice uids=100000:65536 gids=100000:65536"
	run sc check
	assert_success
	assert_line --index 0 --partial "subidctl: note: $T/etc/nsswitch.conf sends subid: to 'sss'"
	echo 'subid: files' >"$T/etc/nsswitch.conf"
	run sc add bob
	assert_success
}

@test "wrong command lines" {
	run subidctl
	assert_failure 2
	assert_output "subidctl: no command given (list, add, del, sync or check)
Try 'subidctl --help' for more information."
	run subidctl frob
	assert_failure 2
	assert_line --index 0 "subidctl: unknown command 'frob'"
	run subidctl add
	assert_line --index 0 "subidctl: add: no user given"
	run subidctl add bob --count 0
	assert_failure 2
	assert_line --index 0 "subidctl: --count: 0 is out of range (1-4294967295)"
	run subidctl add bob --start x
	assert_line --index 0 "subidctl: --start: 'x' is not a non-negative decimal number"
	run subidctl check --count 5
	assert_line --index 0 "subidctl: --count goes with add or sync"
	run subidctl sync bob
	assert_line --index 0 "subidctl: sync takes no user names"
	run subidctl add a b --start 5
	assert_line --index 0 "subidctl: --start needs exactly one user"
	run subidctl add bob --json
	assert_line --index 0 "subidctl: --json goes with list or check"
	run subidctl list --dry-run
	assert_line --index 0 "subidctl: --dry-run goes with add, del or sync"
	run subidctl --bogus list
	assert_line --index 0 "subidctl: unknown option '--bogus'"
	run subidctl list --prefix
	assert_line --index 0 "subidctl: option '--prefix' needs a value"
}

@test "--help and --version" {
	run subidctl --help
	assert_success
	assert_line --index 0 "Usage:"
	assert_output --partial "For more details see subidctl(8)."
	run subidctl --version
	assert_success
	assert_output --regexp '^subidctl from uncmap [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a tree without group has no groups: list, check and add work" {
	rm "$T/etc/group"
	run sc list
	assert_success
	assert_output 'alice uids=100000:65536 gids=100000:65536'
	run sc check
	assert_success
	assert_output "no problems found in either file"
	run sc add bob --gids
	assert_success
	assert_output "added bob:165536:65536 to $T/etc/subgid"
	[ ! -e "$T/etc/group" ]
}

@test "a tree without passwd is an error, not an empty user list" {
	rm "$T/etc/passwd"
	run sc add bob
	assert_failure 1
	assert_output "subidctl: cannot open $T/etc/passwd: No such file or directory
subidctl: nothing was written"
}
