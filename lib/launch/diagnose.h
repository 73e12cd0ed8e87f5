/* diagnose.h: `uncmap --check`, the diagnosis of the caller's ability to map
 * IDs, as data: a list of results (ok, warn or FAIL; what was found; the
 * fix). Nothing here prints; cmd/uncmap turns the report into text or
 * JSON.
 *
 * A FAIL means a `--range N` launch (N from the configuration) would
 * fail; a warn is a problem that does not stop it (an overlap with
 * another owner, the caller's own ID inside its range, a line of the
 * caller's that shadow skips while others still give it enough IDs). */
#ifndef UNC_DIAGNOSE_H
#define UNC_DIAGNOSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "idmap.h"
#include "subid.h"

enum unc_check_status {
	UNC_CHECK_OK = 0,
	UNC_CHECK_WARN = 1,
	UNC_CHECK_FAIL = 2,
};

struct unc_check_result {
	enum unc_check_status status;
	char id[32];	/* stable name for scripts: "userns-create", "subuid-size" */
	char what[640]; /* what was found */
	char fix[512];	/* the command or file change that fixes it; "" when ok */
};

struct unc_check_report {
	struct unc_check_result *v;
	size_t n, cap;
	int oom; /* a result was lost for want of memory */
};

struct unc_check_config {
	uint64_t range; /* --range (65536 by default) */
	enum unc_map_root map_root;
	/* indexed by enum unc_subid_kind */
	const struct idmap_plan *map[UNC_ID_KINDS]; /* --map-uid/gid extents, or NULL/empty */
	const char *newuidmap, *newgidmap;
	const char *subid_file[UNC_ID_KINDS]; /* NULL: the system's source */
	enum unc_subid_via via;
	int net_pasta;	   /* --net=pasta: check pasta and /dev/net/tun too */
	const char *pasta; /* the pasta program (a name in PATH or a path) */
	/* Paths, so unit tests can point elsewhere; NULL means the real one. */
	const char *proc_sys;	/* "/proc/sys" */
	const char *login_defs; /* "/etc/login.defs" */
};

/* Run every check for the calling process (its real UID and GID) and
 * append the results. Returns 0, or a negative value with err filled when
 * memory ran out. */
int unc_check_run(const struct unc_check_config *cfg, struct unc_check_report *rep,
		  struct unc_error *err);

/* The kernel's sysctls under proc_sys (user.max_user_namespaces, and
 * where they exist kernel.unprivileged_userns_clone and
 * kernel.apparmor_restrict_unprivileged_userns). */
int unc_check_sysctls(struct unc_check_report *rep, const char *proc_sys, int privileged);

/* The lines of a subid file (path names it in messages) that belong to
 * user/uid but that shadow skips (CRLF endings, blanks, bad numbers), and
 * the other owners' ranges that overlap `mine`. has_usable says whether
 * the caller has ranges of this kind anyway (a skipped line is then a
 * warning, not a failure). */
int unc_check_subid_text(struct unc_check_report *rep, enum unc_subid_kind kind, const char *path,
			 const char *buf, size_t len, const char *user, uid_t uid,
			 const struct unc_subid_list *mine);

/* The caller's ranges of one kind against the plan a launch would make:
 * found at all, enough for the range (or the explicit plan valid), and
 * whether they contain the caller's own ID `self`. */
int unc_check_subid_ranges(struct unc_check_report *rep, const struct unc_check_config *cfg,
			   enum unc_subid_kind kind, const char *user, uint64_t self,
			   const struct unc_subid_list *mine);

/* Is `key` set to "yes" in a login.defs text (shadow's getdef_bool)? */
int unc_check_login_defs_bool(const char *buf, size_t len, const char *key);

/* Append a result; what and fix are formatted by the caller afterwards.
 * When memory runs out it returns a scratch entry that is not kept, and
 * sets rep->oom, so callers need not test the result. */
struct unc_check_result *unc_check_add(struct unc_check_report *rep, enum unc_check_status status,
				       const char *id);

/* The worst status in the report (UNC_CHECK_OK for an empty one). */
enum unc_check_status unc_check_worst(const struct unc_check_report *rep);

/* "ok", "warn", "FAIL". */
const char *unc_check_status_name(enum unc_check_status status);

void unc_check_report_free(struct unc_check_report *rep);

#endif
