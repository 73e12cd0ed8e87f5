#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# uncmap --check: one line per check (ok, warn, FAIL) with its fix; exit 0
# when a launch would work, 1 otherwise. Each check's good and bad outcome.

load helpers

# the result of one check in --check --json output: "status what"
json_check() {
	jq -r --arg id "$2" '.checks[] | select(.id == $id) | "\(.status) \(.what)"' <<<"$1"
}

@test "check: a user with a range gets every check ok and exit 0" {
	need_hermetic
	run as alice uncmap --check
	assert_success
	assert_line --regexp '^ok   user\.max_user_namespaces is [1-9][0-9]*$'
	assert_line 'ok   a user namespace can be created'
	assert_line 'ok   no_new_privs is not set'
	assert_line 'ok   /usr/bin/newuidmap is setuid root'
	assert_line 'ok   /usr/bin/newgidmap is setuid root'
	assert_line 'ok   alice (UID 2001) has a passwd entry, primary group 2001'
	assert_line "ok   your current GID 2001 is alice's primary group"
	assert_line 'ok   subordinate IDs come from /etc/subuid and /etc/subgid (/etc/nsswitch.conf names no subid module)'
	assert_line 'ok   alice has 65536 subordinate UIDs in /etc/subuid: 100000-165535'
	assert_line "ok   --range 65536 fits in alice's subordinate UIDs"
	assert_line "ok   alice's subordinate UIDs do not contain its own UID 2001"
	assert_line "ok   no line of alice's in /etc/subuid is skipped"
	assert_line "ok   alice's subordinate UIDs overlap no other owner's in /etc/subuid"
	assert_line 'ok   alice has 65536 subordinate GIDs in /etc/subgid: 100000-165535'
	assert_line "ok   --range 65536 fits in alice's subordinate GIDs"
	assert_line 'result: a --range 65536 launch would work'
	refute_output --regexp '^(FAIL|warn)'
}

@test "check: a missing range FAILs with the command that fixes it, exit 1" {
	need_hermetic
	run as bob uncmap --check
	assert_failure 1
	assert_line 'FAIL no subordinate UIDs for bob (looked in /etc/subuid); fix: ask an administrator to run: subidctl add bob'
	assert_line 'FAIL no subordinate GIDs for bob (looked in /etc/subgid); fix: ask an administrator to run: subidctl add bob'
	assert_line 'result: a --range 65536 launch would fail (2 problems)'
}

@test "check: a range too small for --range FAILs, and --check honours --range" {
	need_hermetic
	run as erin uncmap --check
	assert_failure 1
	assert_line 'FAIL --range 65536 needs 65535 subordinate UIDs but only 100 are usable in /etc/subuid (400000-400099); fix: use a smaller --range, or ask an administrator to run: subidctl add erin --top-up 65536'
	run as erin uncmap --check --range 101
	assert_success
	assert_line "ok   --range 101 fits in erin's subordinate UIDs"
	assert_line 'result: a --range 101 launch would work'
}

@test "check: --check honours --subuid-file and --map-uid" {
	need_hermetic
	printf 'alice:100000:10\n' >"$WORK/subuid"
	chmod 644 "$WORK/subuid"
	run as alice uncmap --check --subuid-file "$WORK/subuid"
	assert_failure 1
	assert_line "FAIL --range 65536 needs 65535 subordinate UIDs but only 10 are usable in $WORK/subuid (100000-100009); fix: use a smaller --range, or ask an administrator to run: subidctl add alice --top-up 65536"
	run as alice uncmap --check --map-uid 0:2001:1 --map-uid 1:100000:10 --map-gid 0:2001:1
	assert_success
	assert_line "ok   the --map-uid extents are delegated to alice"
	assert_line 'result: a launch with these --map-uid/--map-gid extents would work'
	run as alice uncmap --check --map-uid 1:900000:10 --map-gid 0:2001:1
	assert_failure 1
	assert_line "FAIL --map-uid 1:900000:10: outside UIDs 900000-900009 are not delegated to alice in /etc/subuid (alice has: 100000-165535); fix: map only IDs delegated to alice with --map-uid, or ask an administrator to delegate them"
}

@test "check: a range overlapping another owner's is a warning naming both" {
	need_hermetic
	set_etc subuid "$(cat "$UNC_ETC/orig/subuid")
mallory:165000:1000
"
	run as alice uncmap --check
	assert_success
	assert_line "warn alice's subordinate UIDs 100000-165535 overlap mallory's 165000-165999 (line 6 of /etc/subuid); fix: ask an administrator to give every user IDs no one else has in /etc/subuid (subidctl check lists the overlaps)"
	assert_line "ok   alice's subordinate GIDs overlap no other owner's in /etc/subgid"
	assert_line 'result: a --range 65536 launch would work (1 warning)'
}

@test "check: the caller's own UID inside its own range is a warning" {
	need_hermetic
	run as dave uncmap --check
	assert_success
	assert_line "warn dave's subordinate UIDs 1000-70999 contain dave's own UID 2004: uncmap maps around it, but the kernel refuses a map that names it twice, as unshare --map-auto and podman make; fix: ask an administrator to replace dave's range 1000:70000 in /etc/subuid with one that does not contain 2004"
	assert_line --partial "warn dave's subordinate GIDs 1000-70999 contain dave's own GID 2004"
}

@test "check: a CRLF line of the caller's FAILs when it was its only one, warns otherwise" {
	need_hermetic
	set_etc subuid $'alice:100000:65536\r\ncarol:200000:1000\n'
	run as alice uncmap --check
	assert_failure 1
	assert_line 'FAIL no subordinate UIDs for alice (looked in /etc/subuid); fix: ask an administrator to run: subidctl add alice'
	assert_line "FAIL line 1 of /etc/subuid, meant for alice, is skipped by shadow: it ends with a carriage return (a CRLF line); fix: as root: sed -i 's/\\r\$//' /etc/subuid"
	set_etc subuid $'alice:100000:65536\nalice:300000:10\r\n'
	run as alice uncmap --check
	assert_success
	assert_line --partial "warn line 2 of /etc/subuid, meant for alice, is skipped by shadow: it ends with a carriage return"
}

@test "check: a line of the caller's with blanks in it is named" {
	need_hermetic
	set_etc subgid $'alice :100000:65536\n'
	run as alice uncmap --check
	assert_failure 1
	assert_line 'FAIL line 1 of /etc/subgid, meant for alice, is skipped by shadow: it has blanks in it; fix: as root: correct line 1 of /etc/subgid to NAME:START:COUNT, without blanks'
}

@test "check: a newuidmap without setuid bit or capability FAILs; with cap_setuid it is ok" {
	need_hermetic
	cp /usr/bin/newuidmap "$WORK/newuidmap"
	chmod 755 "$WORK/newuidmap"
	run as alice uncmap --check --newuidmap "$WORK/newuidmap"
	assert_failure 1
	assert_line "FAIL $WORK/newuidmap is neither setuid root nor has the cap_setuid file capability; fix: as root: chown root $WORK/newuidmap && chmod u+s $WORK/newuidmap (or: setcap cap_setuid+ep $WORK/newuidmap)"
	assert_line 'ok   /usr/bin/newgidmap is setuid root'
	# and the launch with it fails, pointing at --check
	run as alice uncmap --newuidmap "$WORK/newuidmap" -- true
	assert_failure 125
	assert_line --index $((${#lines[@]} - 1)) "uncmap: run 'uncmap --check' for a diagnosis"
	setcap cap_setuid+ep "$WORK/newuidmap"
	run as alice uncmap --check --newuidmap "$WORK/newuidmap"
	assert_success
	assert_line "ok   $WORK/newuidmap has the file capability cap_setuid"
}

@test "check: a newgidmap that is not a program FAILs" {
	need_hermetic
	export -f as
	run unshare --mount --propagation private -- bash -c \
		'mount --bind /dev/null /usr/bin/newgidmap && as alice uncmap --check'
	assert_failure 1
	assert_line 'FAIL /usr/bin/newgidmap is not a program you can run; fix: as root: chown root:root /usr/bin/newgidmap && chmod 4755 /usr/bin/newgidmap'
	assert_line 'ok   /usr/bin/newuidmap is setuid root'
}

@test "check: no_new_privs FAILs, and the launch under it points at --check" {
	need_hermetic
	run as alice setpriv --no-new-privs uncmap --check
	assert_failure 1
	assert_line 'FAIL no_new_privs is set on this process: the setuid newuidmap and newgidmap run without their privilege and cannot write the maps; fix: run uncmap from a session without no_new_privs (not under setpriv --no-new-privs, systemd'"'"'s NoNewPrivileges=yes, or a container started with no-new-privileges)'
	run as alice setpriv --no-new-privs uncmap -- true
	assert_failure 125
	assert_line --index $((${#lines[@]} - 1)) "uncmap: run 'uncmap --check' for a diagnosis"
}

@test "check: no passwd entry FAILs" {
	need_hermetic
	run setpriv --reuid=2999 --regid=2999 --clear-groups -- env -i PATH="$PATH" uncmap --check
	assert_failure 1
	assert_line 'FAIL your UID 2999 has no passwd entry: newuidmap needs one to know whose ranges to check; fix: ask an administrator to add a passwd entry for UID 2999'
}

@test "check: a current GID other than the primary group FAILs, as newuidmap would" {
	need_hermetic
	local uid
	uid=$(uid_of alice)
	run setpriv --reuid="$uid" --regid=2002 --clear-groups -- env -i PATH="$PATH" uncmap --check
	assert_failure 1
	assert_line "FAIL your current GID 2002 is not alice's primary group 2001: newuidmap will refuse with \"Target process ... is owned by a different user\"; fix: run uncmap with your primary group as the current group (sg alice -c 'uncmap ...', or log in again)"
	run setpriv --reuid="$uid" --regid=2002 --clear-groups -- env -i PATH="$PATH" uncmap --map-gid 0:2002:1 -- true
	assert_failure 125
	assert_output --partial 'is owned by a different user'
	assert_line --index $((${#lines[@]} - 1)) "uncmap: run 'uncmap --check' for a diagnosis"
}

@test "check: user.max_user_namespaces 0 FAILs, and so does creating a namespace" {
	need_hermetic
	run as alice unshare --user --map-root-user -- sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces && exec uncmap --check'
	assert_failure 1
	assert_line 'FAIL user.max_user_namespaces is 0: no user namespace may be created; fix: as root: sysctl -w user.max_user_namespaces=15000 (and put user.max_user_namespaces=15000 in /etc/sysctl.d/userns.conf to keep it)'
	assert_line 'FAIL cannot create a user namespace: No space left on device; fix: the limit user.max_user_namespaces is 0 or reached in this namespace; as root: sysctl -w user.max_user_namespaces=15000'
}

# with_sysctls CLONE APPARMOR CMD...: CMD in a mount namespace where
# /proc/sys/kernel holds only these two sysctls (a tmpfs over it)
with_sysctls() {
	export -f as
	unshare --mount --propagation private -- bash -c '
		mount -t tmpfs unctest /proc/sys/kernel || exit 90
		echo "$1" >/proc/sys/kernel/unprivileged_userns_clone
		echo "$2" >/proc/sys/kernel/apparmor_restrict_unprivileged_userns
		shift 2
		"$@"' _ "$@"
}

@test "check: kernel.unprivileged_userns_clone and apparmor_restrict_unprivileged_userns, where they exist" {
	need_hermetic
	run with_sysctls 1 0 as alice uncmap --check
	assert_success
	assert_line 'ok   kernel.unprivileged_userns_clone is 1'
	assert_line 'ok   kernel.apparmor_restrict_unprivileged_userns is 0'
	run with_sysctls 0 1 as alice uncmap --check
	assert_failure 1
	assert_line 'FAIL kernel.unprivileged_userns_clone is 0: only root may create user namespaces; fix: as root: sysctl -w kernel.unprivileged_userns_clone=1 (and put kernel.unprivileged_userns_clone=1 in /etc/sysctl.d/userns.conf to keep it)'
	assert_line 'FAIL kernel.apparmor_restrict_unprivileged_userns is 1: AppArmor takes every capability away inside an unprivileged user namespace; fix: as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give uncmap an AppArmor profile with the "userns," rule in /etc/apparmor.d/'
	# absent (as on this kernel): no line at all
	run as alice uncmap --check
	refute_output --partial 'unprivileged_userns_clone'
}

@test "check: --json is one object with every check, for jq" {
	need_hermetic
	run as bob uncmap --check --json
	assert_failure 1
	local json=$output
	run jq -r '.launch_would_work, .range' <<<"$json"
	assert_output $'false\n65536'
	run json_check "$json" subuid-ranges
	assert_output 'fail no subordinate UIDs for bob (looked in /etc/subuid)'
	run jq -r '.checks[] | select(.id == "subuid-ranges") | .fix' <<<"$json"
	assert_output 'ask an administrator to run: subidctl add bob'
	# every entry has the four keys; ok entries have no fix
	run jq -e 'all(.checks[]; (keys == ["fix","id","status","what"]) and
		(.status | IN("ok","warn","fail")) and ((.status == "ok") == (.fix == null)))' <<<"$json"
	assert_success
	run as alice uncmap --check --json
	assert_success
	run jq -r '.launch_would_work' <<<"$output"
	assert_output true
	python3 -c 'import json,sys; json.load(sys.stdin)' < <(as dave uncmap --check --json)
}

@test "check: --json without --check is refused" {
	run as alice uncmap --json -- true
	assert_failure 125
	assert_output 'uncmap: --json: only with --check or --sessions'
}

@test "launch failures that --check explains end by pointing at it" {
	need_hermetic
	run as erin uncmap --range 65536 -- true
	assert_failure 125
	assert_line --index 2 "uncmap: run 'uncmap --check' for a diagnosis"
	run as alice uncmap --map-uid 0:900000:10 -- true
	assert_line --index 1 "uncmap: run 'uncmap --check' for a diagnosis"
	run as alice uncmap --newuidmap "$UNC_TESTBIN/fail-helper" -- true
	assert_line --index $((${#lines[@]} - 1)) "uncmap: run 'uncmap --check' for a diagnosis"
	# a mistake in the options is not something --check explains
	run as alice uncmap --map-uid 0:100000:10 --map-uid 5:100020:1 -- true
	refute_output --partial 'uncmap --check'
}
