/* test_session.c: the pure parts of named sessions (lib/launch/session.c):
 * the state file, session names, the options a join must not change. */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "session.h"

static void fill(struct unc_session_state *st)
{
	memset(st, 0, sizeof *st);
	snprintf(st->name, sizeof st->name, "build");
	st->holder = 4242;
	st->holder_start = 1281848;
	st->keeper = 4241;
	st->keeper_start = 1281847;
	st->userns_dev = 4;
	st->userns_ino = 4026532181ULL;
	st->pidns_ino = 4026532183ULL;
	st->created = 1796228315;
	st->nsflags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS;
	st->idle_s = 30;
	snprintf(st->uid_map, sizeof st->uid_map, "0:1001:1,1:100000:65535");
	snprintf(st->gid_map, sizeof st->gid_map, "0:1001:1,1:100000:65535");
}

static void test_state_round_trip(void **state)
{
	struct unc_session_state st, back;
	struct unc_error err;
	char buf[4096];

	fill(&st);
	assert_int_equal(unc_session_opt_add(&st, "--root", "/srv/r fs"), 0);
	assert_int_equal(unc_session_opt_add(&st, "--bind", "a\\:b:/x\nline"), 0);
	assert_int_equal(unc_session_opt_add(&st, "--pid", ""), 0);
	assert_true(unc_session_state_format(&st, buf, sizeof buf) > 0);
	/* one value, one line: the newline is escaped */
	assert_non_null(strstr(buf, "option --bind a\\\\:b:/x\\nline\n"));
	unc_error_clear(&err);
	assert_int_equal(unc_session_state_parse(buf, &back, &err), 0);
	assert_string_equal(back.name, "build");
	assert_int_equal(back.holder, 4242);
	assert_int_equal(back.holder_start, 1281848);
	assert_int_equal(back.keeper, 4241);
	assert_int_equal(back.keeper_start, 1281847);
	assert_int_equal(back.userns_dev, 4);
	assert_int_equal(back.userns_ino, 4026532181ULL);
	assert_int_equal(back.pidns_ino, 4026532183ULL);
	assert_int_equal(back.created, 1796228315);
	assert_int_equal(back.nsflags, st.nsflags);
	assert_int_equal(back.idle_s, 30);
	assert_string_equal(back.uid_map, st.uid_map);
	assert_int_equal(back.nopts, 3);
	assert_string_equal(back.opts[0].value, "/srv/r fs");
	assert_string_equal(back.opts[1].value, "a\\:b:/x\nline");
	assert_string_equal(back.opts[2].name, "--pid");
	assert_string_equal(back.opts[2].value, "");
	unc_session_state_free(&back);
	unc_session_state_free(&st);
}

static void assert_malformed(const char *text)
{
	struct unc_session_state st;
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_session_state_parse(text, &st, &err), -EINVAL);
	assert_string_equal(err.msg, "malformed state file");
	assert_null(st.opts);
}

#define HEAD  "uncmap-session 1\nname s\n"
#define OTHER "userns 4 99\nnsflags 0x30020000\n"

static void test_state_malformed(void **state)
{
	struct unc_session_state st;

	assert_malformed("");
	assert_malformed("uncmap-session 2\nname s\nholder 1 2\n" OTHER);
	assert_malformed(HEAD OTHER);					      /* no holder */
	assert_malformed(HEAD "holder 0 5\n" OTHER);			      /* PID 0 */
	assert_malformed(HEAD "holder -3 5\n" OTHER);			      /* negative */
	assert_malformed(HEAD "holder 12 5x\n" OTHER);			      /* trailing junk */
	assert_malformed(HEAD "holder 12\n" OTHER);			      /* no start time */
	assert_malformed(HEAD "holder 12 5\nuserns 4 99\nnsflags 0x20000\n"); /* no user ns */
	assert_malformed(HEAD "holder 12 5\nnsflags 0x30020000\n");	      /* no inode */
	assert_malformed(HEAD "holder 12 5\n" OTHER "option --root\n");	      /* no value */
	assert_malformed(
	    "uncmap-session 1\nname ../x/y/z/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/"
	    "y/z\nholder 12 5\n" OTHER);
	/* a key from a newer uncmap is ignored */
	assert_int_equal(
	    unc_session_state_parse(HEAD "holder 12 5\n" OTHER "future yes\n", &st, NULL), 0);
	assert_int_equal(st.holder, 12);
	unc_session_state_free(&st);
}

static void assert_name_refused(const char *name)
{
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_session_name_check(name, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is not a session name of 1 to 64 letters"));
}

static void test_names(void **state)
{
	char long_name[66];

	assert_int_equal(unc_session_name_check("build", NULL), 0);
	assert_int_equal(unc_session_name_check("a.b-c_D9", NULL), 0);
	assert_name_refused("");
	assert_name_refused(".hidden");
	assert_name_refused("a/b");
	assert_name_refused("..");
	assert_name_refused("a b");
	assert_name_refused("a\nb");
	memset(long_name, 'x', 65);
	long_name[65] = '\0';
	assert_name_refused(long_name);
	long_name[64] = '\0';
	assert_int_equal(unc_session_name_check(long_name, NULL), 0);
}

static void test_opts_compare(void **state)
{
	struct unc_session_state session, given;
	struct unc_error err;

	fill(&session);
	memset(&given, 0, sizeof given);
	unc_session_opt_add(&session, "--range", "65536");
	unc_session_opt_add(&session, "--bind", "/a:/a");
	unc_session_opt_add(&session, "--bind", "/b:/b");
	unc_session_opt_add(&session, "--pid", "");
	/* nothing given: nothing to differ */
	assert_int_equal(unc_session_opts_compare(&session, &given, NULL), 0);
	/* the same again */
	unc_session_opt_add(&given, "--bind", "/a:/a");
	unc_session_opt_add(&given, "--pid", "");
	unc_session_opt_add(&given, "--bind", "/b:/b");
	assert_int_equal(unc_session_opts_compare(&session, &given, NULL), 0);
	unc_session_state_free(&given);
	/* the binds in another order differ */
	unc_session_opt_add(&given, "--bind", "/b:/b");
	unc_session_opt_add(&given, "--bind", "/a:/a");
	unc_error_clear(&err);
	assert_int_equal(unc_session_opts_compare(&session, &given, &err), -EEXIST);
	assert_string_equal(err.msg, "--session build: --bind differs: the session has '/a:/a "
				     "/b:/b', given '/b:/b /a:/a'");
	assert_string_equal(err.hint, "leave --bind out to join the session as it is, or end it "
				      "first: uncmap --end build");
	unc_session_state_free(&given);
	/* a flag the session lacks */
	unc_session_opt_add(&given, "--uts", "");
	assert_int_equal(unc_session_opts_compare(&session, &given, &err), -EEXIST);
	assert_string_equal(err.msg, "--session build: --uts differs: the session has none, given "
				     "--uts");
	unc_session_state_free(&given);
	/* a value with a control character is shown escaped */
	unc_session_opt_add(&given, "--range", "1\n");
	assert_int_equal(unc_session_opts_compare(&session, &given, &err), -EEXIST);
	assert_string_equal(err.msg, "--session build: --range differs: the session has '65536', "
				     "given '1\\n'");
	unc_session_state_free(&given);
	unc_session_state_free(&session);
}

static void test_texts(void **state)
{
	struct idmap_plan plan = {.n = 2,
				  .ext = {{.inside = 0, .outside = 1001, .count = 1},
					  {.inside = 1, .outside = 100000, .count = 65535}}};
	char buf[128];

	unc_session_map_text(&plan, buf, sizeof buf);
	assert_string_equal(buf, "0:1001:1,1:100000:65535");
	unc_session_ns_text(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET, buf,
			    sizeof buf);
	assert_string_equal(buf, "user,pid,mnt,net");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_round_trip),
	    cmocka_unit_test(test_state_malformed),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_opts_compare),
	    cmocka_unit_test(test_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
