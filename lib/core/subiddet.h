/* subiddet.h: shadow's deterministic subordinate ranges.
 *
 * Upstream shadow (2026, lib/find_new_sub_uids.c and find_new_sub_gids.c)
 * computes a user's range from the UID alone when login.defs says
 * SUB_UID_DETERMINISTIC yes (SUB_GID_DETERMINISTIC for GIDs):
 *
 *     start = SUB_UID_MIN + (uid - UID_MIN) * SUB_UID_COUNT
 *
 * refused unless the whole range lies in [SUB_UID_MIN, SUB_UID_MAX], with
 * every overflow an error. With UNSAFE_SUB_UID_DETERMINISTIC_WRAP yes the
 * slot number wraps modulo the number of slots, so ranges may overlap.
 * subidctl and libsubid_uncmap.so both call unc_subid_deterministic(), so
 * the file and the module can never disagree. On top of shadow, a range
 * that would contain 4294967295 ((uid_t)-1, which newuidmap refuses) is
 * refused too. */
#ifndef UNC_SUBIDDET_H
#define UNC_SUBIDDET_H

#include <stdint.h>

#include "error.h"
#include "subid.h"

/* How automatic allocation works for one kind, with login.defs' values
 * and the defaults of the mode already applied (unc_login_defs_rule). */
struct unc_subid_rule {
	uint64_t uid_min;
	uint64_t min, max, count; /* SUB_UID_MIN, SUB_UID_MAX, SUB_UID_COUNT (or GID) */
	int deterministic;	  /* SUB_UID_DETERMINISTIC yes */
	int wrap;		  /* UNSAFE_SUB_UID_DETERMINISTIC_WRAP yes */
};

/* The deterministic start of uid's range of r->count IDs. Returns 0, or
 * -ERANGE / -EINVAL with shadow's reason in err. wrap_allowed: without
 * it, a rule asking to wrap is refused (a caller must opt in). */
int unc_subid_deterministic(const struct unc_subid_rule *r, enum unc_subid_kind kind, uint64_t uid,
			    int wrap_allowed, uint64_t *start, struct unc_error *err);

#endif
