/* test_caps.c: the pure parts of lib/launch/caps.c: capability lists as uncmap's
 * --cap-add and --cap-drop take them, and what a spec keeps. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/capability.h>

#include "caps.h"
#include "error.h"

#define BIT(c) ((uint64_t)1 << (c))

static void test_names(void **state)
{
	struct unc_error err;
	uint64_t mask = 0;
	int all = 0;

	unc_error_clear(&err);
	assert_int_equal(unc_caps_parse_list("CAP_CHOWN,net_admin,Cap_Sys_Admin,SETUID", 0, &mask,
					     &all, "--cap-add", &err),
			 0);
	assert_int_equal(mask, BIT(CAP_CHOWN) | BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_ADMIN) |
				   BIT(CAP_SETUID));
	assert_int_equal(all, 0);
	assert_string_equal(err.msg, "");
}

static void test_all(void **state)
{
	struct unc_error err;
	uint64_t mask = 0;
	int all = 0;

	assert_int_equal(unc_caps_parse_list("ALL", 1, &mask, &all, "--cap-drop", &err), 0);
	assert_int_equal(all, 1);
	assert_int_equal(mask, 0);
	all = 0;
	assert_int_equal(unc_caps_parse_list("chown,all", 1, &mask, &all, "--cap-drop", &err), 0);
	assert_int_equal(all, 1);
	assert_int_equal(mask, BIT(CAP_CHOWN));
	/* --cap-add takes no ALL */
	assert_true(unc_caps_parse_list("ALL", 0, &mask, &all, "--cap-add", &err) < 0);
	assert_string_equal(err.msg, "--cap-add: unknown capability 'ALL'");
}

static void test_refused(void **state)
{
	static const struct {
		const char *list, *msg;
	} cases[] = {
	    {"foo", "--cap-add: unknown capability 'foo'"},
	    {"chown,,kill", "--cap-add: empty capability name in 'chown,,kill'"},
	    {"", "--cap-add: empty capability name in ''"},
	    {"chown,", "--cap-add: empty capability name in 'chown,'"},
	    {"0", "--cap-add: unknown capability '0'"},
	    {"cap_", "--cap-add: unknown capability 'cap_'"},
	    {"cap_chown ", "--cap-add: unknown capability 'cap_chown '"},
	    {"cap-chown", "--cap-add: unknown capability 'cap-chown'"},
	};
	struct unc_error err;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t mask = 0;
		int all = 0;
		unc_error_clear(&err);
		assert_int_equal(
		    unc_caps_parse_list(cases[i].list, 0, &mask, &all, "--cap-add", &err), -EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
	}
	/* an unknown name says where to look */
	unc_caps_parse_list("foo", 0, &(uint64_t){0}, NULL, "--cap-add", &err);
	assert_string_equal(err.hint,
			    "capability names are listed in capabilities(7), e.g. CAP_NET_ADMIN or "
			    "net_admin");
}

static void test_kept(void **state)
{
	const uint64_t all = BIT(41) - 1;
	struct caps_spec none = {0};
	struct caps_spec drop = {.drop = BIT(CAP_CHOWN) | BIT(CAP_NET_RAW)};
	struct caps_spec drop_all_add = {.drop_all = 1, .add = BIT(CAP_KILL)};
	struct caps_spec add = {.add = BIT(CAP_NET_BIND_SERVICE)};
	struct caps_spec drop_and_add = {.drop = BIT(CAP_KILL), .add = BIT(CAP_KILL)};
	struct caps_spec beyond = {.add = BIT(60)};

	/* root keeps everything, another user nothing */
	assert_int_equal(unc_caps_kept(&none, 1, all), all);
	assert_int_equal(unc_caps_kept(&none, 0, all), 0);
	assert_int_equal(unc_caps_bounding(&none, all), all);
	/* a drop leaves root and the bounding set */
	assert_int_equal(unc_caps_kept(&drop, 1, all), all & ~drop.drop);
	assert_int_equal(unc_caps_bounding(&drop, all), all & ~drop.drop);
	assert_int_equal(unc_caps_kept(&drop, 0, all), 0);
	/* ALL, then what is added */
	assert_int_equal(unc_caps_kept(&drop_all_add, 1, all), BIT(CAP_KILL));
	assert_int_equal(unc_caps_kept(&drop_all_add, 0, all), BIT(CAP_KILL));
	assert_int_equal(unc_caps_bounding(&drop_all_add, all), BIT(CAP_KILL));
	/* an added capability reaches a non-root user */
	assert_int_equal(unc_caps_kept(&add, 0, all), BIT(CAP_NET_BIND_SERVICE));
	/* add wins over drop */
	assert_int_equal(unc_caps_kept(&drop_and_add, 1, all), all);
	/* nothing the kernel does not know */
	assert_int_equal(unc_caps_kept(&beyond, 0, all), 0);
	assert_int_equal(unc_caps_bounding(&beyond, all), all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_all),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
