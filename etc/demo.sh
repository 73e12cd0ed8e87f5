#!/bin/bash
# etc/demo.sh: the README's main job. As root: make sure an unprivileged
# demo user with a subordinate range exists (creating `uncdemo` with
# useradd if no user has a range), then run a real `uncmap --range 65536`
# shell as that user and show its map.
set -euo pipefail
uncmap=${UNCMAP:-$(command -v uncmap || echo /usr/local/bin/uncmap)}

user=${DEMO_USER:-}
if [ -z "$user" ]; then
	user=$(awk -F: '$1 !~ /^#/ && $3 >= 65536 {print $1; exit}' /etc/subuid 2>/dev/null || true)
	if [ -n "$user" ] && ! id "$user" >/dev/null 2>&1; then user=; fi
	if [ -n "$user" ] && ! grep -q "^$user:" /etc/subgid; then user=; fi
fi
if [ -z "$user" ]; then
	user=uncdemo
	if ! id "$user" >/dev/null 2>&1; then
		echo "demo: creating user $user (useradd gives it subordinate ranges)"
		useradd -m -s /bin/bash "$user"
	fi
	grep -q "^$user:" /etc/subuid || usermod --add-subuids 100000-165535 "$user"
	grep -q "^$user:" /etc/subgid || usermod --add-subgids 100000-165535 "$user"
fi
echo "demo: $user's ranges: $(grep "^$user:" /etc/subuid | tr '\n' ' ')"
echo "demo: $uncmap --range 65536 as $user:"
cd /tmp
runuser -u "$user" -- "$uncmap" --range 65536 -- sh -c \
	'echo "inside: uid=$(id -u) gid=$(id -g)"; echo "uid_map:"; cat /proc/self/uid_map; echo "gid_map:"; cat /proc/self/gid_map'
if [ -t 0 ]; then
	echo "demo: now an interactive shell in the namespace (exit to leave)"
	runuser -u "$user" -- "$uncmap" --range 65536
fi
