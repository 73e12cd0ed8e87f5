#include "subidcheck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

static int report(struct unc_subid_problems *out, enum unc_subid_kind kind, size_t line,
		  const char *type, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int report(struct unc_subid_problems *out, enum unc_subid_kind kind, size_t line,
		  const char *type, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int r;

	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		struct unc_subid_problem *v = realloc(out->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		out->v = v;
		out->cap = cap;
	}
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	/* harmless to shadow, or a choice: reported, yet check exits 0 */
	out->v[out->n] = (struct unc_subid_problem){
	    kind,  line, type, msg, strcmp(type, "comment") == 0 || strcmp(type, "unpaired") == 0,
	    out->n};
	out->n++;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A number field shadow 4.13 reads with strtoul(base 0) and others in
 * base 10: "0x10" or "010". */
static int is_based_number(const char *s, size_t len)
{
	while (len > 0 && is_blank(*s)) {
		s++;
		len--;
	}
	return len >= 2 && s[0] == '0';
}

/* Why shadow skips a non-empty line it cannot parse. */
static void skip_reason(const struct unc_subid_line *l, char *buf, size_t size)
{
	size_t colons = 0, i;
	const char *p = l->text;

	for (i = 0; i < l->len; i++)
		colons += p[i] == ':';
	if (l->len > UNC_SUBID_LINE_MAX)
		snprintf(buf, size, "longer than %d bytes", UNC_SUBID_LINE_MAX);
	else if (memchr(p, '\0', l->len))
		snprintf(buf, size, "contains a NUL byte");
	else if (l->len > 0 && p[l->len - 1] == '\r')
		snprintf(buf, size, "ends in a carriage return (CRLF)");
	else if (l->len > 0 && is_blank(p[l->len - 1]))
		snprintf(buf, size, "ends in blanks");
	else if (colons < 2)
		snprintf(buf, size, "has %zu field%s, not owner:start:count", colons + 1,
			 colons ? "s" : "");
	else
		snprintf(buf, size, "an empty field or a start or count that is not a number");
}

struct sweep_item {
	uint64_t start, end;
	size_t line; /* index into f->lines */
};

static int cmp_sweep(const void *x, const void *y)
{
	const struct sweep_item *p = x, *q = y;

	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	return p->line < q->line ? -1 : p->line > q->line;
}

static int cmp_problem(const void *x, const void *y)
{
	const struct unc_subid_problem *p = x, *q = y;

	if (p->kind != q->kind)
		return p->kind < q->kind ? -1 : 1;
	if (p->line != q->line)
		return p->line < q->line ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Same owner: the same user (by name or UID), or the same string. */
static int same_owner(const struct unc_user_index *ix, const struct unc_subid_entry *a,
		      const struct unc_subid_entry *b)
{
	const struct passwd_entry *ua, *ub;

	if (a->owner_len == b->owner_len && memcmp(a->owner, b->owner, a->owner_len) == 0)
		return 1;
	ua = unc_user_by_owner(ix, a->owner, a->owner_len);
	ub = unc_user_by_owner(ix, b->owner, b->owner_len);
	return ua && ub && ua->uid == ub->uid;
}

/* A '#' line: shadow has no comments. Returns 1 when l is one (reported),
 * 0 when not, -ENOMEM. */
static int check_comment(const struct unc_subid_line *l, enum unc_subid_kind kind,
			 struct unc_subid_problems *out)
{
	const struct unc_subid_entry *e = &l->entry;
	int r;

	if (l->len == 0 || l->text[0] != '#')
		return 0;
	if (l->parsed)
		r = report(out, kind, l->lineno, "comment",
			   "a '#' line: shadow has no comments and reads it as a range of an owner "
			   "named '%.*s'",
			   (int)e->owner_len, e->owner);
	else
		r = report(out, kind, l->lineno, "comment",
			   "a '#' line: shadow has no comments and skips it only because it does "
			   "not parse");
	return r < 0 ? r : 1;
}

/* A line shadow 4.13 reads, but other versions or tools read otherwise:
 * blanks, more than three fields, hexadecimal or octal numbers. */
static int check_form(const struct unc_subid_line *l, enum unc_subid_kind kind,
		      struct unc_subid_problems *out)
{
	const struct unc_subid_entry *e = &l->entry;
	const char *stop = l->text + l->len;
	/* the second colon */
	const char *colon2 = memchr(e->owner + e->owner_len + 1, ':', l->len - e->owner_len - 1);
	int r = 0;

	if (is_blank(l->text[0]) || is_blank(l->text[e->owner_len - 1]))
		r = report(out, kind, l->lineno, "ambiguous",
			   "blanks around the owner '%.*s': shadow reads them as part of the name",
			   (int)e->owner_len, e->owner);
	else if (memchr(l->text, ' ', l->len) || memchr(l->text, '\t', l->len))
		r = report(out, kind, l->lineno, "ambiguous",
			   "blanks in a number: shadow 4.13 reads them, other versions skip the "
			   "line");
	if (r == 0 && colon2 && memchr(colon2 + 1, ':', (size_t)(stop - colon2 - 1)))
		r = report(out, kind, l->lineno, "ambiguous",
			   "more than three fields: shadow 4.13 ignores the rest, other versions "
			   "skip the line");
	if (r == 0 && colon2 &&
	    (is_based_number(e->owner + e->owner_len + 1,
			     (size_t)(colon2 - e->owner - e->owner_len - 1)) ||
	     is_based_number(colon2 + 1, (size_t)(stop - colon2 - 1))))
		r = report(out, kind, l->lineno, "ambiguous",
			   "a hexadecimal or octal number: shadow 4.13 reads %" PRIu64 ":%" PRIu64
			   ", other tools read decimal",
			   e->start, e->count);
	return r;
}

/* The range itself: past the largest ID, an owner who is no user, a real
 * ID inside. */
static int check_range(const struct unc_subid_line *l, enum unc_subid_kind kind,
		       const struct unc_user_index *ix, const char *passwd_path,
		       struct unc_subid_problems *out)
{
	const struct unc_id_kind *kd = unc_id_kind(kind);
	const struct unc_subid_entry *e = &l->entry;
	/* "-1" is 2^64-1 to strtoul: the end may not fit */
	uint64_t end = UINT64_MAX - e->start < e->count ? UINT64_MAX : e->start + e->count;
	int ow = (int)e->owner_len, r = 0;
	const char *real_name;
	uint32_t real_id;

	if (e->start >= UNC_ID_LIMIT || UNC_ID_LIMIT - e->start < e->count)
		r = report(out, kind, l->lineno, "too-large",
			   "%.*s's range %" PRIu64 "-%" PRIu64
			   " goes past 4294967294, the largest %s",
			   ow, e->owner, e->start, end - 1, kd->id);
	if (r == 0 && !unc_user_by_owner(ix, e->owner, e->owner_len))
		r = report(out, kind, l->lineno, "unknown-owner",
			   "owner '%.*s' is not a user in %s", ow, e->owner, passwd_path);
	if (r == 0 && unc_real_id_in(ix, kd->groups, e->start, e->count, &real_id, &real_name))
		r = report(out, kind, l->lineno, "real-id",
			   "%.*s's range %" PRIu64 "-%" PRIu64 " contains %s %u, %s%s's own", ow,
			   e->owner, e->start, end - 1, kd->id, real_id, kd->owner_word, real_name);
	return r;
}

/* What shadow reads of a parsed line: its count, then its range. */
static int check_numbers(const struct unc_subid_line *l, enum unc_subid_kind kind,
			 const struct unc_user_index *ix, const char *passwd_path,
			 struct unc_subid_problems *out)
{
	const struct unc_subid_entry *e = &l->entry;

	if (e->count == 0)
		return report(out, kind, l->lineno, "zero-count",
			      "%.*s's range at %" PRIu64 " has a count of 0", (int)e->owner_len,
			      e->owner, e->start);
	return check_range(l, kind, ix, passwd_path, out);
}

/* A line a NUL byte cuts (or one shadow reads onto such a line): what
 * shadow reads instead of the text as written. */
static int check_nul(const struct unc_subid_line *l, enum unc_subid_kind kind,
		     struct unc_subid_problems *out)
{
	const struct unc_subid_entry *e = &l->entry;
	char as[UNC_ERROR_MSG_MAX / 2] = ", and skips the result";

	if (l->swallowed)
		return report(out, kind, l->lineno, "nul",
			      "shadow never reads this line: a NUL byte on line %zu makes it "
			      "read this one onto that one",
			      l->onto);
	if (l->parsed)
		snprintf(as, sizeof as, ", as %.*s's range %" PRIu64 ":%" PRIu64, (int)e->owner_len,
			 e->owner, e->start, e->count);
	if (l->joined == 1)
		return report(out, kind, l->lineno, "nul",
			      "a NUL byte: shadow cuts the line there and reads line %zu onto it%s",
			      l->lineno + 1, as);
	if (l->joined > 1)
		return report(out, kind, l->lineno, "nul",
			      "a NUL byte: shadow cuts the line there and reads lines %zu-%zu "
			      "onto it%s",
			      l->lineno + 1, l->lineno + l->joined, as);
	return report(out, kind, l->lineno, "nul",
		      "a NUL byte: shadow reads the line only up to it%s", as);
}

/* Does line l give a range that can overlap another? A line a NUL byte
 * cuts counts as what shadow reads of it. */
static int takes_part(const struct unc_subid_line *l)
{
	return l->parsed && !l->deleted && (l->nul || l->text[0] != '#') && l->entry.count > 0;
}

int unc_subid_check_line(const struct unc_subid_line *l, enum unc_subid_kind kind,
			 const struct unc_user_index *ix, const char *passwd_path,
			 struct unc_subid_problems *out, struct unc_error *err)
{
	char why[128];
	int r = 0;

	if (l->deleted)
		return 0;
	if (l->nul || l->swallowed) {
		/* the text as written is not what shadow reads */
		r = check_nul(l, kind, out);
		if (r == 0 && l->parsed)
			r = check_numbers(l, kind, ix, passwd_path, out);
		return r < 0 ? unc_error_sys(err, -r, "cannot check") : 0;
	}
	if (!l->has_newline)
		r = report(out, kind, l->lineno, "no-newline",
			   "no newline at the end of the file: tools that append a line join it "
			   "to this one");
	if (r == 0)
		r = check_comment(l, kind, out);
	if (r != 0) /* 1: a comment, nothing more to say */
		return r < 0 ? unc_error_sys(err, -r, "cannot check") : 0;
	if (!l->parsed) {
		if (l->len == 0)
			return 0;
		skip_reason(l, why, sizeof why);
		r = report(out, kind, l->lineno, "skipped", "shadow skips this line: %s", why);
	} else {
		r = check_form(l, kind, out);
		if (r == 0)
			r = check_numbers(l, kind, ix, passwd_path, out);
	}
	return r < 0 ? unc_error_sys(err, -r, "cannot check") : 0;
}

int unc_subid_check_overlaps(const struct unc_subid_file *f, enum unc_subid_kind kind,
			     const struct unc_user_index *ix, struct unc_subid_problems *out,
			     struct unc_error *err)
{
	_cleanup_free_ struct sweep_item *items = NULL;
	size_t i, nitems = 0, reach = 0;
	int r = 0;

	items = malloc((f->n ? f->n : 1) * sizeof *items);
	if (!items)
		return unc_error_sys(err, ENOMEM, "cannot check");
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_entry *e = &f->lines[i].entry;
		if (!takes_part(&f->lines[i]) ||
		    (f->lines[i].nul && f->lines[i].lineno == f->unreadable))
			continue;
		/* "-1" is 2^64-1 to strtoul: the end may not fit */
		items[nitems++] = (struct sweep_item){
		    e->start, UINT64_MAX - e->start < e->count ? UINT64_MAX : e->start + e->count,
		    i};
	}
	/* Sorted by start, each range is compared with the one reaching
	 * furthest among those before it. */
	qsort(items, nitems, sizeof *items, cmp_sweep);
	for (i = 1; i < nitems && r == 0; i++) {
		const struct unc_subid_line *a = &f->lines[items[reach].line];
		const struct unc_subid_line *b = &f->lines[items[i].line];
		if (items[i].start < items[reach].end && !same_owner(ix, &a->entry, &b->entry)) {
			const struct unc_subid_line *early = a->lineno < b->lineno ? a : b;
			const struct unc_subid_line *late = early == a ? b : a;
			r = report(out, kind, late->lineno, "overlap",
				   "%.*s's range %" PRIu64 "-%" PRIu64
				   " overlaps %.*s's range %" PRIu64 "-%" PRIu64 " (line %zu)",
				   (int)late->entry.owner_len, late->entry.owner, late->entry.start,
				   late->entry.start + late->entry.count - 1,
				   (int)early->entry.owner_len, early->entry.owner,
				   early->entry.start, early->entry.start + early->entry.count - 1,
				   early->lineno);
		}
		if (items[i].end > items[reach].end)
			reach = i;
	}
	return r < 0 ? unc_error_sys(err, -r, "cannot check") : 0;
}

/* Problems of the whole file: a symbolic link (line 0), or a file shadow
 * cannot read at all (said once, on the line where it fails). */
static int check_whole(const struct unc_subid_file *f, enum unc_subid_kind kind,
		       struct unc_subid_problems *out, struct unc_error *err)
{
	int r = 0;

	if (f->symlink)
		r = report(out, kind, 0, "symlink",
			   "a symbolic link: newuidmap and newgidmap refuse to open it, so no "
			   "user's ranges work, and subidctl will not replace it");
	if (r == 0 && f->unreadable)
		r = report(out, kind, f->unreadable, "unreadable",
			   "%s: shadow cannot read this file at all, and newuidmap refuses "
			   "every user",
			   f->unreadable_nul ? "a NUL byte before the last newline"
					     : "the last line ends exactly at the edge of "
					       "shadow's buffer, with no newline");
	return r < 0 ? unc_error_sys(err, -r, "cannot check") : 0;
}

int unc_subid_check_file(const struct unc_subid_file *f, enum unc_subid_kind kind,
			 const struct unc_user_index *ix, const char *passwd_path,
			 struct unc_subid_problems *out, struct unc_error *err)
{
	size_t i, first = out->n;
	int r;

	r = check_whole(f, kind, out, err);
	if (r < 0)
		return r;
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (l->nul && l->lineno == f->unreadable)
			continue; /* said by check_whole: shadow reads nothing */
		r = unc_subid_check_line(l, kind, ix, passwd_path, out, err);
		if (r < 0)
			return r;
	}
	r = unc_subid_check_overlaps(f, kind, ix, out, err);
	if (r < 0)
		return r;
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof *out->v, cmp_problem);
	return 0;
}

int unc_subid_check_pairs(const struct unc_subid_file files[2], const struct unc_user_index *ix,
			  char *const paths[2], struct unc_subid_problems *out,
			  struct unc_error *err)
{
	/* per passwd entry and kind: 1 + the index of its first line, or 0 */
	_cleanup_free_ size_t *first = NULL;
	size_t npw = ix->pw->n, i;
	int k, r = 0;

	first = calloc(2 * (npw ? npw : 1), sizeof *first);
	if (!first)
		return unc_error_sys(err, ENOMEM, "cannot check");
	for (k = 0; k < 2; k++) {
		for (i = 0; i < files[k].n; i++) {
			const struct unc_subid_line *l = &files[k].lines[i];
			const struct passwd_entry *e;
			if (!l->parsed || l->deleted)
				continue;
			e = unc_user_by_owner(ix, l->entry.owner, l->entry.owner_len);
			if (e && !first[(size_t)k * npw + (size_t)(e - ix->pw->v)])
				first[(size_t)k * npw + (size_t)(e - ix->pw->v)] = i + 1;
		}
	}
	for (i = 0; i < npw && r == 0; i++) {
		const char *name = ix->pw->v[i].name;
		if (!first[i] == !first[npw + i])
			continue;
		k = first[i] ? UNC_SUBUID : UNC_SUBGID;
		r = report(out, (enum unc_subid_kind)k,
			   files[k].lines[first[(size_t)k * npw + i] - 1].lineno, "unpaired",
			   "%s holds subordinate %s here but none in %s (a crash between the "
			   "two files, or an add of one kind): run: subidctl add %s",
			   name, unc_id_kinds[k].ids, paths[!k], name);
	}
	if (r != 0)
		return unc_error_sys(err, ENOMEM, "cannot check");
	/* in line order among the files' own problems (none: nothing to sort,
	 * and out->v may still be NULL) */
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_problem);
	return 0;
}

void unc_subid_problems_free(struct unc_subid_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].message);
	free(p->v);
	memset(p, 0, sizeof *p);
}
