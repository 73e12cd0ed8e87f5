/* test_passwd.c: the passwd and group readers (lib/core/passwd.c) against
 * hostile files: long lines, missing and extra fields, duplicate names,
 * huge IDs, NUL bytes, no final newline. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "passwd.h"

static void parse_passwd(const char *text, size_t len, struct passwd_db *db)
{
	struct unc_error err;

	memset(db, 0, sizeof *db);
	unc_error_clear(&err);
	assert_int_equal(unc_passwd_parse(text, len, db, &err), 0);
}

static void parse_group(const char *text, size_t len, struct group_db *db)
{
	struct unc_error err;

	memset(db, 0, sizeof *db);
	unc_error_clear(&err);
	assert_int_equal(unc_group_parse(text, len, db, &err), 0);
}

#define PARSE_PASSWD(s, db) parse_passwd((s), sizeof(s) - 1, (db))
#define PARSE_GROUP(s, db)  parse_group((s), sizeof(s) - 1, (db))

static void test_ordinary_file(void **state)
{
	struct passwd_db db;
	const struct passwd_entry *e;

	PARSE_PASSWD("root:x:0:0:root:/root:/bin/bash\n"
		     "bob:x:1000:1000:Bob,,,:/home/bob:/bin/sh\n",
		     &db);
	assert_int_equal(db.n, 2);
	e = unc_passwd_by_name(&db, "bob");
	assert_non_null(e);
	assert_int_equal(e->uid, 1000);
	assert_int_equal(e->gid, 1000);
	assert_string_equal(e->gecos, "Bob,,,");
	assert_string_equal(e->home, "/home/bob");
	assert_string_equal(e->shell, "/bin/sh");
	assert_int_equal(e->line, 2);
	assert_ptr_equal(unc_passwd_by_uid(&db, 0), &db.v[0]);
	assert_null(unc_passwd_by_name(&db, "bo"));
	assert_null(unc_passwd_by_name(&db, "bobby"));
	assert_null(unc_passwd_by_uid(&db, 1));
	unc_passwd_free(&db);
	assert_null(db.v);
	assert_int_equal(db.n, 0);
}

static void test_empty_fields_are_kept(void **state)
{
	struct passwd_db db;

	PARSE_PASSWD("nobody:::65534:::\n", &db);
	assert_int_equal(db.n, 0); /* an empty UID is no UID */
	unc_passwd_free(&db);
	PARSE_PASSWD("nobody::65534:65534:::\n", &db);
	assert_int_equal(db.n, 1);
	assert_string_equal(db.v[0].gecos, "");
	assert_string_equal(db.v[0].home, "");
	assert_string_equal(db.v[0].shell, "");
	unc_passwd_free(&db);
}

static void test_missing_and_extra_fields(void **state)
{
	struct passwd_db db;

	PARSE_PASSWD("six:x:1:1:gecos:/home\n"	       /* 6 fields */
		     "eight:x:2:2:g:/h:/bin/sh:more\n" /* 8 fields */
		     ":x:3:3:g:/h:/bin/sh\n"	       /* empty name */
		     "nouid:x::4:g:/h:/bin/sh\n"       /* empty uid */
		     "nogid:x:5::g:/h:/bin/sh\n"       /* empty gid */
		     "one\n"			       /* 1 field */
		     "\n"			       /* empty line */
		     ":::::::\n"		       /* 8 empty fields */
		     "ok:x:6:6:g:/h:/bin/sh\n",
		     &db);
	assert_int_equal(db.n, 1);
	assert_string_equal(db.v[0].name, "ok");
	assert_int_equal(db.v[0].line, 9);
	unc_passwd_free(&db);
}

static void test_long_lines(void **state)
{
	size_t cap = UNC_PASSWD_LINE_MAX * 3;
	char *text = malloc(cap);
	size_t len = 0;
	struct passwd_db db;
	static const char head[] = "long:x:7:7:";
	static const char tail[] = ":/h:/bin/sh";

	assert_non_null(text);
	/* a line one byte over the limit: skipped, not truncated */
	memcpy(text, head, sizeof head - 1);
	len = sizeof head - 1;
	memset(text + len, 'g', UNC_PASSWD_LINE_MAX + 1 - (sizeof head - 1) - (sizeof tail - 1));
	len = UNC_PASSWD_LINE_MAX + 1 - (sizeof tail - 1);
	memcpy(text + len, tail, sizeof tail - 1);
	len += sizeof tail - 1;
	assert_int_equal(len, UNC_PASSWD_LINE_MAX + 1);
	text[len++] = '\n';
	/* a line exactly at the limit: kept */
	memcpy(text + len, "edge:x:8:8:", 11);
	memset(text + len + 11, 'g', UNC_PASSWD_LINE_MAX - 11 - (sizeof tail - 1));
	len += UNC_PASSWD_LINE_MAX - (sizeof tail - 1);
	memcpy(text + len, tail, sizeof tail - 1);
	len += sizeof tail - 1;
	text[len++] = '\n';
	memcpy(text + len, "after:x:9:9::/:/bin/sh\n", 23);
	len += 23;

	parse_passwd(text, len, &db);
	assert_int_equal(db.n, 2);
	assert_string_equal(db.v[0].name, "edge");
	assert_int_equal(strlen(db.v[0].gecos), UNC_PASSWD_LINE_MAX - 11 - (sizeof tail - 1));
	assert_int_equal(db.v[0].line, 2);
	assert_string_equal(db.v[1].name, "after");
	assert_int_equal(db.v[1].line, 3);
	assert_null(unc_passwd_by_name(&db, "long"));
	unc_passwd_free(&db);
	free(text);
}

static void test_duplicates_first_wins(void **state)
{
	struct passwd_db db;

	PARSE_PASSWD("bob:x:1000:1000::/home/bob:/bin/sh\n"
		     "bob:x:0:0::/root:/bin/sh\n"
		     "alias:x:1000:50::/:/bin/sh\n",
		     &db);
	assert_int_equal(db.n, 3);
	assert_int_equal(unc_passwd_by_name(&db, "bob")->uid, 1000);
	assert_string_equal(unc_passwd_by_uid(&db, 1000)->name, "bob");
	assert_string_equal(unc_passwd_by_uid(&db, 0)->home, "/root");
	unc_passwd_free(&db);
}

static void test_huge_and_malformed_ids(void **state)
{
	struct passwd_db db;

	PARSE_PASSWD("max:x:4294967294:4294967294::/:/bin/sh\n"
		     "minus1:x:4294967295:0::/:/bin/sh\n"  /* (uid_t)-1 */
		     "wrap:x:4294967296:0::/:/bin/sh\n"	   /* 2^32 */
		     "eleven:x:10000000000:0::/:/bin/sh\n" /* 11 digits */
		     "huge:x:18446744073709551617:0::/:/bin/sh\n"
		     "neg:x:-1:0::/:/bin/sh\n"
		     "plus:x:+1:0::/:/bin/sh\n"
		     "space:x: 1:0::/:/bin/sh\n"
		     "trail:x:1 :0::/:/bin/sh\n"
		     "hex:x:0x10:0::/:/bin/sh\n"
		     "exp:x:1e3:0::/:/bin/sh\n"
		     "gidbig:x:1:4294967295::/:/bin/sh\n"
		     "zero:x:0:0::/:/bin/sh\n",
		     &db);
	assert_int_equal(db.n, 2);
	assert_string_equal(db.v[0].name, "max");
	assert_int_equal(db.v[0].uid, 4294967294u);
	assert_int_equal(db.v[0].gid, 4294967294u);
	assert_string_equal(db.v[1].name, "zero");
	unc_passwd_free(&db);
}

static void test_parse_id(void **state)
{
	uint32_t v = 7;

	assert_int_equal(unc_parse_id("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(unc_parse_id("4294967294", 10, &v), 0);
	assert_int_equal(v, 4294967294u);
	v = 7;
	assert_int_equal(unc_parse_id("4294967295", 10, &v), -1);
	assert_int_equal(unc_parse_id("", 0, &v), -1);
	assert_int_equal(unc_parse_id("12a", 3, &v), -1);
	assert_int_equal(unc_parse_id("99999999999", 11, &v), -1);
	assert_int_equal(v, 7);
	/* only len bytes are read */
	assert_int_equal(unc_parse_id("12:34", 2, &v), 0);
	assert_int_equal(v, 12);
}

static void test_nul_comments_nis_crlf(void **state)
{
	static const char text[] = "nul:x:1:1:a\0b:/:/bin/sh\n"
				   "#comment:x:2:2::/:/bin/sh\n"
				   "+nis:x:3:3::/:/bin/sh\n"
				   "-nis:x:4:4::/:/bin/sh\n"
				   "+\n"
				   "crlf:x:5:5::/:/bin/sh\r\n"
				   "crid:x:6:6\r::/:/bin/sh\n"
				   "last:x:7:7::/:/bin/sh"; /* no final newline */
	struct passwd_db db;

	parse_passwd(text, sizeof text - 1, &db);
	assert_int_equal(db.n, 2);
	/* a \r stays in the last field, as with glibc's files backend */
	assert_string_equal(db.v[0].name, "crlf");
	assert_string_equal(db.v[0].shell, "/bin/sh\r");
	assert_string_equal(db.v[1].name, "last");
	assert_string_equal(db.v[1].shell, "/bin/sh");
	assert_int_equal(db.v[1].line, 8);
	unc_passwd_free(&db);
}

static void test_empty_inputs(void **state)
{
	struct passwd_db db;
	struct group_db gdb;

	parse_passwd("", 0, &db);
	assert_int_equal(db.n, 0);
	unc_passwd_free(&db);
	PARSE_PASSWD("\n\n\n", &db);
	assert_int_equal(db.n, 0);
	unc_passwd_free(&db);
	parse_group("", 0, &gdb);
	assert_int_equal(gdb.n, 0);
	unc_group_free(&gdb);
}

static void test_group_members(void **state)
{
	struct group_db db;
	const struct group_entry *g;

	PARSE_GROUP("users:x:100:bob,,alice,\n"
		    "empty:x:101:\n"
		    "three:x:102\n"	 /* no members field: 3 fields */
		    "five:x:103:bob:x\n" /* 5 fields */
		    ":x:104:bob\n"	 /* empty name */
		    "big:x:4294967295:bob\n"
		    "crlf:x:105:bob\r\n",
		    &db);
	assert_int_equal(db.n, 3);
	g = unc_group_by_name(&db, "users");
	assert_non_null(g);
	assert_int_equal(g->gid, 100);
	assert_int_equal(g->nmembers, 2);
	assert_string_equal(g->members[0], "bob");
	assert_string_equal(g->members[1], "alice");
	g = unc_group_by_gid(&db, 101);
	assert_non_null(g);
	assert_int_equal(g->nmembers, 0);
	g = unc_group_by_name(&db, "crlf");
	assert_int_equal(g->nmembers, 1);
	assert_string_equal(g->members[0], "bob\r");
	assert_null(unc_group_by_name(&db, "three"));
	assert_null(unc_group_by_name(&db, "big"));
	unc_group_free(&db);
}

static void test_group_many_members(void **state)
{
	/* a line just under the limit, made of 2-byte members "a," */
	size_t n = (UNC_PASSWD_LINE_MAX - 16) / 2, len, i;
	char *text = malloc(UNC_PASSWD_LINE_MAX + 2);
	struct group_db db;

	assert_non_null(text);
	len = (size_t)sprintf(text, "many:x:7:");
	for (i = 0; i < n; i++) {
		text[len++] = i % 2 ? 'a' : 'b';
		text[len++] = ',';
	}
	text[len++] = '\n';
	parse_group(text, len, &db);
	assert_int_equal(db.n, 1);
	assert_int_equal(db.v[0].nmembers, n);
	assert_string_equal(db.v[0].members[n - 1], "a");
	unc_group_free(&db);
	free(text);
}

static void test_group_duplicates(void **state)
{
	struct group_db db;

	PARSE_GROUP("wheel:x:10:bob\n"
		    "wheel:x:11:alice\n"
		    "other:x:10:\n",
		    &db);
	assert_int_equal(unc_group_by_name(&db, "wheel")->gid, 10);
	assert_string_equal(unc_group_by_gid(&db, 10)->name, "wheel");
	assert_string_equal(unc_group_by_gid(&db, 11)->members[0], "alice");
	unc_group_free(&db);
}

static void test_list_for_user(void **state)
{
	struct unc_error err;
	struct group_db db;
	gid_t *list = NULL;
	size_t n = 0;

	PARSE_GROUP("bob:x:1000:\n"
		    "users:x:100:alice,bob\n"
		    "again:x:100:bob\n" /* same GID, listed once */
		    "self:x:1000:bob\n" /* the primary group, listed once */
		    "prefix:x:200:bobby,bo\n"
		    "twice:x:300:bob,bob\n"
		    "wheel:x:10:bob\n",
		    &db);
	unc_error_clear(&err);
	assert_int_equal(unc_group_list_for_user(&db, "bob", 1000, &list, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(list[0], 1000);
	assert_int_equal(list[1], 100);
	assert_int_equal(list[2], 300);
	assert_int_equal(list[3], 10);
	free(list);
	/* a user in no group has its primary group only */
	assert_int_equal(unc_group_list_for_user(&db, "nobody", 65534, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0], 65534);
	free(list);
	unc_group_free(&db);
}

static void test_load_files(void **state)
{
	char dir[] = "/tmp/test_passwd.XXXXXX";
	char path[64];
	struct unc_error err;
	struct passwd_db db = {0};
	struct group_db gdb = {0};
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/passwd", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("bob:x:1000:1000::/home/bob:/bin/sh\n", f);
	fclose(f);
	unc_error_clear(&err);
	assert_int_equal(unc_passwd_load(path, &db, &err), 0);
	assert_int_equal(db.n, 1);
	unc_passwd_free(&db);
	assert_int_equal(unc_group_load(path, &gdb, &err), 0);
	assert_int_equal(gdb.n, 0); /* 7 fields: no group line */
	unc_group_free(&gdb);
	unlink(path);

	/* the callee's code, passed on: subidctl treats a missing group file
	 * as empty only when it sees -ENOENT */
	assert_int_equal(unc_passwd_load(path, &db, &err), -ENOENT);
	assert_int_equal(err.errnum, ENOENT);
	assert_true(strstr(err.msg, "No such file or directory") != NULL);
	assert_int_equal(unc_group_load(path, &gdb, &err), -ENOENT);
	assert_int_equal(err.errnum, ENOENT);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ordinary_file),
	    cmocka_unit_test(test_empty_fields_are_kept),
	    cmocka_unit_test(test_missing_and_extra_fields),
	    cmocka_unit_test(test_long_lines),
	    cmocka_unit_test(test_duplicates_first_wins),
	    cmocka_unit_test(test_huge_and_malformed_ids),
	    cmocka_unit_test(test_parse_id),
	    cmocka_unit_test(test_nul_comments_nis_crlf),
	    cmocka_unit_test(test_empty_inputs),
	    cmocka_unit_test(test_group_members),
	    cmocka_unit_test(test_group_many_members),
	    cmocka_unit_test(test_group_duplicates),
	    cmocka_unit_test(test_list_for_user),
	    cmocka_unit_test(test_load_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
