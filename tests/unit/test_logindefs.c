/* logindefs: shadow's reading of login.defs, for the settings subidctl uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "logindefs.h"

static int parse(const char *text, struct unc_login_defs *d, struct unc_error *err)
{
	unc_login_defs_init(d);
	return unc_login_defs_parse(text, strlen(text), "login.defs", d, err);
}

static void defaults(void **state)
{
	struct unc_login_defs d;

	assert_int_equal(parse("", &d, NULL), 0);
	assert_int_equal(d.uid_min, 1000);
	assert_int_equal(d.uid_max, 60000);
	assert_int_equal(d.sub[UNC_SUBUID].min, 100000);
	assert_int_equal(d.sub[UNC_SUBUID].max, 600100000);
	assert_int_equal(d.sub[UNC_SUBUID].count, 65536);
	assert_int_equal(d.sub[UNC_SUBGID].count, 65536);
}

static void settings_comments_quotes_last_wins(void **state)
{
	struct unc_login_defs d;

	assert_int_equal(parse("# comment SUB_UID_MIN 5\n"
			       "MAIL_DIR /var/mail\n"
			       "   UID_MIN\t\t2000   \n"
			       "SUB_UID_MIN 200000\n"
			       "SUB_UID_MIN 300000\n"
			       "SUB_GID_COUNT \"1000\"\n"
			       "SUB_UID_COUNT 0x10000\n"
			       "SUB_GID_MAX 0100\n"
			       "SUB_GID_MIN 10",
			       &d, NULL),
			 0);
	assert_int_equal(d.uid_min, 2000);
	assert_int_equal(d.sub[UNC_SUBUID].min, 300000);
	assert_int_equal(d.sub[UNC_SUBGID].count, 1000);
	assert_int_equal(d.sub[UNC_SUBUID].count, 65536);
	assert_int_equal(d.sub[UNC_SUBGID].max, 64);
	assert_int_equal(d.sub[UNC_SUBGID].min, 10);
}

static void bad_values_name_the_line(void **state)
{
	struct unc_login_defs d;
	struct unc_error err;

	assert_true(parse("\nSUB_UID_COUNT lots\n", &d, &err) < 0);
	assert_string_equal(err.msg, "login.defs:2: SUB_UID_COUNT: 'lots' is not a number");
	assert_true(parse("UID_MIN -1\n", &d, &err) < 0);
	assert_true(parse("SUB_UID_MIN 700000000\n", &d, &err) < 0);
	assert_string_equal(err.msg,
			    "login.defs: SUB_UID_MIN 700000000 is above SUB_UID_MAX 600100000");
	assert_true(parse("SUB_GID_COUNT 0\n", &d, &err) < 0);
}

static void missing_file_is_defaults(void **state)
{
	struct unc_login_defs d;

	assert_int_equal(unc_login_defs_load("/nonexistent/login.defs", &d, NULL), 0);
	assert_int_equal(d.sub[UNC_SUBUID].count, 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),
	    cmocka_unit_test(settings_comments_quotes_last_wins),
	    cmocka_unit_test(bad_values_name_the_line),
	    cmocka_unit_test(missing_file_is_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
