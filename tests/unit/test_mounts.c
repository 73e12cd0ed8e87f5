/* test_mounts.c: the values of the filesystem options (lib/launch/mounts.c):
 * fields split on ':', '\:' and '\\' escapes, each option's form. The
 * messages are what uncmap prints after "uncmap: ". */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "mounts.h"

struct parsed {
	struct mount_op op;
	char *storage;
};

static void parse_ok(const char *option, const char *arg, struct parsed *p)
{
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_mount_parse(option, arg, &p->op, &p->storage, &err), 0);
	assert_string_equal(err.msg, "");
}

static void assert_refused(const char *option, const char *arg, const char *msg)
{
	struct unc_error err;
	struct mount_op op;
	char *storage = (char *)"untouched";

	unc_error_clear(&err);
	assert_true(unc_mount_parse(option, arg, &op, &storage, &err) < 0);
	assert_string_equal(err.msg, msg);
	assert_null(storage);
}

static void test_bind_family(void **state)
{
	struct parsed p;

	parse_ok("--bind", "/src:/dst", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_BIND);
	assert_string_equal(p.op.src, "/src");
	assert_string_equal(p.op.dst, "/dst");
	assert_string_equal(p.op.option, "--bind");
	assert_int_equal(p.op.try_src, 0);
	assert_int_equal(p.op.fd, -1);
	free(p.storage);
	parse_ok("--ro-bind-try", "a:/b", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_RO_BIND);
	assert_int_equal(p.op.try_src, 1);
	free(p.storage);
	parse_ok("--dev-bind", "/dev/null:/n", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_DEV_BIND);
	free(p.storage);
}

static void test_escapes(void **state)
{
	struct parsed p;

	parse_ok("--bind", "/a\\:b:/c\\:d", &p);
	assert_string_equal(p.op.src, "/a:b");
	assert_string_equal(p.op.dst, "/c:d");
	free(p.storage);
	parse_ok("--bind", "/a\\\\:/b", &p);
	assert_string_equal(p.op.src, "/a\\");
	assert_string_equal(p.op.dst, "/b");
	free(p.storage);
	/* any other backslash is a character of the path */
	parse_ok("--bind", "/a\\n:/b", &p);
	assert_string_equal(p.op.src, "/a\\n");
	free(p.storage);
}

static void test_single_paths_are_literal(void **state)
{
	struct parsed p;

	parse_ok("--tmpfs", "/a:b", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_TMPFS);
	assert_string_equal(p.op.dst, "/a:b");
	assert_null(p.op.src);
	assert_null(p.storage);
	parse_ok("--dir", "/x", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_DIR);
	parse_ok("--remount-ro", "/x", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_REMOUNT_RO);
	assert_refused("--dir", "x", "--dir: 'x' is not an absolute path");
}

static void test_symlink_chmod_data(void **state)
{
	struct parsed p;

	parse_ok("--symlink", "../lib:/lib64", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_SYMLINK);
	assert_string_equal(p.op.src, "../lib");
	free(p.storage);
	parse_ok("--chmod", "1777:/tmp", &p);
	assert_int_equal(p.op.mode, 01777);
	free(p.storage);
	assert_refused("--chmod", "8:/tmp", "--chmod: '8' is not an octal mode");
	assert_refused("--chmod", "17777:/tmp", "--chmod: '17777' is not an octal mode");
	parse_ok("--ro-bind-data", "5:/etc/x", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_RO_DATA);
	assert_int_equal(p.op.fd, 5);
	free(p.storage);
	assert_refused("--file", "-1:/x", "--file: '-1' is not a file descriptor");
	/* strtoull would skip these: the value is digits only */
	assert_refused("--chmod", " 7:/x", "--chmod: ' 7' is not an octal mode");
	assert_refused("--file", "+5:/x", "--file: '+5' is not a file descriptor");
}

static void test_overlays(void **state)
{
	struct parsed p;

	parse_ok("--overlay", "/l1:/l\\:2:/up:/wk:/dst", &p);
	assert_int_equal(p.op.kind, UNC_MOUNT_OVERLAY);
	assert_int_equal(p.op.nlower, 2);
	assert_string_equal(p.op.src, "/l1");
	assert_string_equal(p.op.src + strlen(p.op.src) + 1, "/l:2");
	assert_string_equal(p.op.upper, "/up");
	assert_string_equal(p.op.work, "/wk");
	assert_string_equal(p.op.dst, "/dst");
	free(p.storage);
	parse_ok("--tmp-overlay", "/usr:/usr", &p);
	assert_int_equal(p.op.nlower, 1);
	assert_null(p.op.upper);
	free(p.storage);
	assert_refused("--overlay", "/a:/b:/c",
		       "--overlay: '/a:/b:/c' is not LOWER[:LOWER...]:UPPER:WORK:DST");
}

static void test_bad_forms(void **state)
{
	assert_refused("--bind", "", "--bind: empty value, expected SRC:DST");
	assert_refused("--bind", "nocolon", "--bind: 'nocolon' is not SRC:DST");
	assert_refused("--bind", "a:b:c", "--bind: 'a:b:c' is not SRC:DST");
	assert_refused("--bind", ":/b", "--bind: ':/b' is not SRC:DST");
	assert_refused("--bind", "/tmp:relative",
		       "--bind: destination 'relative' must be an absolute path");
	assert_refused("--mystery", "x", "--mystery: not a mount option");
	assert_true(unc_mount_is_option("--tmp-overlay"));
	assert_false(unc_mount_is_option("--root"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bind_family),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_single_paths_are_literal),
	    cmocka_unit_test(test_symlink_chmod_data),
	    cmocka_unit_test(test_overlays),
	    cmocka_unit_test(test_bad_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
