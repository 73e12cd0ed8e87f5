/* idmap.h: planning and checking user namespace ID maps. Pure logic: no
 * system calls, so it is unit-tested without privileges. */
#ifndef UNC_IDMAP_H
#define UNC_IDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "subid.h"

/* The kernel's limit on lines in uid_map/gid_map (since Linux 4.15). */
#define UNC_MAP_MAX_EXTENTS 340
/* The kernel refuses a map write of PAGE_SIZE bytes or more. */
#define UNC_MAP_MAX_BYTES 4095

struct map_extent {
	uint64_t inside;
	uint64_t outside;
	uint64_t count;
};

/* The count first: a plan of a few extents is one page of memory touched,
 * not two (on the machines this runs on, each page first touched is a
 * fault that costs more than a system call). */
struct idmap_plan {
	size_t n;
	struct map_extent ext[UNC_MAP_MAX_EXTENTS];
};

enum unc_map_root {
	UNC_MAP_ROOT_SELF = 0, /* container 0 is the caller's own ID */
	UNC_MAP_ROOT_SUB = 1,  /* container 0..N-1 are all subordinate IDs */
};

/* Plan a map of `range` IDs starting at container 0. With
 * UNC_MAP_ROOT_SELF, container 0 is `self` and 1..range-1 come from the
 * subordinate ranges in order, skipping `self` if a range contains it;
 * with UNC_MAP_ROOT_SUB all of 0..range-1 come from the ranges. When the
 * ranges hold too few IDs, fails naming how many were needed and found. */
int unc_idmap_plan_range(struct idmap_plan *plan, uint64_t range, enum unc_map_root root,
			 uint64_t self, const struct unc_subid_list *subids,
			 const struct unc_id_kind *kind, struct unc_error *err);

/* Parse "IN:OUT:COUNT" into an extent (each a decimal 32-bit number). */
int unc_idmap_parse_extent(const char *spec, struct map_extent *out, const char *option,
			   struct unc_error *err);

/* Append an extent, refusing more than the kernel's limit. */
int unc_idmap_add(struct idmap_plan *plan, const struct map_extent *e, const char *option,
		  struct unc_error *err);

/* Check a plan the way the kernel and newuidmap will, before any process
 * exists: non-empty extents, 32-bit overflow, overlaps inside and outside,
 * the extent and size limits, and (unless privileged) that every outside
 * ID is the caller's own (as an extent of one) or lies in its ranges. */
int unc_idmap_validate(const struct idmap_plan *plan, uint64_t self, int privileged,
		       const struct unc_subid_list *subids, const char *user,
		       const struct unc_id_kind *kind, struct unc_error *err);

/* Format as /proc/PID/uid_map wants it: "IN OUT COUNT\n" per extent, one
 * buffer. Returns the length, or a negative value if it does not fit. */
int unc_idmap_format(const struct idmap_plan *plan, char *buf, size_t size);

/* Does the plan map only `self` as a single ID? (then no helper is needed) */
int unc_idmap_is_only_self(const struct idmap_plan *plan, uint64_t self);

/* Total number of IDs mapped. */
uint64_t unc_idmap_total(const struct idmap_plan *plan);

/* Parse the text of a /proc/PID/uid_map file. */
int unc_idmap_parse_proc(const char *text, struct idmap_plan *plan, struct unc_error *err);

/* Rewrite a plan written by a privileged caller so that the kernel takes
 * it: each extent's outside IDs must lie within one extent of the caller's
 * own map (`own`, from /proc/self/uid_map), so extents are split at its
 * boundaries. Fails (EPERM) naming an outside ID the caller's namespace
 * does not map. */
int unc_idmap_fit_own(struct idmap_plan *plan, const struct idmap_plan *own,
		      const struct unc_id_kind *kind, struct unc_error *err);

/* The --range plan of a privileged caller (root of its namespace): from
 * its subordinate ranges when it has some, else IDs 0..range-1 of its own
 * namespace as they are; then fitted to `own` (unc_idmap_fit_own). */
int unc_idmap_plan_privileged(struct idmap_plan *plan, uint64_t range, enum unc_map_root root,
			      const struct unc_subid_list *subids, const struct idmap_plan *own,
			      const struct unc_id_kind *kind, struct unc_error *err);

/* Is `id` (inside) mapped by the plan? */
int unc_idmap_maps_inside(const struct idmap_plan *plan, uint64_t id);

/* Describe the inside ranges as "0-65535, 70000" into buf. */
void unc_idmap_describe_inside(const struct idmap_plan *plan, char *buf, size_t size);

#endif
