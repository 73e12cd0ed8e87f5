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
