/* subid.h: subordinate ID ranges (/etc/subuid, /etc/subgid, libsubid).
 *
 * The line parser follows shadow's rules (lib/subordinateio.c of shadow
 * 4.13, the version Debian 12 ships): three colon-separated non-empty
 * fields, owner:start:count, with further fields ignored; numbers as
 * strtoul(base 0) reads them; a line that does not parse is skipped. An
 * owner is a user name or a numeric UID. A "#..." line with three fields
 * is, to shadow, an owner whose name starts with '#', which matches no
 * user, so comments are harmless. */
#ifndef UNC_SUBID_H
#define UNC_SUBID_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "idkind.h"

/* Longest line shadow parses (its buffer is 1024 bytes with the NUL). */
#define UNC_SUBID_LINE_MAX 1023

/* IDs usable in a map are 0..UNC_ID_LIMIT-1; (uid_t)-1 is never valid. */
#define UNC_ID_LIMIT 4294967295ULL

struct unc_subid_range {
	uint64_t start;
	uint64_t count;
};

/* One parsed line; owner points into the caller's buffer (not NUL-ended). */
struct unc_subid_entry {
	const char *owner;
	size_t owner_len;
	uint64_t start;
	uint64_t count;
};

/* The ranges delegated to one owner, in the order the source lists them. */
struct unc_subid_list {
	struct unc_subid_range *ranges;
	size_t n;
	size_t cap;
	char source[256]; /* where they came from, for messages: "/etc/subuid" */
};

/* shadow 4.13's reader (commonio_open in lib/commonio.c), byte for byte:
 * fgets into a buffer that starts at 4096 bytes and grows by 4096 (never
 * shrinking) while no newline shows in its C string; each extra fgets
 * writes at the first NUL. So a NUL byte cuts a line there and, unless
 * the file ends, the next line is read onto the cut one: in
 * "u2:1:2\0x\nu1:3:4\n" shadow sees one line, "u2:1:2u1:3:4". When that
 * extra fgets finds the end of the file (a last line with a NUL before
 * its newline, or one ending exactly at the buffer's edge), shadow fails
 * to read the whole file: newuidmap then refuses everyone. */
struct unc_subid_reader {
	const char *buf;
	size_t len, pos;
	size_t bufsize; /* shadow's buffer, as it has grown */
	int eof;
	char *joined; /* the text of a record stitched from pieces */
	size_t joined_cap;
};

/* One line as shadow reads it. */
struct unc_subid_record {
	const char *text; /* what shadow parses: no NUL, no newline; points
			     into buf unless the record was stitched */
	size_t len;
	size_t start, end; /* the bytes of buf it consumed: [start, end) */
	size_t lines;	   /* newline-ended lines consumed (>1: joined) */
	unsigned nul : 1;  /* a NUL byte cut it */
};

void unc_subid_reader_init(struct unc_subid_reader *r, const char *buf, size_t len);

/* The next record: 1, or 0 at the end, or -EBADMSG when shadow fails to
 * read the file at all (rec->start, rec->nul say where and why). */
int unc_subid_reader_next(struct unc_subid_reader *r, struct unc_subid_record *rec);

void unc_subid_reader_free(struct unc_subid_reader *r);

/* Parse one line (without its newline). Returns 0 when shadow would accept
 * it, -1 when shadow skips it: a line starting with '+' or '-' (shadow's
 * NIS entries), fewer than three fields, an empty field, or a number
 * strtoul(base 0) does not take whole ("-1" it takes, as 2^64-1). Never
 * reads past len. */
int unc_subid_parse_line(const char *line, size_t len, struct unc_subid_entry *out);

/* Does this entry belong to user (by name) or uid (numerically)? */
int unc_subid_entry_is_owner(const struct unc_subid_entry *e, const char *user, uid_t uid);

/* Collect user's ranges from a buffer in subuid format. */
int unc_subid_ranges_from_buffer(const char *buf, size_t len, const char *user, uid_t uid,
				 struct unc_subid_list *out, struct unc_error *err);

/* Collect user's ranges from a file in subuid format. */
int unc_subid_ranges_from_file(const char *path, const char *user, uid_t uid,
			       struct unc_subid_list *out, struct unc_error *err);

/* The first source of `database` in an nsswitch.conf path, read as
 * shadow reads its subid: line (the first line of that name with a
 * source; the name in any case): 1 with the source in buf, 0 (buf empty)
 * when there is no such line or no file. */
int unc_nss_first_source(const char *nsswitch_path, const char *database, char *buf, size_t size);

/* The name of the nsswitch "subid:" source ("files" when there is no such
 * line) from an nsswitch.conf path; writes into buf. */
int unc_subid_nss_source(const char *nsswitch_path, char *buf, size_t size);

/* Is libsubid compiled in? */
int unc_subid_have_libsubid(void);

#define UNC_NSSWITCH_CONF "/etc/nsswitch.conf"

/* How to reach the system's ranges. */
enum unc_subid_via {
	/* libsubid when nsswitch.conf routes subid: to a module (sss, ...);
	 * for "files" (or no subid: line) the built-in parser reads the same
	 * files by the same rules libsubid uses, without loading libsubid. */
	UNC_SUBID_VIA_AUTO = 0,
	UNC_SUBID_VIA_LIBSUBID, /* always ask libsubid */
	UNC_SUBID_VIA_FILES,	/* always read /etc/subuid, /etc/subgid */
};

/* Collect user's ranges the way shadow's helpers will see them. When
 * file is non-NULL, read that file instead. out->source says where they
 * came from. */
int unc_subid_lookup(enum unc_subid_kind kind, enum unc_subid_via via, const char *file,
		     const char *user, uid_t uid, struct unc_subid_list *out,
		     struct unc_error *err);

/* Append a range (used by the parsers and by tests). */
int unc_subid_list_add(struct unc_subid_list *l, uint64_t start, uint64_t count);

/* The ranges as "100000-165535, 200000-200999" into buf, "none" for an
 * empty list, and cut short with ", ..." (never in the middle of a range)
 * when they do not fit. */
void unc_subid_list_describe(const struct unc_subid_list *l, char *buf, size_t size);

/* Total IDs in the list (saturating). */
uint64_t unc_subid_list_total(const struct unc_subid_list *l);

/* Does [start, start+count) lie inside the union of the list's ranges? */
int unc_subid_list_covers(const struct unc_subid_list *l, uint64_t start, uint64_t count);

void unc_subid_list_free(struct unc_subid_list *l);

#define _cleanup_subid_list_ __attribute__((cleanup(unc_subid_list_free)))

#endif
