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

static void bad_values_warn_and_keep_the_default(void **state)
{
	struct unc_login_defs d;
	struct unc_error err;

	/* shadow's getdef: the default, not an earlier line's value */
	assert_int_equal(parse("UID_MIN 1500\nUID_MIN 2000 # first user\n"
			       "SUB_UID_MIN 12abc\nSUB_GID_COUNT -1\n",
			       &d, &err),
			 0);
	assert_int_equal(d.uid_min, 1000);
	assert_int_equal(d.sub[UNC_SUBUID].min, 100000);
	assert_int_equal(d.sub[UNC_SUBGID].count, 65536);
	assert_int_equal(d.nwarnings, 3);
	assert_string_equal(d.warnings[0],
			    "login.defs:2: UID_MIN: '2000 # first user' is not a "
			    "number from 0 to 4294967295; shadow ignores it and uses "
			    "the default");
	assert_string_equal(d.warnings[1], "login.defs:3: SUB_UID_MIN: '12abc' is not a number "
					   "from 0 to 4294967295; shadow ignores it and uses the "
					   "default");
	/* a MIN above its MAX and a zero count are not the reader's business:
	 * list and check work, allocation says why it cannot */
	assert_int_equal(parse("SUB_UID_MIN 700000000\nSUB_GID_COUNT 0\n", &d, &err), 0);
	assert_int_equal(d.nwarnings, 0);
	assert_int_equal(d.sub[UNC_SUBUID].min, 700000000);
	assert_int_equal(d.sub[UNC_SUBGID].count, 0);
	/* control characters are escaped, long values cut */
	assert_int_equal(parse("SUB_UID_DETERMINISTIC \033[2Jmaybe\n", &d, &err), 0);
	assert_string_equal(d.warnings[0], "login.defs:1: SUB_UID_DETERMINISTIC: '\\x1b[2Jmaybe' "
					   "is neither yes nor no; shadow takes it as no");
	assert_int_equal(d.deterministic[UNC_SUBUID], 0);
}

static void booleans(void **state)
{
	struct unc_login_defs d;

	assert_int_equal(parse("SUB_UID_DETERMINISTIC YES\nSUB_GID_DETERMINISTIC no\n"
			       "SUB_UID_STORE_BY_UID yes\nUNSAFE_SUB_GID_DETERMINISTIC_WRAP yes\n"
			       "SUB_GID_STORE_BY_UID\n",
			       &d, NULL),
			 0);
	assert_int_equal(d.nwarnings, 0);
	assert_true(d.deterministic[UNC_SUBUID]);
	assert_false(d.deterministic[UNC_SUBGID]);
	assert_true(d.store_by_uid[UNC_SUBUID]);
	assert_false(d.store_by_uid[UNC_SUBGID]);
	assert_true(d.unsafe_wrap[UNC_SUBGID]);
}

static void rule_defaults_follow_the_mode(void **state)
{
	struct unc_login_defs d;
	struct unc_subid_rule r;

	assert_int_equal(parse("SUB_UID_DETERMINISTIC yes\nSUB_GID_DETERMINISTIC yes\n"
			       "SUB_GID_MIN 200000\nUNSAFE_SUB_UID_DETERMINISTIC_WRAP yes\n",
			       &d, NULL),
			 0);
	unc_login_defs_rule(&d, UNC_SUBUID, &r);
	assert_true(r.deterministic && r.wrap);
	assert_int_equal(r.min, 65536);
	assert_int_equal(r.max, 4294967295u);
	assert_int_equal(r.count, 65536);
	unc_login_defs_rule(&d, UNC_SUBGID, &r);
	assert_false(r.wrap);
	assert_int_equal(r.min, 200000);
	assert_int_equal(r.max, 4294967295u);
	/* first fit: the classic defaults, and wrap means nothing */
	assert_int_equal(parse("UNSAFE_SUB_UID_DETERMINISTIC_WRAP yes\n", &d, NULL), 0);
	unc_login_defs_rule(&d, UNC_SUBUID, &r);
	assert_false(r.deterministic || r.wrap);
	assert_int_equal(r.min, 100000);
	assert_int_equal(r.max, 600100000);
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
	    cmocka_unit_test(bad_values_warn_and_keep_the_default),
	    cmocka_unit_test(booleans),
	    cmocka_unit_test(rule_defaults_follow_the_mode),
	    cmocka_unit_test(missing_file_is_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
