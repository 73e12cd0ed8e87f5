#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# subidctl: locking with shadow's tools, faults, concurrency, crashes.

load helpers
load subidctl_tree

suite_setup() {
	mk_tree
	SHIM=${UNC_TESTBIN:?}/faultshim.so
}

suite_teardown() {
	if [ -n "${HOLDER:-}" ]; then kill "$HOLDER" 2>/dev/null || true; wait "$HOLDER" 2>/dev/null || true; fi
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root (usermod --prefix)"
}

@test "a stale FILE.lock of a dead PID is taken over" {
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	printf '%s\0' "$dead" >"$T/etc/subuid.lock"
	run sc add bob --uids
	assert_success
	assert_output "added bob:165536:65536 to $T/etc/subuid"
	[ ! -e "$T/etc/subuid.lock" ]
}

@test "a live FILE.lock holder is waited for, then named" {
	sleep 60 3>&- & HOLDER=$!
	echo "$HOLDER" >"$T/etc/subuid.lock"
	run sc add bob --lock-timeout 1
	assert_failure 1
	assert_output "subidctl: cannot lock $T/etc/subuid: $T/etc/subuid.lock is held by PID $HOLDER
subidctl: nothing was written"
	printf 'alice:100000:65536\n' >expect
	cmp expect "$T/etc/subuid"
	# released while it waits: it goes ahead
	sc add bob --lock-timeout 10 >"$WORK/out" 2>&1 3>&- &
	local waiter=$!
	rm -f "$T/etc/subuid.lock"
	wait "$waiter"
	grep -q "^added bob:165536:65536 to $T/etc/subuid$" "$WORK/out"
}

@test "the lckpwdf() lock on ETC/.pwd.lock is honoured" {
	mkfifo "$WORK/ready" "$WORK/release"
	python3 -c '
import fcntl, sys
f = open(sys.argv[1], "w")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
open(sys.argv[2]).read()
' "$T/etc/.pwd.lock" "$WORK/release" >"$WORK/ready" 3>&- & HOLDER=$!
	read -r line <"$WORK/ready"
	[ "$line" = locked ]
	run sc add bob --lock-timeout 1
	assert_failure 1
	assert_output "subidctl: cannot lock $T/etc/.pwd.lock: held by PID $HOLDER for more than 1 s
subidctl: nothing was written"
	echo >"$WORK/release"
	wait "$HOLDER"
	HOLDER=
	run sc add bob
	assert_success
}

@test "a failing write, fsync or rename leaves the old file and says so" {
	[ -f "$SHIM" ] || fail "faultshim.so not built"
	cp "$T/etc/subuid" before
	for op in write fsync rename; do
		run env LD_PRELOAD="$SHIM" UNC_FAULT_OP=$op UNC_FAULT_PATH="$T/etc/subuid+" \
			subidctl --prefix "$T" add bob --uids
		assert_failure 1
		case $op in
		write) assert_line --index 0 "subidctl: cannot write $T/etc/subuid+: No space left on device" ;;
		fsync) assert_line --index 0 "subidctl: cannot write $T/etc/subuid+: fsync: No space left on device" ;;
		rename) assert_line --index 0 "subidctl: cannot rename $T/etc/subuid+ to $T/etc/subuid: No space left on device" ;;
		esac
		assert_line --index 1 "subidctl: $T/etc/subuid is unchanged"
		[ "${#lines[@]}" = 2 ]
		cmp before "$T/etc/subuid"
		[ ! -e "$T/etc/subuid+" ] && [ ! -e "$T/etc/subuid.lock" ]
	done
	run env LD_PRELOAD="$SHIM" UNC_FAULT_OP=write UNC_FAULT_ERRNO=EIO UNC_FAULT_PATH="$T/etc/subuid-+" \
		subidctl --prefix "$T" add bob --uids
	assert_failure 1
	assert_output "subidctl: cannot write $T/etc/subuid-+: Input/output error
subidctl: $T/etc/subuid is unchanged"
	cmp before "$T/etc/subuid"
	# the second file failing after the first was written says both
	run env LD_PRELOAD="$SHIM" UNC_FAULT_OP=rename UNC_FAULT_PATH="$T/etc/subgid" \
		subidctl --prefix "$T" add bob
	assert_failure 1
	assert_output "subidctl: cannot rename $T/etc/subgid+ to $T/etc/subgid: No space left on device
subidctl: $T/etc/subgid is unchanged
subidctl: $T/etc/subuid was already updated"
}

@test "50 subidctl add at once, with usermod --add-subuids interleaved: nothing lost, nothing overlaps" {
	need_root
	command -v usermod >/dev/null || skip_or_fail "usermod not installed"
	local i pids=()
	for i in $(seq 1 50); do
		echo "u$i:x:$((3000 + i)):$((3000 + i))::/:/bin/sh" >>"$T/etc/passwd"
		echo "u$i:x:$((3000 + i)):" >>"$T/etc/group"
	done
	for i in 1 2 3 4 5; do
		echo "m$i:x:$((4000 + i)):$((4000 + i))::/:/bin/sh" >>"$T/etc/passwd"
		echo "m$i:x:$((4000 + i)):" >>"$T/etc/group"
	done
	for i in $(seq 1 50); do
		sc add "u$i" --uids >/dev/null 2>"$WORK/err.$i" 3>&- &
		pids+=($!)
		if [ $((i % 10)) = 5 ]; then
			local m=$((i / 10 + 1)) first=$((500000000 + i * 65536))
			usermod --prefix "$T" --add-subuids "$first-$((first + 65535))" "m$m" \
				2>"$WORK/uerr.$m" 3>&- &
			pids+=($!)
		fi
	done
	local failed=0 p
	for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
	cat "$WORK"/err.* "$WORK"/uerr.* >&2 || true
	[ "$failed" = 0 ]
	for i in $(seq 1 50); do grep -q "^u$i:" "$T/etc/subuid"; done
	for i in 1 2 3 4 5; do grep -q "^m$i:" "$T/etc/subuid"; done
	grep -q '^alice:100000:65536$' "$T/etc/subuid"
	[ "$(wc -l <"$T/etc/subuid")" = 56 ]
	run sc check --uids
	assert_success
}

@test "sync killed with SIGKILL at many moments leaves the old file or the new one, whole" {
	local i n=3000
	for i in $(seq 1 $n); do
		echo "user$i:x:$((10000 + i)):$((10000 + i))::/:/bin/sh"
	done >>"$T/etc/passwd"
	printf 'SUB_UID_MAX 4294967294\nSUB_GID_MAX 4294967294\nUID_MAX 60000\n' >"$T/etc/login.defs"
	cp -a "$T" "$WORK/old"
	cp -a "$T" "$WORK/new"
	subidctl --prefix "$WORK/new" sync >/dev/null
	local old_u=$WORK/old/etc/subuid new_u=$WORK/new/etc/subuid
	local old_g=$WORK/old/etc/subgid new_g=$WORK/new/etc/subgid
	local kinds_old=0 kinds_new=0 delay t0 span
	# spread the kills over how long a whole sync takes here (a sanitizer
	# build or a loaded machine is slower)
	rm -rf "$T" && cp -a "$WORK/old" "$T"
	t0=${EPOCHREALTIME/./}
	sc sync >/dev/null 2>&1 3>&-
	span=$(((${EPOCHREALTIME/./} - t0) / 1000 + 2))
	for i in $(seq 0 39); do
		rm -rf "$T" && cp -a "$WORK/old" "$T"
		delay=$(printf '%d.%03d' $(((i % 20) * span / 16 / 1000)) $(((i % 20) * span / 16 % 1000)))
		sc sync >/dev/null 2>&1 3>&- &
		local pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		for f in subuid subgid; do
			if cmp -s "$T/etc/$f" "$WORK/old/etc/$f"; then
				kinds_old=$((kinds_old + 1))
			elif cmp -s "$T/etc/$f" "$WORK/new/etc/$f"; then
				kinds_new=$((kinds_new + 1))
			else
				fail "run $i (killed after ${delay}s): $f is neither the old nor the new file"
			fi
		done
		# a rerun takes over the dead process's locks and finishes the job
		sc sync >/dev/null
		cmp "$T/etc/subuid" "$new_u"
		cmp "$T/etc/subgid" "$new_g"
	done
	echo "old: $kinds_old new: $kinds_new" >&3
	[ "$kinds_old" -gt 0 ] && [ "$kinds_new" -gt 0 ]
	: "$old_u $old_g"
}
