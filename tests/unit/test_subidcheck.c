/* test_subidcheck: what subidctl check finds in a subuid or subgid file
 * (lib/admin/subidcheck.c): each line's own problems, and overlaps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "subidcheck.h"

static const char passwd_text[] = "root:x:0:0::/root:/bin/sh\n"
				  "alice:x:2001:2001::/home/alice:/bin/sh\n"
				  "bob:x:2002:2002::/home/bob:/bin/sh\n"
				  "bob2:x:2002:2002::/home/bob:/bin/sh\n"
				  "real:x:170000:170000::/:/bin/sh\n";
static const char group_text[] = "staff:x:300005:\n";

struct fixture {
	struct passwd_db pw;
	struct group_db gr;
	struct unc_user_index ix;
	struct unc_subid_file f;
	struct unc_subid_problems p;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof *x);

	assert_non_null(x);
	assert_int_equal(unc_passwd_parse(passwd_text, strlen(passwd_text), &x->pw, NULL), 0);
	assert_int_equal(unc_group_parse(group_text, strlen(group_text), &x->gr, NULL), 0);
	assert_int_equal(unc_user_index_build(&x->ix, &x->pw, &x->gr, NULL), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	unc_subid_problems_free(&x->p);
	unc_subid_file_free(&x->f);
	unc_user_index_free(&x->ix);
	unc_passwd_free(&x->pw);
	unc_group_free(&x->gr);
	free(x);
	return 0;
}

static void load(struct fixture *x, const char *text)
{
	char *buf = strdup(text);

	assert_non_null(buf);
	unc_subid_problems_free(&x->p);
	unc_subid_file_free(&x->f);
	assert_int_equal(unc_subid_file_parse(&x->f, buf, strlen(text), NULL), 0);
}

/* The problems of the file's only line, as "type: message" joined by '|'. */
static const char *line_problems(struct fixture *x, enum unc_subid_kind kind, const char *text)
{
	static char all[2048];
	size_t i, used = 0;

	load(x, text);
	assert_int_equal(x->f.n, 1);
	assert_int_equal(unc_subid_check_line(&x->f.lines[0], kind, &x->ix, "passwd", &x->p, NULL),
			 0);
	all[0] = '\0';
	for (i = 0; i < x->p.n; i++) {
		assert_int_equal(x->p.v[i].line, 1);
		assert_int_equal(x->p.v[i].kind, kind);
		used += (size_t)snprintf(all + used, sizeof all - used, "%s%s: %s", i ? "|" : "",
					 x->p.v[i].type, x->p.v[i].message);
	}
	return all;
}

/* Problem i is on line, and says message. */
static void expect(const struct fixture *x, size_t i, size_t line, const char *message)
{
	assert_true(i < x->p.n);
	assert_int_equal(x->p.v[i].line, line);
	assert_string_equal(x->p.v[i].message, message);
}

/* One line of a file, and all that check_line says of it. */
static const struct {
	enum unc_subid_kind kind;
	const char *line;
	const char *want; /* "type: message|type: message" */
} line_cases[] = {
    {UNC_SUBUID, "alice:100000:65536\n", ""},
    {UNC_SUBUID, "2001:100000:65536\n", ""},
    {UNC_SUBUID, "\n", ""},
    /* the line's form */
    {UNC_SUBUID, "alice:100000:65536",
     "no-newline: no newline at the end of the file: tools that append a line join it to "
     "this one"},
    {UNC_SUBUID, "#alice:1:1\n",
     "comment: a '#' line: shadow has no comments and reads it as a range of an owner named "
     "'#alice'"},
    {UNC_SUBUID, "# a note\n",
     "comment: a '#' line: shadow has no comments and skips it only because it does not "
     "parse"},
    {UNC_SUBUID, "alice:100000\n",
     "skipped: shadow skips this line: has 2 fields, not owner:start:count"},
    {UNC_SUBUID, "alice:1:1\r\n",
     "skipped: shadow skips this line: ends in a carriage return (CRLF)"},
    {UNC_SUBUID, " alice:100000:10\n",
     "ambiguous: blanks around the owner ' alice': shadow reads them as part of the "
     "name|unknown-owner: owner ' alice' is not a user in passwd"},
    {UNC_SUBUID, "alice: 100000:10\n",
     "ambiguous: blanks in a number: shadow 4.13 reads them, other versions skip the line"},
    {UNC_SUBUID, "alice:100000:10:x\n",
     "ambiguous: more than three fields: shadow 4.13 ignores the rest, other versions skip "
     "the line"},
    {UNC_SUBUID, "alice:0x186a0:010\n",
     "ambiguous: a hexadecimal or octal number: shadow 4.13 reads 100000:8, other tools read "
     "decimal"},
    /* the range */
    {UNC_SUBUID, "alice:100000:0\n", "zero-count: alice's range at 100000 has a count of 0"},
    {UNC_SUBUID, "alice:4294967000:1000\n",
     "too-large: alice's range 4294967000-4294967999 goes past 4294967294, the largest UID"},
    {UNC_SUBGID, "zed:100000:10\n", "unknown-owner: owner 'zed' is not a user in passwd"},
    {UNC_SUBUID, "alice:160000:20000\n",
     "real-id: alice's range 160000-179999 contains UID 170000, real's own"},
    /* GIDs: passwd's primary groups and group's own */
    {UNC_SUBGID, "alice:300000:10\n",
     "real-id: alice's range 300000-300009 contains GID 300005, group staff's own"},
    {UNC_SUBUID, "alice:300000:10\n", ""},
};

static void test_lines(void **state)
{
	size_t i;

	for (i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++)
		assert_string_equal(line_problems(*state, line_cases[i].kind, line_cases[i].line),
				    line_cases[i].want);
}

static void test_deleted_line_has_no_problems(void **state)
{
	struct fixture *x = *state;

	load(x, "zed:0:0");
	unc_subid_file_delete(&x->f, 0);
	assert_int_equal(
	    unc_subid_check_line(&x->f.lines[0], UNC_SUBUID, &x->ix, "passwd", &x->p, NULL), 0);
	assert_int_equal(x->p.n, 0);
}

static void test_overlaps(void **state)
{
	struct fixture *x = *state;

	load(x, "alice:100000:65536\n" /* 1 */
		"bob:165000:1000\n"    /* 2 */
		"bob2:165500:10\n"     /* 3: bob's own UID: one owner with 2 */
		"2002:166000:10\n"     /* 4: bob by UID */
		"carol:500000:0\n"     /* 5: a count of 0 takes no part */
		"#x:100000:10\n"       /* 6: a '#' line takes no part */
		"zed:50000:200000\n"   /* 7: reaches over 1, 2, 3 and 4 */
		"alice:150000:10\n");  /* 8: alice's own range 1 */
	assert_int_equal(unc_subid_check_overlaps(&x->f, UNC_SUBUID, &x->ix, &x->p, NULL), 0);
	assert_int_equal(x->p.n, 5);
	/* Found in start order, each on the later line. Every range is
	 * compared with the one reaching furthest before it (zed's), so 2
	 * over 1 is not found again here: zed's report on line 7 covers it. */
	assert_string_equal(x->p.v[0].type, "overlap");
	expect(x, 0, 7, "zed's range 50000-249999 overlaps alice's range 100000-165535 (line 1)");
	expect(x, 1, 8, "alice's range 150000-150009 overlaps zed's range 50000-249999 (line 7)");
	expect(x, 2, 7, "zed's range 50000-249999 overlaps bob's range 165000-165999 (line 2)");
	assert_int_equal(x->p.v[3].line, 7);
	assert_int_equal(x->p.v[4].line, 7);
}

static void test_file_sorts_by_line(void **state)
{
	struct fixture *x = *state;
	size_t i;

	load(x, "alice:100000:65536\nzed:100000:10\nbob:1:0\n#c\n");
	assert_int_equal(unc_subid_check_file(&x->f, UNC_SUBUID, &x->ix, "passwd", &x->p, NULL), 0);
	assert_int_equal(x->p.n, 4);
	for (i = 1; i < x->p.n; i++)
		assert_true(x->p.v[i - 1].line <= x->p.v[i].line);
	assert_string_equal(x->p.v[0].type, "unknown-owner");
	assert_string_equal(x->p.v[1].type, "overlap");
	assert_int_equal(x->p.v[1].line, 2);
	assert_string_equal(x->p.v[2].type, "zero-count");
	assert_string_equal(x->p.v[3].type, "comment");
}

/* A NUL byte: each line says what shadow reads instead, the swallowed
 * line naming the line it is read onto, with no state carried between
 * the per-line checks. */
static void test_nul_lines(void **state)
{
	static const char text[] = "alice:100000:65536\nbob:200000:10\0x\ncarol:300000:10\n"
				   "2001:400000:10\n";
	struct fixture *x = *state;
	char *buf = malloc(sizeof text - 1);
	size_t i;

	assert_non_null(buf);
	memcpy(buf, text, sizeof text - 1);
	unc_subid_problems_free(&x->p);
	unc_subid_file_free(&x->f);
	assert_int_equal(unc_subid_file_parse(&x->f, buf, sizeof text - 1, NULL), 0);
	assert_int_equal(x->f.n, 4);
	/* checked out of order: the result does not depend on it */
	for (i = x->f.n; i-- > 0;)
		assert_int_equal(
		    unc_subid_check_line(&x->f.lines[i], UNC_SUBUID, &x->ix, "passwd", &x->p, NULL),
		    0);
	assert_int_equal(x->p.n, 2);
	expect(x, 0, 3,
	       "shadow never reads this line: a NUL byte on line 2 makes it read this one onto "
	       "that one");
	expect(x, 1, 2,
	       "a NUL byte: shadow cuts the line there and reads line 3 onto it, and skips the "
	       "result");
}

/* Problems of the whole file come first: a symbolic link on line 0. */
static void test_symlink_is_line_0(void **state)
{
	struct fixture *x = *state;

	load(x, "alice:100000:65536\n");
	x->f.symlink = 1;
	assert_int_equal(unc_subid_check_file(&x->f, UNC_SUBUID, &x->ix, "passwd", &x->p, NULL), 0);
	assert_int_equal(x->p.n, 1);
	assert_string_equal(x->p.v[0].type, "symlink");
	assert_int_equal(x->p.v[0].line, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deleted_line_has_no_problems, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlaps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_sorts_by_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nul_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_is_line_0, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
