/* mapper.h: writing a child's uid_map and gid_map, directly or through
 * shadow's setuid newuidmap/newgidmap. */
#ifndef UNC_MAPPER_H
#define UNC_MAPPER_H

#include <sys/types.h>

#include "error.h"
#include "idmap.h"

#define UNC_HELPER_OUTPUT_MAX 4096

/* What became of one helper run. */
struct helper_result {
	const char *path;		    /* the helper that ran */
	int exited;			    /* 1 when it exited, 0 when killed by a signal */
	int code;			    /* exit status, or signal number */
	int timed_out;			    /* 1 when we killed it for hanging */
	int spawn_errno;		    /* non-zero when it could not be started */
	char output[UNC_HELPER_OUTPUT_MAX]; /* its stderr and stdout */
};

/* An empty result: what a helper that never ran leaves. Only the text's
 * first byte is written: the rest of its pages stay untouched. */
void unc_helper_result_reset(struct helper_result *r);

static inline int unc_helper_ok(const struct helper_result *r)
{
	return r->spawn_errno == 0 && !r->timed_out && r->exited && r->code == 0;
}

/* Read the caller's own map, which = "uid_map" or "gid_map". */
int unc_map_read_own(const char *which, struct idmap_plan *own, struct unc_error *err);

/* Write both maps ourselves: for real root, or when only the caller's own
 * IDs are mapped (then setgroups is set to "deny" first, as the kernel
 * requires of an unprivileged gid_map). */
int unc_map_write_direct(pid_t pid, const struct idmap_plan *uid_plan,
			 const struct idmap_plan *gid_plan, int deny_setgroups,
			 struct unc_error *err);

/* Run newuidmap and newgidmap on pid at the same time, with a minimal,
 * fixed environment, and wait for both (at most timeout_ms; then both are
 * killed). Returns 0 when both succeeded, -EPERM otherwise; the results
 * say what each did. */
int unc_map_run_helpers(pid_t pid, const char *newuidmap, const char *newgidmap,
			const struct idmap_plan *uid_plan, const struct idmap_plan *gid_plan,
			int timeout_ms, struct helper_result *uid_res,
			struct helper_result *gid_res);

#endif
