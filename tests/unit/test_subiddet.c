/* subiddet: upstream shadow's deterministic ranges, refusals and all. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "subiddet.h"

static const struct unc_subid_rule classic = {1000, 100000, 600100000, 65536, 1, 0};

static void formula(void **state)
{
	uint64_t start;

	/* the table of shadow's login.defs(5) */
	assert_int_equal(unc_subid_deterministic(&classic, UNC_SUBUID, 1000, 0, &start, NULL), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(unc_subid_deterministic(&classic, UNC_SUBUID, 1001, 0, &start, NULL), 0);
	assert_int_equal(start, 165536);
	assert_int_equal(unc_subid_deterministic(&classic, UNC_SUBUID, 1100, 0, &start, NULL), 0);
	assert_int_equal(start, 6653600);
	/* the last slot that fits: (600100000 - 100000 + 1) / 65536 = 9155 slots */
	assert_int_equal(
	    unc_subid_deterministic(&classic, UNC_SUBUID, 1000 + 9154, 0, &start, NULL), 0);
	assert_int_equal(start, 100000 + 9154ull * 65536);
	assert_true(start + 65536 - 1 <= 600100000);
}

static void refusals(void **state)
{
	struct unc_subid_rule r = classic;
	struct unc_error err;
	uint64_t start = 7;

	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000 + 9155, 0, &start, &err),
			 -ERANGE);
	assert_string_equal(err.msg, "Deterministic subordinate UID range for UID 10155 exceeds "
				     "SUB_UID_MAX (600100000)");
	assert_int_equal(start, 7);
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBGID, 999, 0, &start, &err), -ERANGE);
	assert_string_equal(err.msg, "UID 999 is less than UID_MIN 1000, cannot calculate "
				     "deterministic subordinate GIDs");
	r.count = 0;
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000, 0, &start, &err), -EINVAL);
	assert_string_equal(err.msg, "Invalid configuration: SUB_UID_MIN (100000), SUB_UID_MAX "
				     "(600100000), SUB_UID_COUNT (0)");
	r = classic;
	r.max = r.min + 100;
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000, 0, &start, &err), -ERANGE);
	assert_string_equal(err.msg,
			    "Not enough space for any subordinate UIDs (SUB_UID_MIN=100000, "
			    "SUB_UID_MAX=100100, SUB_UID_COUNT=65536)");
	r = classic;
	r.min = 0;
	r.max = UINT64_MAX;
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000, 0, &start, &err), -ERANGE);
	assert_string_equal(err.msg, "SUB_UID range [0, 18446744073709551615] is too large to "
				     "represent");
}

static void never_4294967295(void **state)
{
	/* upstream's deterministic defaults: 65536..4294967295 */
	struct unc_subid_rule r = {1000, 65536, 4294967295u, 65536, 1, 0};
	struct unc_error err;
	uint64_t start;

	/* 65535 slots; the last, 4294901760-4294967295, holds (uid_t)-1 */
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000 + 65533, 0, &start, NULL), 0);
	assert_int_equal(start, 4294836224u);
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000 + 65534, 0, &start, &err),
			 -ERANGE);
	assert_string_equal(err.msg, "Deterministic subordinate UID range for UID 66534 "
				     "(4294901760-4294967295) contains 4294967295, which newuidmap "
				     "refuses");
}

static void wrap_only_when_asked(void **state)
{
	struct unc_subid_rule r = classic;
	struct unc_error err;
	uint64_t start;

	r.wrap = 1;
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000, 0, &start, &err), -EPERM);
	assert_string_equal(err.msg,
			    "UNSAFE_SUB_UID_DETERMINISTIC_WRAP is yes: ranges may overlap, "
			    "which lets one user's namespace own another's files");
	/* slot 9155 wraps to 0: the same range as UID 1000 */
	assert_int_equal(unc_subid_deterministic(&r, UNC_SUBUID, 1000 + 9155, 1, &start, NULL), 0);
	assert_int_equal(start, 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(formula),
	    cmocka_unit_test(refusals),
	    cmocka_unit_test(never_4294967295),
	    cmocka_unit_test(wrap_only_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
