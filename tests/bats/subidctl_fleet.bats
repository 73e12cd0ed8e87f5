#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# subidctl for a fleet: login.defs read as shadow reads it, upstream
# shadow's deterministic ranges and owners by UID (on --prefix trees), and
# users only NSS knows (libnss-extrausers, on the system itself inside a
# private overlay of /etc: the host's /etc is never written).

load helpers
load subidctl_tree

suite_setup() {
	mk_tree
}

# defs LINE...: the tree's login.defs
defs() {
	printf '%s\n' "$@" >"$T/etc/login.defs"
}

@test "login.defs: values shadow cannot parse warn and fall back to shadow's defaults" {
	defs 'UID_MIN 2000 # first user' 'SUB_UID_MIN 12abc' 'SUB_UID_DETERMINISTIC perhaps'
	run sc add bob --uids
	assert_success
	assert_output "subidctl: warning: $T/etc/login.defs:1: UID_MIN: '2000 # first user' is not a number from 0 to 4294967295; shadow ignores it and uses the default
subidctl: warning: $T/etc/login.defs:2: SUB_UID_MIN: '12abc' is not a number from 0 to 4294967295; shadow ignores it and uses the default
subidctl: warning: $T/etc/login.defs:3: SUB_UID_DETERMINISTIC: 'perhaps' is neither yes nor no; shadow takes it as no
added bob:165536:65536 to $T/etc/subuid"
	# list and check work too, with the same warnings
	run sc list bob --uids
	assert_success
	assert_line --index 3 'bob uids=165536:65536'
}

@test "login.defs: SUB_UID_COUNT 0 turns automatic allocation off, and nothing else" {
	defs 'SUB_UID_COUNT 0' 'SUB_GID_COUNT 0'
	run sc list
	assert_success
	assert_output 'alice uids=100000:65536 gids=100000:65536'
	run sc check
	assert_success
	assert_output 'no problems found in either file'
	run sc add bob
	assert_failure 1
	assert_output "subidctl: cannot give bob subordinate UIDs: SUB_UID_COUNT is 0 in $T/etc/login.defs, which turns automatic allocation off
subidctl: give the size with --count N (and the place with --start ID), or set SUB_UID_COUNT
subidctl: nothing was written"
	run sc sync --gids
	assert_failure 1
	assert_line --index 0 "subidctl: cannot give every login user subordinate GIDs: SUB_GID_COUNT is 0 in $T/etc/login.defs, which turns automatic allocation off"
	run sc add bob --count 1000
	assert_success
	assert_output "added bob:165536:1000 to $T/etc/subuid
added bob:165536:1000 to $T/etc/subgid"
}

@test "deterministic: add and sync give upstream shadow's ranges, with its defaults" {
	# SUB_GID_MIN unset: deterministic mode's own default, 65536
	defs 'UID_MIN 2000' 'SUB_UID_MIN 1000000' 'SUB_UID_MAX 2000000000' \
		'SUB_UID_DETERMINISTIC yes' 'SUB_GID_DETERMINISTIC yes'
	run sc add bob
	assert_success
	assert_output "added bob:1131072:65536 to $T/etc/subuid
added bob:196608:65536 to $T/etc/subgid"
	# alice holds a range already: left alone; high is above UID_MAX
	run sc sync
	assert_success
	assert_output "gave 1 user subordinate UIDs in $T/etc/subuid
gave 1 user subordinate GIDs in $T/etc/subgid"
	printf 'alice:100000:65536\nbob:1131072:65536\ncarol:1196608:65536\n' >expect
	cmp expect "$T/etc/subuid"
	printf 'alice:100000:65536\nbob:196608:65536\ncarol:262144:65536\n' >expect
	cmp expect "$T/etc/subgid"
	run sc add carol
	assert_success
	assert_output "carol already holds 65536 subordinate UIDs in $T/etc/subuid; left alone
carol already holds 65536 subordinate GIDs in $T/etc/subgid; left alone"
}

@test "deterministic: shadow's refusals; a range in the way; the unsafe wrap only when asked" {
	# room for two slots: UIDs 2000 and 2001
	defs 'UID_MIN 2000' 'SUB_UID_MIN 1000000' 'SUB_UID_MAX 1131071' 'SUB_UID_DETERMINISTIC yes'
	run sc add bob --uids
	assert_failure 1
	assert_output "subidctl: cannot add subordinate UIDs to bob in $T/etc/subuid: Deterministic subordinate UID range for UID 2002 exceeds SUB_UID_MAX (1131071)
subidctl: check UID_MIN and SUB_UID_* in $T/etc/login.defs
subidctl: nothing was written"
	run sc add sys --uids
	assert_failure 1
	assert_line --index 0 "subidctl: cannot add subordinate UIDs to sys in $T/etc/subuid: UID 999 is less than UID_MIN 2000, cannot calculate deterministic subordinate UIDs"
	run sc add bob --uids --count 10
	assert_failure 1
	assert_line --index 0 "subidctl: cannot add 10 subordinate UIDs to bob in $T/etc/subuid: SUB_UID_DETERMINISTIC is yes in $T/etc/login.defs, so every range holds SUB_UID_COUNT (65536)"
	echo 'UNSAFE_SUB_UID_DETERMINISTIC_WRAP yes' >>"$T/etc/login.defs"
	run sc add bob --uids
	assert_failure 1
	assert_output "subidctl: cannot add subordinate UIDs to bob in $T/etc/subuid: UNSAFE_SUB_UID_DETERMINISTIC_WRAP is yes: ranges may overlap, which lets one user's namespace own another's files
subidctl: set it to no in $T/etc/login.defs, or pass --unsafe-wrap if overlapping ranges are really wanted
subidctl: nothing was written"
	# asked for: slot 2 wraps to slot 0
	run sc add bob --uids --unsafe-wrap
	assert_success
	assert_output "added bob:1000000:65536 to $T/etc/subuid"
	# a range the formula hands out that someone holds is refused, by add and sync
	defs 'UID_MIN 2000' 'SUB_UID_MIN 1000000' 'SUB_UID_DETERMINISTIC yes'
	printf 'alice:100000:65536\ndave:1196700:10\n' >"$T/etc/subuid"
	run sc sync --uids
	assert_failure 1
	assert_output "subidctl: cannot add 1196608-1262143 to carol in $T/etc/subuid: it overlaps dave's range 1196700-1196709 (line 2)
subidctl: nothing was written"
}

@test "STORE_BY_UID: owners are written as UIDs, and such a line counts as the user's" {
	defs 'SUB_UID_STORE_BY_UID yes' 'SUB_GID_STORE_BY_UID yes'
	run sc add bob
	assert_success
	assert_output "added bob:165536:65536 to $T/etc/subuid
added bob:165536:65536 to $T/etc/subgid"
	printf 'alice:100000:65536\n2002:165536:65536\n' >expect
	cmp expect "$T/etc/subuid"
	cmp expect "$T/etc/subgid"
	run sc add bob
	assert_success
	assert_output "bob already holds 65536 subordinate UIDs in $T/etc/subuid; left alone
bob already holds 65536 subordinate GIDs in $T/etc/subgid; left alone"
	run sc list bob
	assert_output 'bob uids=165536:65536 gids=165536:65536'
	run sc check
	assert_success
}

# NSS: users in /var/lib/extrausers (bound privately by hermetic.sh).
nss_users() {
	need_hermetic
	cat >"$UNC_EXTRAUSERS/passwd" <<-'EOF2'
	ldapuser:x:5001:5001:directory user:/nonexistent:/bin/sh
	ldap2:x:5002:5002:directory user:/nonexistent:/bin/sh
	EOF2
	printf 'ldapuser:x:5001:\nldap2:x:5002:\n' >"$UNC_EXTRAUSERS/group"
	set_etc nsswitch.conf "$(sed -e 's/^passwd:.*/passwd: files extrausers/' \
		-e 's/^group:.*/group: files extrausers/' "$UNC_ETC/orig/nsswitch.conf")
"
	set_etc login.defs 'SUB_UID_MIN 500000
SUB_GID_MIN 500000
'
}

# private_etc CMD...: run CMD as root with an overlay over /etc (the
# generated files copied in), so subidctl can lock and replace
# /etc/subuid; what it writes lands in $WORK/etc-up.
private_etc() {
	mkdir -p "$WORK/etc-up" "$WORK/etc-work"
	unshare --mount --propagation private -- bash -c '
		mount -t overlay fleet -o "lowerdir=/etc,upperdir=$1/etc-up,workdir=$1/etc-work" /etc ||
			{ echo "cannot overlay /etc" >&2; exit 90; }
		for f in passwd group subuid subgid nsswitch.conf login.defs; do
			cat "$2/$f" >"/etc/$f"
		done
		shift 2
		"$@"' _ "$WORK" "$UNC_ETC" "$@"
}

@test "NSS: add, sync --users, list and check know users only NSS knows" {
	nss_users
	getent passwd ldapuser
	run private_etc sh -c 'subidctl add ldapuser && subidctl sync --users ldap2,alice &&
		subidctl list ldapuser ldap2 alice && subidctl check --uids'
	assert_line --index 0 'added ldapuser:500000:65536 to /etc/subuid'
	assert_line --index 1 'added ldapuser:500000:65536 to /etc/subgid'
	assert_line --index 2 'gave 1 user subordinate UIDs in /etc/subuid'
	assert_line --index 3 'gave 1 user subordinate GIDs in /etc/subgid'
	assert_line --index 4 'ldapuser uids=500000:65536 gids=500000:65536'
	assert_line --index 5 'ldap2 uids=565536:65536 gids=565536:65536'
	assert_line --index 6 'alice uids=100000:65536 gids=100000:65536'
	# the generated files have problems of their own (dave's range holds
	# real UIDs); the network users are not among them
	refute_output --partial unknown-owner
	grep -q '^ldap2:565536:65536$' "$WORK/etc-up/subuid"
	# without extrausers in nsswitch.conf they are unknown again
	set_etc nsswitch.conf "$(cat "$UNC_ETC/orig/nsswitch.conf")
"
	cat "$WORK/etc-up/subuid" >"$UNC_ETC/subuid"
	run subidctl check --uids
	assert_failure 1
	assert_line --partial '/etc/subuid:6: unknown-owner: '
}

@test "NSS: sync --users - reads the names from standard input; an unknown name writes nothing" {
	nss_users
	run private_etc sh -c 'printf "ldapuser\nldap2\n" | subidctl sync --users -;
		printf "ldap2 ldapuser" | subidctl sync --users - --uids'
	assert_success
	assert_output 'gave 2 users subordinate UIDs in /etc/subuid
gave 2 users subordinate GIDs in /etc/subgid
every user named holds subordinate UIDs in /etc/subuid already'
	run private_etc subidctl sync --users ldap2,nosuchuser
	assert_failure 1
	assert_output 'subidctl: cannot add ranges to nosuchuser: no such user in /etc/passwd or NSS (the passwd: line of nsswitch.conf)
subidctl: nothing was written'
}

@test "NSS: with --prefix only the tree's files count" {
	nss_users
	getent passwd ldapuser
	run sc add ldapuser
	assert_failure 1
	assert_output "subidctl: cannot add ranges to ldapuser: no such user in $T/etc/passwd
subidctl: nothing was written"
}

@test "wrong command lines: --users and --unsafe-wrap" {
	run subidctl list --users alice
	assert_failure 2
	assert_output "subidctl: --users goes with sync
Try 'subidctl --help' for more information."
	run subidctl check --unsafe-wrap
	assert_failure 2
	assert_line --index 0 'subidctl: --unsafe-wrap goes with add or sync'
	run sc sync --users ,,
	assert_failure 2
	assert_line --index 0 'subidctl: --users: no user named'
	run sc sync --users 'a:b'
	assert_failure 1
	assert_output --partial "'a:b' cannot own subordinate IDs"
}
