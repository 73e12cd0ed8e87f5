/* mounts.h: the mount namespace of a launch: private propagation, a fresh
 * /proc, the filesystem operations of the command line (bwrap's, in its
 * order), and a root filesystem entered with pivot_root (with a minimal
 * /dev and a read-only /sys), optionally under a throw-away overlay.
 *
 * Everything here runs in the child, as root of its user namespace and
 * inside its new mount namespace, before the command exists. Paths inside
 * a root filesystem are resolved with openat2(RESOLVE_IN_ROOT), and what
 * is missing there is created one component at a time relative to a
 * directory so resolved: no symlink, "..", or path swapped during setup
 * can make uncmap create or mount anything outside the root. Without a
 * root nothing is ever created: a missing host path is an error. */
#ifndef UNC_MOUNTS_H
#define UNC_MOUNTS_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

enum mount_op_kind {
	UNC_MOUNT_BIND = 0, /* --bind, --bind-try: no device nodes */
	UNC_MOUNT_RO_BIND,  /* --ro-bind, --ro-bind-try */
	UNC_MOUNT_DEV_BIND, /* --dev-bind, --dev-bind-try: devices work */
	UNC_MOUNT_TMPFS,
	UNC_MOUNT_DIR,	       /* --dir: a directory, parents as needed */
	UNC_MOUNT_SYMLINK,     /* --symlink TARGET:DST */
	UNC_MOUNT_REMOUNT_RO,  /* --remount-ro */
	UNC_MOUNT_CHMOD,       /* --chmod MODE:PATH */
	UNC_MOUNT_FILE,	       /* --file FD:DST: a private copy, writable */
	UNC_MOUNT_RO_DATA,     /* --ro-bind-data FD:DST: the same, read-only */
	UNC_MOUNT_OVERLAY,     /* --overlay LOWER[:LOWER...]:UPPER:WORK:DST */
	UNC_MOUNT_TMP_OVERLAY, /* --tmp-overlay LOWER:DST: upper on a tmpfs */
};

/* One operation. Multi-field values are split on ':' with '\:' for a
 * colon and '\\' for a backslash inside a field; single-path values are
 * taken literally. */
struct mount_op {
	enum mount_op_kind kind;
	const char *src;    /* bind source, symlink target, first overlay
			     * lower (the others follow it, each after the
			     * previous one's NUL), or NULL */
	size_t nlower;	    /* overlays: how many lowers src holds */
	const char *upper;  /* --overlay */
	const char *work;   /* --overlay */
	const char *dst;    /* inside the root when there is one */
	const char *option; /* "--bind" etc., for messages */
	int try_src;	    /* --*-bind-try: a missing source skips the op */
	mode_t mode;	    /* --chmod */
	int fd;		    /* --file, --ro-bind-data; else -1 */
	int optional;	    /* uncmap's own addition: a failure skips it */
};

struct mount_plan {
	int private_mounts; /* --mount: make / recursively private */
	int mount_proc;	    /* --mount-proc: a fresh /proc (needs a pid ns) */
	int have_pid_ns;    /* a new PID namespace exists */
	const char *root;   /* --root DIR, or NULL */
	int root_overlay;   /* --root-overlay: root is the lower of an
			     * overlay whose upper is a tmpfs */
	const struct mount_op *ops;
	size_t nops;
};

/* Is `option` ("--dir", ...) one of the operations above? */
int unc_mount_is_option(const char *option);

/* Parse the value of a mount option into op (strings point into a copy
 * the caller frees with free(*storage), which may be NULL). `option` is
 * the option's name with its dashes, e.g. "--bind". */
int unc_mount_parse(const char *option, const char *arg, struct mount_op *op, char **storage,
		    struct unc_error *err);

/* Check sources and destinations before any process exists, so a typo is
 * an error and not a half-made container. */
int unc_mount_plan_check(const struct mount_plan *plan, struct unc_error *err);

/* In the child: carry out the plan. On return the process's root is the
 * new root (when there is one) and its directory is "/". The descriptors
 * of --file and --ro-bind-data are read, and closed unless standard. */
int unc_mount_plan_apply(const struct mount_plan *plan, struct unc_error *err);

#endif
