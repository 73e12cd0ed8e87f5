#!/usr/bin/env bats
# Hardening: the lifecycle under faults, and refusals (issue 7).
bats_require_minimum_version 1.5.0

load helpers

suite_teardown() {
	pkill -KILL -f 'sleep 4[0-9]{3}\.0[0-9]+$' 2>/dev/null || true
}

@test "uncmap refuses to run setuid, with a message" {
	need_hermetic
	cp "$UNC_PREFIX/bin/uncmap" "$WORK/uncmap-suid"
	chown bob "$WORK/uncmap-suid"
	chmod 4755 "$WORK/uncmap-suid"
	run as alice "$WORK/uncmap-suid" -- touch marker
	assert_failure 125
	assert_output "uncmap: refusing to run setuid (real UID 2001, effective UID 2002): it needs no privilege of its own; remove the bit with chmod u-s"
	[ ! -e marker ]
}

@test "uncmap refuses to run setgid, with a message" {
	need_hermetic
	cp "$UNC_PREFIX/bin/uncmap" "$WORK/uncmap-sgid"
	chgrp bob "$WORK/uncmap-sgid"
	chmod 2755 "$WORK/uncmap-sgid"
	run as alice "$WORK/uncmap-sgid" --print-map
	assert_failure 125
	assert_output "uncmap: refusing to run setgid (real GID 2001, effective GID 2002): it needs no privilege of its own; remove the bit with chmod g-s"
}

@test "helpers run with a minimal, fixed environment" {
	cat >"$WORK/envhelper" <<EOF2
#!/bin/sh
env > $WORK/helper-env
exec /usr/bin/newuidmap "\$@"
EOF2
	chmod 755 "$WORK/envhelper"
	run as alice env LD_PRELOAD= SECRET=1 uncmap --newuidmap "$WORK/envhelper" -- true
	assert_success
	run sort "$WORK/helper-env"
	assert_output $'LC_ALL=C\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\nPWD='"$WORK"
}

@test "closed standard output: uncmap says so and fails instead of losing output" {
	run as alice sh -c 'uncmap --print-map >&-'
	assert_failure 125
	assert_output 'uncmap: cannot write to standard output: Bad file descriptor'
	run as alice sh -c 'uncmap --help >&-'
	assert_failure 125
	assert_output 'uncmap: cannot write to standard output: Bad file descriptor'
}

@test "a closed standard output stays closed for the command; no pipe of ours takes its place" {
	run as alice sh -c 'uncmap -- sh -c "echo x >&1" >&-'
	assert_failure
	refute_output --partial 'uncmap:'
}

@test "broken pipe: uncmap reports it and exits non-zero instead of dying silently" {
	as_argv alice
	run "${AS[@]}" python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(["uncmap", "--help"], stdout=w, stderr=subprocess.PIPE)
sys.stdout.write("%d %s" % (p.returncode, p.stderr.decode()))'
	assert_output '125 uncmap: cannot write to standard output: Broken pipe'
}

@test "the command gets the default SIGPIPE back, and no blocked signal" {
	run as alice uncmap -- grep -E '^Sig(Ign|Blk)' /proc/self/status
	assert_success
	assert_line --regexp '^SigIgn:[[:space:]]+0+$'
	assert_line --regexp '^SigBlk:[[:space:]]+0+$'
}

@test "--pid: a command that ignores SIGTERM keeps uncmap waiting; it exits when the command does" {
	mkfifo "$WORK/ready" "$WORK/got" "$WORK/go"
	chmod 666 "$WORK/ready" "$WORK/got" "$WORK/go"
	as_argv alice
	"${AS[@]}" uncmap --pid -- sh -c "trap 'echo term > $WORK/got' TERM; echo go > $WORK/ready; until read x < $WORK/go; do :; done 2>/dev/null; exit 3" &
	local upid=$!
	# held open read-write: a writer that opens and closes without a word
	# cannot make the read see end of file; -t bounds a lost signal
	exec 5<>"$WORK/got"
	read -r _ <"$WORK/ready"
	kill -TERM "$upid"
	read -t 20 -r got <&5
	[ "$got" = term ]
	# a second SIGTERM is relayed the same way; uncmap never escalates
	kill -TERM "$upid"
	read -t 20 -r got <&5
	[ "$got" = term ]
	exec 5<&-
	kill -0 "$upid"
	echo done >"$WORK/go"
	local st=0
	wait "$upid" || st=$?
	[ "$st" = 3 ]
}

# processes (and zombies) of launches, run as alice or her subordinate IDs
alice_procs() {
	ps -eo pid=,uid=,stat=,comm= | awk -v me="$(uid_of alice)" \
		'($2 == me || ($2 >= 100000 && $2 < 165536)) && $4 ~ /^(uncmap|uncmap-sup|uncmap-init|true)$/ {print $1, $3, $4}' | sort
}

# user namespaces (by inode) holding a process of alice's or of her
# subordinate IDs: the namespaces her launches make
alice_userns() {
	lsns -n -r -t user -o NS,UID | awk -v me="$(uid_of alice)" \
		'$2 == me || ($2 >= 100000 && $2 < 165536) {print $1}' | sort -u
}

# Only what uncmap can move is measured: alice's processes and user
# namespaces, this shell's descriptors, uncmap's own peak RSS. Counters of
# the whole machine (the kernel's slab, every user's namespaces) move for
# reasons of their own and would make the test lie.
@test "1,000 launches in a row: no descriptor, zombie, namespace or memory growth" {
	local before_fds after_fds
	before_fds=$(ls /proc/$$/fd | wc -l)
	local procs_before userns_before
	procs_before=$(alice_procs)
	userns_before=$(alice_userns)
	run as alice sh -c '
		/usr/bin/time -f "rss %M" uncmap -- true
		i=1; while [ $i -lt 999 ]; do uncmap -- true || exit 1; i=$((i+1)); done
		/usr/bin/time -f "rss %M" uncmap -- true; echo $((i+1))'
	assert_success
	assert_line --index 2 '1000'
	local first=${lines[0]#rss } last=${lines[1]#rss }
	after_fds=$(ls /proc/$$/fd | wc -l)
	echo "# fds of this shell $before_fds -> $after_fds, alice's user namespaces $(echo "$userns_before" | grep -c .) -> $(alice_userns | grep -c .), uncmap peak RSS $first -> $last KiB" >&3
	# nothing of alice's is left: no process holding a descriptor, no
	# zombie, no user namespace (other test runs on a shared machine may
	# use the same test user: only what is new counts)
	run comm -13 <(echo "$procs_before") <(alice_procs)
	assert_output ''
	run comm -13 <(echo "$userns_before") <(alice_userns)
	assert_output ''
	[ "$after_fds" -le "$before_fds" ] || fail "descriptors grew: $before_fds -> $after_fds"
	[ "$last" -le "$((first + 256))" ] || fail "uncmap's peak RSS grew: $first -> $last KiB"
}

@test "64 launches at once all succeed with correct maps" {
	local i pids=()
	for ((i = 0; i < 64; i++)); do
		as alice uncmap -- cat /proc/self/uid_map >"$WORK/map.$i" 2>&1 &
		pids+=($!)
	done
	# its own jobs only: a bare wait also waits for bats's timeout watchdog
	wait "${pids[@]}"
	for ((i = 0; i < 64; i++)); do
		run cat "$WORK/map.$i"
		assert_line --index 0 --regexp "^ +0 +$(uid_of alice) +1$"
		assert_line --index 1 --regexp '^ +1 +100000 +65535$'
	done
}

@test "subidctl refuses to run setuid, and reports closed or broken standard output" {
	need_hermetic
	mkdir -p "$WORK/t/etc"
	printf 'root:x:0:0::/root:/bin/sh\nalice:x:2001:2001::/:/bin/sh\n' >"$WORK/t/etc/passwd"
	printf 'root:x:0:\n' >"$WORK/t/etc/group"
	printf 'alice:100000:65536\n' | tee "$WORK/t/etc/subuid" >"$WORK/t/etc/subgid"
	chmod -R a+rX "$WORK/t"
	cp "$UNC_PREFIX/sbin/subidctl" "$WORK/subidctl-suid"
	chown bob "$WORK/subidctl-suid"
	chmod 4755 "$WORK/subidctl-suid"
	run as alice "$WORK/subidctl-suid" --prefix "$WORK/t" list
	assert_failure 1
	assert_output "subidctl: refusing to run setuid (real UID 2001, effective UID 2002): it needs no privilege of its own; remove the bit with chmod u-s"
	run sh -c "subidctl --prefix $WORK/t list >&-"
	assert_failure 1
	assert_output 'subidctl: cannot write to standard output: Bad file descriptor'
	run python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(["subidctl", "--prefix", sys.argv[1], "list"], stdout=w, stderr=subprocess.PIPE)
sys.stdout.write("%d %s" % (p.returncode, p.stderr.decode()))' "$WORK/t"
	assert_output '1 subidctl: cannot write to standard output: Broken pipe'
}

@test "newuidshell refuses to run setuid; the shell it starts gets SIGPIPE's default" {
	need_hermetic
	cp "$UNC_PREFIX/bin/newuidshell" "$WORK/newuidshell-suid"
	chown bob "$WORK/newuidshell-suid"
	chmod 4755 "$WORK/newuidshell-suid"
	run as alice "$WORK/newuidshell-suid" 1000
	assert_failure 125
	assert_output "newuidshell: refusing to run setuid (real UID 2001, effective UID 2002): it needs no privilege of its own; remove the bit with chmod u-s"
	run as alice uncmap -- newuidshell 1000 -c 'grep SigIgn /proc/self/status'
	assert_success
	assert_output --regexp '^SigIgn:[[:space:]]+0+$'
}
