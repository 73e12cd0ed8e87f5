# tests/bats/helpers.bash: loaded by every suite.
#
#   as USER CMD...     run CMD as the test user (setpriv, its own primary
#                      group, a clean environment with the installed bin/)
#   need_hermetic      the test needs the root-made hermetic setup
#   set_etc FILE TEXT  replace a generated /etc file's content in place
#                      (restored after each test)
#   WORK               a fresh directory per test, writable by test users

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

UNC_PREFIX=${UNC_PREFIX:?run the suites through tests/run}
export PATH="$UNC_PREFIX/bin:$UNC_PREFIX/sbin:$PATH"

# skip, or fail when REQUIRE_USERNS=1 (CI): nothing may be skipped there
skip_or_fail() {
	if [ "${REQUIRE_USERNS:-0}" = 1 ]; then
		fail "cannot run here (REQUIRE_USERNS=1): $*"
	fi
	skip "$*"
}

need_hermetic() {
	[ "${UNC_HERMETIC:-0}" = 1 ] || skip_or_fail "needs tests/run as root (hermetic /etc)"
}

# uid of a test user (or of the current user when not hermetic)
uid_of() {
	if [ "${UNC_HERMETIC:-0}" = 1 ]; then
		id -u "$1"
	else
		id -u
	fi
}

as() {
	local user=$1
	shift
	if [ "${UNC_HERMETIC:-0}" != 1 ]; then
		# ordinary-user mode: "alice" is whoever runs the tests
		[ "$user" = alice ] || skip_or_fail "needs test user $user (run tests/run as root)"
		"$@"
		return
	fi
	local uid
	uid=$(id -u "$user")
	setpriv --reuid="$uid" --regid="$uid" --init-groups -- \
		env -i HOME="$UNC_TEST_BASE/home/$user" USER="$user" LOGNAME="$user" \
		PATH="$UNC_PREFIX/bin:$UNC_PREFIX/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
		LANG=C SHELL=/bin/sh ${UNC_EXTRA_ENV:-} "$@"
}

# as_argv USER: set AS to the argv prefix that runs a command as USER, for
# background jobs whose $! must be the command itself (setpriv and env exec).
as_argv() {
	if [ "${UNC_HERMETIC:-0}" != 1 ]; then
		[ "$1" = alice ] || skip_or_fail "needs test user $1 (run tests/run as root)"
		AS=(env)
		return
	fi
	local uid
	uid=$(id -u "$1")
	AS=(setpriv --reuid="$uid" --regid="$uid" --init-groups --
		env -i HOME="$UNC_TEST_BASE/home/$1" USER="$1" LOGNAME="$1"
		PATH="$UNC_PREFIX/bin:$UNC_PREFIX/sbin:/usr/sbin:/usr/bin:/sbin:/bin"
		LANG=C SHELL=/bin/sh)
}

set_etc() {
	need_hermetic
	printf '%s' "$2" >"$UNC_ETC/$1"
}

restore_etc() {
	if [ "${UNC_HERMETIC:-0}" = 1 ]; then
		local f
		for f in passwd group subuid subgid nsswitch.conf login.defs; do
			cmp -s "$UNC_ETC/orig/$f" "$UNC_ETC/$f" || cat "$UNC_ETC/orig/$f" >"$UNC_ETC/$f"
		done
		: >"$UNC_EXTRAUSERS/passwd"
		: >"$UNC_EXTRAUSERS/group"
	fi
}

# assert_golden NAME [VAR=VALUE...]: $output is, whole, the text of
# tests/expected/NAME, once each @VAR@ in it stands for VALUE (a path that
# differs from run to run). Long expected outputs live there, as in
# util-linux's tests/expected, not repeated inline.
assert_golden() {
	local file="${UNC_SRC:?}/tests/expected/$1" want kv
	shift
	[ -f "$file" ] || fail "no golden file $file"
	want=$(cat "$file")
	for kv in "$@"; do
		want=${want//"@${kv%%=*}@"/"${kv#*=}"}
	done
	assert_equal "$output" "$want"
}

# wait_until CMD...: until CMD succeeds, at most 10 s (a poll, for what
# has no handshake: a process's end, a file's removal)
wait_until() {
	local i
	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

setup() {
	WORK=$(mktemp -d "$UNC_TEST_BASE/t.XXXXXX")
	chmod 777 "$WORK"
	cd "$WORK" || return 1
	if declare -F suite_setup >/dev/null; then suite_setup; fi
}

teardown() {
	if declare -F suite_teardown >/dev/null; then suite_teardown; fi
	restore_etc
	cd /
	rm -rf "$WORK" 2>/dev/null || true
}
