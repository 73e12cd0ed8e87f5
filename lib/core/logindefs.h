/* logindefs.h: the login.defs settings for subordinate IDs.
 *
 * Read the way shadow reads the file: one "NAME value" a line, blanks
 * around, '#' lines, empty lines and a name without a value ignored,
 * double quotes around the value removed (4.13), the last definition of
 * a name wins, numbers as strtoul(base 0) reads them, booleans "yes"
 * (any case) or not. A value that does not parse is, as in shadow's
 * getdef.c, a warning, and the setting keeps its default; so is a
 * boolean that is neither yes nor no. A missing file means every default.
 *
 * Which default depends on the mode, as in upstream shadow: automatic
 * (first fit) allocation uses 100000..600100000, deterministic allocation
 * 65536..4294967295; both count 65536. unc_login_defs_rule() applies it. */
#ifndef UNC_LOGINDEFS_H
#define UNC_LOGINDEFS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "subid.h"
#include "subiddet.h"

#define UNC_LOGIN_DEFS_WARN_MAX 8
#define UNC_LOGIN_DEFS_WARN_LEN 200

/* Where a kind's ranges are taken from, and their default size. */
struct unc_sub_window {
	uint64_t min, max, count; /* SUB_UID_MIN, SUB_UID_MAX, SUB_UID_COUNT (GID) */
};

struct unc_login_defs {
	uint64_t uid_min, uid_max; /* UID_MIN, UID_MAX: login users */
	unsigned set;		   /* bit i: number i of the table was given */
	/* indexed by enum unc_subid_kind */
	struct unc_sub_window sub[UNC_ID_KINDS];
	int deterministic[2]; /* SUB_UID_DETERMINISTIC, SUB_GID_DETERMINISTIC */
	int unsafe_wrap[2];   /* UNSAFE_SUB_UID_DETERMINISTIC_WRAP, ..._GID_... */
	int store_by_uid[2];  /* SUB_UID_STORE_BY_UID, SUB_GID_STORE_BY_UID */
	/* what did not parse, one line each ("login.defs:3: UID_MIN: ...") */
	size_t nwarnings; /* may exceed UNC_LOGIN_DEFS_WARN_MAX: the rest are counted */
	char warnings[UNC_LOGIN_DEFS_WARN_MAX][UNC_LOGIN_DEFS_WARN_LEN];
};

/* shadow's defaults: 1000..60000, 100000..600100000, 65536, every boolean no. */
void unc_login_defs_init(struct unc_login_defs *d);

/* Parse buf over what d holds; path is for the warnings. Never fails: a
 * bad value is a warning in d. Returns 0. */
int unc_login_defs_parse(const char *buf, size_t len, const char *path, struct unc_login_defs *d,
			 struct unc_error *err);

/* unc_login_defs_init, then the file at path if it exists. Fails only
 * when the file exists and cannot be read. */
int unc_login_defs_load(const char *path, struct unc_login_defs *d, struct unc_error *err);

/* The allocation rule for kind: window, count and mode, with the
 * defaults of the mode for what the file did not give. */
void unc_login_defs_rule(const struct unc_login_defs *d, enum unc_subid_kind kind,
			 struct unc_subid_rule *r);

/* What libsubid_uncmap.so serves for kind, decided here once for the
 * module, subidctl and uncmap --check. Returns 1 and the rule when it
 * serves deterministic ranges; 0 when SUB_UID_DETERMINISTIC (SUB_GID_...)
 * is not yes, so it serves nothing; a negative errno, with why in err,
 * when the configuration is in doubt (a value that did not parse, the
 * unsafe wrap mode, a window with no room), so it fails closed. */
int unc_login_defs_served(const struct unc_login_defs *d, enum unc_subid_kind kind,
			  struct unc_subid_rule *r, struct unc_error *err);

#endif
