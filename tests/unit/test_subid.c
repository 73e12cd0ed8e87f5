/* test_subid.c: the subuid/subgid parser (lib/core/subid.c) against shadow
 * 4.13's rules, as Debian 12's newuidmap applies them:
 *
 * - lib/commonio.c reads the file line by line (fgets, growing its
 *   buffer, so any line length is read) and strips the newline;
 * - lib/subordinateio.c subordinate_parse() refuses a line of 1024 bytes
 *   or more, splits at ':' into at least three fields, ignores further
 *   fields, refuses an empty field, and reads start and count with
 *   getulong(): strtoul(base 0), which skips leading blanks, takes a sign,
 *   0x hex and 0 octal, and refuses trailing characters and ERANGE;
 * - list_owner_ranges() matches an owner by name or by the decimal UID.
 *
 * uncmap additionally refuses a '-' sign (subid.h says why). */
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

#include "error.h"
#include "subid.h"

/* A scratch directory per test binary, removed at the end. */
static char scratch[64];

static int make_scratch(void **state)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(scratch, sizeof scratch, "%s/unc-subid-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch))
		return -1;
	return 0;
}

static int remove_scratch(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_scratch(const char *name, const char *data, size_t len, char *path, size_t size)
{
	FILE *f;
	snprintf(path, size, "%s/%s", scratch, name);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Does shadow (and so uncmap) accept this line? */
static int accepts(const char *line)
{
	struct unc_subid_entry e;
	return unc_subid_parse_line(line, strlen(line), &e) == 0;
}

static void assert_entry(const char *line, const char *owner, uint64_t start, uint64_t count)
{
	struct unc_subid_entry e;
	assert_int_equal(unc_subid_parse_line(line, strlen(line), &e), 0);
	assert_int_equal(e.owner_len, strlen(owner));
	assert_memory_equal(e.owner, owner, e.owner_len);
	assert_int_equal(e.start, start);
	assert_int_equal(e.count, count);
}

/* The ranges of alice (UID 1001) in buf, as "start+count ..." for easy
 * comparison. */
static void ranges_of(const char *buf, size_t len, const char *user, uid_t uid, char *out,
		      size_t size)
{
	struct unc_subid_list l = {0};
	struct unc_error err;
	size_t i, used = 0;

	unc_error_clear(&err);
	assert_int_equal(unc_subid_ranges_from_buffer(buf, len, user, uid, &l, &err), 0);
	out[0] = '\0';
	for (i = 0; i < l.n; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%llu+%llu", i ? " " : "",
					 (unsigned long long)l.ranges[i].start,
					 (unsigned long long)l.ranges[i].count);
	unc_subid_list_free(&l);
}

static void test_plain_line(void **state)
{
	assert_entry("alice:100000:65536", "alice", 100000, 65536);
	assert_entry("1001:165536:1", "1001", 165536, 1);
	assert_entry("a:0:1", "a", 0, 1);
}

static void test_extra_fields_ignored(void **state)
{
	assert_entry("alice:100000:65536:extra", "alice", 100000, 65536);
	assert_entry("alice:100000:65536:", "alice", 100000, 65536);
	assert_entry("alice:100000:65536:x:y:z", "alice", 100000, 65536);
	/* the fourth field may hold anything, even what breaks the third */
	assert_entry("alice:100000:65536:\r", "alice", 100000, 65536);
}

static void test_missing_or_empty_fields(void **state)
{
	assert_false(accepts(""));
	assert_false(accepts("alice"));
	assert_false(accepts("alice:"));
	assert_false(accepts("alice:100000"));
	assert_false(accepts("alice:100000:"));
	assert_false(accepts(":100000:65536"));
	assert_false(accepts("alice::65536"));
	assert_false(accepts("::"));
	assert_false(accepts(":::"));
	assert_false(accepts("alice:100000::65536"));
}

static void test_numbers_base_zero(void **state)
{
	/* getulong() is strtoul(s, &end, 0) */
	assert_entry("alice:0x186a0:0x10000", "alice", 100000, 65536);
	assert_entry("alice:0X186A0:0200000", "alice", 100000, 65536);
	assert_entry("alice:0:00", "alice", 0, 0);
	assert_entry("alice:+100000:+1", "alice", 100000, 1);
	assert_false(accepts("alice:0x:1")); /* "0" then junk */
	assert_false(accepts("alice:08:1")); /* 8 is not octal */
	assert_false(accepts("alice:0x1g:1"));
	assert_false(accepts("alice:1e5:1"));
	assert_false(accepts("alice:100000:65536x"));
	assert_false(accepts("alice:abc:1"));
	assert_false(accepts("alice:100000:++1"));
}

static void test_blanks(void **state)
{
	/* strtoul skips leading white space, so shadow does too... */
	assert_entry("alice: 100000:\t65536", "alice", 100000, 65536);
	assert_entry("alice:\v\f 100000:\n65536", "alice", 100000, 65536);
	/* ...but not trailing white space */
	assert_false(accepts("alice:100000 :65536"));
	assert_false(accepts("alice:100000:65536 "));
	assert_false(accepts("alice:100000:65536\t"));
	assert_false(accepts("alice:100000: "));
	/* a blank owner is a different owner, not alice */
	assert_entry(" alice:100000:65536", " alice", 100000, 65536);
	assert_entry("alice :100000:65536", "alice ", 100000, 65536);
}

static void test_crlf(void **state)
{
	/* A DOS line ending leaves "65536\r" in the count: shadow refuses the
	 * line, so must we, or we would plan maps newuidmap then refuses. */
	assert_false(accepts("alice:100000:65536\r"));
	const char buf[] = "alice:100000:65536\r\nalice:200000:10\r\n";
	char got[256];
	ranges_of(buf, sizeof buf - 1, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "");
}

static void test_negative_numbers(void **state)
{
	/* shadow's getulong() takes strtoul's wrapped values (getsubids prints
	 * "alice:-1:10" as 18446744073709551615 10), so we do too: no
	 * mappable ID comes of them, but they are ranges, and check says so */
	assert_entry("alice:-1:65536", "alice", UINT64_MAX, 65536);
	assert_entry("alice:100000:-1", "alice", 100000, UINT64_MAX);
	assert_entry("alice:-0:1", "alice", 0, 1);
	assert_entry("alice: -5:1", "alice", UINT64_MAX - 4, 1);
	assert_entry("alice:100000:-65536", "alice", 100000, UINT64_MAX - 65535);
	/* strtoul's ERANGE, either way, is a skipped line */
	assert_false(accepts("alice:-18446744073709551616:1"));
	assert_false(accepts("alice:18446744073709551616:1"));
	/* a line starting with '-' or '+' is a NIS entry to commonio */
	assert_false(accepts("-alice:1:1"));
	assert_false(accepts("+:1:1"));
}

static void test_huge_numbers(void **state)
{
	/* unsigned long is 64 bits here, as in Debian 12's amd64 shadow */
	assert_entry("alice:4294967295:1", "alice", 4294967295ULL, 1);
	assert_entry("alice:4294967296:65536", "alice", 4294967296ULL, 65536);
	assert_entry("alice:18446744073709551615:18446744073709551615", "alice", UINT64_MAX,
		     UINT64_MAX);
	assert_entry("alice:0xffffffffffffffff:1", "alice", UINT64_MAX, 1);
	/* ERANGE */
	assert_false(accepts("alice:18446744073709551616:1"));
	assert_false(accepts("alice:1:99999999999999999999999999"));
	assert_false(accepts("alice:0x10000000000000000:1"));
}

static void test_long_fields(void **state)
{
	/* shadow copies the line into a 1024-byte buffer and reads each field
	 * whole: a number padded with zeros or blanks is still a number, as
	 * long as the line is under 1024 bytes. */
	char line[1100];
	size_t prefix = strlen("alice:"), suffix = strlen(":65536");

	memcpy(line, "alice:", prefix);
	memset(line + prefix, '0', 1023 - prefix - suffix - 6);
	memcpy(line + 1023 - suffix - 6, "100000:65536", 12);
	line[1023] = '\0';
	assert_int_equal(strlen(line), 1023);
	/* a leading 0 makes it octal, however many there are */
	assert_entry(line, "alice", 0100000, 65536);

	memset(line + prefix, ' ', 1023 - prefix - suffix - 6);
	assert_entry(line, "alice", 100000, 65536);
	memset(line + prefix, ' ', 1023 - prefix - suffix - 7);
	memcpy(line + 1023 - suffix - 7, "0x186a0", 7);
	assert_entry(line, "alice", 100000, 65536);
}

static void test_line_length_limit(void **state)
{
	char line[2100];
	struct unc_subid_entry e;
	char got[128];
	char *buf;
	size_t n;

	/* 1023 bytes: accepted */
	memset(line, 'x', sizeof line);
	memcpy(line + 1023 - 8, ":1:65536", 8);
	assert_int_equal(unc_subid_parse_line(line, 1023, &e), 0);
	assert_int_equal(e.owner_len, 1023 - 8);
	/* 1024 bytes: skipped */
	memset(line, 'x', sizeof line);
	memcpy(line + 1024 - 8, ":1:65536", 8);
	assert_int_equal(unc_subid_parse_line(line, 1024, &e), -1);
	/* a 2000-byte line (a real owner, padded fourth field) is skipped, and
	 * the lines around it are read normally */
	memset(line, 'y', sizeof line);
	memcpy(line, "alice:5:5:", 10);
	line[2000] = '\0';
	n = strlen("alice:1:1\n") + 2000 + strlen("\nalice:9:9\n");
	buf = malloc(n + 1);
	assert_non_null(buf);
	memcpy(buf, "alice:1:1\n", 10);
	memcpy(buf + 10, line, 2000);
	memcpy(buf + 2010, "\nalice:9:9\n", 11);
	assert_int_equal(n, 2021);
	ranges_of(buf, n, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "1+1 9+9");
	free(buf);
}

static void test_nul_bytes(void **state)
{
	struct unc_subid_entry e;
	static const char with_nul[] = "alice:100000:65536\0";
	static const char inside[] = "ali\0ce:100000:65536";
	static const char in_number[] = "alice:100\0000:65536";

	/* a NUL is never part of an accepted line (shadow's strings end there) */
	assert_int_equal(unc_subid_parse_line(with_nul, sizeof with_nul - 1, &e), -1);
	assert_int_equal(unc_subid_parse_line(inside, sizeof inside - 1, &e), -1);
	assert_int_equal(unc_subid_parse_line(in_number, sizeof in_number - 1, &e), -1);
}

static void test_nul_bytes_in_file(void **state)
{
	/* A NUL in the middle of a file must not end the parse there.
	 * Shadow's commonio finds a line's end with strrchr(), which stops at
	 * the NUL, so it reads the next line into the buffer after the text
	 * before the NUL: "x\0\nalice:2:2" is one line "xalice:2:2" to it.
	 * uncmap skips the NUL line alone; the inputs below are ones where
	 * both give the same ranges. Where they differ, uncmap plans more
	 * than newuidmap grants and the helper refuses: it fails closed. */
	static const char buf[] = "alice:1:1\n\0\0\0\nalice:2:2\nbob:3:3\0\n\nalice:4:4";
	char got[128];

	ranges_of(buf, sizeof buf - 1, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "1+1 2+2 4+4");
}

/* What shadow 4.13 reads (checked with getsubids; the differential test
 * in tests/bats/subid_differential.bats does it for every corpus file). */
static void test_nul_joins_lines_as_shadow(void **state)
{
	static const char joined[] = "u2:231072:65536\0x\nu1:165536:65536\nu3:1:2\n";
	static const char at_end[] = "u9:5:6\nu2:231072:65536\0";
	static const char nul_then_end[] = "u9:5:6\nu2:231072:65536\0\n";
	static const char stitched[] = "a\0\nx:1:2\n";
	struct unc_subid_list l = {0};
	struct unc_error err;
	char got[128];

	/* "u2:231072:65536u1:165536:65536": neither u2's nor u1's */
	ranges_of(joined, sizeof joined - 1, "u2", 5, got, sizeof got);
	assert_string_equal(got, "");
	ranges_of(joined, sizeof joined - 1, "u1", 5, got, sizeof got);
	assert_string_equal(got, "");
	ranges_of(joined, sizeof joined - 1, "u3", 5, got, sizeof got);
	assert_string_equal(got, "1+2");
	/* a NUL at the very end cuts the last line only */
	ranges_of(at_end, sizeof at_end - 1, "u2", 5, got, sizeof got);
	assert_string_equal(got, "231072+65536");
	/* the owner is stitched from both lines */
	ranges_of(stitched, sizeof stitched - 1, "ax", 5, got, sizeof got);
	assert_string_equal(got, "1+2");
	/* a NUL before the last newline: shadow reads nothing at all */
	unc_error_clear(&err);
	assert_int_equal(
	    unc_subid_ranges_from_buffer(nul_then_end, sizeof nul_then_end - 1, "u9", 5, &l, &err),
	    -EBADMSG);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(err.msg, "NUL byte before its newline"));
}

static void test_buffer_edge_as_shadow(void **state)
{
	/* a last line of exactly 4095 bytes and no newline ends at the edge
	 * of shadow's first buffer: its next fgets finds the end of file and
	 * the whole file fails; 4094 or 4096 bytes read fine */
	size_t sizes[] = {4094, 4095, 4096, 8191};
	size_t i;

	for (i = 0; i < 4; i++) {
		char *buf = malloc(sizes[i] + 8);
		struct unc_subid_list l = {0};
		int r;
		assert_non_null(buf);
		memcpy(buf, "u:1:1\n", 6);
		memset(buf + 6, 'z', sizes[i]);
		r = unc_subid_ranges_from_buffer(buf, 6 + sizes[i], "u", 5, &l, NULL);
		assert_int_equal(r, sizes[i] % 4096 == 4095 ? -EBADMSG : 0);
		assert_int_equal(l.n, r == 0 ? 1 : 0);
		unc_subid_list_free(&l);
		free(buf);
	}
}

static void test_never_reads_past_len(void **state)
{
	/* the line is the first len bytes; what follows is not looked at */
	struct unc_subid_entry e;
	char *line = malloc(9); /* exactly "alice:1:2", no NUL */

	assert_non_null(line);
	memcpy(line, "alice:1:2", 9);
	assert_int_equal(unc_subid_parse_line(line, 9, &e), 0);
	assert_int_equal(e.count, 2);
	assert_int_equal(unc_subid_parse_line(line, 8, &e), -1); /* "alice:1:" */
	assert_int_equal(unc_subid_parse_line(line, 0, &e), -1);
	free(line);
	assert_int_equal(unc_subid_parse_line("alice:1:23", 9, &e), 0);
	assert_int_equal(e.count, 2);
}

static void test_comments(void **state)
{
	/* "#..." with three fields is, to shadow, an owner named "#...": it
	 * matches nobody. Without three fields it is malformed. Either way
	 * it is harmless. */
	assert_false(accepts("# a comment"));
	assert_false(accepts("#"));
	assert_entry("#alice:100000:65536", "#alice", 100000, 65536);
	assert_entry("# alice:100000:65536", "# alice", 100000, 65536);
	const char buf[] = "# subordinate UIDs\n#alice:500000:10\n# alice:600000:10\n"
			   "alice:100000:65536\n";
	char got[128];
	ranges_of(buf, sizeof buf - 1, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "100000+65536");
}

static void test_owner_matching(void **state)
{
	struct unc_subid_entry e;

	assert_int_equal(unc_subid_parse_line("alice:1:1", 9, &e), 0);
	assert_true(unc_subid_entry_is_owner(&e, "alice", 1001));
	assert_false(unc_subid_entry_is_owner(&e, "alic", 1001));
	assert_false(unc_subid_entry_is_owner(&e, "alicex", 1001));
	assert_false(unc_subid_entry_is_owner(&e, "Alice", 1001));
	assert_false(unc_subid_entry_is_owner(&e, NULL, 1001));

	assert_int_equal(unc_subid_parse_line("1001:1:1", 8, &e), 0);
	assert_true(unc_subid_entry_is_owner(&e, "alice", 1001));
	assert_true(unc_subid_entry_is_owner(&e, NULL, 1001));
	assert_false(unc_subid_entry_is_owner(&e, "alice", 1000));
	assert_false(unc_subid_entry_is_owner(&e, "alice", 10010));

	/* the UID must be written as shadow prints it: decimal, no padding */
	assert_int_equal(unc_subid_parse_line("01001:1:1", 9, &e), 0);
	assert_false(unc_subid_entry_is_owner(&e, "alice", 1001));
	assert_int_equal(unc_subid_parse_line("0x3e9:1:1", 9, &e), 0);
	assert_false(unc_subid_entry_is_owner(&e, "alice", 1001));
	assert_int_equal(unc_subid_parse_line("+1001:1:1", 9, &e), -1); /* NIS */
	assert_int_equal(unc_subid_parse_line("4294967295:1:1", 14, &e), 0);
	assert_true(unc_subid_entry_is_owner(&e, NULL, (uid_t)4294967295U));
	assert_int_equal(unc_subid_parse_line("0:1:1", 5, &e), 0);
	assert_true(unc_subid_entry_is_owner(&e, "root", 0));
}

static void test_several_ranges_in_order(void **state)
{
	const char buf[] = "alice:100000:65536\n"
			   "bob:165536:65536\n"
			   "1001:300000:10\n"
			   "\n"
			   "garbage\n"
			   "alice:200000:5:extra\n"
			   "alice:-1:5\n"
			   "1000:400000:10\n"
			   "alice:50000:100";
	char got[256];

	ranges_of(buf, sizeof buf - 1, "alice", 1001, got, sizeof got);
	assert_string_equal(got,
			    "100000+65536 300000+10 200000+5 18446744073709551615+5 50000+100");
	ranges_of(buf, sizeof buf - 1, "bob", 1000, got, sizeof got);
	assert_string_equal(got, "165536+65536 400000+10");
	ranges_of(buf, sizeof buf - 1, "carol", 1002, got, sizeof got);
	assert_string_equal(got, "");
}

static void test_blank_and_odd_buffers(void **state)
{
	char got[128];

	ranges_of("", 0, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "");
	ranges_of("\n\n\n", 3, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "");
	ranges_of("alice:1:1", 9, "alice", 1001, got, sizeof got); /* no final newline */
	assert_string_equal(got, "1+1");
	ranges_of("alice:1:1\n\n\nalice:2:2\n\n", 24, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "1+1 2+2");
	ranges_of("   \n\t\nalice:1:1\n", 16, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "1+1");
	/* NIS-style entries are skipped by commonio; as owners they match nobody */
	ranges_of("+alice:1:1\n-alice:2:2\n+:3:3\n+1001:4:4\n", 37, "alice", 1001, got, sizeof got);
	assert_string_equal(got, "");
}

static void test_ten_thousand_lines(void **state)
{
	/* 10,000 lines of other owners, junk and comments, with alice's three
	 * ranges at the start, the middle and the very end (no newline). */
	size_t cap = 10000 * 64, used = 0;
	char *buf = malloc(cap);
	char path[256], got[256];
	struct unc_subid_list l = {0};
	struct unc_error err;
	int i;

	assert_non_null(buf);
	for (i = 0; i < 10000; i++) {
		int k;
		if (i == 0)
			k = snprintf(buf + used, cap - used, "alice:100000:65536\n");
		else if (i == 5000)
			k = snprintf(buf + used, cap - used, "1001:%d:7\n", i * 10);
		else if (i == 9999)
			k = snprintf(buf + used, cap - used, "alice:%d:9", i * 10);
		else if (i % 7 == 0)
			k = snprintf(buf + used, cap - used, "# comment %d\n", i);
		else if (i % 11 == 0)
			k = snprintf(buf + used, cap - used, "user%d::\n", i);
		else
			k = snprintf(buf + used, cap - used, "user%d:1000000:65536\n", i);
		used += (size_t)k;
	}
	write_scratch("subuid-10000", buf, used, path, sizeof path);
	free(buf);

	unc_error_clear(&err);
	assert_int_equal(unc_subid_ranges_from_file(path, "alice", 1001, &l, &err), 0);
	assert_string_equal(l.source, path);
	assert_int_equal(l.n, 3);
	snprintf(got, sizeof got, "%llu+%llu %llu+%llu %llu+%llu",
		 (unsigned long long)l.ranges[0].start, (unsigned long long)l.ranges[0].count,
		 (unsigned long long)l.ranges[1].start, (unsigned long long)l.ranges[1].count,
		 (unsigned long long)l.ranges[2].start, (unsigned long long)l.ranges[2].count);
	assert_string_equal(got, "100000+65536 50000+7 99990+9");
	assert_int_equal(unc_subid_list_total(&l), 65536 + 7 + 9);
	unc_subid_list_free(&l);
	assert_null(l.ranges);
	assert_int_equal(l.n, 0);
}

static void test_from_file_missing_and_unreadable(void **state)
{
	struct unc_subid_list l = {0};
	struct unc_error err;
	char path[256];

	/* no file: no ranges, no error (as for shadow) */
	snprintf(path, sizeof path, "%s/does-not-exist", scratch);
	unc_error_clear(&err);
	assert_int_equal(unc_subid_ranges_from_file(path, "alice", 1001, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_string_equal(l.source, path);
	assert_string_equal(err.msg, "");

	/* a directory is an error, named */
	assert_true(unc_subid_ranges_from_file(scratch, "alice", 1001, &l, &err) < 0);
	assert_non_null(strstr(err.msg, scratch));
	assert_int_equal(err.errnum, EISDIR);
}

static void test_fixture_file(void **state)
{
	struct unc_subid_list l = {0};
	struct unc_error err;

	unc_error_clear(&err);
	assert_int_equal(unc_subid_ranges_from_file(UNC_TEST_FIXTURES "/subuid-shadow-rules",
						    "alice", 1001, &l, &err),
			 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.ranges[0].start, 100000);
	assert_int_equal(l.ranges[0].count, 65536);
	assert_int_equal(l.ranges[1].start, 100000);	 /* 0x186a0 */
	assert_int_equal(l.ranges[1].count, 16);	 /* 020 */
	assert_int_equal(l.ranges[2].start, UINT64_MAX); /* -1 */
	assert_int_equal(l.ranges[2].count, 10);
	assert_int_equal(l.ranges[3].start, 300000);
	assert_int_equal(l.ranges[3].count, 10);
	assert_int_equal(l.ranges[4].start, 400000);
	assert_int_equal(l.ranges[4].count, 1);
	unc_subid_list_free(&l);
}

static struct unc_subid_list list_of(const uint64_t *pairs, size_t n)
{
	struct unc_subid_list l = {0};
	size_t i;
	for (i = 0; i < n; i++)
		assert_int_equal(unc_subid_list_add(&l, pairs[2 * i], pairs[2 * i + 1]), 0);
	return l;
}

static void test_list_covers(void **state)
{
	const uint64_t pairs[] = {100000, 100, 100100, 50, 300000, 10,
				  200000, 0,   500010, 10, 500000, 10};
	struct unc_subid_list l = list_of(pairs, 6);
	struct unc_subid_list empty = {0};

	assert_true(unc_subid_list_covers(&l, 100000, 100));
	assert_true(unc_subid_list_covers(&l, 100000, 1));
	assert_true(unc_subid_list_covers(&l, 100099, 1));
	assert_false(unc_subid_list_covers(&l, 99999, 1));
	assert_false(unc_subid_list_covers(&l, 99999, 2));
	/* across adjacent ranges, in either order in the list */
	assert_true(unc_subid_list_covers(&l, 100000, 150));
	assert_true(unc_subid_list_covers(&l, 100050, 100));
	assert_false(unc_subid_list_covers(&l, 100000, 151));
	assert_true(unc_subid_list_covers(&l, 500000, 20));
	assert_true(unc_subid_list_covers(&l, 500005, 10));
	assert_false(unc_subid_list_covers(&l, 500000, 21));
	/* across a gap */
	assert_false(unc_subid_list_covers(&l, 100100, 200000));
	assert_true(unc_subid_list_covers(&l, 300009, 1));
	assert_false(unc_subid_list_covers(&l, 300010, 1));
	/* an empty range covers nothing, an empty request is never covered */
	assert_false(unc_subid_list_covers(&l, 200000, 1));
	assert_false(unc_subid_list_covers(&l, 100000, 0));
	assert_false(unc_subid_list_covers(&empty, 0, 1));
	/* no overflow at the top */
	assert_false(unc_subid_list_covers(&l, UINT64_MAX, 2));
	assert_false(unc_subid_list_covers(&l, UINT64_MAX - 5, UINT64_MAX));
	unc_subid_list_free(&l);
}

static void test_list_covers_overlapping_and_huge(void **state)
{
	const uint64_t pairs[] = {1000, 100, 1050, 100, 1020, 10, UINT64_MAX - 10, 100};
	struct unc_subid_list l = list_of(pairs, 4);

	assert_true(unc_subid_list_covers(&l, 1000, 150));
	assert_false(unc_subid_list_covers(&l, 1000, 151));
	/* a range whose end wraps round is ignored, not taken as covering 0 */
	assert_false(unc_subid_list_covers(&l, 0, 1));
	assert_false(unc_subid_list_covers(&l, UINT64_MAX - 5, 1));
	unc_subid_list_free(&l);
}

static void test_list_total_saturates(void **state)
{
	const uint64_t pairs[] = {0, UINT64_MAX - 1, 5, 10};
	struct unc_subid_list l = list_of(pairs, 2);
	struct unc_subid_list empty = {0};

	assert_int_equal(unc_subid_list_total(&l), UINT64_MAX);
	assert_int_equal(unc_subid_list_total(&empty), 0);
	unc_subid_list_free(&l);
	unc_subid_list_free(&empty);
}

static void test_list_grows(void **state)
{
	struct unc_subid_list l = {0};
	uint64_t i;

	for (i = 0; i < 1000; i++)
		assert_int_equal(unc_subid_list_add(&l, 100000 + i * 10, 10), 0);
	assert_int_equal(l.n, 1000);
	assert_true(l.cap >= 1000);
	assert_int_equal(l.ranges[999].start, 100000 + 9990);
	assert_true(unc_subid_list_covers(&l, 100000, 10000));
	assert_false(unc_subid_list_covers(&l, 100000, 10001));
	unc_subid_list_free(&l);
}

/* nsswitch.conf's subid: line, read as shadow 4.13's nss_init() does. */
static void nss_source_of(const char *conf, char *out, size_t size)
{
	char path[256];
	write_scratch("nsswitch.conf", conf, strlen(conf), path, sizeof path);
	assert_int_equal(unc_subid_nss_source(path, out, size), 0);
}

/* Any database's first source (uncmap reads passwd:'s to skip NSS). */
static void test_nss_first_source(void **state)
{
	char src[64], path[256];
	const char *conf = "# passwd: sss\nPasswd:  files systemd\npasswd: sss\ngroup: sss\n";

	write_scratch("nsswitch.conf", conf, strlen(conf), path, sizeof path);
	assert_int_equal(unc_nss_first_source(path, "passwd", src, sizeof src), 1);
	assert_string_equal(src, "files");
	assert_int_equal(unc_nss_first_source(path, "group", src, sizeof src), 1);
	assert_string_equal(src, "sss");
	/* no line: 0 and an empty buffer, not a default */
	assert_int_equal(unc_nss_first_source(path, "shadow", src, sizeof src), 0);
	assert_string_equal(src, "");
	/* "passwd" is not a prefix of "passwdx" */
	conf = "passwdx: sss\npasswd:\n";
	write_scratch("nsswitch.conf", conf, strlen(conf), path, sizeof path);
	assert_int_equal(unc_nss_first_source(path, "passwd", src, sizeof src), 0);
	snprintf(path, sizeof path, "%s/no-nsswitch.conf", scratch);
	assert_int_equal(unc_nss_first_source(path, "passwd", src, sizeof src), 0);
}

static void test_nss_source(void **state)
{
	char src[64], path[256];

	snprintf(path, sizeof path, "%s/no-nsswitch.conf", scratch);
	assert_int_equal(unc_subid_nss_source(path, src, sizeof src), 0);
	assert_string_equal(src, "files");

	nss_source_of("passwd: files\ngroup: files\n", src, sizeof src);
	assert_string_equal(src, "files");
	nss_source_of("passwd: files\nsubid: sss\n", src, sizeof src);
	assert_string_equal(src, "sss");
	nss_source_of("subid:\tfiles\n", src, sizeof src);
	assert_string_equal(src, "files");
	nss_source_of("subid:sss\n", src, sizeof src);
	assert_string_equal(src, "sss");
	/* the first token decides */
	nss_source_of("subid: sss files\n", src, sizeof src);
	assert_string_equal(src, "sss");
	nss_source_of("subid: files sss\n", src, sizeof src);
	assert_string_equal(src, "files");
	/* the first subid: line with a token wins */
	nss_source_of("subid: sss\nsubid: files\n", src, sizeof src);
	assert_string_equal(src, "sss");
	/* comments */
	nss_source_of("# subid: sss\n", src, sizeof src);
	assert_string_equal(src, "files");
	nss_source_of("subid: sss # from FreeIPA\n", src, sizeof src);
	assert_string_equal(src, "sss");
	/* no final newline */
	nss_source_of("passwd: files\nsubid: sss", src, sizeof src);
	assert_string_equal(src, "sss");
	/* a longer name is not the subid database */
	nss_source_of("subids: sss\n", src, sizeof src);
	assert_string_equal(src, "files");
	/* a small buffer truncates rather than overflowing */
	nss_source_of("subid: averyveryverylongmodulename\n", src, 8);
	assert_string_equal(src, "averyve");
}

static void test_nss_source_like_shadow(void **state)
{
	char src[64];

	/* nss_init() compares the database name case-insensitively */
	nss_source_of("SUBID: sss\n", src, sizeof src);
	assert_string_equal(src, "sss");
	nss_source_of("Subid:\tsss\n", src, sizeof src);
	assert_string_equal(src, "sss");
	/* a subid: line with no source is passed over, not taken as files */
	nss_source_of("subid:\nsubid: sss\n", src, sizeof src);
	assert_string_equal(src, "sss");
	nss_source_of("subid:   \t\nsubid: sss\n", src, sizeof src);
	assert_string_equal(src, "sss");
	/* the name must start the line */
	nss_source_of("  subid: sss\n", src, sizeof src);
	assert_string_equal(src, "files");
}

static void test_have_libsubid_is_boolean(void **state)
{
	int have = unc_subid_have_libsubid();
	assert_true(have == 0 || have == 1);
#ifdef UNC_HAVE_LIBSUBID
	assert_int_equal(have, 1);
#else
	assert_int_equal(have, 0);
#endif
}

static void test_list_describe(void **state)
{
	struct unc_subid_list l = {0};
	char buf[64], tiny[4];
	int i;

	unc_subid_list_describe(&l, buf, sizeof buf);
	assert_string_equal(buf, "none");
	assert_int_equal(unc_subid_list_add(&l, 100000, 65536), 0);
	assert_int_equal(unc_subid_list_add(&l, 4294967000, 295), 0);
	unc_subid_list_describe(&l, buf, sizeof buf);
	assert_string_equal(buf, "100000-165535, 4294967000-4294967294");
	for (i = 0; i < 10; i++)
		assert_int_equal(unc_subid_list_add(&l, 200000 + 1000 * (uint64_t)i, 10), 0);
	/* cut short between ranges, never inside one */
	unc_subid_list_describe(&l, buf, sizeof buf);
	assert_string_equal(buf, "100000-165535, 4294967000-4294967294, ...");
	unc_subid_list_describe(&l, tiny, sizeof tiny);
	assert_string_equal(tiny, "");
	unc_subid_list_free(&l);
}

/* The descriptors spell what shadow and the kernel call each kind. */
static void test_id_kinds(void **state)
{
	const struct unc_id_kind *u = unc_id_kind(UNC_SUBUID), *g = unc_id_kind(UNC_SUBGID);

	assert_int_equal(u->kind, UNC_SUBUID);
	assert_int_equal(g->kind, UNC_SUBGID);
	assert_string_equal(u->file, "/etc/subuid");
	assert_string_equal(g->name, "subgid");
	assert_string_equal(u->ids, "UIDs");
	assert_string_equal(g->id, "GID");
	assert_string_equal(g->word, "gids");
	assert_string_equal(u->map_option, "--map-uid");
	assert_string_equal(g->file_option, "--subgid-file");
	assert_string_equal(u->libsubid_get, "subid_get_uid_ranges");
	assert_string_equal(g->defs_min, "SUB_GID_MIN");
	assert_string_equal(u->defs_max, "SUB_UID_MAX");
	assert_string_equal(g->defs_count, "SUB_GID_COUNT");
	assert_string_equal(u->owner_word, "");
	assert_string_equal(g->owner_word, "group ");
	assert_false(u->groups);
	assert_true(g->groups);
	assert_int_equal(UNC_KIND_BIT(UNC_SUBUID) | UNC_KIND_BIT(UNC_SUBGID), 3);
}

static void test_lookup_with_file(void **state)
{
	struct unc_subid_list l = {0};
	struct unc_error err;
	char path[256];
	static const char data[] = "alice:100000:65536\n1001:200000:10\n";

	write_scratch("subuid-lookup", data, sizeof data - 1, path, sizeof path);
	unc_error_clear(&err);
	assert_int_equal(
	    unc_subid_lookup(UNC_SUBUID, UNC_SUBID_VIA_AUTO, path, "alice", 1001, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.source, path);
	unc_subid_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_line),
	    cmocka_unit_test(test_extra_fields_ignored),
	    cmocka_unit_test(test_missing_or_empty_fields),
	    cmocka_unit_test(test_numbers_base_zero),
	    cmocka_unit_test(test_blanks),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_negative_numbers),
	    cmocka_unit_test(test_huge_numbers),
	    cmocka_unit_test(test_long_fields),
	    cmocka_unit_test(test_line_length_limit),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_nul_bytes_in_file),
	    cmocka_unit_test(test_never_reads_past_len),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_nul_joins_lines_as_shadow),
	    cmocka_unit_test(test_buffer_edge_as_shadow),
	    cmocka_unit_test(test_owner_matching),
	    cmocka_unit_test(test_several_ranges_in_order),
	    cmocka_unit_test(test_blank_and_odd_buffers),
	    cmocka_unit_test(test_ten_thousand_lines),
	    cmocka_unit_test(test_from_file_missing_and_unreadable),
	    cmocka_unit_test(test_fixture_file),
	    cmocka_unit_test(test_list_covers),
	    cmocka_unit_test(test_list_covers_overlapping_and_huge),
	    cmocka_unit_test(test_list_total_saturates),
	    cmocka_unit_test(test_list_grows),
	    cmocka_unit_test(test_nss_source),
	    cmocka_unit_test(test_nss_first_source),
	    cmocka_unit_test(test_nss_source_like_shadow),
	    cmocka_unit_test(test_have_libsubid_is_boolean),
	    cmocka_unit_test(test_list_describe),
	    cmocka_unit_test(test_id_kinds),
	    cmocka_unit_test(test_lookup_with_file),
	};
	return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
