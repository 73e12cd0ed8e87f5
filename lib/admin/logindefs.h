/* logindefs.h: the few login.defs settings subidctl needs.
 *
 * Read the way shadow 4.13 reads the file: one "NAME value" a line,
 * blanks around, '#' lines and empty lines ignored, double quotes around
 * the value removed, the last definition of a name wins, numbers as
 * strtoul(base 0) reads them. A missing file means every default. */
#ifndef UNC_LOGINDEFS_H
#define UNC_LOGINDEFS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "idkind.h"

/* Where a kind's ranges are taken from, and their default size. */
struct unc_sub_window {
	uint64_t min, max, count; /* SUB_UID_MIN, SUB_UID_MAX, SUB_UID_COUNT (GID) */
};

struct unc_login_defs {
	uint64_t uid_min, uid_max;		 /* UID_MIN, UID_MAX: login users */
	struct unc_sub_window sub[UNC_ID_KINDS]; /* indexed by enum unc_subid_kind */
};

/* shadow's defaults: 1000..60000, 100000..600100000, 65536. */
void unc_login_defs_init(struct unc_login_defs *d);

/* Parse buf over what d holds. A value that is not a number, or a
 * MIN above its MAX, is an error naming the line; path is for messages. */
int unc_login_defs_parse(const char *buf, size_t len, const char *path, struct unc_login_defs *d,
			 struct unc_error *err);

/* unc_login_defs_init, then the file at path if it exists. */
int unc_login_defs_load(const char *path, struct unc_login_defs *d, struct unc_error *err);

#endif
