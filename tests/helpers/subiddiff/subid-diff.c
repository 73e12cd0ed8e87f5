/* subid-diff: our reader's side of the differential test.
 *
 *   subid-diff gen SEED FILE     write a pseudo-random hostile subuid file
 *   subid-diff owners FILE       every owner our reader finds, one a line,
 *                                and those gen draws from that occur in it
 *   subid-diff ranges FILE OWNER...
 *                                each owner's ranges as getsubids prints
 *                                them ("0: alice 100000 65536"), or
 *                                "Error fetching ranges" as getsubids says
 *                                when there are none or the file cannot
 *                                be read
 *
 * An owner that is a user (getpwnam) also owns lines naming its UID, as
 * in libsubid's list_owner_ranges(). */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "io.h"
#include "subid.h"

static const char *const owners[] = {
    "alice", "2001", "bob", "u1",	"u2",	    "ux",   "#c", "-n",	   "+p",
    " s",    "s ",   "x\r", "\xc3\xa9", "\xff\xfe", "a\tb", "0",  "02001",
};
static const char *const numbers[] = {
    "100000",
    "65536",
    "231072",
    "1",
    "100000",
    "65536",
    "0x10",
    "010",
    "-1",
    "-0",
    "18446744073709551615",
    "18446744073709551616",
    "-18446744073709551615",
    " 5",
    "5 ",
    "",
    "12abc",
    "4294967295",
    "0",
    "1",
    "4294967294",
    "+7",
    "0x",
    "1e3",
    "\t9",
};
#define END(x)                                                                                     \
	{                                                                                          \
		x, sizeof x - 1                                                                    \
	}
static const struct {
	const char *s;
	size_t n;
} ends[] = {
    END("\n"),	 END("\n"), END("\n"),	  END("\n"), END("\n"),	  END("\r\n"),
    END("\0\n"), END("\0"), END("\0x\n"), END(""),   END("\n\n"), END("\0\0\n"),
};

/* Knuth's MMIX LCG: enough to pick among a few dozen pieces. */
static uint64_t rng;

static uint64_t next_rand(void)
{
	return (rng = rng * 6364136223846793005ull + 1442695040888963407ull) >> 33;
}

#define PICK(a) (a[next_rand() % (sizeof a / sizeof a[0])])

static void put(FILE *f, const char *s)
{
	fputs(s, f);
}

static int gen(const char *seed, const char *path)
{
	FILE *f = fopen(path, "we");
	int lines, i;

	if (!f)
		return perror(path), 1;
	rng = strtoull(seed, NULL, 10) * 2654435761u + 88172645463325252ull;
	lines = (int)(next_rand() % 12);
	for (i = 0; i < lines; i++) {
		uint64_t shape = next_rand() % 16;
		size_t e = next_rand() % (sizeof ends / sizeof ends[0]);
		put(f, PICK(owners));
		if (shape == 0) {
			/* around shadow's 1023-byte limit */
			size_t pad = 1000 + next_rand() % 40, k;
			put(f, ":1:");
			for (k = 0; k < pad; k++)
				fputc('0', f);
			put(f, "7");
		} else if (shape == 1) {
			put(f, ":");
			put(f, PICK(numbers));
		} else {
			put(f, ":");
			put(f, PICK(numbers));
			put(f, ":");
			put(f, PICK(numbers));
			if (shape == 2) {
				put(f, ":");
				put(f, PICK(numbers));
			}
		}
		fwrite(ends[e].s, 1, ends[e].n, f);
	}
	if (next_rand() % 8 == 0) {
		/* a last line at the edge of shadow's buffer */
		size_t k, n = next_rand() % 2 ? 4095 : 4094;
		for (k = 0; k < n; k++)
			fputc('z', f);
	}
	if (fclose(f) != 0)
		return perror(path), 1;
	return 0;
}

static int list_owners(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	struct unc_subid_reader rd;
	struct unc_subid_record rec;
	size_t len, i;

	if (unc_read_file(path, 1 << 24, &buf, &len, NULL) < 0)
		return perror(path), 1;
	/* gen's owners that occur in the file at all: shadow may find them
	 * where we do not (each query costs a getsubids, so only these) */
	for (i = 0; i < sizeof owners / sizeof owners[0]; i++)
		if (memmem(buf, len, owners[i], strlen(owners[i])))
			printf("%s\n", owners[i]);
	unc_subid_reader_init(&rd, buf, len);
	while (unc_subid_reader_next(&rd, &rec) > 0) {
		struct unc_subid_entry e;
		if (unc_subid_parse_line(rec.text, rec.len, &e) == 0)
			printf("%.*s\n", (int)e.owner_len, e.owner);
	}
	unc_subid_reader_free(&rd);
	return 0;
}

static int ranges(const char *path, char **users, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct unc_subid_list l = {0};
		struct passwd *pw = getpwnam(users[i]);
		/* no user: match by name only ((uid_t)-1 is never an owner gen writes) */
		uid_t uid = pw ? pw->pw_uid : (uid_t)-1;
		size_t k;
		if (unc_subid_ranges_from_file(path, users[i], uid, &l, NULL) < 0 || l.n == 0) {
			printf("Error fetching ranges\n");
		} else {
			for (k = 0; k < l.n; k++)
				printf("%zu: %s %" PRIu64 " %" PRIu64 "\n", k, users[i],
				       l.ranges[k].start, l.ranges[k].count);
		}
		unc_subid_list_free(&l);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "owners") == 0)
		return list_owners(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "ranges") == 0)
		return ranges(argv[2], argv + 3, argc - 3);
	fprintf(stderr, "usage: subid-diff gen SEED FILE | owners FILE | ranges FILE OWNER...\n");
	return 2;
}
