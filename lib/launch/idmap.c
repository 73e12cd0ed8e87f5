#include "idmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

int unc_idmap_add(struct idmap_plan *plan, const struct map_extent *e, const char *option,
		  struct unc_error *err)
{
	if (plan->n >= UNC_MAP_MAX_EXTENTS)
		return unc_error_set(err, E2BIG,
				     "%s: more than %d extents, the kernel's limit for one map",
				     option, UNC_MAP_MAX_EXTENTS);
	plan->ext[plan->n++] = *e;
	return 0;
}

/* The first outside ID at or after `id` that no extent of the plan maps
 * yet; lowers *stop to where the next planned extent above it begins. */
static uint64_t first_unplanned(const struct idmap_plan *plan, uint64_t id, uint64_t *stop)
{
	size_t i;
	int moved = 1;

	while (moved) {
		moved = 0;
		for (i = 0; i < plan->n; i++) {
			const struct map_extent *e = &plan->ext[i];
			if (id >= e->outside && id - e->outside < e->count) {
				id = e->outside + e->count;
				moved = 1;
			}
		}
	}
	for (i = 0; i < plan->n; i++)
		if (plan->ext[i].outside > id && plan->ext[i].outside < *stop)
			*stop = plan->ext[i].outside;
	return id;
}

int unc_idmap_plan_range(struct idmap_plan *plan, uint64_t range, enum unc_map_root root,
			 uint64_t self, const struct unc_subid_list *subids,
			 const struct unc_id_kind *kind, struct unc_error *err)
{
	uint64_t next_inside = 0, need = range;
	size_t i;

	plan->n = 0;
	if (range == 0)
		return unc_error_set(err, EINVAL, "--range: must be at least 1");
	if (root == UNC_MAP_ROOT_SELF) {
		struct map_extent e = {0, self, 1};
		if (unc_idmap_add(plan, &e, "--range", err) < 0)
			return -E2BIG;
		next_inside = 1;
		need = range - 1;
	}
	for (i = 0; i < subids->n && need > 0; i++) {
		uint64_t start = subids->ranges[i].start;
		uint64_t end = start + subids->ranges[i].count; /* exclusive */

		/* as unc_subid_list_covers(): a range whose last ID wraps
		 * 64 bits matches nothing for shadow */
		if (subids->ranges[i].count == 0 || start >= UNC_ID_LIMIT ||
		    subids->ranges[i].count - 1 > UINT64_MAX - start)
			continue;
		if (end > UNC_ID_LIMIT || end < start)
			end = UNC_ID_LIMIT;
		while (start < end && need > 0) {
			uint64_t piece_end = end;
			struct map_extent e;
			/* Never map an outside ID twice: not the caller's own
			 * (planned at 0), nor one of ranges listed twice or
			 * overlapping, which shadow accepts. */
			start = first_unplanned(plan, start, &piece_end);
			if (start >= end)
				break;
			e.inside = next_inside;
			e.outside = start;
			e.count = piece_end - start;
			if (e.count > need)
				e.count = need;
			if (unc_idmap_add(plan, &e, "--range", err) < 0)
				return -E2BIG;
			next_inside += e.count;
			need -= e.count;
			start += e.count;
		}
	}
	if (need > 0) {
		uint64_t have = (root == UNC_MAP_ROOT_SELF ? range - 1 : range) - need;
		char desc[256];
		unc_subid_list_describe(subids, desc, sizeof desc);
		return unc_error_set(
		    err, ERANGE,
		    "--range %llu needs %llu subordinate %ss but only %llu are "
		    "usable in %s (%s)",
		    (unsigned long long)range,
		    (unsigned long long)(root == UNC_MAP_ROOT_SELF ? range - 1 : range), kind->id,
		    (unsigned long long)have, subids->source, desc);
	}
	return 0;
}

int unc_idmap_parse_extent(const char *spec, struct map_extent *out, const char *option,
			   struct unc_error *err)
{
	char buf[96];
	char *fields[3];
	char *p;
	uint64_t v[3];
	int i;

	if (strlen(spec) >= sizeof buf)
		return unc_error_set(
		    err, EINVAL, "%s: '%.40s...' is too long, expected IN:OUT:COUNT", option, spec);
	memcpy(buf, spec, strlen(spec) + 1);
	p = buf;
	for (i = 0; i < 3; i++) {
		char *colon = strchr(p, ':');
		fields[i] = p;
		if (i < 2) {
			if (!colon)
				return unc_error_set(err, EINVAL, "%s: '%s' is not IN:OUT:COUNT",
						     option, spec);
			*colon = '\0';
			p = colon + 1;
		} else if (colon) {
			return unc_error_set(err, EINVAL, "%s: '%s' is not IN:OUT:COUNT", option,
					     spec);
		}
	}
	for (i = 0; i < 3; i++) {
		static const char *what[3] = {"IN", "OUT", "COUNT"};
		char label[64];
		snprintf(label, sizeof label, "%s %s: %s", option, spec, what[i]);
		int r =
		    unc_parse_u64(fields[i], i == 2 ? 1 : 0, UNC_ID_LIMIT - 1, &v[i], label, err);
		if (r < 0)
			return r;
	}
	out->inside = v[0];
	out->outside = v[1];
	out->count = v[2];
	return 0;
}

static int ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* One side of an extent (start..start+count-1) must stay below the
 * largest ID; the message names the extent and the side. */
static int check_span(const struct map_extent *e, const char *side, uint64_t start,
		      const struct unc_id_kind *kind, struct unc_error *err)
{
	if (start + e->count <= UNC_ID_LIMIT && start + e->count >= start)
		return 0;
	return unc_error_set(
	    err, ERANGE, "%s %llu:%llu:%llu: %s %ss %llu-%llu go past %llu, the largest %s",
	    kind->map_option, (unsigned long long)e->inside, (unsigned long long)e->outside,
	    (unsigned long long)e->count, side, kind->id, (unsigned long long)start,
	    (unsigned long long)(start + e->count - 1), UNC_ID_LIMIT - 1, kind->id);
}

int unc_idmap_validate(const struct idmap_plan *plan, uint64_t self, int privileged,
		       const struct unc_subid_list *subids, const char *user,
		       const struct unc_id_kind *kind, struct unc_error *err)
{
	size_t i, j;
	char buf[UNC_MAP_MAX_BYTES + 64];

	if (plan->n == 0)
		return unc_error_set(err, EINVAL, "the %s map is empty", kind->id);
	if (plan->n > UNC_MAP_MAX_EXTENTS)
		return unc_error_set(err, E2BIG,
				     "%s: %zu extents, more than the kernel's limit of %d",
				     kind->map_option, plan->n, UNC_MAP_MAX_EXTENTS);
	for (i = 0; i < plan->n; i++) {
		const struct map_extent *e = &plan->ext[i];
		if (e->count == 0)
			return unc_error_set(err, EINVAL,
					     "%s %llu:%llu:0: COUNT must be at least 1",
					     kind->map_option, (unsigned long long)e->inside,
					     (unsigned long long)e->outside);
		int r = check_span(e, "inside", e->inside, kind, err);
		if (r == 0)
			r = check_span(e, "outside", e->outside, kind, err);
		if (r < 0)
			return r;
	}
	for (i = 0; i < plan->n; i++) {
		for (j = i + 1; j < plan->n; j++) {
			const struct map_extent *a = &plan->ext[i], *b = &plan->ext[j];
			if (ranges_overlap(a->inside, a->count, b->inside, b->count))
				return unc_error_set(
				    err, EINVAL, "%s: inside %ss overlap: %llu-%llu and %llu-%llu",
				    kind->map_option, kind->id, (unsigned long long)a->inside,
				    (unsigned long long)(a->inside + a->count - 1),
				    (unsigned long long)b->inside,
				    (unsigned long long)(b->inside + b->count - 1));
			if (ranges_overlap(a->outside, a->count, b->outside, b->count))
				return unc_error_set(
				    err, EINVAL, "%s: outside %ss overlap: %llu-%llu and %llu-%llu",
				    kind->map_option, kind->id, (unsigned long long)a->outside,
				    (unsigned long long)(a->outside + a->count - 1),
				    (unsigned long long)b->outside,
				    (unsigned long long)(b->outside + b->count - 1));
		}
	}
	if (unc_idmap_format(plan, buf, sizeof buf) < 0)
		return unc_error_set(err, E2BIG,
				     "%s: the map is longer than the kernel accepts (%d bytes)",
				     kind->map_option, UNC_MAP_MAX_BYTES);
	if (privileged)
		return 0;
	for (i = 0; i < plan->n; i++) {
		const struct map_extent *e = &plan->ext[i];
		char desc[256];
		if (e->count == 1 && e->outside == self)
			continue;
		if (self >= e->outside && self < e->outside + e->count &&
		    !unc_subid_list_covers(subids, e->outside, e->count))
			return unc_error_set(
			    err, EPERM,
			    "%s %llu:%llu:%llu: outside %ss %llu-%llu include your "
			    "own %s %llu, which may only be mapped on its own, as "
			    "IN:%llu:1",
			    kind->map_option, (unsigned long long)e->inside,
			    (unsigned long long)e->outside, (unsigned long long)e->count, kind->id,
			    (unsigned long long)e->outside,
			    (unsigned long long)(e->outside + e->count - 1), kind->id,
			    (unsigned long long)self, (unsigned long long)self);
		if (unc_subid_list_covers(subids, e->outside, e->count))
			continue;
		unc_subid_list_describe(subids, desc, sizeof desc);
		return unc_error_set(
		    err, EPERM,
		    "%s %llu:%llu:%llu: outside %ss %llu-%llu are not delegated to "
		    "%s in %s (%s has: %s)",
		    kind->map_option, (unsigned long long)e->inside, (unsigned long long)e->outside,
		    (unsigned long long)e->count, kind->id, (unsigned long long)e->outside,
		    (unsigned long long)(e->outside + e->count - 1), user, subids->source, user,
		    desc);
	}
	return 0;
}

int unc_idmap_format(const struct idmap_plan *plan, char *buf, size_t size)
{
	size_t i, used = 0;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (i = 0; i < plan->n; i++) {
		int n = snprintf(buf + used, size - used, "%llu %llu %llu\n",
				 (unsigned long long)plan->ext[i].inside,
				 (unsigned long long)plan->ext[i].outside,
				 (unsigned long long)plan->ext[i].count);
		if (n < 0 || (size_t)n >= size - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	if (used > UNC_MAP_MAX_BYTES)
		return -ENOSPC;
	return (int)used;
}

int unc_idmap_is_only_self(const struct idmap_plan *plan, uint64_t self)
{
	return plan->n == 1 && plan->ext[0].count == 1 && plan->ext[0].outside == self;
}

uint64_t unc_idmap_total(const struct idmap_plan *plan)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < plan->n; i++)
		t += plan->ext[i].count;
	return t;
}

int unc_idmap_parse_proc(const char *text, struct idmap_plan *plan, struct unc_error *err)
{
	const char *p = text;

	plan->n = 0;
	while (*p) {
		unsigned long long a, b, c;
		int consumed = 0;
		struct map_extent e;
		if (sscanf(p, " %llu %llu %llu%n", &a, &b, &c, &consumed) != 3)
			break;
		e.inside = a;
		e.outside = b;
		e.count = c;
		if (unc_idmap_add(plan, &e, "uid_map", err) < 0)
			return -E2BIG;
		p += consumed;
	}
	return 0;
}

int unc_idmap_maps_inside(const struct idmap_plan *plan, uint64_t id)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (id >= plan->ext[i].inside && id - plan->ext[i].inside < plan->ext[i].count)
			return 1;
	return 0;
}

static int cmp_inside(const void *a, const void *b)
{
	const struct map_extent *x = a, *y = b;
	return x->inside < y->inside ? -1 : x->inside > y->inside;
}

void unc_idmap_describe_inside(const struct idmap_plan *plan, char *buf, size_t size)
{
	struct map_extent sorted[UNC_MAP_MAX_EXTENTS];
	size_t i, n = 0, used = 0;

	memcpy(sorted, plan->ext, plan->n * sizeof sorted[0]);
	qsort(sorted, plan->n, sizeof sorted[0], cmp_inside);
	/* merge adjacent extents so 0 + 1-65535 reads as 0-65535 */
	for (i = 0; i < plan->n; i++) {
		if (n > 0 && sorted[n - 1].inside + sorted[n - 1].count == sorted[i].inside)
			sorted[n - 1].count += sorted[i].count;
		else
			sorted[n++] = sorted[i];
	}
	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, size, "nothing");
		return;
	}
	for (i = 0; i < n && used < size; i++) {
		int k;
		if (sorted[i].count == 1)
			k = snprintf(buf + used, size - used, "%s%llu", i ? ", " : "",
				     (unsigned long long)sorted[i].inside);
		else
			k = snprintf(buf + used, size - used, "%s%llu-%llu", i ? ", " : "",
				     (unsigned long long)sorted[i].inside,
				     (unsigned long long)(sorted[i].inside + sorted[i].count - 1));
		if (k < 0)
			break;
		used += (size_t)k;
	}
}
