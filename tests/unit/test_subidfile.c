/* subidfile: every byte an edit did not mean to change comes out as it
 * went in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "subidfile.h"

static void parse(struct unc_subid_file *f, const char *text)
{
	char *buf = strdup(text);
	assert_non_null(buf);
	assert_int_equal(unc_subid_file_parse(f, buf, strlen(text), NULL), 0);
}

static char *serialise(const struct unc_subid_file *f)
{
	char *out;
	size_t len;
	assert_int_equal(unc_subid_file_serialise(f, &out, &len, NULL), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

/* Odd spacing, CRLF, comments, garbage, no final newline: unchanged. */
static const char odd[] = "# site ranges\r\n"
			  "alice:100000:65536\n"
			  "\n"
			  "  bob : 0x30d40 :070000:extra\n"
			  "garbage without colons\n"
			  "carol:300000:1000\r\n"
			  "dave:1000:70000";

static void untouched_file_round_trips(void **state)
{
	struct unc_subid_file f;
	char *out;

	parse(&f, odd);
	assert_int_equal(f.n, 7);
	assert_true(f.lines[1].parsed);
	assert_false(f.lines[4].parsed);
	assert_false(f.lines[6].has_newline);
	out = serialise(&f);
	assert_string_equal(out, odd);
	free(out);
	unc_subid_file_free(&f);
}

static void delete_keeps_every_other_byte(void **state)
{
	struct unc_subid_file f;
	char *out;

	parse(&f, odd);
	unc_subid_file_delete(&f, 1); /* alice */
	out = serialise(&f);
	assert_string_equal(out, "# site ranges\r\n"
				 "\n"
				 "  bob : 0x30d40 :070000:extra\n"
				 "garbage without colons\n"
				 "carol:300000:1000\r\n"
				 "dave:1000:70000");
	free(out);
	unc_subid_file_free(&f);
}

static void append_after_missing_newline(void **state)
{
	struct unc_subid_file f;
	char *out, *diff;
	size_t len;

	parse(&f, odd);
	assert_int_equal(unc_subid_file_append(&f, "erin", 400000, 100, NULL), 0);
	out = serialise(&f);
	/* the one forced change: the last line gains its newline */
	assert_int_equal(strncmp(out, odd, sizeof odd - 1), 0);
	assert_string_equal(out + sizeof odd - 1, "\nerin:400000:100\n");
	free(out);
	assert_int_equal(unc_subid_file_diff(&f, "subuid", &diff, &len, NULL), 0);
	assert_string_equal(diff, "--- subuid\n+++ subuid\n"
				  "@@ -7,1 +7,2 @@\n"
				  "-dave:1000:70000\n"
				  "\\ No newline at end of file\n"
				  "+dave:1000:70000\n"
				  "+erin:400000:100\n");
	free(diff);
	unc_subid_file_free(&f);
}

static void delete_last_unterminated_line(void **state)
{
	struct unc_subid_file f;
	char *out;

	parse(&f, "a:1:2\nb:3:4");
	unc_subid_file_delete(&f, 1);
	out = serialise(&f);
	assert_string_equal(out, "a:1:2\n");
	free(out);
	unc_subid_file_free(&f);
}

static void diff_of_deletions_and_addition(void **state)
{
	struct unc_subid_file f;
	char *diff;
	size_t len;

	parse(&f, "a:1:1\nb:2:1\nc:3:1\nd:4:1\n");
	unc_subid_file_delete(&f, 1);
	unc_subid_file_delete(&f, 2);
	assert_int_equal(unc_subid_file_append(&f, "e", 5, 1, NULL), 0);
	assert_int_equal(unc_subid_file_diff(&f, "f", &diff, &len, NULL), 0);
	assert_string_equal(diff, "--- f\n+++ f\n"
				  "@@ -2,2 +1,0 @@\n-b:2:1\n-c:3:1\n"
				  "@@ -4,0 +3,1 @@\n+e:5:1\n");
	free(diff);
	unc_subid_file_free(&f);
}

static void no_change_no_diff(void **state)
{
	struct unc_subid_file f;
	char *diff;
	size_t len;

	parse(&f, "a:1:1\n");
	assert_int_equal(unc_subid_file_diff(&f, "f", &diff, &len, NULL), 0);
	assert_int_equal(len, 0);
	free(diff);
	unc_subid_file_free(&f);
}

static void empty_file(void **state)
{
	struct unc_subid_file f;
	char *out;

	parse(&f, "");
	assert_int_equal(f.n, 0);
	assert_int_equal(unc_subid_file_append(&f, "alice", 100000, 65536, NULL), 0);
	out = serialise(&f);
	assert_string_equal(out, "alice:100000:65536\n");
	free(out);
	unc_subid_file_free(&f);
}

static void owner_names(void **state)
{
	struct unc_error err;
	char long_name[UNC_SUBID_OWNER_MAX + 2];

	assert_int_equal(unc_subid_owner_valid("alice", &err), 0);
	assert_true(unc_subid_owner_valid("", &err) < 0);
	assert_string_equal(err.msg, "is empty");
	assert_true(unc_subid_owner_valid("a:b", &err) < 0);
	assert_string_equal(err.msg, "contains ':'");
	assert_true(unc_subid_owner_valid("a\nb", &err) < 0);
	assert_string_equal(err.msg, "contains a newline");
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_true(unc_subid_owner_valid(long_name, &err) < 0);
	long_name[UNC_SUBID_OWNER_MAX] = '\0';
	assert_int_equal(unc_subid_owner_valid(long_name, &err), 0);
}

static void added_lines_parse(void **state)
{
	struct unc_subid_file f;

	parse(&f, "");
	assert_int_equal(unc_subid_file_append(&f, "bob", 4294901759ULL, 65536, NULL), 0);
	assert_true(f.lines[0].parsed);
	assert_int_equal(f.lines[0].entry.start, 4294901759ULL);
	assert_true(unc_subid_file_append(&f, "x:y", 1, 1, NULL) < 0);
	unc_subid_file_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(untouched_file_round_trips),
	    cmocka_unit_test(delete_keeps_every_other_byte),
	    cmocka_unit_test(append_after_missing_newline),
	    cmocka_unit_test(delete_last_unterminated_line),
	    cmocka_unit_test(diff_of_deletions_and_addition),
	    cmocka_unit_test(no_change_no_diff),
	    cmocka_unit_test(empty_file),
	    cmocka_unit_test(owner_names),
	    cmocka_unit_test(added_lines_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
