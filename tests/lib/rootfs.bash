# tests/lib/rootfs.bash: a small root filesystem from Debian's static
# busybox, made by the test itself so CI needs no network.
#
#   make_rootfs DIR   creates DIR with bin/busybox and its applets, etc/passwd
#                     and etc/group (root, bob 1000, users 100 with bob), and
#                     empty proc, dev, sys, tmp, home, data; owned by alice.

make_rootfs() {
	local r=$1 c
	mkdir -p "$r"/{bin,etc,proc,dev,sys,tmp,root,home/bob,data,mnt}
	cp /bin/busybox "$r/bin/busybox"
	for c in sh ps hostname id cat ls echo touch chown stat wc mount grep sleep kill \
		ip true false mkdir rm readlink trap env pwd; do
		ln -sf busybox "$r/bin/$c"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000:Bob:/home/bob:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nusers:x:100:bob\nbob:x:1000:\n' >"$r/etc/group"
	echo 'nameserver 127.0.0.1' >"$r/etc/resolv.conf"
	chmod -R a+rX "$r"
	chmod 1777 "$r/tmp"
	if [ "${UNC_HERMETIC:-0}" = 1 ]; then chown -R alice:alice "$r"; fi
}

# make_debian_rootfs DIR: a Debian-like tree built from the host's own
# files (merged /usr, bash, dash as /bin/sh, coreutils, their libraries
# found with ldd), with etc/passwd and etc/group naming root (/root,
# /bin/bash) and bob (1000, /home/bob), and /usr/sbin/unc-sbin-probe, a
# script that only a root PATH finds. Owned by alice.
make_debian_rootfs() {
	local r=$1 c lib
	mkdir -p "$r"/usr/{bin,sbin,lib,lib64} "$r"/{etc,root,home/bob,tmp,proc,dev,sys,run,var}
	ln -s usr/bin "$r/bin"
	ln -s usr/sbin "$r/sbin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	for c in bash dash env id cat ls pwd touch mkdir stat sort readlink; do
		cp "$(type -P $c)" "$r/usr/bin/$c"
		for lib in $(ldd "$(type -P $c)" | grep -oE '/[^ ]+'); do
			[ -e "$r$lib" ] || { mkdir -p "$r$(dirname "$lib")" && cp -L "$lib" "$r$lib"; }
		done
	done
	ln -s dash "$r/usr/bin/sh"
	printf '#!/bin/sh\necho sbin-ok\n' >"$r/usr/sbin/unc-sbin-probe"
	chmod 755 "$r/usr/sbin/unc-sbin-probe"
	printf 'root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000:Bob:/home/bob:/bin/bash\n' >"$r/etc/passwd"
	printf 'root:x:0:\nbob:x:1000:\n' >"$r/etc/group"
	chmod -R a+rX "$r"
	chmod 1777 "$r/tmp"
	if [ "${UNC_HERMETIC:-0}" = 1 ]; then chown -R -h alice:alice "$r"; fi
}
