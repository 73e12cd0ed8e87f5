/* subidalloc: first fit, gaps, boundaries, real IDs, exhaustion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>

#include "subidalloc.h"

static uint64_t fit(struct unc_subid_alloc *a, uint64_t min, uint64_t max, uint64_t count)
{
	uint64_t start = 0;
	assert_int_equal(unc_subid_alloc_first_fit(a, min, max, count, &start, NULL), 0);
	return start;
}

static void empty_space_starts_at_min(void **state)
{
	struct unc_subid_alloc a;

	unc_subid_alloc_init(&a);
	assert_int_equal(fit(&a, 100000, 600100000, 65536), 100000);
	assert_int_equal(fit(&a, 100000, 600100000, 65536), 165536);
	unc_subid_alloc_free(&a);
}

static void gaps_are_reused_first(void **state)
{
	struct unc_subid_alloc a;

	unc_subid_alloc_init(&a);
	/* alice 100000:65536, (deleted user's gap 165536:65536), carol after */
	unc_subid_alloc_use(&a, 100000, 65536, NULL);
	unc_subid_alloc_use(&a, 231072, 65536, NULL);
	assert_int_equal(fit(&a, 100000, 600100000, 65536), 165536);
	assert_int_equal(fit(&a, 100000, 600100000, 65536), 296608);
	unc_subid_alloc_free(&a);
}

static void too_small_gap_is_skipped(void **state)
{
	struct unc_subid_alloc a;

	unc_subid_alloc_init(&a);
	unc_subid_alloc_use(&a, 100000, 10, NULL);
	unc_subid_alloc_use(&a, 100020, 10, NULL); /* gap of 10 at 100010 */
	assert_int_equal(fit(&a, 100000, 600100000, 11), 100030);
	/* a smaller request goes back to the gap */
	assert_int_equal(fit(&a, 100000, 600100000, 10), 100010);
	unc_subid_alloc_free(&a);
}

static void unsorted_and_overlapping_input(void **state)
{
	struct unc_subid_alloc a;

	unc_subid_alloc_init(&a);
	unc_subid_alloc_use(&a, 300000, 100, NULL);
	unc_subid_alloc_use(&a, 100000, 250000, NULL); /* swallows the one above */
	unc_subid_alloc_use(&a, 100050, 10, NULL);
	assert_int_equal(fit(&a, 100000, 600100000, 5), 350000);
	unc_subid_alloc_free(&a);
}

static void real_ids_are_avoided(void **state)
{
	struct unc_subid_alloc a;

	unc_subid_alloc_init(&a);
	unc_subid_alloc_use(&a, 65534, 1, NULL);  /* nobody */
	unc_subid_alloc_use(&a, 100500, 1, NULL); /* a user with a high UID */
	assert_int_equal(fit(&a, 60000, 600100000, 1000), 60000);
	assert_int_equal(fit(&a, 60000, 600100000, 10000), 65535);
	assert_int_equal(fit(&a, 100000, 600100000, 65536), 100501);
	unc_subid_alloc_free(&a);
}

static void boundaries_are_inclusive(void **state)
{
	struct unc_subid_alloc a;
	uint64_t start;

	unc_subid_alloc_init(&a);
	/* exactly fills [10, 19] */
	assert_int_equal(fit(&a, 10, 19, 10), 10);
	assert_int_equal(unc_subid_alloc_first_fit(&a, 10, 19, 1, &start, NULL), -ENOSPC);
	unc_subid_alloc_free(&a);

	unc_subid_alloc_init(&a);
	unc_subid_alloc_use(&a, 10, 5, NULL);
	assert_int_equal(fit(&a, 10, 19, 5), 15);
	unc_subid_alloc_free(&a);

	/* the very top of the ID space */
	unc_subid_alloc_init(&a);
	assert_int_equal(fit(&a, 4294967295ULL - 65536, 4294967294ULL, 65536),
			 4294967295ULL - 65536);
	unc_subid_alloc_free(&a);
}

static void exhaustion(void **state)
{
	struct unc_subid_alloc a;
	struct unc_error err;
	uint64_t start;
	int i;

	unc_subid_alloc_init(&a);
	for (i = 0; i < 4; i++)
		fit(&a, 100000, 100000 + 4 * 65536 - 1, 65536);
	assert_int_equal(
	    unc_subid_alloc_first_fit(&a, 100000, 100000 + 4 * 65536 - 1, 65536, &start, &err),
	    -ENOSPC);
	assert_string_equal(err.msg, "no free range of 65536 IDs in 100000-362143");
	assert_int_equal(unc_subid_alloc_first_fit(&a, 100000, 362143, 0, &start, &err), -EINVAL);
	assert_int_equal(unc_subid_alloc_first_fit(&a, 5, 4, 1, &start, &err), -EINVAL);
	unc_subid_alloc_free(&a);
}

static void overlaps_query(void **state)
{
	struct unc_subid_alloc a;

	unc_subid_alloc_init(&a);
	unc_subid_alloc_use(&a, 100, 10, NULL);
	assert_true(unc_subid_alloc_overlaps(&a, 95, 6));
	assert_false(unc_subid_alloc_overlaps(&a, 95, 5));
	assert_true(unc_subid_alloc_overlaps(&a, 109, 1));
	assert_false(unc_subid_alloc_overlaps(&a, 110, 100));
	assert_int_equal(fit(&a, 100, 1000, 5), 110);
	assert_true(unc_subid_alloc_overlaps(&a, 112, 1)); /* a fresh allocation counts */
	assert_int_equal(fit(&a, 100, 1000, 5), 115);
	unc_subid_alloc_free(&a);
}

static void many_allocations_are_one_sweep(void **state)
{
	struct unc_subid_alloc a;
	uint64_t i;

	unc_subid_alloc_init(&a);
	for (i = 0; i < 50000; i++)
		unc_subid_alloc_use(&a, 1000 + i, 1, NULL); /* 50,000 real UIDs */
	for (i = 0; i < 50000; i++)
		assert_int_equal(fit(&a, 100000, 4294967294ULL, 65536), 100000 + i * 65536);
	unc_subid_alloc_free(&a);
}

static void pairs_start_where_both_are_free(void **state)
{
	struct unc_subid_alloc a, b;
	uint64_t start = 0;
	int i;

	(void)state;
	unc_subid_alloc_init(&a);
	unc_subid_alloc_init(&b);
	unc_subid_alloc_use(&a, 100, 100, NULL); /* a: 100-199 */
	unc_subid_alloc_use(&b, 200, 100, NULL); /* b: 200-299 */
	/* 0-99 is free in both */
	assert_int_equal(unc_subid_alloc_first_fit_pair(&a, &b, 0, 1000, 50, &start, NULL), 0);
	assert_int_equal(start, 0);
	/* 150: too big below 100 in a, 200-299 taken in b */
	assert_int_equal(unc_subid_alloc_first_fit_pair(&a, &b, 0, 1000, 150, &start, NULL), 0);
	assert_int_equal(start, 300);
	assert_true(unc_subid_alloc_overlaps(&a, 300, 1));
	assert_true(unc_subid_alloc_overlaps(&b, 449, 1));
	/* the sweep goes on, and single allocations see the pairs */
	for (i = 0; i < 3; i++)
		assert_int_equal(unc_subid_alloc_first_fit_pair(&a, &b, 0, 1000, 150, &start, NULL),
				 0);
	assert_int_equal(start, 750);
	assert_int_equal(unc_subid_alloc_first_fit_pair(&a, &b, 0, 1000, 150, &start, NULL),
			 -ENOSPC);
	assert_int_equal(unc_subid_alloc_first_fit(&a, 0, 1000, 50, &start, NULL), 0);
	assert_int_equal(start, 50);
	assert_int_equal(unc_subid_alloc_first_fit(&b, 0, 1000, 100, &start, NULL), 0);
	assert_int_equal(start, 50); /* b: 50-199 is free */
	unc_subid_alloc_free(&a);
	unc_subid_alloc_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(empty_space_starts_at_min),
	    cmocka_unit_test(gaps_are_reused_first),
	    cmocka_unit_test(too_small_gap_is_skipped),
	    cmocka_unit_test(unsorted_and_overlapping_input),
	    cmocka_unit_test(real_ids_are_avoided),
	    cmocka_unit_test(boundaries_are_inclusive),
	    cmocka_unit_test(exhaustion),
	    cmocka_unit_test(overlaps_query),
	    cmocka_unit_test(many_allocations_are_one_sweep),
	    cmocka_unit_test(pairs_start_where_both_are_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
