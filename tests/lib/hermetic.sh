#!/bin/bash
# tests/lib/hermetic.sh: run "$@" (the bats suites) with generated passwd,
# group, subuid, subgid, nsswitch.conf and login.defs bind-mounted over
# /etc's, and an empty directory over /var/lib/extrausers (the files of
# libnss-extrausers, for tests of users NSS knows beyond /etc/passwd: a
# test writes $UNC_EXTRAUSERS/passwd and adds "extrausers" to the passwd:
# line of nsswitch.conf with set_etc).
# tests/run starts it as root under `unshare --mount --propagation
# private`, so the mounts exist in that private namespace only and the
# host's /etc is never written.
set -euo pipefail

base=${UNC_TEST_BASE:?}
etc=$base/etc
mkdir -p "$etc" "$base/home"

# The test users: their UIDs are far from the host's usual ones.
#   name  uid   subordinate ranges (same in subuid and subgid)
users=(
	"alice 2001 100000:65536"
	"bob 2002 -"
	"carol 2003 200000:1000,300000:70000"
	"dave 2004 1000:70000"
	"erin 2005 400000:100"
)

grep -v -E '^(alice|bob|carol|dave|erin):' /etc/passwd >"$etc/passwd"
grep -v -E '^(alice|bob|carol|dave|erin):' /etc/group >"$etc/group"
: >"$etc/subuid"
for u in "${users[@]}"; do
	read -r name uid ranges <<<"$u"
	mkdir -p "$base/home/$name"
	chown "$uid:$uid" "$base/home/$name"
	echo "$name:x:$uid:$uid:test user:$base/home/$name:/bin/sh" >>"$etc/passwd"
	echo "$name:x:$uid:" >>"$etc/group"
	if [ "$ranges" != - ]; then
		tr ',' '\n' <<<"$ranges" | sed "s/^/$name:/" >>"$etc/subuid"
	fi
done
cp "$etc/subuid" "$etc/subgid"
if [ -f /etc/nsswitch.conf ]; then
	grep -v '^subid:' /etc/nsswitch.conf >"$etc/nsswitch.conf"
else
	echo 'passwd: files' >"$etc/nsswitch.conf"
fi
if [ -f /etc/login.defs ]; then
	cp /etc/login.defs "$etc/login.defs"
else
	: >"$etc/login.defs"
fi
chmod 644 "$etc"/*
# pristine copies, for tests that change a file and restore it
mkdir -p "$etc/orig"
cp "$etc"/passwd "$etc"/group "$etc"/subuid "$etc"/subgid "$etc"/nsswitch.conf \
	"$etc"/login.defs "$etc/orig/"

for f in passwd group subuid subgid nsswitch.conf login.defs; do
	[ -e "/etc/$f" ] || touch "/etc/$f"
	mount --bind "$etc/$f" "/etc/$f"
done

extrausers=$base/extrausers
mkdir -p "$extrausers"
: >"$extrausers/passwd"
: >"$extrausers/group"
chmod 755 "$extrausers" && chmod 644 "$extrausers"/*
if [ -d /var/lib/extrausers ]; then
	mount --bind "$extrausers" /var/lib/extrausers
fi

export UNC_HERMETIC=1 UNC_ETC=$etc UNC_EXTRAUSERS=$extrausers
exec "$@"
