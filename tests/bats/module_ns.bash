# module_ns.bash: a libsubid module where the setuid helpers load it.
#
# shadow dlopen()s libsubid_<name>.so by its bare name, and the setuid
# newuidmap ignores LD_LIBRARY_PATH, so the module must be in a default
# library directory. in_module_ns runs a command in a nested private mount
# namespace where an overlay puts $MODDIR's files into that directory; the
# host's /usr is never written.
#   module_install SO...  copy the modules into $MODDIR (sets LIBDIR too)
#   in_module_ns CMD...   run CMD (may be the `as` function) there

module_install() {
	need_hermetic
	MODDIR=$WORK/module
	mkdir -p "$MODDIR"
	cp "$@" "$MODDIR/"
	chmod -R a+rX "$MODDIR"
	# the directory the loader searches: the one libc lives in
	LIBDIR=$(dirname "$(readlink -f "$(ldd /usr/bin/newuidmap | awk '/libc\.so/ {print $3}')")")
}

in_module_ns() {
	export -f as
	unshare --mount --propagation private -- bash -c '
		mount -t overlay uncmapmod -o "lowerdir=$1:$2" "$2" ||
			{ echo "cannot overlay the module onto $2" >&2; exit 90; }
		shift 2
		"$@"' _ "$MODDIR" "$LIBDIR" "$@"
}

# try_newuidmap USER MAP...: as USER, where the module is installed, start
# a process in a new user namespace and run the real newuidmap on it for
# each MAP in turn ("0 500000 1"), printing its words and "MAP: STATUS".
# (Once one succeeds the map is written, and later ones fail.)
try_newuidmap() {
	local user=$1
	shift
	mkfifo "$WORK/ready" "$WORK/hold"
	chmod 666 "$WORK/ready" "$WORK/hold"
	in_module_ns as "$user" sh -c '
		w=$1
		shift
		unshare --user sh -c "echo >$w/ready; read x <$w/hold" &
		read x <"$w/ready"
		for m in "$@"; do
			newuidmap $! $m
			echo "$m: $?"
		done
		echo >"$w/hold"
		wait' _ "$WORK" "$@"
}
