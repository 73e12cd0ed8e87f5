# subidctl_tree.bash: a --prefix tree for the subidctl suites, in $WORK.
#   T      the tree; subidctl is run as `sc ...` (subidctl --prefix $T ...)

mk_tree() {
	T=$WORK/root
	mkdir -p "$T/etc"
	cat >"$T/etc/passwd" <<-'EOF2'
	root:x:0:0:root:/root:/bin/sh
	sys:x:999:999:system:/:/usr/sbin/nologin
	alice:x:2001:2001::/home/alice:/bin/sh
	bob:x:2002:2002::/home/bob:/bin/sh
	carol:x:2003:2003::/home/carol:/bin/sh
	high:x:700000100:700000100::/home/high:/bin/sh
	EOF2
	cat >"$T/etc/group" <<-'EOF2'
	root:x:0:
	sys:x:999:
	alice:x:2001:
	bob:x:2002:
	carol:x:2003:
	high:x:700000200:
	EOF2
	printf 'alice:100000:65536\n' >"$T/etc/subuid"
	printf 'alice:100000:65536\n' >"$T/etc/subgid"
}

sc() {
	subidctl --prefix "$T" "$@"
}
