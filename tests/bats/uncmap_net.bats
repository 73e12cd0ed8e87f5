#!/usr/bin/env bats
# uncmap --net=pasta (issue 15): a working network through pasta, --publish,
# DNS inside --root, fail-closed messages, pasta's lifetime.
#
# Only loopback addresses carry traffic here: the host side of every test
# listens on 127.0.0.0/8 (the namespace reaches it through the gateway
# address, which pasta maps to the host's loopback), and the DNS resolver
# the host's resolv.conf names is the test's own on 127.0.88.53. Mounts the
# tests make (a resolv.conf, a /dev/net/tun) are in tests/run's private
# mount namespace only, and undone after each test.
bats_require_minimum_version 1.5.0

load helpers
load ../lib/rootfs

# python3 one-liners the tests use as client and server
HTTP_GET='import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())'

suite_setup() {
	need_hermetic
	[ -x /usr/bin/pasta ] || skip_or_fail "needs pasta (apt-get install passt, see .ci/deps)"
	SERVERS=()
	MOUNTED=()
}

suite_teardown() {
	local pid m
	for pid in "${SERVERS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for m in "${MOUNTED[@]}"; do
		umount "$m" 2>/dev/null || true
	done
}

# wait for a line on FIFO, 20 seconds at most: opened read-write, so the
# open cannot block when the writer never comes
wait_ready() {
	local fd rc=0
	exec {fd}<>"$1"
	read -t 20 -r _ <&"$fd" || rc=$?
	exec {fd}<&-
	return "$rc"
}

# a free TCP port on the host's 127.0.0.1
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve DIR over HTTP on the host's 127.0.0.1:PORT (as root, the test's
# own server); returns once it listens
host_http() {
	local dir=$1 port=$2
	mkfifo "$WORK/http-ready"
	python3 -c '
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
h.log_message = lambda *a: None
s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), h)
open(sys.argv[3], "w").write("up\n")
s.serve_forever()' "$dir" "$port" "$WORK/http-ready" &
	SERVERS+=($!)
	wait_ready "$WORK/http-ready"
}

# pasta processes of alice's that are alive (zombies are PID 1's business
# on this machine, which never reaps orphans)
alice_pastas() {
	ps -eo pid=,uid=,stat=,comm= | awk -v me="$(uid_of alice)" \
		'$2 == me && $3 !~ /^Z/ && $4 ~ /^(pasta|passt)/ {print $1, $4}'
}

@test "--net=pasta: the command starts with an address, a default route and lo up" {
	run as alice uncmap --net=pasta -- sh -c 'ip -4 route show default; ip -o -4 addr show scope global | wc -l; ip -o link show lo'
	assert_success
	assert_line --index 0 --regexp '^default via [0-9.]+ dev '
	assert_line --index 1 '1'
	assert_line --index 2 --regexp 'LOOPBACK,UP'
}

@test "bare --net and --net=none still have only lo and no route" {
	run as alice uncmap --net -- sh -c 'ip route; ip -o link | wc -l'
	assert_success
	assert_output '1'
	run as alice uncmap --net=none -- sh -c 'ip route; ip -o link | wc -l'
	assert_success
	assert_output '1'
}

@test "--net=pasta: the host's 127.0.0.1 is reached at the gateway address, not at the namespace's own" {
	local port
	port=$(free_port)
	mkdir -p "$WORK/www"
	echo 'hello from the host' >"$WORK/www/index.txt"
	host_http "$WORK/www" "$port"
	run as alice uncmap --net=pasta -- sh -c "
		gw=\$(ip -4 route show default | cut -d' ' -f3)
		python3 -c '$HTTP_GET' http://\$gw:$port/index.txt
		python3 -c '$HTTP_GET' http://127.0.0.1:$port/index.txt 2>/dev/null || echo own-loopback-refused"
	assert_success
	assert_line --index 0 'hello from the host'
	assert_line --index 1 'own-loopback-refused'
}

@test "--publish 127.0.0.1:HOSTPORT:PORT: a server inside is reached from the host" {
	local port upid
	port=$(free_port)
	mkdir -p "$WORK/inside"
	echo 'hello from inside' >"$WORK/inside/index.txt"
	mkfifo "$WORK/ready"
	chmod 666 "$WORK/ready"
	chmod -R a+rX "$WORK/inside"
	as_argv alice
	"${AS[@]}" uncmap --net=pasta --publish "127.0.0.1:$port:8080" -- python3 -c '
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
h.log_message = lambda *a: None
s = http.server.HTTPServer(("127.0.0.1", 8080), h)
open(sys.argv[2], "w").write("up\n")
s.handle_request()' "$WORK/inside" "$WORK/ready" &
	upid=$!
	SERVERS+=("$upid")
	wait_ready "$WORK/ready"
	run python3 -c "$HTTP_GET" "http://127.0.0.1:$port/index.txt"
	assert_success
	assert_output 'hello from inside'
	# the server answered one request and exited: so does uncmap
	local st=0
	wait "$upid" || st=$?
	[ "$st" = 0 ]
	# and the published port is closed again
	run python3 -c "$HTTP_GET" "http://127.0.0.1:$port/index.txt"
	assert_failure
}

@test "--net=pasta --root: a name resolves against the host's resolver; the tree's resolv.conf is untouched" {
	make_rootfs "$WORK/rfs"
	ln -sf busybox "$WORK/rfs/bin/nslookup"
	# the host's resolver, as pasta reads it: ours, on loopback
	echo 'nameserver 127.0.88.53' >"$WORK/resolv.conf"
	mount --bind "$WORK/resolv.conf" /etc/resolv.conf
	MOUNTED+=(/etc/resolv.conf)
	mkfifo "$WORK/dns-ready"
	python3 "$UNC_SRC/tests/helpers/dnsd.py" 127.0.88.53 53 box.uncmap.test 10.9.8.7 "$WORK/dns-ready" &
	SERVERS+=($!)
	wait_ready "$WORK/dns-ready"
	run as alice uncmap --root "$WORK/rfs" --net=pasta -- sh -c 'grep ^nameserver /etc/resolv.conf; nslookup box.uncmap.test'
	assert_success
	assert_line --index 0 'nameserver 169.254.1.1'
	assert_line --regexp '^Address:? +10\.9\.8\.7$'
	run cat "$WORK/rfs/etc/resolv.conf"
	assert_output 'nameserver 127.0.0.1'
	run ls -A "$WORK/rfs/dev"
	assert_output ''
}

@test "--net=pasta --root: a --ro-bind on /etc/resolv.conf wins over uncmap's" {
	make_rootfs "$WORK/rfs"
	echo 'nameserver 127.0.0.9' >"$WORK/mine.conf"
	chmod 644 "$WORK/mine.conf"
	run as alice uncmap --root "$WORK/rfs" --ro-bind "$WORK/mine.conf:/etc/resolv.conf" --net=pasta -- cat /etc/resolv.conf
	assert_success
	assert_output 'nameserver 127.0.0.9'
}

@test "--net=pasta --root without an /etc/resolv.conf to cover: says so, 125" {
	make_rootfs "$WORK/rfs"
	rm "$WORK/rfs/etc/resolv.conf"
	run -125 as alice uncmap --root "$WORK/rfs" --net=pasta -- touch /tmp/ran
	assert_line --index 0 'uncmap: --net=pasta: cannot bind a resolv.conf on /etc/resolv.conf in the root: No such file or directory'
	assert_line --index 1 'uncmap: the root needs an /etc/resolv.conf to cover (an empty file will do), or bind your own with --ro-bind FILE:/etc/resolv.conf'
	[ ! -e "$WORK/rfs/tmp/ran" ]
	[ ! -e "$WORK/rfs/etc/resolv.conf" ]
}

@test "--net=pasta without pasta: names the package passt, 125, the command does not run" {
	run -125 as alice env PATH="$UNC_PREFIX/bin:/nonexistent" uncmap --net=pasta -- touch "$WORK/ran"
	assert_line --index 0 'uncmap: --net=pasta: pasta not found in PATH'
	assert_line --index 1 'uncmap: install the package passt (apt-get install passt), or pass --pasta with the path of pasta'
	[ "${#lines[@]}" = 2 ]
	[ ! -e "$WORK/ran" ]
	run -125 as alice uncmap --net=pasta --pasta /nonexistent/pasta -- touch "$WORK/ran"
	assert_line --index 0 "uncmap: --pasta: cannot run '/nonexistent/pasta': No such file or directory"
	assert_line --index 1 'uncmap: install the package passt (apt-get install passt), or pass --pasta with the path of pasta'
	[ ! -e "$WORK/ran" ]
}

@test "--net=pasta with a /dev/net/tun of mode 0600: says what mode it needs, 125; --check fails" {
	# a 0600 node on a tmpfs of ours, bound over /dev/net/tun in the
	# private mount namespace only
	mkdir "$WORK/devdir"
	mount -t tmpfs -o mode=0755 tmpfs "$WORK/devdir"
	MOUNTED+=("$WORK/devdir")
	mknod -m 0600 "$WORK/devdir/tun" c 10 200
	mount --bind "$WORK/devdir/tun" /dev/net/tun
	MOUNTED=(/dev/net/tun "${MOUNTED[@]}")
	run -125 as alice uncmap --net=pasta -- touch "$WORK/ran"
	assert_line --index 0 'uncmap: --net=pasta: cannot open /dev/net/tun: Permission denied'
	assert_line --index 1 "uncmap: pasta opens it from inside the namespace, where only the mode for others counts: as root, chmod 0666 /dev/net/tun (as Debian's udev rules make it)"
	[ "${#lines[@]}" = 2 ]
	[ ! -e "$WORK/ran" ]
	run -1 as alice uncmap --check --net=pasta
	assert_line "FAIL --net=pasta: cannot open /dev/net/tun: Permission denied; fix: pasta opens it from inside the namespace, where only the mode for others counts: as root, chmod 0666 /dev/net/tun (as Debian's udev rules make it)"
}

@test "uncmap --check --net=pasta: pasta, /dev/net/tun and a trial start" {
	run as alice uncmap --check --net=pasta
	assert_success
	assert_line 'ok   --net=pasta runs /usr/bin/pasta'
	assert_line 'ok   /dev/net/tun can be opened for pasta'
	assert_line 'ok   pasta brought up the network of a new namespace of yours'
	run -1 as alice uncmap --check --net=pasta --pasta /bin/false
	assert_line 'FAIL --net=pasta: /bin/false exited with status 1 before the network was up; fix: see pasta'"'"'s messages above'
	run -1 as alice uncmap --check --net=pasta --pasta /nonexistent/pasta
	assert_line "FAIL --pasta: cannot run '/nonexistent/pasta': No such file or directory; fix: install the package passt (apt-get install passt), or pass --pasta with the path of pasta"
}

@test "pasta exiting before the network is up: 125, the command does not run" {
	run -125 as alice uncmap --net=pasta --pasta /bin/false -- touch "$WORK/ran"
	assert_line --index 0 'uncmap: --net=pasta: /bin/false exited with status 1 before the network was up; the command was not run'
	assert_line --index 1 "uncmap: see pasta's messages above; run 'uncmap --check --net=pasta' for a diagnosis"
	[ ! -e "$WORK/ran" ]
	# an option pasta refuses: pasta's own words, then ours
	run -125 as alice uncmap --net=pasta --pasta-opt=--no-such-option -- touch "$WORK/ran"
	assert_line --partial 'no-such-option'
	assert_line 'uncmap: --net=pasta: /usr/bin/pasta exited with status 1 before the network was up; the command was not run'
	[ ! -e "$WORK/ran" ]
}

@test "pasta not ready in time: killed after --helper-timeout, 125, nothing of it remains" {
	printf '#!/bin/sh\nexec sleep 3005\n' >"$WORK/slow-pasta"
	chmod 755 "$WORK/slow-pasta"
	run -125 as alice uncmap --net=pasta --pasta "$WORK/slow-pasta" --helper-timeout 1 -- touch "$WORK/ran"
	assert_line --index 0 "uncmap: --net=pasta: $WORK/slow-pasta did not bring the network up within 1 second; the command was not run"
	[ ! -e "$WORK/ran" ]
	run pgrep -u "$(uid_of alice)" -f 'sleep 3005'
	assert_failure
}

@test "after uncmap exits no pasta remains, nor after uncmap is killed" {
	local before
	before=$(alice_pastas)
	run as alice uncmap --net=pasta -- true
	assert_success
	run alice_pastas
	assert_output "$before"
	mkfifo "$WORK/ready"
	chmod 666 "$WORK/ready"
	as_argv alice
	"${AS[@]}" uncmap --net=pasta -- sh -c "echo up > $WORK/ready; exec sleep 3006" &
	local upid=$!
	wait_ready "$WORK/ready"
	[ "$(alice_pastas | wc -l)" -gt "$(echo -n "$before" | grep -c . || true)" ]
	kill -KILL "$upid"
	wait "$upid" || true
	# pasta dies of uncmap's death (PR_SET_PDEATHSIG), asynchronously
	local i
	for i in $(seq 50); do
		[ "$(alice_pastas)" = "$before" ] && break
		sleep 0.1
	done
	run alice_pastas
	assert_output "$before"
}

@test "--publish and --net: bad values are refused before anything runs" {
	run -125 as alice uncmap --net=pasta --publish 8080 -- true
	assert_output "uncmap: --publish: '8080' is not [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]"
	run -125 as alice uncmap --net=pasta --publish 8080:80/sctp -- true
	assert_output "uncmap: --publish: '8080:80/sctp': the protocol is tcp or udp"
	run -125 as alice uncmap --net=pasta --publish 0:80 -- true
	assert_output 'uncmap: --publish: port: 0 is out of range (1-65535)'
	run -125 as alice uncmap --net=pasta --publish 999.1.1.1:80:80 -- true
	assert_output "uncmap: --publish: '999.1.1.1' is not an IP address (IPv6 goes in brackets: [::1]:8080:80)"
	run -125 as alice uncmap --publish 8080:80 -- true
	assert_output 'uncmap: --publish: only with --net=pasta'
	run -125 as alice uncmap --net=slirp -- true
	assert_output "uncmap: --net: 'slirp' is not 'none' or 'pasta'"
}
