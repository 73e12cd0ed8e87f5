/* passwd.h: /etc/passwd and /etc/group read as files, never through NSS.
 *
 * Inside a foreign root filesystem the host's NSS modules may not exist,
 * and subidctl --prefix must read DIR/etc/passwd, so both are parsed here
 * by the files' own rules: colon-separated fields, a line that does not
 * parse is skipped (as glibc's files backend does), the first entry of a
 * name or ID wins. IDs are decimal, 0..4294967294. */
#ifndef UNC_PASSWD_H
#define UNC_PASSWD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Longest line accepted; longer lines are skipped, not truncated. */
#define UNC_PASSWD_LINE_MAX 65536

struct passwd_entry {
	char *name;
	uint32_t uid;
	uint32_t gid;
	char *gecos;
	char *home;
	char *shell;
	size_t line; /* 1-based line number in the file */
};

/* The entries' strings point into copies of the parsed files (one
 * allocation per file, not four per entry: a site has 50,000 users). */
struct text_arenas {
	char **v;
	size_t n;
};

struct passwd_db {
	struct passwd_entry *v;
	size_t n, cap;
	struct text_arenas text;
};

struct group_entry {
	char *name;
	uint32_t gid;
	char **members;
	size_t nmembers;
	size_t line;
};

struct group_db {
	struct group_entry *v;
	size_t n, cap;
	struct text_arenas text;
};

int unc_passwd_parse(const char *buf, size_t len, struct passwd_db *db, struct unc_error *err);
int unc_passwd_load(const char *path, struct passwd_db *db, struct unc_error *err);
const struct passwd_entry *unc_passwd_by_name(const struct passwd_db *db, const char *name);
const struct passwd_entry *unc_passwd_by_uid(const struct passwd_db *db, uint32_t uid);
void unc_passwd_free(struct passwd_db *db);

int unc_group_parse(const char *buf, size_t len, struct group_db *db, struct unc_error *err);
int unc_group_load(const char *path, struct group_db *db, struct unc_error *err);
const struct group_entry *unc_group_by_name(const struct group_db *db, const char *name);
const struct group_entry *unc_group_by_gid(const struct group_db *db, uint32_t gid);

/* The supplementary groups of `user`: every group listing it as a member,
 * plus `primary`, without duplicates, primary first. *out is malloc'd. */
int unc_group_list_for_user(const struct group_db *db, const char *user, gid_t primary, gid_t **out,
			    size_t *n, struct unc_error *err);
void unc_group_free(struct group_db *db);

/* Parse a decimal ID (0..4294967294). Returns 0 or -1. */
int unc_parse_id(const char *s, size_t len, uint32_t *out);

#endif
