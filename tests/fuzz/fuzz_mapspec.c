/* fuzz_mapspec: --map-uid/--map-gid and --range, and the planner and
 * checker behind them (lib/launch/idmap.c).
 *
 * Input: a header of binary numbers (flags, the caller's ID, --range,
 * then subordinate ranges), then text whose lines are --map-uid values.
 *
 * Checked against models written here from idmap.h's contracts:
 * - an accepted IN:OUT:COUNT is three decimal numbers that read back the
 *   same, each at most 4294967294, COUNT at least 1;
 * - unc_idmap_validate() accepts a plan exactly when it is non-empty, has
 *   no empty extent, no 32-bit overflow, no overlap inside or outside,
 *   formats within 4095 bytes and (unprivileged) maps only the caller's
 *   own ID as an extent of one or IDs that lie in its ranges;
 * - a --range plan maps 0..N-1 contiguously onto distinct delegated IDs
 *   (the caller's own only at 0 with map-root=self), and fails for lack
 *   of IDs exactly when the ranges hold fewer distinct usable IDs than
 *   needed. */
#include <errno.h>

#include "fuzz_common.h"
#include "idmap.h"
#include "subid.h"

static const struct unc_id_kind *const uids = &unc_id_kinds[UNC_SUBUID];

struct interval {
	uint64_t start, end; /* [start, end) */
};

static int cmp_interval(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The union of the ranges, cut to valid IDs, as sorted disjoint
 * intervals. */
static size_t model_union(const struct unc_subid_list *l, struct interval *out)
{
	size_t i, n = 0, m = 0;

	for (i = 0; i < l->n; i++) {
		uint64_t s = l->ranges[i].start, c = l->ranges[i].count;
		/* shadow's last ID is s + c - 1; a range where that wraps
		 * matches nothing */
		if (c == 0 || s >= UNC_ID_LIMIT || c - 1 > UINT64_MAX - s)
			continue;
		out[n].start = s;
		out[n].end = c > UNC_ID_LIMIT - s ? UNC_ID_LIMIT : s + c;
		n++;
	}
	qsort(out, n, sizeof out[0], cmp_interval);
	for (i = 0; i < n; i++) {
		if (m > 0 && out[i].start <= out[m - 1].end) {
			if (out[i].end > out[m - 1].end)
				out[m - 1].end = out[i].end;
		} else {
			out[m++] = out[i];
		}
	}
	return m;
}

static int model_covers(const struct interval *u, size_t n, uint64_t start, uint64_t count)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (u[i].start <= start && start < u[i].end)
			return count <= u[i].end - start;
	return 0;
}

static size_t digits(uint64_t v)
{
	size_t n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static int overlaps_sorted(struct interval *v, size_t n)
{
	size_t i;

	qsort(v, n, sizeof v[0], cmp_interval);
	for (i = 1; i < n; i++)
		if (v[i].start < v[i - 1].end)
			return 1;
	return 0;
}

static int model_valid(const struct idmap_plan *plan, uint64_t self, int privileged,
		       const struct interval *u, size_t nu)
{
	static struct interval in[UNC_MAP_MAX_EXTENTS], out[UNC_MAP_MAX_EXTENTS];
	size_t i, bytes = 0;

	if (plan->n == 0)
		return 0;
	for (i = 0; i < plan->n; i++) {
		const struct map_extent *e = &plan->ext[i];
		if (e->count == 0 || e->count > UNC_ID_LIMIT ||
		    e->inside > UNC_ID_LIMIT - e->count || e->outside > UNC_ID_LIMIT - e->count)
			return 0;
		in[i] = (struct interval){e->inside, e->inside + e->count};
		out[i] = (struct interval){e->outside, e->outside + e->count};
		bytes += digits(e->inside) + digits(e->outside) + digits(e->count) + 3;
	}
	if (overlaps_sorted(in, plan->n) || overlaps_sorted(out, plan->n))
		return 0;
	if (bytes > UNC_MAP_MAX_BYTES)
		return 0;
	if (privileged)
		return 1;
	for (i = 0; i < plan->n; i++) {
		const struct map_extent *e = &plan->ext[i];
		if (!(e->count == 1 && e->outside == self) &&
		    !model_covers(u, nu, e->outside, e->count))
			return 0;
	}
	return 1;
}

/* Format, read back as /proc/PID/uid_map, and describe: same plan, and
 * the text stays inside its buffers. */
static void check_round_trip(const struct idmap_plan *plan)
{
	static char text[UNC_MAP_MAX_BYTES + 1];
	static struct idmap_plan back;
	char desc[64], tiny[4];
	struct unc_error err;
	int len = unc_idmap_format(plan, text, sizeof text);
	size_t i;

	FUZZ_CHECK(len >= 0 && (size_t)len == strlen(text) && len <= UNC_MAP_MAX_BYTES);
	FUZZ_CHECK(unc_idmap_parse_proc(text, &back, &err) == 0);
	FUZZ_CHECK(back.n == plan->n);
	for (i = 0; i < plan->n; i++)
		FUZZ_CHECK(memcmp(&back.ext[i], &plan->ext[i], sizeof back.ext[i]) == 0);
	unc_idmap_describe_inside(plan, desc, sizeof desc);
	FUZZ_CHECK(memchr(desc, '\0', sizeof desc) != NULL);
	unc_idmap_describe_inside(plan, tiny, sizeof tiny);
	FUZZ_CHECK(memchr(tiny, '\0', sizeof tiny) != NULL);
}

static void check_extent_spec(const char *spec, size_t len, struct idmap_plan *explicit_plan)
{
	struct map_extent e;
	struct unc_error err;
	char *copy = fuzz_copy((const uint8_t *)spec, len, 1);
	size_t i, colons = 0;

	unc_error_clear(&err);
	if (unc_idmap_parse_extent(copy, &e, "--map-uid", &err) < 0) {
		FUZZ_CHECK(err.msg[0] != '\0' && err.errnum != 0);
		free(copy);
		return;
	}
	/* accepted: digits and exactly two colons, nothing else */
	for (i = 0; copy[i]; i++) {
		FUZZ_CHECK((copy[i] >= '0' && copy[i] <= '9') || copy[i] == ':');
		colons += copy[i] == ':';
	}
	FUZZ_CHECK(colons == 2 && copy[0] != ':' && copy[i - 1] != ':' && !strstr(copy, "::"));
	FUZZ_CHECK(e.inside < UNC_ID_LIMIT && e.outside < UNC_ID_LIMIT);
	FUZZ_CHECK(e.count >= 1 && e.count < UNC_ID_LIMIT);
	{
		unsigned long long a, b, c;
		FUZZ_CHECK(sscanf(copy, "%llu:%llu:%llu", &a, &b, &c) == 3);
		FUZZ_CHECK(a == e.inside && b == e.outside && c == e.count);
	}
	if (unc_idmap_add(explicit_plan, &e, "--map-uid", &err) < 0)
		FUZZ_CHECK(explicit_plan->n == UNC_MAP_MAX_EXTENTS && err.errnum == E2BIG);
	free(copy);
}

static void check_validate(const struct idmap_plan *plan, uint64_t self, int privileged,
			   const struct unc_subid_list *l, const struct interval *u, size_t nu)
{
	struct unc_error err;
	int r;

	unc_error_clear(&err);
	r = unc_idmap_validate(plan, self, privileged, l, "alice", uids, &err);
	FUZZ_CHECK((r == 0) == model_valid(plan, self, privileged, u, nu));
	if (r == 0)
		check_round_trip(plan);
	else
		FUZZ_CHECK(err.msg[0] != '\0');
}

static void check_plan_range(uint64_t range, enum unc_map_root root, uint64_t self,
			     const struct unc_subid_list *l, const struct interval *u, size_t nu)
{
	static struct idmap_plan plan;
	struct unc_error err;
	uint64_t usable = 0, need, next = 0;
	size_t i;
	int r;

	for (i = 0; i < nu; i++)
		usable += u[i].end - u[i].start;
	need = range;
	if (root == UNC_MAP_ROOT_SELF) {
		need = range ? range - 1 : 0;
		if (model_covers(u, nu, self, 1))
			usable--;
	}
	unc_error_clear(&err);
	r = unc_idmap_plan_range(&plan, range, root, self, l, uids, &err);
	if (r < 0) {
		FUZZ_CHECK(err.msg[0] != '\0');
		if (range == 0)
			FUZZ_CHECK(err.errnum == EINVAL);
		else if (err.errnum == ERANGE)
			FUZZ_CHECK(usable < need);
		else
			FUZZ_CHECK(err.errnum == E2BIG);
		return;
	}
	FUZZ_CHECK(range > 0 && usable >= need);
	FUZZ_CHECK(unc_idmap_total(&plan) == range);
	FUZZ_CHECK(unc_idmap_maps_inside(&plan, 0));
	for (i = 0; i < plan.n; i++) {
		const struct map_extent *e = &plan.ext[i];
		FUZZ_CHECK(e->count > 0 && e->inside == next);
		next += e->count;
		if (root == UNC_MAP_ROOT_SELF && i == 0) {
			FUZZ_CHECK(e->outside == self && e->count == 1);
			continue;
		}
		FUZZ_CHECK(model_covers(u, nu, e->outside, e->count));
		if (root == UNC_MAP_ROOT_SELF)
			FUZZ_CHECK(!(self >= e->outside && self - e->outside < e->count));
	}
	/* only the caller's own ID: --range 1 with map-root=self, or with
	 * map-root=sub when its first delegated ID is the caller's */
	if (root == UNC_MAP_ROOT_SELF && range == 1)
		FUZZ_CHECK(unc_idmap_is_only_self(&plan, self));
	if (unc_idmap_is_only_self(&plan, self))
		FUZZ_CHECK(range == 1 && plan.ext[0].outside == self);
	/* the plan passes the checks newuidmap and the kernel make, unless
	 * it is too long to write in one go */
	unc_error_clear(&err);
	r = unc_idmap_validate(&plan, self, 0, l, "alice", uids, &err);
	if (r < 0)
		FUZZ_CHECK(err.errnum == E2BIG &&
			   strstr(err.msg, "longer than the kernel accepts"));
	else
		check_round_trip(&plan);
	FUZZ_CHECK((r == 0) == model_valid(&plan, self, 0, u, nu));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	static struct idmap_plan explicit_plan;
	static struct interval u[64];
	struct unc_subid_list list = {0};
	uint64_t flags, self, range, nranges, i;
	enum unc_map_root root;
	int privileged;
	const char *p, *stop;
	size_t nu;

	flags = fuzz_take(&in, 1);
	root = flags & 1 ? UNC_MAP_ROOT_SUB : UNC_MAP_ROOT_SELF;
	privileged = (flags >> 1) & 1;
	nranges = (flags >> 2) & 15;
	self = fuzz_take(&in, 4) % UNC_ID_LIMIT;
	range = fuzz_take(&in, 4) % UNC_ID_LIMIT; /* --range takes 1..4294967294 */
	if (flags & 64)
		range %= 4096;
	snprintf(list.source, sizeof list.source, "/etc/subuid");
	for (i = 0; i < nranges; i++) {
		uint64_t how = fuzz_take(&in, 1);
		uint64_t start = fuzz_take(&in, how & 1 ? 8 : 4);
		uint64_t count = fuzz_take(&in, how & 2 ? 8 : how & 4 ? 4 : 2);
		FUZZ_CHECK(unc_subid_list_add(&list, start, count) == 0);
	}
	nu = model_union(&list, u);

	check_plan_range(range, root, self, &list, u, nu);

	/* the rest: one --map-uid value a line */
	explicit_plan.n = 0;
	p = (const char *)in.p;
	stop = p + in.left;
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		if (!memchr(p, '\0', len)) /* argv strings hold no NUL */
			check_extent_spec(p, len, &explicit_plan);
		p = nl ? nl + 1 : stop;
	}
	if (explicit_plan.n > 0)
		check_validate(&explicit_plan, self, privileged, &list, u, nu);
	unc_subid_list_free(&list);
	return 0;
}
