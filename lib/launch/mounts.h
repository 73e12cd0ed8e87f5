/* mounts.h: the mount namespace of a launch: private propagation, a fresh
 * /proc, bind/ro-bind/tmpfs operations, and a root filesystem entered
 * with pivot_root (with a minimal /dev and a read-only /sys).
 *
 * Everything here runs in the child, as root of its user namespace and
 * inside its new mount namespace, before the command exists. Targets
 * inside a root filesystem are resolved with openat2(RESOLVE_IN_ROOT), so
 * a symlink in the root filesystem cannot point a mount outside it. */
#ifndef UNC_MOUNTS_H
#define UNC_MOUNTS_H

#include <stddef.h>

#include "error.h"

enum mount_op_kind {
	UNC_MOUNT_BIND = 0,
	UNC_MOUNT_RO_BIND,
	UNC_MOUNT_TMPFS,
};

struct mount_op {
	enum mount_op_kind kind;
	const char *src;    /* NULL for tmpfs */
	const char *dst;    /* inside the root when there is one */
	const char *option; /* "--bind" etc., for messages */
};

struct mount_plan {
	int private_mounts; /* --mount: make / recursively private */
	int mount_proc;	    /* --mount-proc: a fresh /proc (needs a pid ns) */
	int have_pid_ns;    /* a new PID namespace exists */
	const char *root;   /* --root DIR, absolute, or NULL */
	const struct mount_op *ops;
	size_t nops;
};

/* Parse "SRC:DST" for --bind/--ro-bind into op (strings point into a
 * copy the caller frees with free(*storage)). */
int unc_mount_parse_bind(const char *arg, enum mount_op_kind kind, const char *option,
			 struct mount_op *op, char **storage, struct unc_error *err);

/* Check sources and destinations before any process exists, so a typo is
 * an error and not a half-made container. */
int unc_mount_plan_check(const struct mount_plan *plan, struct unc_error *err);

/* In the child: carry out the plan. On return the process's root is the
 * new root (when there is one) and its directory is "/". */
int unc_mount_plan_apply(const struct mount_plan *plan, struct unc_error *err);

#endif
