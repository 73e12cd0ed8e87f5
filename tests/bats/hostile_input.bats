#!/usr/bin/env bats
# Hostile input (issue 7): a table of bad command lines across uncmap,
# newuidshell and subidctl. Every row must give a non-zero exit from the
# documented set, one clear message line (a "Try --help" line may follow)
# that names the bad argument, no crash (no signal, no sanitizer report),
# and no file changed.
bats_require_minimum_version 1.5.0

load helpers

# program <TAB> expected status <TAB> text the message must contain <TAB> arguments
# (the arguments are bash words: quotes and $'...' work; LONG is a 5000-
# character argument, NAME300 a 300-character name)
TABLE=$(cat <<'ROWS'
uncmap	125	--range: empty value	--range ''
uncmap	125	'abc' is not a non-negative decimal number	--range abc
uncmap	125	'-1' is not a non-negative decimal number	--range -1
uncmap	125	--range: 0 is out of range	--range 0
uncmap	125	4294967295 is out of range	--range 4294967295
uncmap	125	99999999999999999999999 is out of range	--range 99999999999999999999999
uncmap	125	--range: ' 5' is not	--range ' 5'
uncmap	125	--map-root: '' is not 'self' or 'sub'	--map-root ''
uncmap	125	--map-root: 'root' is not	--map-root=root
uncmap	125	--map-uid: '' is not IN:OUT:COUNT	--map-uid ''
uncmap	125	--map-uid: '1:2' is not IN:OUT:COUNT	--map-uid 1:2
uncmap	125	--map-uid: '1:2:3:4' is not IN:OUT:COUNT	--map-uid 1:2:3:4
uncmap	125	'a' is not a non-negative decimal number	--map-uid a:b:c
uncmap	125	'-1' is not a non-negative decimal number	--map-uid -1:100000:1
uncmap	125	COUNT: 0 is out of range	--map-uid 0:100000:0
uncmap	125	OUT: 4294967295 is out of range	--map-uid 0:4294967295:1
uncmap	125	COUNT: 99999999999 is out of range	--map-uid 0:100000:99999999999
uncmap	125	outside GIDs 900000-900009 are not delegated to alice	--map-gid 0:900000:10
uncmap	125	inside UIDs overlap: 0-9 and 5-5	--map-uid 0:100000:10 --map-uid 5:100020:1
uncmap	125	--map-uid: the map does not hold UID 0	--map-uid 4294900000:100000:65536
uncmap	125	--map-gid 0:100000:1\n: COUNT: '1\n' is not	--map-gid $'0:100000:1\n'
uncmap	125	--subuid-file: cannot read '/nonexistent'	--subuid-file /nonexistent
uncmap	125	--subgid-file: cannot read ''	--subgid-file ''
uncmap	125	--newuidmap: '/nonexistent' is not an executable file	--newuidmap /nonexistent
uncmap	125	--newgidmap: '' is not an executable file	--newgidmap ''
uncmap	125	--helper-timeout: 0 is out of range	--helper-timeout 0
uncmap	125	--helper-timeout: 'abc' is not	--helper-timeout abc
uncmap	125	--subid-source: 'ldap' is not	--subid-source ldap
uncmap	125	unrecognized option '--frobnicate'	--frobnicate
uncmap	125	invalid option -- 'Z'	-Z
uncmap	125	--range: '--' is not	--range
uncmap	125	--map-uid: '--' is not IN:OUT:COUNT	--map-uid
uncmap	125	--root: cannot use '/nonexistent'	--root /nonexistent
uncmap	125	--root: empty value	--root ''
uncmap	125	--root: cannot use '/no\nwhere'	--root $'/no\nwhere'
uncmap	125	--bind: 'nocolon' is not SRC:DST	--bind nocolon
uncmap	125	--bind: ':/x' is not SRC:DST	--bind :/x
uncmap	125	--bind: '/tmp:' is not SRC:DST	--bind /tmp:
uncmap	125	--bind: source '/nonexistent'	--bind /nonexistent:/mnt
uncmap	125	--ro-bind: destination 'relative' must be an absolute path	--ro-bind /tmp:relative
uncmap	125	--tmpfs: 'relative' is not an absolute path	--tmpfs relative
uncmap	125	--tmpfs: '' is not an absolute path	--tmpfs ''
uncmap	125	--hostname: '' is not a host name	--hostname ''
uncmap	125	is not a host name of 1 to 64 characters	--hostname aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
uncmap	125	--mount-proc needs a new PID namespace: add --pid	--mount-proc
uncmap	125	--wd: empty value	--wd ''
uncmap	125	--range: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (5000 characters)	--range LONG
uncmap	125	--map-uid: '	--map-uid LONG
uncmap	125	--bind: source '	--bind LONG:/mnt
uncmap	125	--user	--user ''
subidctl	2	no command	
subidctl	2	'frobnicate'	frobnicate
subidctl	2	add: no user	add
subidctl	1	''	add ''
subidctl	1	'a:b'	add a:b
subidctl	1	its name contains a newline	add $'a\nb'
subidctl	1	longer than 255 characters	add NAME300
subidctl	2	--count	add alice --count 0
subidctl	2	'-5'	add alice --count -5
subidctl	2	'abc'	add alice --count abc
subidctl	2	99999999999	add alice --count 99999999999
subidctl	2	'abc'	add alice --start abc
subidctl	2	4294967295	add alice --start 4294967295
subidctl	1	nosuchuser	add nosuchuser
subidctl	1	nosuchuser	del nosuchuser
subidctl	1	erin	del erin --uids --start 5
subidctl	2	'--frobnicate'	list --frobnicate
subidctl	2	--lock-timeout	add alice --lock-timeout abc
subidctl	2	--count	add alice --count
subidctl	2	(5000 characters)	add alice --count LONG
subidctl	2	--top-up	add alice --top-up 0
subidctl	2	--top-up and --count cannot go together	add alice --top-up 5 --count 5
subidctl	2	--top-up goes with add	sync --top-up 5
subidctl	2	--unpaired goes with add or sync	del alice --unpaired
newuidshell	125	newuidshell:	
newuidshell	125	the user name is empty	''
newuidshell	125	nosuchuser	nosuchuser
newuidshell	125	uid 70000 is not mapped in this user namespace (mapped: 0-65535)	70000
newuidshell	125	4294967295	4294967295
newuidshell	125	-1	-- -1
newuidshell	125	nosuchgroup	-g nosuchgroup 1000
newuidshell	125	nosuchgroup	-G users,nosuchgroup 1000
newuidshell	125	unrecognized option '--frobnicate'	--frobnicate
newuidshell	125	requires an argument	1000 -c
newuidshell	125	bo	$'bo\nb'
newuidshell	125	a:b	a:b
newuidshell	125	does not exist in /etc/passwd	NAME300
ROWS
)

LONG=$(printf 'x%.0s' $(seq 5000))
NAME300=$(printf 'n%.0s' $(seq 300))

suite_setup() {
	# a subidctl tree (read by --prefix): passwd with the test users
	mkdir -p "$WORK/tree/etc"
	printf 'root:x:0:0::/root:/bin/sh\nalice:x:2001:2001::/home/alice:/bin/sh\nerin:x:2005:2005::/:/bin/sh\n' >"$WORK/tree/etc/passwd"
	printf 'root:x:0:\nalice:x:2001:\nerin:x:2005:\n' >"$WORK/tree/etc/group"
	printf '# delegated ranges\nerin:400000:100\n' >"$WORK/tree/etc/subuid"
	cp "$WORK/tree/etc/subuid" "$WORK/tree/etc/subgid"
}

# every file under WORK with its checksum; the empty lckpwdf() lock file,
# which shadow's tools also create and leave, is not a change
tree_sum() {
	(cd "$WORK" && find . -type f ! -name .pwd.lock -print0 | sort -z | xargs -0 sha256sum)
}

@test "the hostile input table: every bad command line is refused cleanly" {
	local rows=0 failures=0 prog want_status want_text argstr
	local before after
	before=$(tree_sum)
	while IFS=$'\t' read -r prog want_status want_text argstr; do
		[ -n "$prog" ] || continue
		rows=$((rows + 1))
		local args=()
		eval "args=($argstr)"
		local i
		for i in "${!args[@]}"; do
			[ "${args[$i]}" = LONG ] && args[$i]=$LONG
			[ "${args[$i]}" = NAME300 ] && args[$i]=$NAME300
			[ "${args[$i]}" = LONG:/mnt ] && args[$i]=$LONG:/mnt
		done
		# stdin is not the table: a command that wrongly started a shell
		# must not read the next rows
		case $prog in
		uncmap) run as alice uncmap "${args[@]}" -- touch "$WORK/ran" </dev/null ;;
		subidctl) run subidctl --prefix "$WORK/tree" "${args[@]}" </dev/null ;;
		newuidshell) run as alice uncmap -- newuidshell "${args[@]}" </dev/null ;;
		esac
		local why=
		[ "$status" = "$want_status" ] || why="exit $status, not $want_status"
		[ "$status" -lt 128 ] || why="killed by signal $((status - 128))"
		[ -n "${lines[0]:-}" ] || why="no message"
		[[ "${lines[0]:-}" == "$prog: "* ]] || why="message does not start with '$prog: '"
		[[ "${lines[0]:-}" == *"$want_text"* ]] || why="message does not name '$want_text'"
		if [ "${#lines[@]}" -gt 1 ]; then
			[[ "${lines[1]}" == "Try '$prog --help' for more information." || "${lines[1]}" == "$prog: "* ]] ||
				why="more than one message line"
		fi
		[ "${#lines[@]}" -le 2 ] || why="${#lines[@]} lines of output"
		[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]] || why="sanitizer report"
		[ ! -e "$WORK/ran" ] || why="the command ran"
		if [ -n "$why" ]; then
			failures=$((failures + 1))
			echo "# row $rows: $prog $argstr: $why" >&3
			printf '#   | %s\n' "${lines[@]:0:4}" >&3
		fi
	done <<<"$TABLE"
	echo "# $rows rows, $failures failures" >&3
	[ "$rows" -ge 60 ]
	after=$(tree_sum)
	[ "$before" = "$after" ] || {
		diff <(echo "$before") <(echo "$after") | sed 's/^/# changed: /' >&3
		false
	}
	[ "$failures" = 0 ]
}
