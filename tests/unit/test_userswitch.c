/* test_userswitch.c: the pure parts of the user switch (lib/launch/userswitch.c):
 * "USER[:GROUP]", resolving a request against passwd and group text, and
 * refusing IDs the namespace does not map. The messages are what
 * newuidshell and uncmap print after their names. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "idmap.h"
#include "passwd.h"
#include "userswitch.h"

static const char passwd_text[] = "root:x:0:0:root:/root:/bin/bash\n"
				  "bob:x:1000:1000:Bob:/home/bob:/bin/ash\n"
				  "bare:x:1001:1001:::\n"
				  "42:x:4242:4242::/home/42:/bin/sh\n";
static const char group_text[] = "root:x:0:\n"
				 "users:x:100:bob,alice\n"
				 "bob:x:1000:\n"
				 "wheel:x:10:bob\n"
				 "staff:x:50:\n";

struct files {
	struct passwd_db pw;
	struct group_db gr;
};

static int setup_files(void **state)
{
	struct files *f = calloc(1, sizeof *f);

	if (!f || unc_passwd_parse(passwd_text, sizeof passwd_text - 1, &f->pw, NULL) < 0 ||
	    unc_group_parse(group_text, sizeof group_text - 1, &f->gr, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown_files(void **state)
{
	struct files *f = *state;

	unc_passwd_free(&f->pw);
	unc_group_free(&f->gr);
	free(f);
	return 0;
}

static void resolve_ok(void **state, const char *user, const char *group, const char *groups,
		       struct user_target *t)
{
	struct files *f = *state;
	struct user_request req = {user, group, groups};
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_user_resolve(&req, &f->pw, &f->gr, t, &err), 0);
	assert_string_equal(err.msg, "");
}

static void resolve_fails(void **state, const char *user, const char *group, const char *groups,
			  const char *msg)
{
	struct files *f = *state;
	struct user_request req = {user, group, groups};
	struct user_target t;
	struct unc_error err;

	unc_error_clear(&err);
	assert_true(unc_user_resolve(&req, &f->pw, &f->gr, &t, &err) < 0);
	assert_string_equal(err.msg, msg);
	assert_null(t.groups);
	assert_null(t.name);
}

static void assert_groups(const struct user_target *t, size_t n, ...)
{
	va_list ap;
	size_t i;

	assert_int_equal(t->ngroups, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_int_equal(t->groups[i], va_arg(ap, int));
	va_end(ap);
}

static void test_by_name(void **state)
{
	struct user_target t;

	resolve_ok(state, "bob", NULL, NULL, &t);
	assert_int_equal(t.uid, 1000);
	assert_int_equal(t.gid, 1000);
	assert_string_equal(t.name, "bob");
	assert_string_equal(t.home, "/home/bob");
	assert_string_equal(t.shell, "/bin/ash");
	assert_true(t.has_entry);
	assert_groups(&t, 3, 1000, 100, 10);
	unc_user_target_free(&t);
}

static void test_number_with_entry_uses_it(void **state)
{
	struct user_target t;

	resolve_ok(state, "1000", NULL, NULL, &t);
	assert_string_equal(t.name, "bob");
	assert_groups(&t, 3, 1000, 100, 10);
	unc_user_target_free(&t);
}

static void test_number_without_entry(void **state)
{
	struct user_target t;

	resolve_ok(state, "70000", NULL, NULL, &t);
	assert_int_equal(t.uid, 70000);
	assert_int_equal(t.gid, 70000);
	assert_false(t.has_entry);
	assert_string_equal(t.name, "70000");
	assert_string_equal(t.home, "/");
	assert_string_equal(t.shell, "/bin/sh");
	assert_groups(&t, 1, 70000);
	unc_user_target_free(&t);
}

static void test_empty_home_and_shell(void **state)
{
	struct user_target t;

	resolve_ok(state, "bare", NULL, NULL, &t);
	assert_string_equal(t.home, "/");
	assert_string_equal(t.shell, "/bin/sh");
	unc_user_target_free(&t);
}

static void test_digits_are_a_number(void **state)
{
	struct user_target t;

	/* "42" is UID 42, not the user named "42" (UID 4242) */
	resolve_ok(state, "42", NULL, NULL, &t);
	assert_int_equal(t.uid, 42);
	assert_false(t.has_entry);
	unc_user_target_free(&t);
}

static void test_group_options(void **state)
{
	struct user_target t;

	/* -g: that primary group, and it alone */
	resolve_ok(state, "bob", "users", NULL, &t);
	assert_int_equal(t.gid, 100);
	assert_groups(&t, 1, 100);
	unc_user_target_free(&t);
	/* USER:GROUP with a number */
	resolve_ok(state, "1000", "100", NULL, &t);
	assert_int_equal(t.gid, 100);
	assert_groups(&t, 1, 100);
	unc_user_target_free(&t);
	/* -G: the primary group first, then the list, once each */
	resolve_ok(state, "bob", NULL, "staff,5,bob,staff", &t);
	assert_int_equal(t.gid, 1000);
	assert_groups(&t, 3, 1000, 50, 5);
	unc_user_target_free(&t);
	resolve_ok(state, "70000", "staff", "wheel", &t);
	assert_groups(&t, 2, 50, 10);
	unc_user_target_free(&t);
}

static void test_refusals(void **state)
{
	resolve_fails(state, "carol", NULL, NULL, "user 'carol' does not exist in /etc/passwd");
	resolve_fails(state, "", NULL, NULL, "no user given");
	resolve_fails(state, "4294967295", NULL, NULL,
		      "uid 4294967295 is out of range (0-4294967294)");
	resolve_fails(state, "99999999999", NULL, NULL,
		      "uid 99999999999 is out of range (0-4294967294)");
	resolve_fails(state, "bob", "nogroup", NULL,
		      "group 'nogroup' does not exist in /etc/group");
	resolve_fails(state, "bob", "4294967295", NULL,
		      "gid 4294967295 is out of range (0-4294967294)");
	resolve_fails(state, "bob", NULL, "users,nope",
		      "group 'nope' does not exist in /etc/group");
	resolve_fails(state, "bob", NULL, "users,,wheel", "empty group name in 'users,,wheel'");
}

static void test_request_parse(void **state)
{
	struct user_request req;
	struct unc_error err;
	char a[] = "bob", b[] = "1000:100", c[] = "bob:", d[] = ":users", e[] = "", f[] = "a:b:c";

	assert_int_equal(unc_user_request_parse(a, &req, "--user", &err), 0);
	assert_string_equal(req.user, "bob");
	assert_null(req.group);
	assert_null(req.groups);
	assert_int_equal(unc_user_request_parse(b, &req, "--user", &err), 0);
	assert_string_equal(req.user, "1000");
	assert_string_equal(req.group, "100");
	assert_true(unc_user_request_parse(c, &req, "--user", &err) < 0);
	assert_string_equal(err.msg, "--user: no group after ':'");
	assert_true(unc_user_request_parse(d, &req, "--user", &err) < 0);
	assert_string_equal(err.msg, "--user: no user given");
	assert_true(unc_user_request_parse(e, &req, "--user", &err) < 0);
	assert_string_equal(err.msg, "--user: no user given");
	/* a group name cannot hold ':', so the lookup will refuse "b:c" */
	assert_int_equal(unc_user_request_parse(f, &req, "--user", &err), 0);
	assert_string_equal(req.group, "b:c");
}

static void plan_from(const char *text, struct idmap_plan *plan)
{
	assert_int_equal(unc_idmap_parse_proc(text, plan, NULL), 0);
}

static void test_check_mapped(void **state)
{
	struct idmap_plan uids, gids;
	struct user_target t = {0};
	gid_t groups[] = {1000, 100, 70000};
	struct unc_error err;

	plan_from("         0       2001          1\n         1     100000      65535\n", &uids);
	plan_from("         0       2001          1\n         1     100000      65535\n", &gids);
	t.uid = 1000;
	t.gid = 1000;
	t.groups = groups;
	t.ngroups = 2;
	assert_int_equal(unc_user_check_mapped(&t, 1, &uids, &gids, &err), 0);

	t.uid = 70000;
	assert_true(unc_user_check_mapped(&t, 1, &uids, &gids, &err) < 0);
	assert_string_equal(err.msg,
			    "uid 70000 is not mapped in this user namespace (mapped: 0-65535)");
	t.uid = 65535;
	t.gid = 65536;
	assert_true(unc_user_check_mapped(&t, 1, &uids, &gids, &err) < 0);
	assert_string_equal(err.msg,
			    "gid 65536 is not mapped in this user namespace (mapped: 0-65535)");
	t.gid = 0;
	t.ngroups = 3;
	assert_true(unc_user_check_mapped(&t, 1, &uids, &gids, &err) < 0);
	assert_string_equal(
	    err.msg,
	    "supplementary gid 70000 is not mapped in this user namespace (mapped: 0-65535)");
	/* with setgroups denied the supplementary groups are not set */
	assert_int_equal(unc_user_check_mapped(&t, 0, &uids, &gids, &err), 0);

	/* a map of only one's own ID, and one with holes */
	plan_from("0 2001 1\n", &uids);
	t.uid = 1;
	assert_true(unc_user_check_mapped(&t, 0, &uids, &gids, &err) < 0);
	assert_string_equal(err.msg, "uid 1 is not mapped in this user namespace (mapped: 0)");
	plan_from("0 2001 1\n1000 300000 10\n5 100000 5\n", &uids);
	assert_true(unc_user_check_mapped(&t, 0, &uids, &gids, &err) < 0);
	assert_string_equal(
	    err.msg, "uid 1 is not mapped in this user namespace (mapped: 0, 5-9, 1000-1009)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_by_name, setup_files, teardown_files),
	    cmocka_unit_test_setup_teardown(test_number_with_entry_uses_it, setup_files,
					    teardown_files),
	    cmocka_unit_test_setup_teardown(test_number_without_entry, setup_files, teardown_files),
	    cmocka_unit_test_setup_teardown(test_empty_home_and_shell, setup_files, teardown_files),
	    cmocka_unit_test_setup_teardown(test_digits_are_a_number, setup_files, teardown_files),
	    cmocka_unit_test_setup_teardown(test_group_options, setup_files, teardown_files),
	    cmocka_unit_test_setup_teardown(test_refusals, setup_files, teardown_files),
	    cmocka_unit_test(test_request_parse),
	    cmocka_unit_test(test_check_mapped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
