/* userindex.h: passwd and group entries found by name or ID in
 * O(log n), and real IDs found inside a range, for files of 50,000
 * users. The first entry of a name or ID wins, as in the files backend. */
#ifndef UNC_USERINDEX_H
#define UNC_USERINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "passwd.h"

/* Users NSS knows beyond the files (LDAP, SSSD, extrausers), found one
 * at a time with getpwnam/getpwuid, never by enumerating the directory,
 * and kept for the session so pointers to them stay valid. */
struct unc_nss_users {
	struct passwd_entry **v;
	size_t n, cap;
};

struct unc_user_index {
	const struct passwd_db *pw;
	const struct group_db *gr;
	size_t *pw_by_name, *pw_by_uid, *gr_by_gid, *gr_by_name;
	struct unc_nss_users *nss; /* NULL: the files only (--prefix) */
};

int unc_user_index_build(struct unc_user_index *x, const struct passwd_db *pw,
			 const struct group_db *gr, struct unc_error *err);

const struct passwd_entry *unc_user_by_name(const struct unc_user_index *x, const char *name,
					    size_t len);
const struct passwd_entry *unc_user_by_uid(const struct unc_user_index *x, uint32_t uid);
const struct group_entry *unc_group_by_name_ix(const struct unc_user_index *x, const char *name,
					       size_t len);

/* The passwd entry an owner field of a subid file names: a user name, or
 * else a numeric UID; in the files, then (with x->nss) through NSS.
 * NULL when it names no user. */
const struct passwd_entry *unc_user_by_owner(const struct unc_user_index *x, const char *owner,
					     size_t len);

/* The entry with the lowest UID (GID) in [start, start+count), or NULL. */
const struct passwd_entry *unc_user_uid_in(const struct unc_user_index *x, uint64_t start,
					   uint64_t count);
const struct group_entry *unc_group_gid_in(const struct unc_user_index *x, uint64_t start,
					   uint64_t count);

/* Either of the above: the lowest real UID (gids = 0) or GID (gids = 1)
 * in the range. Returns 1 and sets *id and *name (the user or group),
 * or 0 when there is none. */
int unc_real_id_in(const struct unc_user_index *x, int gids, uint64_t start, uint64_t count,
		   uint32_t *id, const char **name);

void unc_user_index_free(struct unc_user_index *x);

/* The user owner names (a name, else a numeric UID) as NSS knows it,
 * from c or asked now. NULL when NSS knows no such user (or memory ran
 * out: then the user counts as unknown, which refuses, never grants). */
const struct passwd_entry *unc_nss_user(struct unc_nss_users *c, const char *owner, size_t len);
void unc_nss_users_free(struct unc_nss_users *c);

#endif
