/* test_error: the error object and the one escaper every message uses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"

static void escape(const char *in, const char *want)
{
	char out[256];

	unc_escape_text(in, out, sizeof out);
	assert_string_equal(out, want);
}

static void test_escape_text(void **state)
{
	escape("plain /path name", "plain /path name");
	escape("a\nb", "a\\nb");
	escape("tab\there\r", "tab\\there\\r");
	escape("\x01\x1b[2J\x7f", "\\x01\\x1b[2J\\x7f");
	/* a backslash is doubled, so "a\nb" typed and a real newline differ */
	escape("a\\nb", "a\\\\nb");
	escape("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
	/* always valid UTF-8: C1 controls, stray and overlong bytes escaped */
	escape("c1\xc2\x9b", "c1\\xc2\\x9b");
	escape("b\xff"
	       "ad",
	       "b\\xff"
	       "ad");
	escape("\xc0\xaf", "\\xc0\\xaf");
	escape("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
	escape("\xe2\x82", "\\xe2\\x82");	   /* cut short */
	escape("", "");
}

static void test_escape_text_truncates_whole_escapes(void **state)
{
	char out[6];

	unc_escape_text("ab\ncd", out, sizeof out);
	assert_string_equal(out, "ab\\nc");
	unc_escape_text("abcd\n", out, sizeof out);
	assert_string_equal(out, "abcd"); /* no half "\n" */
	unc_escape_text("x", out, 0);	  /* size 0 writes nothing */
	unc_escape_text("ab\xc3\xa9", out, 4);
	assert_string_equal(out, "ab"); /* no half character */
}

static void test_escape_bytes_reads_past_nul(void **state)
{
	char out[16];

	unc_escape_bytes("a\0b", 3, out, sizeof out);
	assert_string_equal(out, "a\\x00b");
}

static void test_set_returns_negative_errno(void **state)
{
	struct unc_error err;

	assert_int_equal(unc_error_set(&err, ENOENT, "no %s", "file"), -ENOENT);
	assert_int_equal(err.errnum, ENOENT);
	assert_string_equal(err.msg, "no file");
	assert_int_equal(unc_error_sys(&err, EACCES, "cannot open %s", "x"), -EACCES);
	assert_string_equal(err.msg, "cannot open x: Permission denied");
	assert_int_equal(unc_error_set(NULL, EIO, "nobody listens"), -EIO);
	assert_int_equal(unc_error_set(&err, 0, "not a system error"), -1);
}

static void test_prefix_adds_context(void **state)
{
	struct unc_error err;

	unc_error_set(&err, ENOSPC, "no free range");
	unc_error_prefix(&err, "cannot add %d IDs in %s", 10, "/etc/subuid");
	assert_string_equal(err.msg, "cannot add 10 IDs in /etc/subuid: no free range");
	assert_int_equal(err.errnum, ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_text),
	    cmocka_unit_test(test_escape_text_truncates_whole_escapes),
	    cmocka_unit_test(test_escape_bytes_reads_past_nul),
	    cmocka_unit_test(test_set_returns_negative_errno),
	    cmocka_unit_test(test_prefix_adds_context),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
