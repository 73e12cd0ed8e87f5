#!/usr/bin/env bats
# uncmap, issue 13: living in a root filesystem the way bwrap users expect.
# Destinations made inside the root, bwrap's operations, overlays, the
# environment, --info-fd/--json-status-fd, ':' in paths, newuidshell inside
# any root, and the hostile-path table: nothing made outside the root.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER_PATH=/usr/local/bin:/usr/bin:/bin

suite_setup() {
	make_rootfs "$WORK/rfs"
	mkdir -p "$WORK/src/sub" "$WORK/outside"
	echo data >"$WORK/src/f"
	chmod -R a+rwX "$WORK/src" "$WORK/outside"
	if [ "${UNC_HERMETIC:-0}" = 1 ]; then chown -R alice:alice "$WORK/src" "$WORK/outside"; fi
}

# a test that failed while its uncmap waited must not hold up the suite
suite_teardown() {
	if [ -n "${BG:-}" ]; then kill -KILL "$BG" 2>/dev/null || true; wait "$BG" 2>/dev/null || true; fi
	BG=
}

# the host tree next to the root, as a list to compare before and after
host_snapshot() {
	find "$WORK" -path "$WORK/rfs" -prune -o -print | sort
}

@test "missing destinations are made inside --root: directories, files, parents" {
	run as alice uncmap --root rfs --bind "$WORK/src:/new/a/b" --ro-bind "$WORK/src/f:/etc/new/f" \
		--tmpfs /t/x -- sh -c 'cat /new/a/b/f /etc/new/f; stat -c %F /t/x; ls /t/x | wc -l'
	assert_success
	assert_output $'data\ndata\ndirectory\n0'
	[ -d rfs/new/a/b ] && [ -f rfs/etc/new/f ] && [ ! -s rfs/etc/new/f ] && [ -d rfs/t/x ]
	[ ! -e /new ] && [ ! -e /t/x ]
}

@test "without --root a missing destination is an error, and nothing is made on the host" {
	run as alice uncmap --bind "$WORK/src:$WORK/none/deep" -- true
	assert_failure 125
	assert_output - <<-EOF
		uncmap: --bind: destination '$WORK/none/deep': No such file or directory
		uncmap: uncmap creates missing destinations only inside --root, never on the host
	EOF
	[ ! -e "$WORK/none" ]
	local opt
	for opt in "--dir $WORK/d" "--symlink x:$WORK/l" "--chmod 700:$WORK/src" "--file 0:$WORK/f"; do
		run as alice uncmap $opt -- true
		assert_failure 125
		assert_line --index 0 --regexp "^uncmap: ${opt%% *}: '$WORK/[a-z]+' is not inside a --root$"
		assert_line --index 1 "uncmap: uncmap never creates or changes host paths; ${opt%% *} works only with --root"
	done
	[ ! -e "$WORK/d" ] && [ ! -e "$WORK/l" ] && [ ! -e "$WORK/f" ]
	[ "$(stat -c %a "$WORK/src")" = 777 ]
}

@test "--dir, --symlink, --chmod, --remount-ro act inside the root, in order" {
	run as alice uncmap --root rfs --dir /made/here --symlink /made/here:/lnk --chmod 0700:/made \
		--bind "$WORK/src:/rw" --remount-ro /rw -- \
		sh -c 'stat -c "%F %a" /made/here /made; readlink /lnk; { echo x > /rw/new; } 2>/dev/null || echo ro'
	assert_success
	assert_output $'directory 755\ndirectory 700\n/made/here\nro'
	[ -d rfs/made/here ] && [ "$(readlink rfs/lnk)" = /made/here ]
	[ ! -e "$WORK/src/new" ]
	# an identical link is fine; another one is not
	run as alice uncmap --root rfs --symlink /made/here:/lnk -- true
	assert_success
	run as alice uncmap --root rfs --symlink /elsewhere:/lnk -- true
	assert_failure 125
	assert_output "uncmap: --symlink: '/lnk' already exists"
	run as alice uncmap --root rfs --chmod 9:/made -- true
	assert_output "uncmap: --chmod: '9' is not an octal mode"
	run as alice uncmap --root rfs --remount-ro /nowhere -- true
	assert_output "uncmap: --remount-ro: destination '/nowhere' in root 'rfs': No such file or directory"
}

@test "--dev-bind keeps devices usable; --bind and --ro-bind do not" {
	run as alice uncmap --root rfs --dev-bind /dev/null:/devnull --bind /dev/null:/plain -- \
		sh -c 'echo x > /devnull && echo dev-ok; { echo x > /plain; } 2>/dev/null || echo nodev'
	assert_success
	assert_output $'dev-ok\nnodev'
}

@test "--bind-try and --ro-bind-try skip a missing source and bind a present one" {
	run as alice uncmap --root rfs --bind-try /nonexistent:/a --ro-bind-try "$WORK/src:/b" -- \
		sh -c 'test -e /a || echo skipped; cat /b/f'
	assert_success
	assert_output $'skipped\ndata'
	[ ! -e rfs/a ]
}

@test "--file and --ro-bind-data copy a descriptor; the root keeps only an empty file" {
	cat >"$WORK/cmd" <<-'EOF'
		cat /etc/a /etc/b
		echo more >> /etc/a && echo a-rw
		{ echo x > /etc/b; } 2>/dev/null || echo b-ro
		grep -c uncmap-data /proc/self/mountinfo
		ls -a /dev | grep -c uncmap
		true
	EOF
	cp "$WORK/cmd" rfs/cmd
	run as alice sh -c 'exec 5<"$1"; printf "from-stdin\n" | exec uncmap --root rfs --file 5:/etc/a --ro-bind-data 0:/etc/b -- sh /cmd' sh "$WORK/src/f"
	assert_success
	assert_output $'data\nfrom-stdin\na-rw\nb-ro\n0\n0'
	[ ! -s rfs/etc/a ] && [ ! -s rfs/etc/b ]
	[ "$(cat "$WORK/src/f")" = data ]
	run as alice uncmap --root rfs --file 77:/etc/a -- true
	assert_failure 125
	assert_output "uncmap: --file: descriptor 77 is not open"
}

@test "operations apply in command-line order: a later --tmpfs hides an earlier --dir" {
	run as alice uncmap --root rfs --tmpfs /t --dir /t/inside -- sh -c 'ls /t'
	assert_success
	assert_output 'inside'
	[ ! -e rfs/t/inside ]
	run as alice uncmap --root rfs --dir /t/under --tmpfs /t -- sh -c 'ls /t | wc -l'
	assert_output '0'
	[ -d rfs/t/under ]
}

@test "a ':' in a path is written '\\:' in SRC:DST, a backslash '\\\\'" {
	mkdir -p "$WORK/a:b" "$WORK/c\\d"
	echo colon >"$WORK/a:b/f"
	echo slash >"$WORK/c\\d/f"
	chmod -R a+rX "$WORK/a:b" "$WORK/c\\d"
	run as alice uncmap --root rfs --ro-bind "$WORK/a\\:b:/x\\:y" --ro-bind "$WORK/c\\\\d:/z" -- \
		sh -c 'cat "/x:y/f" /z/f'
	assert_success
	assert_output $'colon\nslash'
	run as alice uncmap --bind "a:b:c" -- true
	assert_failure 125
	assert_output "uncmap: --bind: 'a:b:c' is not SRC:DST"
}

@test "--overlay: writes go to the upper directory; the lower ones are never touched" {
	mkdir -p low1 low2 up wk
	echo one >low1/f
	echo two >low2/g
	chmod -R a+rwX low1 low2 up wk
	chown -R alice:alice low1 low2 up wk
	local before
	before=$(find low1 low2 -exec stat -c '%n %s %Y' {} + | sort)
	run as alice uncmap --root rfs --overlay "$WORK/low1:$WORK/low2:$WORK/up:$WORK/wk:/ov" -- \
		sh -c 'cat /ov/f /ov/g; echo changed > /ov/f; echo new > /ov/h; rm /ov/g; ls /ov | tr "\n" " "'
	assert_success
	assert_output $'one\ntwo\nf h '
	[ "$(find low1 low2 -exec stat -c '%n %s %Y' {} + | sort)" = "$before" ]
	[ "$(cat up/f)" = changed ] && [ "$(cat up/h)" = new ]
	[ "$(cat low1/f)" = one ] && [ "$(cat low2/g)" = two ]
}

@test "--tmp-overlay: writes are gone at exit, the lower is untouched" {
	mkdir -p low
	echo orig >low/f
	chown -R alice:alice low
	run as alice uncmap --root rfs --tmp-overlay "$WORK/low:/ov" -- \
		sh -c 'echo changed > /ov/f; touch /ov/new; cat /ov/f; stat -c %a /ov'
	assert_success
	assert_output $'changed\n'"$(stat -c %a low)"
	[ "$(cat low/f)" = orig ] && [ ! -e low/new ]
	# without --root too, on a host directory of the private namespace
	run as alice uncmap --tmp-overlay "$WORK/low:$WORK/low" -- sh -c "echo x > $WORK/low/f; cat $WORK/low/f"
	assert_success
	assert_output 'x'
	[ "$(cat low/f)" = orig ]
}

@test "--root-overlay: a container that starts clean every time from a tree never written" {
	local before
	before=$(find rfs -exec stat -c '%n %s %Y' {} + | sort)
	run as alice uncmap --root-overlay rfs --bind "$WORK/src:/data/src" -- \
		sh -c 'echo hacked > /etc/passwd; touch /new; mkdir /newdir; cat /etc/passwd; cat /data/src/f'
	assert_success
	assert_output $'hacked\ndata'
	[ "$(find rfs -exec stat -c '%n %s %Y' {} + | sort)" = "$before" ]
	run as alice uncmap --root-overlay rfs -- sh -c 'head -1 /etc/passwd; test -e /new || echo clean'
	assert_success
	assert_output $'root:x:0:0:root:/root:/bin/sh\nclean'
}

@test "the environment under --root is exactly a login's: PATH, HOME, USER, LOGNAME, SHELL, TERM" {
	local extra=:/run/uncmap/bin
	run as alice env TERM=xterm-test FOO=host uncmap --root rfs -- env
	assert_success
	run sort <<<"$output"
	assert_output "$(printf '%s\n' HOME=/root LOGNAME=root "PATH=$ROOT_PATH$extra" SHELL=/bin/sh TERM=xterm-test USER=root | sort)"
	run as alice uncmap --root rfs --user bob -- env
	assert_success
	run sort <<<"$output"
	assert_output "$(printf '%s\n' HOME=/home/bob LOGNAME=bob "PATH=$USER_PATH$extra" SHELL=/bin/sh USER=bob | sort)"
}

@test "--setenv, --unsetenv, --clearenv apply in order after the login's; --keep-env keeps the caller's" {
	run as alice env TERM=t uncmap --root rfs --setenv FOO 'a b' --unsetenv TERM --setenv HOME /x -- env
	assert_success
	run sort <<<"$output"
	assert_output "$(printf '%s\n' 'FOO=a b' HOME=/x LOGNAME=root "PATH=$ROOT_PATH:/run/uncmap/bin" SHELL=/bin/sh USER=root | sort)"
	run as alice uncmap --root rfs --setenv A 1 --clearenv --setenv B 2 -- env
	assert_success
	assert_output 'B=2'
	run as alice env FOO=host uncmap --root rfs --keep-env -- env
	assert_success
	assert_line 'FOO=host'
	assert_line "HOME=$UNC_TEST_BASE/home/alice"
	# without --root the caller's environment stays, options apply
	run as alice env FOO=host uncmap --unsetenv FOO --setenv BAR 1 -- sh -c 'echo "${FOO-unset} $BAR $HOME"'
	assert_output "unset 1 $UNC_TEST_BASE/home/alice"
	run as alice uncmap --setenv A=B x -- true
	assert_failure 125
	assert_output "uncmap: --setenv: 'A=B' is not a variable name"
	run as alice uncmap --setenv A
	assert_failure 125
	assert_output "uncmap: --setenv: 'A' has no value: --setenv NAME VALUE"
}

@test "--user with a login shell starts in HOME, as su -l; no program runs the user's shell" {
	run as alice uncmap --root rfs --user bob -- sh -l -c pwd
	assert_success
	assert_output '/home/bob'
	run as alice uncmap --root rfs --user bob -- sh -c pwd
	assert_output '/'
	run as alice uncmap --root rfs --user bob --wd /tmp -- sh -l -c pwd
	assert_output '/tmp'
	run as alice uncmap --root rfs --user bob <<<'echo "$0 $(pwd) $(id -u)"'
	assert_success
	assert_output '/bin/sh /home/bob 1000'
}

@test "a Debian-like tree: root finds /usr/sbin, bob gets bash's login in his HOME" {
	make_debian_rootfs "$WORK/deb"
	run as alice uncmap --root deb -- unc-sbin-probe
	assert_success
	assert_output 'sbin-ok'
	run -127 as alice uncmap --root deb --user bob -- unc-sbin-probe
	run as alice uncmap --root deb --user bob -- bash -l -c 'echo "$HOME $SHELL $USER $(pwd) $PATH"'
	assert_success
	assert_output "/home/bob /bin/bash bob /home/bob $USER_PATH:/run/uncmap/bin"
	run as alice uncmap --root deb --bind "$WORK/src:/srv/data" --dir /var/lib/x -- sh -c 'cat /srv/data/f; ls -d /var/lib/x'
	assert_success
	assert_output $'data\n/var/lib/x'
	[ -d deb/var/lib/x ] && [ ! -e /srv/data/f ]
}

@test "newuidshell works inside any root, as documented: uncmap --root rfs -- newuidshell -l bob" {
	local libs=()
	# newuidshell is static, so it runs in any root; only a sanitizer
	# build links it dynamically (the ASan runtime is a shared library):
	# then the root gets the host's libraries for it.
	if readelf -l "$UNC_PREFIX/bin/newuidshell" | grep -q INTERP; then
		libs=(--ro-bind /usr/lib:/usr/lib --ro-bind /usr/lib:/lib --ro-bind /usr/lib64:/lib64)
	fi
	run as alice uncmap --root rfs "${libs[@]}" -- newuidshell -l bob -c 'id -u; pwd; echo $HOME'
	assert_success
	assert_output $'1000\n/home/bob\n/home/bob'
	make_debian_rootfs "$WORK/deb"
	run as alice uncmap --root deb "${libs[@]}" -- newuidshell -l bob -c 'echo $SHELL; id -un'
	assert_success
	assert_output $'/bin/bash\nbob'
	# the root holds only an empty directory for it
	[ -d rfs/run/uncmap/bin ] && [ -z "$(ls -A rfs/run/uncmap/bin)" ]
}

@test "--info-fd names the namespace's init: its PID and namespace inodes; --json-status-fd adds the exit code" {
	mkfifo "$WORK/go"
	chmod 666 "$WORK/go"
	as_argv alice
	"${AS[@]}" sh -c "exec 7>$WORK/info; exec uncmap --pid --uts --info-fd 7 -- sh -c 'readlink /proc/self/ns/user > $WORK/seen; read x < $WORK/go'" &
	BG=$!
	local upid=$BG
	while [ ! -s "$WORK/seen" ]; do sleep 0.05; done
	run jq -r '."child-pid"' "$WORK/info"
	assert_success
	local child=$output
	# the PID is uncmap's child, in the namespaces the JSON names
	[ "$(awk '/^PPid:/ {print $2}' /proc/$child/status)" = "$upid" ]
	[ "$(stat -L -c %i /proc/$child/ns/user)" = "$(jq '."user-namespace"' "$WORK/info")" ]
	[ "$(stat -L -c %i /proc/$child/ns/uts)" = "$(jq '."uts-namespace"' "$WORK/info")" ]
	[ "$(stat -L -c %i /proc/$child/ns/pid)" = "$(jq '."pid-namespace"' "$WORK/info")" ]
	[ "user:[$(jq '."user-namespace"' "$WORK/info")]" = "$(cat "$WORK/seen")" ]
	run jq -r 'keys | join(" ")' "$WORK/info"
	assert_output 'child-pid pid-namespace user-namespace uts-namespace'
	echo go >"$WORK/go"
	wait "$upid"
	BG=

	run as alice sh -c "exec 8>$WORK/status; exec uncmap --json-status-fd 8 -- sh -c 'exit 3'"
	assert_failure 3
	run jq -s -c '[.[0]."child-pid" > 0, .[1]]' "$WORK/status"
	assert_output '[true,{"exit-code":3}]'
	run as alice uncmap --info-fd 77 -- true
	assert_failure 125
	assert_output "uncmap: --info-fd: descriptor 77 is not open"
}

@test "hostile destinations: symlinks out, '..', /proc/self/root: nothing made or mounted outside the root" {
	ln -s "$WORK/outside" rfs/abs
	ln -s ../../../../../../../../../../.. rfs/up
	chown -h alice:alice rfs/abs rfs/up
	echo keep >"$WORK/outside/victim"
	chmod 644 "$WORK/outside/victim"
	chown alice:alice "$WORK/outside/victim"
	mkdir -p low && chown alice:alice low
	local before dst opt o v
	before=$(host_snapshot)
	for dst in /abs/x "/up$WORK/outside/x" "/../../../..$WORK/outside/x" "/up/../..$WORK/outside/y" \
		"/proc/self/root$WORK/outside/z" "/proc/1/cwd/z"; do
		for opt in "--bind $WORK/src:" "--ro-bind $WORK/src/f:" "--dev-bind /dev/null:" \
			"--bind-try $WORK/src:" "--tmpfs " "--dir " "--symlink /target:" \
			"--file 0:" "--ro-bind-data 0:" "--tmp-overlay $WORK/low:"; do
			o=${opt%% *} v=${opt#* }
			run as alice uncmap --root rfs "$o" "$v$dst" -- true </dev/null
			[ "$(host_snapshot)" = "$before" ] || fail "$opt$dst changed the host: $(diff <(echo "$before") <(host_snapshot))"
		done
		run as alice uncmap --root rfs --chmod 777:$dst/victim -- true
		run as alice uncmap --root rfs --remount-ro "$dst" -- true
		[ "$(stat -c %a "$WORK/outside/victim")" = 644 ]
	done
	# what was made, was made inside
	[ -d "rfs$WORK/outside/x" ]
	# a magic link is refused, not followed
	run as alice uncmap --root rfs --pid --dir /proc/self/root/x -- true
	assert_failure 125
	assert_output "uncmap: --dir: destination '/proc/self/root/x': Too many levels of symbolic links"
	[ ! -e /x ] && [ "$(host_snapshot)" = "$before" ]
	# and nothing stays mounted on the host
	run grep -c "$WORK" /proc/self/mountinfo
	assert_output '0'
}

@test "a root whose /dev or /sys is a symlink out is refused, nothing mounted where it points" {
	rmdir rfs/dev
	ln -s "$WORK/outside" rfs/dev
	chown -h alice:alice rfs/dev
	run as alice uncmap --root rfs -- true
	assert_failure 125
	assert_output 'uncmap: --root: cannot mount a tmpfs on /dev: Not a directory'
	rm rfs/dev && mkdir rfs/dev && rmdir rfs/sys
	ln -s "$WORK/outside" rfs/sys
	run as alice uncmap --root rfs -- true
	assert_output 'uncmap: --root: cannot bind /sys: Not a directory'
	[ -z "$(ls -A "$WORK/outside")" ]
}

@test "a destination swapped for a symlink during setup never leads outside the root" {
	local before i
	before=$(host_snapshot)
	as_argv alice
	"${AS[@]}" sh -c "cd $WORK/rfs; while :; do rm -rf swap; mkdir swap; rm -rf swap; ln -s $WORK/outside swap; done" &
	local swapper=$!
	local ok=0
	for i in $(seq 30); do
		if as alice uncmap --root rfs --dir /swap/d/e --bind "$WORK/src:/swap/b" --tmpfs /swap/t \
			--symlink x:/swap/l -- true >/dev/null 2>&1; then
			ok=$((ok + 1))
		fi
	done
	kill "$swapper"
	wait "$swapper" || true
	[ "$(host_snapshot)" = "$before" ]
	[ -z "$(ls -A "$WORK/outside")" ]
	# the race was run: some launches found a directory and went through
	[ "$ok" -gt 0 ]
}

@test "--overlay refuses a lower that is not a directory, naming it" {
	run as alice uncmap --root rfs --overlay "$WORK/src/f:$WORK/src:$WORK/src:/ov" -- true
	assert_failure 125
	assert_output "uncmap: --overlay: '$WORK/src/f' is not a directory"
	run as alice uncmap --overlay "a:b:c" -- true
	assert_output "uncmap: --overlay: 'a:b:c' is not LOWER[:LOWER...]:UPPER:WORK:DST"
}

@test "completion: with --root, --user completes from ROOT/etc/passwd and destinations from inside ROOT" {
	run bash -c "
		source /usr/share/bash-completion/bash_completion
		source '$UNC_SRC/etc/bash-completion/uncmap'
		cd '$WORK'
		complete_words() { COMPREPLY=(); COMP_WORDS=(\"\$@\"); COMP_CWORD=\$((\$# - 1)); COMP_LINE=\"\$*\"; COMP_POINT=\${#COMP_LINE}; _uncmap; printf '%s\n' \"\${COMPREPLY[@]}\" | sort | tr '\n' ' '; echo; }
		complete_words uncmap --root rfs --user ''
		complete_words uncmap --root rfs --bind /tmp:/ho
		complete_words uncmap --root rfs --dir /ho
		complete_words uncmap --user zz-no-such
	"
	assert_success
	assert_line --index 0 'bob root '
	# bash splits the word at ':' already: the reply is what follows it
	assert_line --index 1 '/home/ '
	assert_line --index 2 '/home/ '
	assert_line --index 3 ' '
}
