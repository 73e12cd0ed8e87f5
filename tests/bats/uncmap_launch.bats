#!/usr/bin/env bats
# uncmap part 1: the multi-ID launch, through the real newuidmap/newgidmap.

load helpers

@test "the uid map holds the caller at 0 and its subordinate range after it" {
	run as alice uncmap --range 65536 -- cat /proc/self/uid_map
	assert_success
	assert_line --index 0 --regexp "^ +0 +$(uid_of alice) +1$"
	assert_line --index 1 --regexp '^ +1 +100000 +65535$'
	[ "${#lines[@]}" = 2 ]
}

@test "the gid map mirrors the uid map and setgroups stays allowed" {
	run as alice uncmap -- sh -c 'cat /proc/self/gid_map; cat /proc/self/setgroups'
	assert_success
	assert_line --index 0 --regexp "^ +0 +$(uid_of alice) +1$"
	assert_line --index 1 --regexp '^ +1 +100000 +65535$'
	assert_line --index 2 'allow'
}

@test "root inside can become a non-root user with setpriv" {
	run as alice uncmap -- sh -c 'id -u; setpriv --reuid=1000 --regid=1000 --clear-groups id -u'
	assert_success
	assert_output $'0\n1000'
}

@test "a file chowned inside belongs to the subordinate ID on the host" {
	run as alice uncmap -- sh -c 'touch f && chown 1000:1000 f'
	assert_success
	run stat -c '%u:%g' f
	assert_output '100999:100999'
}

@test "--map-root=sub maps container 0 to the first subordinate ID" {
	run as alice uncmap --map-root=sub --range 65536 -- cat /proc/self/uid_map
	assert_success
	assert_output --regexp '^ +0 +100000 +65536$'
	run as alice uncmap --map-root=sub -- sh -c 'touch g; id -u'
	assert_output '0'
	run stat -c '%u' g
	assert_output '100000'
}

@test "--print-map prints both plans and runs nothing" {
	run as alice uncmap --print-map --range 4096 -- touch marker
	assert_success
	assert_line --index 0 'uid map (4096 IDs, from /etc/subuid):'
	assert_line --index 2 --regexp '^ +1 +100000 +4095$'
	assert_line --index 3 'gid map (4096 IDs, from /etc/subgid):'
	[ ! -e marker ]
}

@test "without a command uncmap runs \$SHELL as root in the namespace" {
	run as alice env SHELL=/bin/sh uncmap <<<'id -u; cat /proc/self/uid_map | wc -l'
	assert_success
	assert_output $'0\n2'
}

@test "without a command and without SHELL uncmap runs /bin/sh" {
	run as alice env -u SHELL uncmap <<<'echo "[$0]"'
	assert_success
	assert_output '[/bin/sh]'
}

@test "ranges are used in order across several lines when one is too small" {
	need_hermetic
	run as carol uncmap --range 5000 -- cat /proc/self/uid_map
	assert_success
	assert_line --index 0 --regexp "^ +0 +2003 +1$"
	assert_line --index 1 --regexp '^ +1 +200000 +1000$'
	assert_line --index 2 --regexp '^ +1001 +300000 +3999$'
}

@test "the caller's own ID inside its own range is never mapped twice" {
	need_hermetic
	run as dave uncmap --range 65536 -- cat /proc/self/uid_map
	assert_success
	assert_line --index 0 --regexp '^ +0 +2004 +1$'
	assert_line --index 1 --regexp '^ +1 +1000 +1004$'
	assert_line --index 2 --regexp '^ +1005 +2005 +64531$'
}

@test "--range 1 maps only the caller, needs no helper, and denies setgroups" {
	need_hermetic
	run as bob uncmap --range 1 --newuidmap /bin/false --newgidmap /bin/false -- \
		sh -c 'cat /proc/self/uid_map /proc/self/setgroups'
	assert_success
	assert_line --index 0 --regexp '^ +0 +2002 +1$'
	assert_line --index 1 'deny'
}

@test "--map-uid and --map-gid replace the plan" {
	run as alice uncmap --map-uid "0:$(uid_of alice):1" --map-uid 1000:100000:10 \
		--map-gid 0:100005:1 -- sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map'
	assert_success
	assert_line --index 0 --regexp "^ +0 +$(uid_of alice) +1$"
	assert_line --index 1 --regexp '^ +1000 +100000 +10$'
	assert_line --index 2 --regexp '^ +0 +100005 +1$'
}

@test "real root writes the maps directly, no helper involved" {
	need_hermetic
	run uncmap --map-uid 0:500000:10 --map-gid 0:500000:10 --newuidmap /bin/false \
		--newgidmap /bin/false -- cat /proc/self/uid_map
	assert_success
	assert_output --regexp '^ +0 +500000 +10$'
}

@test "--subuid-file and --subgid-file are read for planning" {
	printf 'alice:100000:10\nalice:100020:10\n' >"$WORK/su"
	run as alice uncmap --print-map --range 15 --subuid-file "$WORK/su" --subgid-file "$WORK/su"
	assert_success
	assert_line --index 2 --regexp '^ +1 +100000 +10$'
	assert_line --index 3 --regexp '^ +11 +100020 +4$'
}

@test "libsubid and the built-in parser plan the same map" {
	run as alice uncmap --print-map --subid-source libsubid
	assert_success
	local a=$output
	run as alice uncmap --print-map --subid-source files
	assert_success
	[ "$a" = "$output" ]
	run as alice uncmap --subid-source libsubid -- cat /proc/self/uid_map
	assert_success
	assert_line --index 1 --regexp '^ +1 +100000 +65535$'
}

