/* subidcheck.h: what is wrong with a subuid or subgid file.
 *
 * Finds, with line numbers: ranges of different owners that overlap,
 * ranges holding a real UID (GID), owners that are no longer users,
 * ranges past 2^32-1, zero counts, and lines that shadow skips or that
 * shadow versions read differently (blanks, CRLF, '#' lines, extra
 * fields, hex and octal numbers, no final newline). Sorting once makes
 * it O(n log n): a 50,000-line file takes milliseconds. */
#ifndef UNC_SUBIDCHECK_H
#define UNC_SUBIDCHECK_H

#include <stddef.h>

#include "error.h"
#include "subid.h"
#include "subidfile.h"
#include "userindex.h"

struct unc_subid_problem {
	enum unc_subid_kind kind;
	size_t line;	  /* 1-based */
	const char *type; /* "overlap", "real-id", "unknown-owner", "too-large",
			     "zero-count", "skipped", "ambiguous", "comment",
			     "no-newline", "nul", "unreadable", "symlink",
			     "unpaired" */
	char *message;
	int warning; /* harmless to shadow ("comment"): check still exits 0 */
	size_t seq;  /* order found, to keep a line's problems in order */
};

struct unc_subid_problems {
	struct unc_subid_problem *v;
	size_t n, cap;
};

/* The problems of one line, appended to out in the order found: the
 * line's form (newline, '#', what shadow skips, what versions read
 * differently), what a NUL byte makes shadow read instead, and its range
 * (zero count, past the largest ID, unknown owner, a real ID inside). A
 * deleted line has none. passwd_path names the passwd file in messages.
 * Returns 0, or -ENOMEM with err filled. */
int unc_subid_check_line(const struct unc_subid_line *l, enum unc_subid_kind kind,
			 const struct unc_user_index *ix, const char *passwd_path,
			 struct unc_subid_problems *out, struct unc_error *err);

/* Ranges of different owners (the same user by name or UID is one owner)
 * that overlap, each reported once on the later line, naming the earlier.
 * Lines with a count of 0, '#' lines and lines shadow skips take no part.
 * O(n log n). Returns 0, or -ENOMEM with err filled. */
int unc_subid_check_overlaps(const struct unc_subid_file *f, enum unc_subid_kind kind,
			     const struct unc_user_index *ix, struct unc_subid_problems *out,
			     struct unc_error *err);

/* Both, for every line of f, appended to out in line order, after the
 * problems of the whole file: a symbolic link (line 0), a file shadow
 * cannot read at all. */
int unc_subid_check_file(const struct unc_subid_file *f, enum unc_subid_kind kind,
			 const struct unc_user_index *ix, const char *passwd_path,
			 struct unc_subid_problems *out, struct unc_error *err);

/* A user (of passwd) who holds ranges in one file and none in the other:
 * a pair out of step, as a crash between the two files or an add with
 * --uids leaves it (warnings, "unpaired"; re-running the add repairs it).
 * files[kind], paths[kind]. Sorts all of out in line order. */
int unc_subid_check_pairs(const struct unc_subid_file files[2], const struct unc_user_index *ix,
			  char *const paths[2], struct unc_subid_problems *out,
			  struct unc_error *err);

void unc_subid_problems_free(struct unc_subid_problems *p);

#endif
