/* subidadmin.h: one administrative pass over /etc/subuid and /etc/subgid
 * (or DIR/etc/... with a prefix): lock, read, edit, write.
 *
 * A session locks as shadow's tools do (shadowlock.h), and only then
 * reads passwd, group, login.defs and the subid files, so what it decides
 * is based on what nobody else is changing. Edits are made in memory
 * (subidfile.h) and written with unc_subid_admin_commit() through
 * atomicwrite.h. Read-only sessions (list, check, --dry-run) take no lock.
 * Nothing here prints: results come back as events and counts. */
#ifndef UNC_SUBIDADMIN_H
#define UNC_SUBIDADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "logindefs.h"
#include "passwd.h"
#include "shadowlock.h"
#include "subid.h"
#include "subidalloc.h"
#include "subidfile.h"
#include "userindex.h"

#define UNC_KIND_UIDS UNC_KIND_BIT(UNC_SUBUID)
#define UNC_KIND_GIDS UNC_KIND_BIT(UNC_SUBGID)
#define UNC_KIND_BOTH (UNC_KIND_UIDS | UNC_KIND_GIDS)

struct unc_subid_paths {
	char *etc;
	char *file[2]; /* indexed by enum unc_subid_kind */
	char *passwd, *group, *login_defs, *nsswitch, *pwd_lock;
};

struct unc_subid_admin {
	struct unc_subid_paths paths;
	int kinds; /* UNC_KIND_* bits: the files acted on */
	unsigned lock_timeout_ms;
	struct unc_login_defs defs;
	struct passwd_db pw;
	struct group_db gr;
	struct unc_user_index ix; /* built on first need: add of one user needs none */
	int ix_ready;
	struct unc_subid_file file[2];
	int exists[2];
	int alloc_ready[2];
	struct unc_subid_alloc alloc[2];
	struct unc_shadow_lock lock;
	int top_up;   /* add gives a user only what it lacks to hold the count */
	int unpaired; /* UIDs and GIDs allocated on their own (starts may differ) */
	/* On the system itself (no prefix), users NSS knows count too:
	 * LDAP, SSSD, extrausers. With a prefix only the tree's files do. */
	int use_nss;
	struct unc_nss_users nss;
	/* The caller asked for UNSAFE_SUB_*_DETERMINISTIC_WRAP to be obeyed. */
	int allow_unsafe_wrap;
};

enum unc_subid_event_what {
	UNC_SUBID_ADDED,   /* start, count: the new range */
	UNC_SUBID_HELD,	   /* count: what the user already holds (left alone) */
	UNC_SUBID_REMOVED, /* start, count, line: the range taken away */
};

struct unc_subid_event {
	enum unc_subid_event_what what;
	enum unc_subid_kind kind;
	const char *user; /* points into the session's passwd or the caller's argv */
	uint64_t start, count;
	size_t line;
};

struct unc_subid_events {
	struct unc_subid_event *v;
	size_t n, cap;
};

/* Paths under prefix (NULL or "" for /). kinds: the files to act on. */
int unc_subid_admin_init(struct unc_subid_admin *a, const char *prefix, int kinds,
			 struct unc_error *err);

/* The subid: source nsswitch.conf names ("files" when none); a session
 * that is not "files" must not edit the files as if they were the truth. */
void unc_subid_admin_nss_source(const struct unc_subid_admin *a, char *buf, size_t size);

/* Lock (when for_write) and read everything. */
int unc_subid_admin_begin(struct unc_subid_admin *a, int for_write, struct unc_error *err);

/* Give user (a name, or a numeric UID) count IDs in each chosen file
 * (count 0: SUB_UID_COUNT / SUB_GID_COUNT), unless they hold that many
 * already: first fit, or shadow's deterministic range when login.defs
 * says SUB_UID_DETERMINISTIC (SUB_GID_...) yes; with has_start, exactly
 * [start, start+count). With a->top_up, only the IDs the user lacks to
 * hold count, right after one of its ranges when they are free there.
 * The owner is written as the UID when login.defs says
 * SUB_UID_STORE_BY_UID (SUB_GID_...) yes. SUB_UID_COUNT 0 turns
 * automatic allocation off: then count 0 is an error saying so. */
int unc_subid_admin_add(struct unc_subid_admin *a, const char *user, uint64_t count, int has_start,
			uint64_t start, struct unc_subid_events *ev, struct unc_error *err);

/* Remove user's ranges (the one at start, with has_start) from each
 * chosen file; an error when there was none to remove. */
int unc_subid_admin_del(struct unc_subid_admin *a, const char *user, int has_start, uint64_t start,
			struct unc_subid_events *ev, struct unc_error *err);

/* Give every login user (UID_MIN..UID_MAX) of the passwd file without a
 * range one, in each chosen file, as unc_subid_admin_add would. added[kind]
 * counts them. (To sync users NSS knows without enumerating a directory,
 * call unc_subid_admin_add for each.) */
int unc_subid_admin_sync(struct unc_subid_admin *a, uint64_t count, size_t added[2],
			 struct unc_error *err);

/* Write the changed files. On an error, *written[kind] says which files
 * already hold their new content. */
int unc_subid_admin_commit(struct unc_subid_admin *a, int written[2], enum unc_subid_kind *failed,
			   struct unc_error *err);

/* The passwd/group index (built now if it was not yet). */
int unc_subid_admin_index(struct unc_subid_admin *a, const struct unc_user_index **ix,
			  struct unc_error *err);

/* Unlock and free. */
void unc_subid_admin_end(struct unc_subid_admin *a);

/* Does line l of a subid file belong to passwd entry e (by name or UID)? */
int unc_subid_line_owned_by(const struct unc_subid_line *l, const struct passwd_entry *e);

/* One owner's ranges, for list. */
struct unc_subid_holder {
	const char *owner; /* not NUL-terminated: owner_len */
	size_t owner_len;
	struct unc_subid_list ranges[2];
	size_t seq; /* order of first appearance */
};

struct unc_subid_holders {
	struct unc_subid_holder *v;
	size_t n;
};

/* Every owner in the chosen files, in order of first appearance (subuid
 * first); or, with users, those users in the order given (a user without
 * ranges is listed with none; a name that is neither a user nor an owner
 * is an error). */
int unc_subid_admin_holders(struct unc_subid_admin *a, char *const *users, size_t nusers,
			    struct unc_subid_holders *out, struct unc_error *err);
void unc_subid_holders_free(struct unc_subid_holders *h);

/* For "subid: uncmap": the users' ranges as libsubid_uncmap.so serves
 * them, computed from login.defs (none where it serves none). A name
 * that is no user (files, then NSS) is an error. */
int unc_subid_admin_served(struct unc_subid_admin *a, char *const *users, size_t nusers,
			   struct unc_subid_holders *out, struct unc_error *err);

/* For "subid: uncmap": why the module serves no kind-IDs, or 0 when it
 * serves them (unc_login_defs_served, with the file named). */
int unc_subid_admin_module_problem(const struct unc_subid_admin *a, enum unc_subid_kind kind,
				   struct unc_error *why);

void unc_subid_events_free(struct unc_subid_events *ev);

#endif
