/* test_numparse.c: numbers from the command line (lib/core/numparse.c). The
 * messages are what uncmap prints after "uncmap: ". */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "numparse.h"

static void assert_number(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	struct unc_error err;
	uint64_t v = 12345;

	unc_error_clear(&err);
	assert_int_equal(unc_parse_u64(s, min, max, &v, "--range", &err), 0);
	assert_int_equal(v, want);
	assert_string_equal(err.msg, "");
}

static void assert_refused(const char *s, uint64_t min, uint64_t max, int code, const char *msg)
{
	struct unc_error err;
	uint64_t v = 12345;

	unc_error_clear(&err);
	assert_int_equal(unc_parse_u64(s, min, max, &v, "--range", &err), code);
	assert_int_equal(err.errnum, -code);
	assert_string_equal(err.msg, msg);
	assert_int_equal(v, 12345); /* untouched */
}

static void test_decimal(void **state)
{
	assert_number("0", 0, 10, 0);
	assert_number("10", 0, 10, 10);
	assert_number("65536", 1, 4294967294ULL, 65536);
	assert_number("4294967294", 1, 4294967294ULL, 4294967294ULL);
	assert_number("007", 0, 10, 7); /* decimal, not octal */
	assert_number("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
}

static void test_not_a_number(void **state)
{
	assert_refused("", 1, 10, -EINVAL, "--range: empty value, expected a number");
	assert_refused(NULL, 1, 10, -EINVAL, "--range: empty value, expected a number");
	assert_refused("abc", 1, 10, -EINVAL,
		       "--range: 'abc' is not a non-negative decimal number");
	assert_refused("-5", 1, 10, -EINVAL, "--range: '-5' is not a non-negative decimal number");
	assert_refused("-0", 0, 10, -EINVAL, "--range: '-0' is not a non-negative decimal number");
	assert_refused("+5", 1, 10, -EINVAL, "--range: '+5' is not a non-negative decimal number");
	assert_refused(" 5", 1, 10, -EINVAL, "--range: ' 5' is not a non-negative decimal number");
	assert_refused("5 ", 1, 10, -EINVAL, "--range: '5 ' is not a non-negative decimal number");
	assert_refused("5\n", 1, 10, -EINVAL,
		       "--range: '5\n' is not a non-negative decimal number");
	assert_refused("0x10", 0, 100, -EINVAL,
		       "--range: '0x10' is not a non-negative decimal number");
	assert_refused("1e3", 0, 10000, -EINVAL,
		       "--range: '1e3' is not a non-negative decimal number");
	assert_refused("1.5", 0, 10, -EINVAL,
		       "--range: '1.5' is not a non-negative decimal number");
}

static void test_out_of_range(void **state)
{
	assert_refused("0", 1, 4294967294ULL, -ERANGE, "--range: 0 is out of range (1-4294967294)");
	assert_refused("4294967295", 1, 4294967294ULL, -ERANGE,
		       "--range: 4294967295 is out of range (1-4294967294)");
	assert_refused("99999999999999999999", 1, 4294967294ULL, -ERANGE,
		       "--range: 99999999999999999999 is out of range (1-4294967294)");
	assert_refused("18446744073709551616", 0, UINT64_MAX, -ERANGE,
		       "--range: 18446744073709551616 is out of range (0-18446744073709551615)");
	assert_refused("3601", 1, 3600, -ERANGE, "--range: 3601 is out of range (1-3600)");
}

static void test_no_error_object(void **state)
{
	uint64_t v = 0;

	assert_int_equal(unc_parse_u64("x", 0, 1, &v, "--range", NULL), -EINVAL);
	assert_int_equal(unc_parse_u64("2", 0, 1, &v, "--range", NULL), -ERANGE);
	assert_int_equal(unc_parse_u64("1", 0, 1, &v, "--range", NULL), 0);
	assert_int_equal(v, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decimal),
	    cmocka_unit_test(test_not_a_number),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_no_error_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
