/* test_diagnose.c: the pure parts of `uncmap --check` (lib/launch/diagnose.c): the
 * sysctls read from a fake /proc/sys, the caller's ranges against a
 * planned launch, the lines of a subid file shadow skips and the
 * overlaps with other owners, and login.defs booleans. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diagnose.h"

static char scratch[64];

static int make_scratch(void **state)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(scratch, sizeof scratch, "%s/unc-check-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(scratch) ? 0 : -1;
}

static int remove_scratch(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct unc_check_result *find(const struct unc_check_report *rep, const char *id)
{
	size_t i;
	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->v[i].id, id) == 0)
			return &rep->v[i];
	return NULL;
}

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", scratch, rel);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_sysctls(void **state)
{
	struct unc_check_report rep = {0};
	const struct unc_check_result *r;
	char dir[128];

	snprintf(dir, sizeof dir, "%s/user", scratch);
	mkdir(dir, 0755);
	snprintf(dir, sizeof dir, "%s/kernel", scratch);
	mkdir(dir, 0755);

	/* absent: the kernel has no user namespaces; the others say nothing */
	unc_check_sysctls(&rep, scratch, 0);
	r = find(&rep, "userns-max");
	assert_non_null(r);
	assert_int_equal(r->status, UNC_CHECK_FAIL);
	assert_non_null(strstr(r->what, "no user namespaces"));
	assert_null(find(&rep, "userns-clone"));
	assert_null(find(&rep, "apparmor-userns"));
	unc_check_report_free(&rep);

	put("user/max_user_namespaces", "0\n");
	put("kernel/unprivileged_userns_clone", "0\n");
	put("kernel/apparmor_restrict_unprivileged_userns", "1\n");
	unc_check_sysctls(&rep, scratch, 0);
	assert_int_equal(rep.n, 3);
	assert_int_equal(find(&rep, "userns-max")->status, UNC_CHECK_FAIL);
	assert_string_equal(find(&rep, "userns-max")->what,
			    "user.max_user_namespaces is 0: no user namespace may be created");
	assert_int_equal(find(&rep, "userns-clone")->status, UNC_CHECK_FAIL);
	assert_int_equal(find(&rep, "apparmor-userns")->status, UNC_CHECK_FAIL);
	assert_int_equal(unc_check_worst(&rep), UNC_CHECK_FAIL);
	unc_check_report_free(&rep);

	/* root is not bound by the unprivileged switches */
	unc_check_sysctls(&rep, scratch, 1);
	assert_int_equal(find(&rep, "userns-clone")->status, UNC_CHECK_WARN);
	assert_int_equal(find(&rep, "apparmor-userns")->status, UNC_CHECK_WARN);
	unc_check_report_free(&rep);

	put("user/max_user_namespaces", "15000\n");
	put("kernel/unprivileged_userns_clone", "1\n");
	put("kernel/apparmor_restrict_unprivileged_userns", "0\n");
	unc_check_sysctls(&rep, scratch, 0);
	assert_int_equal(unc_check_worst(&rep), UNC_CHECK_OK);
	assert_string_equal(find(&rep, "userns-max")->what, "user.max_user_namespaces is 15000");
	assert_string_equal(find(&rep, "userns-max")->fix, "");
	unc_check_report_free(&rep);
}

static struct unc_check_config config(uint64_t range, enum unc_map_root root)
{
	struct unc_check_config cfg = {.range = range, .map_root = root};
	return cfg;
}

static void test_ranges_missing(void **state)
{
	struct unc_check_report rep = {0};
	struct unc_check_config cfg = config(65536, UNC_MAP_ROOT_SELF);
	struct unc_subid_list none = {.source = "/etc/subuid"};

	unc_check_subid_ranges(&rep, &cfg, UNC_SUBUID, "bob", 2002, &none);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.v[0].id, "subuid-ranges");
	assert_int_equal(rep.v[0].status, UNC_CHECK_FAIL);
	assert_string_equal(rep.v[0].what, "no subordinate UIDs for bob (looked in /etc/subuid)");
	assert_string_equal(rep.v[0].fix, "ask an administrator to run: subidctl add bob");
	unc_check_report_free(&rep);
}

static void test_ranges_size(void **state)
{
	struct unc_check_report rep = {0};
	struct unc_check_config cfg = config(65536, UNC_MAP_ROOT_SELF);
	struct unc_subid_list l = {.source = "/etc/subgid"};

	assert_int_equal(unc_subid_list_add(&l, 100000, 65535), 0);
	/* self: container 0 is the caller, 65535 more are needed */
	unc_check_subid_ranges(&rep, &cfg, UNC_SUBGID, "alice", 2001, &l);
	assert_int_equal(find(&rep, "subgid-ranges")->status, UNC_CHECK_OK);
	assert_string_equal(find(&rep, "subgid-ranges")->what,
			    "alice has 65535 subordinate GIDs in /etc/subgid: 100000-165534");
	assert_int_equal(find(&rep, "subgid-size")->status, UNC_CHECK_OK);
	assert_int_equal(find(&rep, "subgid-own-id")->status, UNC_CHECK_OK);
	unc_check_report_free(&rep);

	/* sub: all 65536 must be subordinate */
	cfg.map_root = UNC_MAP_ROOT_SUB;
	unc_check_subid_ranges(&rep, &cfg, UNC_SUBGID, "alice", 2001, &l);
	assert_int_equal(find(&rep, "subgid-size")->status, UNC_CHECK_FAIL);
	assert_non_null(strstr(find(&rep, "subgid-size")->what, "--range 65536 needs 65536"));
	assert_string_equal(find(&rep, "subgid-size")->fix,
			    "use a smaller --range, or ask an administrator to run: subidctl add "
			    "alice --top-up 65536");
	unc_check_report_free(&rep);
	unc_subid_list_free(&l);
}

static void test_ranges_own_id(void **state)
{
	struct unc_check_report rep = {0};
	struct unc_check_config cfg = config(65536, UNC_MAP_ROOT_SELF);
	struct unc_subid_list l = {.source = "/etc/subuid"};

	assert_int_equal(unc_subid_list_add(&l, 1000, 70000), 0);
	unc_check_subid_ranges(&rep, &cfg, UNC_SUBUID, "dave", 2004, &l);
	/* uncmap plans around it: a warning, not a failure */
	assert_int_equal(find(&rep, "subuid-size")->status, UNC_CHECK_OK);
	assert_int_equal(find(&rep, "subuid-own-id")->status, UNC_CHECK_WARN);
	assert_non_null(
	    strstr(find(&rep, "subuid-own-id")->what, "1000-70999 contain dave's own UID 2004"));
	assert_int_equal(unc_check_worst(&rep), UNC_CHECK_WARN);
	unc_check_report_free(&rep);
	unc_subid_list_free(&l);
}

static void test_ranges_explicit_plan(void **state)
{
	struct unc_check_report rep = {0};
	struct unc_check_config cfg = config(65536, UNC_MAP_ROOT_SELF);
	struct unc_subid_list l = {.source = "/etc/subuid"};
	static struct idmap_plan plan;
	struct map_extent self = {0, 2001, 1}, sub = {1, 100000, 10}, other = {11, 900000, 1};

	assert_int_equal(unc_subid_list_add(&l, 100000, 65536), 0);
	plan.n = 0;
	assert_int_equal(unc_idmap_add(&plan, &self, "--map-uid", NULL), 0);
	assert_int_equal(unc_idmap_add(&plan, &sub, "--map-uid", NULL), 0);
	cfg.map[UNC_SUBUID] = &plan;
	unc_check_subid_ranges(&rep, &cfg, UNC_SUBUID, "alice", 2001, &l);
	assert_int_equal(find(&rep, "subuid-size")->status, UNC_CHECK_OK);
	unc_check_report_free(&rep);

	assert_int_equal(unc_idmap_add(&plan, &other, "--map-uid", NULL), 0);
	unc_check_subid_ranges(&rep, &cfg, UNC_SUBUID, "alice", 2001, &l);
	assert_int_equal(find(&rep, "subuid-size")->status, UNC_CHECK_FAIL);
	assert_non_null(strstr(find(&rep, "subuid-size")->what, "are not delegated to alice"));
	unc_check_report_free(&rep);
	unc_subid_list_free(&l);
}

/* Run the text check on buf with alice's usable ranges parsed from it. */
static void text_check(struct unc_check_report *rep, const char *buf)
{
	struct unc_subid_list mine = {.source = "/etc/subuid"};

	assert_int_equal(unc_subid_ranges_from_buffer(buf, strlen(buf), "alice", 2001, &mine, NULL),
			 0);
	unc_check_subid_text(rep, UNC_SUBUID, "/etc/subuid", buf, strlen(buf), "alice", 2001,
			     &mine);
	unc_subid_list_free(&mine);
}

static void test_text_clean(void **state)
{
	struct unc_check_report rep = {0};

	text_check(&rep, "alice:100000:65536\nbob:165536:65536\n\n# alice:100000:5\n");
	assert_int_equal(rep.n, 2);
	assert_int_equal(find(&rep, "subuid-lines")->status, UNC_CHECK_OK);
	assert_int_equal(find(&rep, "subuid-overlap")->status, UNC_CHECK_OK);
	unc_check_report_free(&rep);
}

static void test_text_crlf(void **state)
{
	struct unc_check_report rep = {0};
	const struct unc_check_result *r;

	/* the only line: nothing usable is left, so it fails */
	text_check(&rep, "carol:1:2\nalice:100000:65536\r\n");
	r = find(&rep, "subuid-lines");
	assert_int_equal(r->status, UNC_CHECK_FAIL);
	assert_string_equal(r->what, "line 2 of /etc/subuid, meant for alice, is skipped by "
				     "shadow: it ends with a carriage return (a CRLF line)");
	assert_string_equal(r->fix, "as root: sed -i 's/\\r$//' /etc/subuid");
	/* no usable range: nothing to overlap */
	assert_null(find(&rep, "subuid-overlap"));
	unc_check_report_free(&rep);

	/* another line still works: a warning, and "more lines" counted */
	text_check(&rep, "alice:100000:65536\nalice:300000:1\r\nalice:400000:1\r\n");
	r = find(&rep, "subuid-lines");
	assert_int_equal(r->status, UNC_CHECK_WARN);
	assert_non_null(strstr(r->what, "line 2 of"));
	assert_non_null(strstr(r->what, "(and more lines like it)"));
	unc_check_report_free(&rep);
}

static void test_text_blanks_and_junk(void **state)
{
	struct unc_check_report rep = {0};

	text_check(&rep, " alice:100000:65536\n");
	assert_non_null(strstr(find(&rep, "subuid-lines")->what, "it has blanks in it"));
	unc_check_report_free(&rep);
	text_check(&rep, "alice:100000:65536 \n");
	assert_non_null(strstr(find(&rep, "subuid-lines")->what, "it has blanks in it"));
	unc_check_report_free(&rep);
	text_check(&rep, "alice:100000\n");
	assert_non_null(strstr(find(&rep, "subuid-lines")->what, "it is not NAME:START:COUNT"));
	unc_check_report_free(&rep);
	/* by UID too */
	text_check(&rep, "2001:abc:1\n");
	assert_int_equal(find(&rep, "subuid-lines")->status, UNC_CHECK_FAIL);
	unc_check_report_free(&rep);
	/* strtoul skips leading blanks: shadow uses this line, so do we */
	text_check(&rep, "alice: 100000:65536\n");
	assert_int_equal(find(&rep, "subuid-lines")->status, UNC_CHECK_OK);
	unc_check_report_free(&rep);
}

static void test_text_overlap(void **state)
{
	struct unc_check_report rep = {0};
	const struct unc_check_result *r;

	text_check(&rep, "alice:100000:65536\n"
			 "#bob:100000:65536\n" /* a comment owns nothing */
			 "2001:200000:10\n"    /* alice by UID: hers */
			 "bob:165535:2\n"      /* last ID of alice's */
			 "carol:99990:11\n");  /* first ID of alice's */
	r = find(&rep, "subuid-overlap");
	assert_int_equal(r->status, UNC_CHECK_WARN);
	assert_string_equal(r->what, "alice's subordinate UIDs 100000-165535 overlap bob's "
				     "165535-165536 (line 4 of /etc/subuid), and other owners' "
				     "ranges too");
	unc_check_report_free(&rep);

	text_check(&rep, "alice:100000:65536\nbob:165536:1\ncarol:99999:1\n");
	assert_int_equal(find(&rep, "subuid-overlap")->status, UNC_CHECK_OK);
	unc_check_report_free(&rep);
}

static void test_login_defs(void **state)
{
	const char *k = "GRANT_AUX_GROUP_SUBIDS";
#define DEFS(s) s, strlen(s)
	assert_true(unc_check_login_defs_bool(DEFS("GRANT_AUX_GROUP_SUBIDS yes\n"), k));
	assert_true(unc_check_login_defs_bool(DEFS("  GRANT_AUX_GROUP_SUBIDS\tYES"), k));
	assert_false(unc_check_login_defs_bool(DEFS("GRANT_AUX_GROUP_SUBIDS no\n"), k));
	assert_false(unc_check_login_defs_bool(DEFS("# GRANT_AUX_GROUP_SUBIDS yes\n"), k));
	assert_false(unc_check_login_defs_bool(DEFS("GRANT_AUX_GROUP_SUBIDS yesno\n"), k));
	assert_false(unc_check_login_defs_bool(DEFS("GRANT_AUX_GROUP_SUBIDSX yes\n"), k));
	assert_false(unc_check_login_defs_bool(DEFS(""), k));
	/* the last line wins */
	assert_false(unc_check_login_defs_bool(
	    DEFS("GRANT_AUX_GROUP_SUBIDS yes\nGRANT_AUX_GROUP_SUBIDS no\n"), k));
#undef DEFS
}

static void test_report(void **state)
{
	struct unc_check_report rep = {0};
	int i;

	assert_int_equal(unc_check_worst(&rep), UNC_CHECK_OK);
	for (i = 0; i < 100; i++)
		unc_check_add(&rep, i == 50 ? UNC_CHECK_WARN : UNC_CHECK_OK, "x");
	assert_int_equal(rep.n, 100);
	assert_false(rep.oom);
	assert_int_equal(unc_check_worst(&rep), UNC_CHECK_WARN);
	unc_check_add(&rep, UNC_CHECK_FAIL, "y");
	assert_int_equal(unc_check_worst(&rep), UNC_CHECK_FAIL);
	assert_string_equal(unc_check_status_name(UNC_CHECK_OK), "ok");
	assert_string_equal(unc_check_status_name(UNC_CHECK_WARN), "warn");
	assert_string_equal(unc_check_status_name(UNC_CHECK_FAIL), "FAIL");
	unc_check_report_free(&rep);
	assert_null(rep.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sysctls),
	    cmocka_unit_test(test_ranges_missing),
	    cmocka_unit_test(test_ranges_size),
	    cmocka_unit_test(test_ranges_own_id),
	    cmocka_unit_test(test_ranges_explicit_plan),
	    cmocka_unit_test(test_text_clean),
	    cmocka_unit_test(test_text_crlf),
	    cmocka_unit_test(test_text_blanks_and_junk),
	    cmocka_unit_test(test_text_overlap),
	    cmocka_unit_test(test_login_defs),
	    cmocka_unit_test(test_report),
	};
	return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
