/* userswitch.h: becoming another user of a user namespace, shared by
 * newuidshell and `uncmap --user`.
 *
 * Users and groups come from the files /etc/passwd and /etc/group of the
 * process's root (never NSS: inside a foreign root filesystem the host's
 * modules may not exist); a number needs no entry. The switch refuses a
 * target the namespace does not map before it changes anything, then sets
 * the supplementary groups (when setgroups is allowed), the GID, the UID,
 * each checked, and leaves a non-root user with no capabilities unless
 * some were asked for. */
#ifndef UNC_USERSWITCH_H
#define UNC_USERSWITCH_H

#include <stddef.h>
#include <sys/types.h>

#include "caps.h"
#include "error.h"
#include "idmap.h"
#include "passwd.h"

#define UNC_USER_PASSWD_PATH "/etc/passwd"
#define UNC_USER_GROUP_PATH  "/etc/group"

/* What was asked for. Each field is a name or a decimal number. */
struct user_request {
	const char *user;   /* "bob", "1000" */
	const char *group;  /* the primary group instead of passwd's, or NULL */
	const char *groups; /* "users,wheel": the supplementary groups instead
			     * of /etc/group's, or NULL */
};

/* The user a request names, resolved against the namespace's files. */
struct user_target {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups, primary first, no duplicates */
	size_t ngroups;
	char *name;  /* the login name, or the UID as text without an entry */
	char *home;  /* "/" without an entry or with an empty field */
	char *shell; /* "/bin/sh" likewise */
	int has_entry;
};

/* How a switch went. */
struct switch_result {
	int groups_denied; /* setgroups is denied here: only the GID was set */
};

/* Split "USER[:GROUP]" (uncmap --user) in place into req. `option` names
 * it in messages. Pure. */
int unc_user_request_parse(char *spec, struct user_request *req, const char *option,
			   struct unc_error *err);

/* Resolve a request against parsed files. A number that is not in
 * passwd becomes that UID with the same number as GID and no other group.
 * With req->group or req->groups, the supplementary groups are exactly
 * the primary group and req->groups; otherwise every group of /etc/group
 * that lists the user. Pure. */
int unc_user_resolve(const struct user_request *req, const struct passwd_db *pw,
		     const struct group_db *gr, struct user_target *out, struct unc_error *err);

void unc_user_target_free(struct user_target *t);

/* Is every ID the switch will set mapped? Fails naming the first one
 * that is not, with the namespace's mapped ranges. Supplementary groups
 * are checked only when with_groups. Pure. */
int unc_user_check_mapped(const struct user_target *t, int with_groups,
			  const struct idmap_plan *uids, const struct idmap_plan *gids,
			  struct unc_error *err);

/* Does this process hold CAP_SETUID and CAP_SETGID? Fails with the
 * message a user sees when it does not. */
int unc_user_can_switch(struct unc_error *err);

/* Read /etc/passwd and /etc/group of this process's root (a missing file
 * counts as empty) and resolve the request. */
int unc_user_lookup(const struct user_request *req, struct user_target *out, struct unc_error *err);

/* Become the target: check capabilities and the namespace's maps, then
 * setgroups (unless denied), setresgid, setresuid, then the capability
 * sets. With caps NULL a non-root target keeps no capability and root's
 * are left alone; otherwise as caps.h describes. */
int unc_user_switch(const struct user_target *t, const struct caps_spec *caps,
		    struct switch_result *res, struct unc_error *err);

/* Set HOME, SHELL, USER and LOGNAME for the target. With login, first
 * clear the environment but TERM and set a default PATH, like `su -l`. */
int unc_user_setenv(const struct user_target *t, int login, struct unc_error *err);

/* In a launch's child, after its setup: lookup, switch and environment
 * (req may be NULL: then only the capability spec is applied to root). */
int unc_user_become(const struct user_request *req, const struct caps_spec *caps,
		    struct unc_error *err);

#endif
