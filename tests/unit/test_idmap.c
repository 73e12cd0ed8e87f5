/* test_idmap.c: the map planner and checker (lib/launch/idmap.c). Messages are
 * asserted literally: cmd/uncmap prints them as "uncmap: <msg>". */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "idmap.h"
#include "subid.h"

static const struct unc_id_kind *const uids = &unc_id_kinds[UNC_SUBUID];
static const struct unc_id_kind *const gids = &unc_id_kinds[UNC_SUBGID];

#define SELF 1001

static struct unc_subid_list make_list(const char *source, const uint64_t *pairs, size_t n)
{
	struct unc_subid_list l = {0};
	size_t i;

	snprintf(l.source, sizeof l.source, "%s", source);
	for (i = 0; i < n; i++)
		assert_int_equal(unc_subid_list_add(&l, pairs[2 * i], pairs[2 * i + 1]), 0);
	return l;
}

/* The plan as uid_map text. */
static const char *text_of(const struct idmap_plan *plan)
{
	static char buf[UNC_MAP_MAX_BYTES + 1];
	assert_true(unc_idmap_format(plan, buf, sizeof buf) >= 0);
	return buf;
}

static void add(struct idmap_plan *plan, uint64_t in, uint64_t out, uint64_t count)
{
	struct map_extent e = {in, out, count};
	assert_int_equal(unc_idmap_add(plan, &e, "--map-uid", NULL), 0);
}

/* Plan with the default list alice:100000:65536 and validate the result
 * as the caller would. */
static void plan_ok(struct idmap_plan *plan, uint64_t range, enum unc_map_root root, uint64_t self,
		    const struct unc_subid_list *l)
{
	struct unc_error err;
	unc_error_clear(&err);
	assert_int_equal(unc_idmap_plan_range(plan, range, root, self, l, uids, &err), 0);
	assert_int_equal(unc_idmap_total(plan), range);
	assert_int_equal(unc_idmap_validate(plan, self, 0, l, "alice", uids, &err), 0);
}

static void test_range_map_root_self(void **state)
{
	const uint64_t r[] = {100000, 65536};
	struct unc_subid_list l = make_list("/etc/subuid", r, 1);
	struct idmap_plan plan;

	plan_ok(&plan, 65536, UNC_MAP_ROOT_SELF, SELF, &l);
	assert_string_equal(text_of(&plan), "0 1001 1\n1 100000 65535\n");
	plan_ok(&plan, 65537, UNC_MAP_ROOT_SELF, SELF, &l);
	assert_string_equal(text_of(&plan), "0 1001 1\n1 100000 65536\n");
	plan_ok(&plan, 2, UNC_MAP_ROOT_SELF, SELF, &l);
	assert_string_equal(text_of(&plan), "0 1001 1\n1 100000 1\n");
	unc_subid_list_free(&l);
}

static void test_range_map_root_sub(void **state)
{
	const uint64_t r[] = {100000, 65536};
	struct unc_subid_list l = make_list("/etc/subuid", r, 1);
	struct idmap_plan plan;

	plan_ok(&plan, 65536, UNC_MAP_ROOT_SUB, SELF, &l);
	assert_string_equal(text_of(&plan), "0 100000 65536\n");
	assert_false(unc_idmap_maps_inside(&plan, 65536));
	assert_false(unc_idmap_is_only_self(&plan, SELF));
	plan_ok(&plan, 1, UNC_MAP_ROOT_SUB, SELF, &l);
	assert_string_equal(text_of(&plan), "0 100000 1\n");
	unc_subid_list_free(&l);
}

static void test_range_one_is_only_self(void **state)
{
	struct unc_subid_list none = {0};
	struct idmap_plan plan;
	struct unc_error err;

	snprintf(none.source, sizeof none.source, "/etc/subuid");
	plan_ok(&plan, 1, UNC_MAP_ROOT_SELF, SELF, &none);
	assert_string_equal(text_of(&plan), "0 1001 1\n");
	assert_true(unc_idmap_is_only_self(&plan, SELF));
	assert_false(unc_idmap_is_only_self(&plan, SELF + 1));

	assert_int_equal(unc_idmap_plan_range(&plan, 0, UNC_MAP_ROOT_SELF, SELF, &none, uids, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "--range: must be at least 1");
}

static void test_ranges_used_in_order(void **state)
{
	/* listed order, not numeric order; empty and unmappable ranges are
	 * passed over */
	const uint64_t r[] = {300000, 10, 200000, 0, 5000000000ULL, 10, 100000, 5, 400000, 100};
	struct unc_subid_list l = make_list("/etc/subuid", r, 5);
	struct idmap_plan plan;

	plan_ok(&plan, 20, UNC_MAP_ROOT_SELF, SELF, &l);
	assert_string_equal(text_of(&plan), "0 1001 1\n1 300000 10\n11 100000 5\n16 400000 4\n");
	plan_ok(&plan, 115, UNC_MAP_ROOT_SUB, SELF, &l);
	assert_string_equal(text_of(&plan), "0 300000 10\n10 100000 5\n15 400000 100\n");
	plan_ok(&plan, 11, UNC_MAP_ROOT_SELF, SELF, &l);
	assert_string_equal(text_of(&plan), "0 1001 1\n1 300000 10\n");
	unc_subid_list_free(&l);
}

static void test_range_up_to_the_last_id(void **state)
{
	/* a range running past 4294967294 is cut at the last valid ID */
	const uint64_t r[] = {4294967290ULL, 100};
	struct unc_subid_list l = make_list("/etc/subuid", r, 1);
	struct idmap_plan plan;
	struct unc_error err;

	plan_ok(&plan, 5, UNC_MAP_ROOT_SUB, SELF, &l);
	assert_string_equal(text_of(&plan), "0 4294967290 5\n");
	assert_int_equal(unc_idmap_plan_range(&plan, 6, UNC_MAP_ROOT_SUB, SELF, &l, uids, &err),
			 -ERANGE);
	assert_string_equal(err.msg, "--range 6 needs 6 subordinate UIDs but only 5 are usable in "
				     "/etc/subuid (4294967290-4294967389)");
	unc_subid_list_free(&l);
}

static void test_range_overflowing_uint64(void **state)
{
	const uint64_t r[] = {UINT64_MAX - 5, 100, 100000, 3};
	struct unc_subid_list l = make_list("/etc/subuid", r, 2);
	struct idmap_plan plan;

	plan_ok(&plan, 3, UNC_MAP_ROOT_SUB, SELF, &l);
	assert_string_equal(text_of(&plan), "0 100000 3\n");
	unc_subid_list_free(&l);
}

static void test_range_wrapping_64_bits(void **state)
{
	/* shadow takes a range's last ID as start + count - 1: where that
	 * wraps, the range matches nothing, so it is never planned; where it
	 * is exactly the largest 64-bit number, the range is good */
	const uint64_t wraps[] = {2303, UINT64_MAX - 243, 100000, 10};
	const uint64_t to_top[] = {100, UINT64_MAX - 99};
	struct unc_subid_list l = make_list("/etc/subuid", wraps, 2);
	struct unc_subid_list top = make_list("/etc/subuid", to_top, 1);
	struct idmap_plan plan;

	plan_ok(&plan, 10, UNC_MAP_ROOT_SUB, SELF, &l);
	assert_string_equal(text_of(&plan), "0 100000 10\n");
	assert_false(unc_subid_list_covers(&l, 2303, 1));
	plan_ok(&plan, 10, UNC_MAP_ROOT_SUB, SELF, &top);
	assert_string_equal(text_of(&plan), "0 100 10\n");
	assert_true(unc_subid_list_covers(&top, 100, 4294967195ULL));
	unc_subid_list_free(&l);
	unc_subid_list_free(&top);
}

static void test_self_inside_own_range(void **state)
{
	const uint64_t r[] = {100000, 10};
	struct unc_subid_list l = make_list("/etc/subuid", r, 1);
	struct idmap_plan plan;
	struct unc_error err;

	/* in the middle */
	plan_ok(&plan, 10, UNC_MAP_ROOT_SELF, 100005, &l);
	assert_string_equal(text_of(&plan), "0 100005 1\n1 100000 5\n6 100006 4\n");
	/* at the start */
	plan_ok(&plan, 10, UNC_MAP_ROOT_SELF, 100000, &l);
	assert_string_equal(text_of(&plan), "0 100000 1\n1 100001 9\n");
	/* at the end */
	plan_ok(&plan, 10, UNC_MAP_ROOT_SELF, 100009, &l);
	assert_string_equal(text_of(&plan), "0 100009 1\n1 100000 9\n");
	/* stopping just before it */
	plan_ok(&plan, 6, UNC_MAP_ROOT_SELF, 100005, &l);
	assert_string_equal(text_of(&plan), "0 100005 1\n1 100000 5\n");
	/* stopping just after it */
	plan_ok(&plan, 7, UNC_MAP_ROOT_SELF, 100005, &l);
	assert_string_equal(text_of(&plan), "0 100005 1\n1 100000 5\n6 100006 1\n");
	/* the caller's ID is not counted as usable twice */
	assert_int_equal(unc_idmap_plan_range(&plan, 11, UNC_MAP_ROOT_SELF, 100005, &l, uids, &err),
			 -ERANGE);
	assert_string_equal(err.msg, "--range 11 needs 10 subordinate UIDs but only 9 are usable "
				     "in /etc/subuid (100000-100009)");
	/* with map-root=sub the caller's ID is an ordinary subordinate ID */
	plan_ok(&plan, 10, UNC_MAP_ROOT_SUB, 100005, &l);
	assert_string_equal(text_of(&plan), "0 100000 10\n");
	unc_subid_list_free(&l);
}

static void test_self_is_a_whole_range(void **state)
{
	/* a range of one ID that is the caller's own gives nothing */
	const uint64_t r[] = {1001, 1, 100000, 5};
	struct unc_subid_list l = make_list("/etc/subuid", r, 2);
	struct idmap_plan plan;

	plan_ok(&plan, 6, UNC_MAP_ROOT_SELF, SELF, &l);
	assert_string_equal(text_of(&plan), "0 1001 1\n1 100000 5\n");
	unc_subid_list_free(&l);
}

static void test_self_in_several_ranges(void **state)
{
	/* ranges listed twice or overlapping: every outside ID at most once */
	const uint64_t r[] = {100000, 10, 100000, 10, 100005, 10, 99995, 10};
	struct unc_subid_list l = make_list("/etc/subuid", r, 4);
	struct idmap_plan plan;
	struct unc_error err;

	plan_ok(&plan, 20, UNC_MAP_ROOT_SUB, SELF, &l);
	assert_string_equal(text_of(&plan), "0 100000 10\n10 100010 5\n15 99995 5\n");
	plan_ok(&plan, 20, UNC_MAP_ROOT_SELF, 100003, &l);
	assert_string_equal(text_of(&plan),
			    "0 100003 1\n1 100000 3\n4 100004 6\n10 100010 5\n15 99995 5\n");
	assert_int_equal(unc_idmap_plan_range(&plan, 21, UNC_MAP_ROOT_SUB, SELF, &l, uids, &err),
			 -ERANGE);
	assert_string_equal(err.msg,
			    "--range 21 needs 21 subordinate UIDs but only 20 are usable in "
			    "/etc/subuid (100000-100009, 100000-100009, 100005-100014, "
			    "99995-100004)");
	unc_subid_list_free(&l);
}

static void test_too_few_ids(void **state)
{
	const uint64_t r[] = {400000, 100};
	struct unc_subid_list l = make_list("/etc/subuid", r, 1);
	struct unc_subid_list none = {0};
	struct idmap_plan plan;
	struct unc_error err;

	assert_int_equal(
	    unc_idmap_plan_range(&plan, 65536, UNC_MAP_ROOT_SELF, SELF, &l, uids, &err), -ERANGE);
	assert_string_equal(err.msg, "--range 65536 needs 65535 subordinate UIDs but only 100 are "
				     "usable in /etc/subuid (400000-400099)");
	assert_int_equal(unc_idmap_plan_range(&plan, 200, UNC_MAP_ROOT_SUB, SELF, &l, gids, &err),
			 -ERANGE);
	assert_string_equal(err.msg, "--range 200 needs 200 subordinate GIDs but only 100 are "
				     "usable in /etc/subuid (400000-400099)");

	snprintf(none.source, sizeof none.source, "/etc/subgid");
	assert_int_equal(unc_idmap_plan_range(&plan, 2, UNC_MAP_ROOT_SELF, SELF, &none, gids, &err),
			 -ERANGE);
	assert_string_equal(err.msg, "--range 2 needs 1 subordinate GIDs but only 0 are usable in "
				     "/etc/subgid (none)");
	unc_subid_list_free(&l);
}

static void test_too_few_ids_many_ranges(void **state)
{
	/* the list of ranges in the message is cut short, never overflows */
	struct unc_subid_list l = {0};
	struct idmap_plan plan;
	struct unc_error err;
	uint64_t i;

	snprintf(l.source, sizeof l.source, "/etc/subuid");
	for (i = 0; i < 100; i++)
		assert_int_equal(unc_subid_list_add(&l, 1000000 + i * 1000, 1), 0);
	assert_int_equal(unc_idmap_plan_range(&plan, 101, UNC_MAP_ROOT_SUB, SELF, &l, uids, &err),
			 -ERANGE);
	assert_non_null(strstr(err.msg, "--range 101 needs 101 subordinate UIDs but only 100 are "
					"usable in /etc/subuid (1000000-1000000, 1001000-1001000"));
	assert_true(strlen(err.msg) < sizeof err.msg);
	unc_subid_list_free(&l);
}

static void test_extent_limit_in_planner(void **state)
{
	/* 400 scattered one-ID ranges: the 341st extent is refused */
	struct unc_subid_list l = {0};
	struct idmap_plan plan;
	struct unc_error err;
	uint64_t i;

	snprintf(l.source, sizeof l.source, "/etc/subuid");
	for (i = 0; i < 400; i++)
		assert_int_equal(unc_subid_list_add(&l, 200000 + i * 2, 1), 0);
	assert_int_equal(unc_idmap_plan_range(&plan, 340, UNC_MAP_ROOT_SUB, SELF, &l, uids, &err),
			 0);
	assert_int_equal(plan.n, 340);
	assert_int_equal(unc_idmap_plan_range(&plan, 341, UNC_MAP_ROOT_SUB, SELF, &l, uids, &err),
			 -E2BIG);
	assert_string_equal(err.msg,
			    "--range: more than 340 extents, the kernel's limit for one map");
	/* with map-root=self, the caller's ID is the first extent */
	assert_int_equal(unc_idmap_plan_range(&plan, 340, UNC_MAP_ROOT_SELF, SELF, &l, uids, &err),
			 0);
	assert_int_equal(unc_idmap_plan_range(&plan, 341, UNC_MAP_ROOT_SELF, SELF, &l, uids, &err),
			 -E2BIG);
	/* 340 extents of this size are more than 4095 bytes */
	assert_int_equal(unc_idmap_plan_range(&plan, 340, UNC_MAP_ROOT_SUB, SELF, &l, uids, &err),
			 0);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), -E2BIG);
	assert_string_equal(err.msg,
			    "--map-uid: the map is longer than the kernel accepts (4095 bytes)");
	unc_subid_list_free(&l);
}

static void test_extent_limit_in_add(void **state)
{
	struct idmap_plan plan = {.n = 0};
	struct map_extent e = {0, 100000, 1};
	struct unc_error err;
	int i;

	for (i = 0; i < UNC_MAP_MAX_EXTENTS; i++) {
		e.inside = e.outside = (uint64_t)i * 2;
		assert_int_equal(unc_idmap_add(&plan, &e, "--map-gid", &err), 0);
	}
	assert_int_equal(unc_idmap_add(&plan, &e, "--map-gid", &err), -E2BIG);
	assert_string_equal(err.msg,
			    "--map-gid: more than 340 extents, the kernel's limit for one map");
	assert_int_equal(plan.n, 340);
	/* 340 short lines fit in 4095 bytes and pass */
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", gids, &err), 0);
}

static void test_map_size_limit(void **state)
{
	/* 170 lines of 24 bytes and one of 15: exactly 4095 bytes, accepted;
	 * one byte more is refused */
	struct idmap_plan plan = {.n = 0};
	struct unc_error err;
	char buf[8192];
	uint64_t i;

	for (i = 0; i < 170; i++)
		add(&plan, 1000000000 + i * 10, 2000000000 + i * 10, 1 + i % 9);
	add(&plan, 1, 3000000000ULL, 1);
	assert_int_equal(unc_idmap_format(&plan, buf, sizeof buf), 4095);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), 0);
	plan.ext[plan.n - 1].inside = 12;
	assert_int_equal(unc_idmap_format(&plan, buf, sizeof buf), -ENOSPC);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), -E2BIG);
	assert_string_equal(err.msg,
			    "--map-uid: the map is longer than the kernel accepts (4095 bytes)");
}

static void test_overflow_32_bit(void **state)
{
	struct idmap_plan plan = {.n = 0};
	struct unc_error err;

	add(&plan, 4294967000ULL, 100000, 1000);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), -ERANGE);
	assert_string_equal(err.msg, "--map-uid 4294967000:100000:1000: inside UIDs "
				     "4294967000-4294967999 go past 4294967294, the largest UID");

	plan.n = 0;
	add(&plan, 0, 4294967290ULL, 10);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", gids, &err), -ERANGE);
	assert_string_equal(err.msg, "--map-gid 0:4294967290:10: outside GIDs "
				     "4294967290-4294967299 go past 4294967294, the largest GID");

	/* the last valid ID, inside and out, is fine */
	plan.n = 0;
	add(&plan, 4294967294ULL, 4294967294ULL, 1);
	add(&plan, 0, 0, 4294967294ULL);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), 0);

	/* sums that wrap 64 bits are caught too */
	plan.n = 0;
	add(&plan, UINT64_MAX, 0, 2);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), -ERANGE);
	plan.n = 0;
	add(&plan, 0, UINT64_MAX - 1, 5);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), -ERANGE);
}

static void test_empty_and_zero_count(void **state)
{
	struct idmap_plan plan = {.n = 0};
	struct unc_error err;

	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", gids, &err), -EINVAL);
	assert_string_equal(err.msg, "the GID map is empty");
	add(&plan, 5, 100000, 0);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), -EINVAL);
	assert_string_equal(err.msg, "--map-uid 5:100000:0: COUNT must be at least 1");
}

static void test_overlaps(void **state)
{
	struct idmap_plan plan = {.n = 0};
	struct unc_error err;

	add(&plan, 0, 100000, 10);
	add(&plan, 5, 100020, 1);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), -EINVAL);
	assert_string_equal(err.msg, "--map-uid: inside UIDs overlap: 0-9 and 5-5");

	plan.n = 0;
	add(&plan, 0, 100000, 10);
	add(&plan, 20, 100005, 10);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", gids, &err), -EINVAL);
	assert_string_equal(err.msg, "--map-gid: outside GIDs overlap: 100000-100009 and "
				     "100005-100014");

	/* far apart in the list, one containing the other */
	plan.n = 0;
	add(&plan, 1000, 200000, 100);
	add(&plan, 0, 100000, 10);
	add(&plan, 10, 100010, 10);
	add(&plan, 1050, 300000, 1);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), -EINVAL);
	assert_string_equal(err.msg, "--map-uid: inside UIDs overlap: 1000-1099 and 1050-1050");

	/* touching is not overlapping */
	plan.n = 0;
	add(&plan, 0, 100000, 10);
	add(&plan, 10, 100010, 10);
	add(&plan, 20, 99990, 10);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 1, NULL, "alice", uids, &err), 0);
}

static void test_ownership(void **state)
{
	const uint64_t r[] = {100000, 65536, 165536, 100};
	struct unc_subid_list l = make_list("/etc/subuid", r, 2);
	struct unc_subid_list none = {0};
	struct idmap_plan plan = {.n = 0};
	struct unc_error err;

	/* the caller's own ID as an extent of one */
	add(&plan, 0, SELF, 1);
	add(&plan, 1, 100000, 65536);
	add(&plan, 65537, 165536, 100); /* across two adjacent ranges is fine */
	unc_error_clear(&err);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), 0);
	plan.n = 0;
	add(&plan, 0, 165000, 600);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), 0);

	/* the caller's own ID inside a wider extent */
	plan.n = 0;
	add(&plan, 0, SELF - 1, 3);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), -EPERM);
	assert_string_equal(err.msg, "--map-uid 0:1000:3: outside UIDs 1000-1002 include your own "
				     "UID 1001, which may only be mapped on its own, as IN:1001:1");
	plan.n = 0;
	add(&plan, 7, SELF, 2);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", gids, &err), -EPERM);
	assert_string_equal(err.msg, "--map-gid 7:1001:2: outside GIDs 1001-1002 include your own "
				     "GID 1001, which may only be mapped on its own, as IN:1001:1");

	/* not delegated */
	plan.n = 0;
	add(&plan, 0, 900000, 10);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), -EPERM);
	assert_string_equal(err.msg, "--map-uid 0:900000:10: outside UIDs 900000-900009 are not "
				     "delegated to alice in /etc/subuid (alice has: 100000-165535, "
				     "165536-165635)");
	/* partly delegated */
	plan.n = 0;
	add(&plan, 0, 165630, 10);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), -EPERM);
	assert_non_null(strstr(err.msg, "outside UIDs 165630-165639 are not delegated to alice"));
	/* one ID next to the caller's */
	plan.n = 0;
	add(&plan, 0, SELF + 1, 1);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), -EPERM);
	/* nothing delegated at all */
	snprintf(none.source, sizeof none.source, "/etc/subgid");
	plan.n = 0;
	add(&plan, 0, 100000, 1);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &none, "bob", gids, &err), -EPERM);
	assert_string_equal(err.msg, "--map-gid 0:100000:1: outside GIDs 100000-100000 are not "
				     "delegated to bob in /etc/subgid (bob has: none)");
	/* root may map anything */
	plan.n = 0;
	add(&plan, 0, 0, 4294967294ULL);
	assert_int_equal(unc_idmap_validate(&plan, 0, 1, &none, "root", uids, &err), 0);
	unc_subid_list_free(&l);
}

static void test_own_id_inside_delegated_range(void **state)
{
	/* If the caller's own ID is also delegated to it, newuidmap accepts
	 * an extent holding it, and so do we. */
	const uint64_t r[] = {1000, 10};
	struct unc_subid_list l = make_list("/etc/subuid", r, 1);
	struct idmap_plan plan = {.n = 0};
	struct unc_error err;

	add(&plan, 0, 1000, 10);
	assert_int_equal(unc_idmap_validate(&plan, SELF, 0, &l, "alice", uids, &err), 0);
	unc_subid_list_free(&l);
}

static void assert_extent(const char *spec, uint64_t in, uint64_t out, uint64_t count)
{
	struct map_extent e;
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_idmap_parse_extent(spec, &e, "--map-uid", &err), 0);
	assert_int_equal(e.inside, in);
	assert_int_equal(e.outside, out);
	assert_int_equal(e.count, count);
}

/* A number out of bounds passes numparse's -ERANGE on; the rest is -EINVAL. */
static void assert_bad_extent(const char *spec, const char *msg)
{
	struct map_extent e;
	struct unc_error err;
	int want = strstr(msg, "is out of range") ? -ERANGE : -EINVAL;

	unc_error_clear(&err);
	assert_int_equal(unc_idmap_parse_extent(spec, &e, "--map-uid", &err), want);
	assert_int_equal(err.errnum, -want);
	assert_string_equal(err.msg, msg);
}

static void test_parse_extent(void **state)
{
	assert_extent("0:100000:65536", 0, 100000, 65536);
	assert_extent("0:1001:1", 0, 1001, 1);
	assert_extent("4294967294:4294967294:4294967294", 4294967294ULL, 4294967294ULL,
		      4294967294ULL);
	assert_extent("007:0100:010", 7, 100, 10); /* decimal, leading zeros */
}

static void test_parse_extent_bad(void **state)
{
	assert_bad_extent("", "--map-uid: '' is not IN:OUT:COUNT");
	assert_bad_extent("1", "--map-uid: '1' is not IN:OUT:COUNT");
	assert_bad_extent("1:2", "--map-uid: '1:2' is not IN:OUT:COUNT");
	assert_bad_extent("1:2:3:4", "--map-uid: '1:2:3:4' is not IN:OUT:COUNT");
	assert_bad_extent("1:2:3:", "--map-uid: '1:2:3:' is not IN:OUT:COUNT");
	assert_bad_extent(":1:1", "--map-uid :1:1: IN: empty value, expected a number");
	assert_bad_extent("0::1", "--map-uid 0::1: OUT: empty value, expected a number");
	assert_bad_extent("0:1:", "--map-uid 0:1:: COUNT: empty value, expected a number");
	assert_bad_extent("::", "--map-uid ::: IN: empty value, expected a number");
	assert_bad_extent("0:100000:0", "--map-uid 0:100000:0: COUNT: 0 is out of range "
					"(1-4294967294)");
	assert_bad_extent("-1:100000:1", "--map-uid -1:100000:1: IN: '-1' is not a non-negative "
					 "decimal number");
	assert_bad_extent("0:-100000:1", "--map-uid 0:-100000:1: OUT: '-100000' is not a "
					 "non-negative decimal number");
	assert_bad_extent("0:100000:-1", "--map-uid 0:100000:-1: COUNT: '-1' is not a "
					 "non-negative decimal number");
	assert_bad_extent("4294967295:0:1", "--map-uid 4294967295:0:1: IN: 4294967295 is out of "
					    "range (0-4294967294)");
	assert_bad_extent("0:4294967295:1", "--map-uid 0:4294967295:1: OUT: 4294967295 is out of "
					    "range (0-4294967294)");
	assert_bad_extent("0:1:4294967295", "--map-uid 0:1:4294967295: COUNT: 4294967295 is out "
					    "of range (1-4294967294)");
	assert_bad_extent("0:99999999999999999999999:1",
			  "--map-uid 0:99999999999999999999999:1: OUT: 99999999999999999999999 "
			  "is out of range (0-4294967294)");
	assert_bad_extent(" 0:1:1", "--map-uid  0:1:1: IN: ' 0' is not a non-negative decimal "
				    "number");
	assert_bad_extent("0 :1:1", "--map-uid 0 :1:1: IN: '0 ' is not a non-negative decimal "
				    "number");
	assert_bad_extent("0: 1:1", "--map-uid 0: 1:1: OUT: ' 1' is not a non-negative decimal "
				    "number");
	assert_bad_extent("0:1:1 ", "--map-uid 0:1:1 : COUNT: '1 ' is not a non-negative decimal "
				    "number");
	assert_bad_extent("0:1:1\n", "--map-uid 0:1:1\n: COUNT: '1\n' is not a non-negative "
				     "decimal number");
	assert_bad_extent("0x10:1:1", "--map-uid 0x10:1:1: IN: '0x10' is not a non-negative "
				      "decimal number");
	assert_bad_extent("+1:1:1", "--map-uid +1:1:1: IN: '+1' is not a non-negative decimal "
				    "number");
	assert_bad_extent("a:b:c", "--map-uid a:b:c: IN: 'a' is not a non-negative decimal number");
}

static void test_parse_extent_too_long(void **state)
{
	char spec[200];

	memset(spec, '1', sizeof spec);
	spec[199] = '\0';
	assert_bad_extent(spec, "--map-uid: '1111111111111111111111111111111111111111...' is too "
				"long, expected IN:OUT:COUNT");
	/* 95 characters still parse, 96 do not */
	memset(spec, '0', 96);
	spec[1] = ':';
	spec[3] = ':';
	spec[94] = '1';
	spec[95] = '\0';
	assert_extent(spec, 0, 0, 1);
	spec[95] = '1';
	spec[96] = '\0';
	assert_bad_extent(spec, "--map-uid: '0:0:000000000000000000000000000000000000...' is too "
				"long, expected IN:OUT:COUNT");
}

static void test_format(void **state)
{
	struct idmap_plan plan = {.n = 0};
	char buf[64], small[10];

	assert_int_equal(unc_idmap_format(&plan, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	add(&plan, 0, 1001, 1);
	add(&plan, 1, 100000, 65535);
	assert_int_equal(unc_idmap_format(&plan, buf, sizeof buf), 24);
	assert_string_equal(buf, "0 1001 1\n1 100000 65535\n");
	assert_true(unc_idmap_format(&plan, small, sizeof small) < 0);
	assert_true(unc_idmap_format(&plan, buf, 24) < 0);
	assert_int_equal(unc_idmap_format(&plan, buf, 25), 24);
	assert_true(unc_idmap_format(&plan, buf, 0) < 0);
}

static void test_parse_proc(void **state)
{
	struct idmap_plan plan;
	struct unc_error err;
	char *text;
	size_t i, used = 0;

	/* as the kernel prints it */
	assert_int_equal(unc_idmap_parse_proc("         0       1001          1\n"
					      "         1     100000      65535\n",
					      &plan, &err),
			 0);
	assert_int_equal(plan.n, 2);
	assert_string_equal(text_of(&plan), "0 1001 1\n1 100000 65535\n");
	assert_int_equal(unc_idmap_total(&plan), 65536);
	assert_true(unc_idmap_maps_inside(&plan, 0));
	assert_true(unc_idmap_maps_inside(&plan, 65535));
	assert_false(unc_idmap_maps_inside(&plan, 65536));

	/* the initial namespace */
	assert_int_equal(unc_idmap_parse_proc("         0          0 4294967295\n", &plan, &err),
			 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.ext[0].count, 4294967295ULL);

	assert_int_equal(unc_idmap_parse_proc("", &plan, &err), 0);
	assert_int_equal(plan.n, 0);
	assert_int_equal(unc_idmap_parse_proc("\n\n", &plan, &err), 0);
	assert_int_equal(plan.n, 0);
	/* it stops at what is not a map line */
	assert_int_equal(unc_idmap_parse_proc("0 1 2\nx\n5 6 7\n", &plan, &err), 0);
	assert_int_equal(plan.n, 1);
	/* no final newline */
	assert_int_equal(unc_idmap_parse_proc("0 1 2\n3 4 5", &plan, &err), 0);
	assert_int_equal(plan.n, 2);

	/* more lines than the kernel ever writes */
	text = malloc(341 * 16);
	assert_non_null(text);
	for (i = 0; i < 341; i++)
		used += (size_t)snprintf(text + used, 341 * 16 - used, "%zu %zu 1\n", i, i);
	assert_int_equal(unc_idmap_parse_proc(text, &plan, &err), -E2BIG);
	assert_string_equal(err.msg, "uid_map: more than 340 extents, the kernel's limit for one "
				     "map");
	free(text);
}

static void test_describe_inside(void **state)
{
	const uint64_t r[] = {100000, 65536};
	struct unc_subid_list l = make_list("/etc/subuid", r, 1);
	struct idmap_plan plan = {.n = 0};
	char buf[128], tiny[6];

	unc_idmap_describe_inside(&plan, buf, sizeof buf);
	assert_string_equal(buf, "nothing");

	plan_ok(&plan, 65536, UNC_MAP_ROOT_SELF, SELF, &l);
	unc_idmap_describe_inside(&plan, buf, sizeof buf);
	assert_string_equal(buf, "0-65535");

	plan.n = 0;
	add(&plan, 70000, 200000, 1);
	add(&plan, 0, SELF, 1);
	unc_idmap_describe_inside(&plan, buf, sizeof buf);
	assert_string_equal(buf, "0, 70000");

	/* sorted and merged, whatever the order of the map */
	plan.n = 0;
	add(&plan, 100, 300000, 10);
	add(&plan, 5, 200005, 5);
	add(&plan, 0, 200000, 5);
	add(&plan, 1000, 400000, 1);
	add(&plan, 110, 500000, 2);
	unc_idmap_describe_inside(&plan, buf, sizeof buf);
	assert_string_equal(buf, "0-9, 100-111, 1000");

	/* a small buffer is cut short and stays a string */
	unc_idmap_describe_inside(&plan, tiny, sizeof tiny);
	assert_string_equal(tiny, "0-9, ");
	unc_subid_list_free(&l);
}

/* Pseudo-random lists of ranges: every plan that succeeds maps exactly
 * `range` IDs, never an outside ID twice, the caller's own ID only at 0
 * (map-root=self) or as an ordinary delegated ID, and passes the same
 * checks newuidmap and the kernel apply. */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? rng_state % n : 0;
}

static void test_planner_properties(void **state)
{
	int round;

	for (round = 0; round < 3000; round++) {
		struct unc_subid_list l = {0};
		struct idmap_plan plan;
		struct unc_error err;
		size_t nr = (size_t)rnd(6), i, j;
		uint64_t self = 1000 + rnd(40), range = 1 + rnd(120);
		enum unc_map_root root = rnd(2) ? UNC_MAP_ROOT_SELF : UNC_MAP_ROOT_SUB;

		snprintf(l.source, sizeof l.source, "/etc/subuid");
		for (i = 0; i < nr; i++)
			assert_int_equal(unc_subid_list_add(&l, 990 + rnd(60), rnd(40)), 0);
		if (unc_idmap_plan_range(&plan, range, root, self, &l, uids, &err) < 0) {
			assert_int_equal(err.errnum, ERANGE);
			unc_subid_list_free(&l);
			continue;
		}
		assert_int_equal(unc_idmap_total(&plan), range);
		for (i = 0; i < plan.n; i++) {
			const struct map_extent *e = &plan.ext[i];
			assert_true(e->count > 0);
			if (root == UNC_MAP_ROOT_SELF && i == 0) {
				assert_int_equal(e->inside, 0);
				assert_int_equal(e->outside, self);
				assert_int_equal(e->count, 1);
			} else {
				assert_true(unc_subid_list_covers(&l, e->outside, e->count));
				if (root == UNC_MAP_ROOT_SELF)
					assert_false(self >= e->outside &&
						     self < e->outside + e->count);
			}
			for (j = i + 1; j < plan.n; j++)
				assert_false(e->outside < plan.ext[j].outside + plan.ext[j].count &&
					     plan.ext[j].outside < e->outside + e->count);
		}
		unc_error_clear(&err);
		if (unc_idmap_validate(&plan, self, 0, &l, "alice", uids, &err) != 0)
			fail_msg("round %d: %s", round, err.msg);
		unc_subid_list_free(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_range_map_root_self),
	    cmocka_unit_test(test_range_map_root_sub),
	    cmocka_unit_test(test_range_one_is_only_self),
	    cmocka_unit_test(test_ranges_used_in_order),
	    cmocka_unit_test(test_range_up_to_the_last_id),
	    cmocka_unit_test(test_range_overflowing_uint64),
	    cmocka_unit_test(test_range_wrapping_64_bits),
	    cmocka_unit_test(test_self_inside_own_range),
	    cmocka_unit_test(test_self_is_a_whole_range),
	    cmocka_unit_test(test_self_in_several_ranges),
	    cmocka_unit_test(test_too_few_ids),
	    cmocka_unit_test(test_too_few_ids_many_ranges),
	    cmocka_unit_test(test_extent_limit_in_planner),
	    cmocka_unit_test(test_extent_limit_in_add),
	    cmocka_unit_test(test_map_size_limit),
	    cmocka_unit_test(test_overflow_32_bit),
	    cmocka_unit_test(test_empty_and_zero_count),
	    cmocka_unit_test(test_overlaps),
	    cmocka_unit_test(test_ownership),
	    cmocka_unit_test(test_own_id_inside_delegated_range),
	    cmocka_unit_test(test_parse_extent),
	    cmocka_unit_test(test_parse_extent_bad),
	    cmocka_unit_test(test_parse_extent_too_long),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_parse_proc),
	    cmocka_unit_test(test_describe_inside),
	    cmocka_unit_test(test_planner_properties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
