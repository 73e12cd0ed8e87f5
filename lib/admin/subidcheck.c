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
	out->v[out->n] = (struct unc_subid_problem){kind, line, type, msg, out->n};
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
	uint64_t end = e->start + e->count; /* both fit in 64 bits from strtoul */
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

/* Does line l give a range that can overlap another? */
static int takes_part(const struct unc_subid_line *l)
{
	return l->parsed && !l->deleted && l->text[0] != '#' && l->entry.count > 0;
}

int unc_subid_check_line(const struct unc_subid_line *l, enum unc_subid_kind kind,
			 const struct unc_user_index *ix, const char *passwd_path,
			 struct unc_subid_problems *out, struct unc_error *err)
{
	const struct unc_subid_entry *e = &l->entry;
	char why[128];
	int r = 0;

	if (l->deleted)
		return 0;
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
		if (r == 0 && e->count == 0)
			r = report(out, kind, l->lineno, "zero-count",
				   "%.*s's range at %" PRIu64 " has a count of 0",
				   (int)e->owner_len, e->owner, e->start);
		else if (r == 0)
			r = check_range(l, kind, ix, passwd_path, out);
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
	for (i = 0; i < f->n; i++)
		if (takes_part(&f->lines[i]))
			items[nitems++] = (struct sweep_item){
			    f->lines[i].entry.start,
			    f->lines[i].entry.start + f->lines[i].entry.count, i};
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

int unc_subid_check_file(const struct unc_subid_file *f, enum unc_subid_kind kind,
			 const struct unc_user_index *ix, const char *passwd_path,
			 struct unc_subid_problems *out, struct unc_error *err)
{
	size_t i, first = out->n;
	int r;

	for (i = 0; i < f->n; i++) {
		r = unc_subid_check_line(&f->lines[i], kind, ix, passwd_path, out, err);
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

void unc_subid_problems_free(struct unc_subid_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].message);
	free(p->v);
	memset(p, 0, sizeof *p);
}
