#include "subidfile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "io.h"

#define SUBID_FILE_MAX (256u * 1024 * 1024)

/* A last line without newline this long or longer may end at the edge
 * of shadow's buffer (4095 bytes, then every 4096 more): the reader says. */
#define SHADOW_EDGE 4095

/* A growable byte buffer for building output. */
struct outbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void out_put(struct outbuf *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *bigger;
		while (o->len + n + 1 > cap)
			cap *= 2;
		bigger = realloc(o->p, cap);
		if (!bigger) {
			o->oom = 1;
			return;
		}
		o->p = bigger;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static int out_finish(struct outbuf *o, char **out, size_t *out_len, struct unc_error *err)
{
	if (o->oom) {
		free(o->p);
		return unc_error_sys(err, ENOMEM, "cannot build the new file");
	}
	if (!o->p) {
		o->p = strdup("");
		if (!o->p)
			return unc_error_sys(err, ENOMEM, "cannot build the new file");
	}
	*out = o->p;
	*out_len = o->len;
	return 0;
}

static int grow_lines(struct unc_subid_file *f, struct unc_error *err)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct unc_subid_line *v = realloc(f->lines, cap * sizeof *v);
		if (!v)
			return unc_error_sys(err, ENOMEM, "cannot hold the file's lines");
		f->lines = v;
		f->cap = cap;
	}
	return 0;
}

int unc_subid_file_parse(struct unc_subid_file *f, char *buf, size_t len, struct unc_error *err)
{
	const char *p, *stop;
	struct unc_subid_reader rd;
	struct unc_subid_record rec;
	int r = 0;

	memset(f, 0, sizeof *f);
	f->buf = buf;
	f->len = len;
	p = buf;
	stop = buf + len;
	/* one pass for NUL bytes over the whole file: lines are short */
	f->misread = len > 0 && memchr(buf, '\0', len) != NULL;
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		struct unc_subid_line *l;

		r = grow_lines(f, err);
		if (r < 0)
			return r;
		l = &f->lines[f->n];
		memset(l, 0, sizeof *l);
		l->text = p;
		l->len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		l->has_newline = nl != NULL;
		l->lineno = f->n + 1;
		l->nul = f->misread && memchr(l->text, '\0', l->len) != NULL;
		f->n++;
		p = nl ? nl + 1 : stop;
	}
	f->n_read = f->n;
	if (!f->misread) {
		/* the common case: shadow's lines are the file's lines (a file
		 * ending in a line of 4095 bytes without newline aside) */
		size_t i;
		for (i = 0; i < f->n; i++) {
			struct unc_subid_line *l = &f->lines[i];
			l->parsed = unc_subid_parse_line(l->text, l->len, &l->entry) == 0;
		}
		if (f->n == 0 || f->lines[f->n - 1].has_newline ||
		    f->lines[f->n - 1].len < SHADOW_EDGE)
			return 0;
	}
	/* Records start where lines start: walk both. */
	{
		size_t i = 0;
		unc_subid_reader_init(&rd, buf, len);
		while (i < f->n && (r = unc_subid_reader_next(&rd, &rec)) > 0) {
			struct unc_subid_line *l = &f->lines[i];
			if (rec.text != l->text) {
				l->shadow_text = malloc(rec.len ? rec.len : 1);
				if (!l->shadow_text) {
					r = -ENOMEM;
					break;
				}
				memcpy(l->shadow_text, rec.text, rec.len);
			}
			l->parsed = unc_subid_parse_line(l->shadow_text ? l->shadow_text : l->text,
							 rec.len, &l->entry) == 0;
			for (i++; i < f->n && (size_t)(f->lines[i].text - buf) < rec.end; i++) {
				f->lines[i].swallowed = 1;
				f->lines[i].onto = l->lineno;
				f->lines[i].parsed = 0;
				l->joined++;
			}
		}
		unc_subid_reader_free(&rd);
	}
	if (r == -ENOMEM)
		return unc_error_sys(err, ENOMEM, "cannot hold the file's lines");
	if (r == -EBADMSG) {
		size_t i;
		for (i = 0; i < f->n; i++)
			if ((size_t)(f->lines[i].text - buf) <= rec.start)
				f->unreadable = f->lines[i].lineno;
		f->unreadable_nul = rec.nul;
	}
	return 0;
}

int unc_subid_file_load(struct unc_subid_file *f, const char *path, int *exists,
			struct unc_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = unc_read_file(path, SUBID_FILE_MAX, &buf, &len, err);
	if (r == -ENOENT) {
		unc_error_clear(err);
		if (exists)
			*exists = 0;
		buf = strdup("");
		if (!buf)
			return unc_error_sys(err, ENOMEM, "cannot read %s", path);
	} else if (r < 0) {
		return r;
	} else if (exists) {
		*exists = 1;
	}
	r = unc_subid_file_parse(f, buf, len, err);
	if (r == 0) {
		struct stat st;
		f->symlink = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
	}
	return r;
}

int unc_subid_owner_valid(const char *name, struct unc_error *err)
{
	size_t len = strlen(name);

	if (len == 0)
		return unc_error_set(err, EINVAL, "is empty");
	if (strchr(name, ':'))
		return unc_error_set(err, EINVAL, "contains ':'");
	if (strchr(name, '\n'))
		return unc_error_set(err, EINVAL, "contains a newline");
	if (len > UNC_SUBID_OWNER_MAX)
		return unc_error_set(err, EINVAL, "is longer than %d characters",
				     UNC_SUBID_OWNER_MAX);
	return 0;
}

int unc_subid_file_append(struct unc_subid_file *f, const char *owner, uint64_t start,
			  uint64_t count, struct unc_error *err)
{
	struct unc_subid_line *l;
	char *text;
	int n, r;

	r = unc_subid_owner_valid(owner, err);
	if (r < 0)
		return r;
	r = grow_lines(f, err);
	if (r < 0)
		return r;
	n = asprintf(&text, "%s:%" PRIu64 ":%" PRIu64, owner, start, count);
	if (n < 0)
		return unc_error_sys(err, ENOMEM, "cannot add a line");
	l = &f->lines[f->n];
	memset(l, 0, sizeof *l);
	l->text = text;
	l->len = (size_t)n;
	l->has_newline = 1;
	l->added = 1;
	l->parsed = unc_subid_parse_line(l->text, l->len, &l->entry) == 0;
	f->n++;
	f->changed = 1;
	return 0;
}

void unc_subid_file_delete(struct unc_subid_file *f, size_t i)
{
	if (i < f->n && !f->lines[i].deleted) {
		f->lines[i].deleted = 1;
		f->changed = 1;
	}
}

/* Index of the last line that will be written, or f->n when none. */
static size_t last_kept(const struct unc_subid_file *f)
{
	size_t i = f->n;

	while (i > 0) {
		if (!f->lines[i - 1].deleted)
			return i - 1;
		i--;
	}
	return f->n;
}

int unc_subid_file_serialise(const struct unc_subid_file *f, char **out, size_t *out_len,
			     struct unc_error *err)
{
	struct outbuf o = {0};
	size_t i, last = last_kept(f);

	/* One allocation of the right size: files may hold 100,000 lines. */
	o.cap = f->len + 2;
	for (i = f->n_read; i < f->n; i++)
		o.cap += f->lines[i].len + 1;
	o.p = malloc(o.cap);
	if (!o.p)
		return unc_error_sys(err, ENOMEM, "cannot build the new file");
	o.p[0] = '\0';
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (l->deleted)
			continue;
		out_put(&o, l->text, l->len);
		/* A line that had no newline keeps none, unless lines follow. */
		if (l->has_newline || i != last)
			out_put(&o, "\n", 1);
	}
	return out_finish(&o, out, out_len, err);
}

enum diff_op_kind { OP_KEEP, OP_DEL, OP_ADD };

struct diff_op {
	enum diff_op_kind kind;
	const struct unc_subid_line *line;
	int newline; /* the line ends with a newline on this side */
};

static void put_diff_line(struct outbuf *o, char sign, const struct diff_op *op)
{
	out_put(o, &sign, 1);
	out_put(o, op->line->text, op->line->len);
	out_put(o, "\n", 1);
	if (!op->newline)
		out_put(o, "\\ No newline at end of file\n", 28);
}

int unc_subid_file_diff(const struct unc_subid_file *f, const char *path, char **out,
			size_t *out_len, struct unc_error *err)
{
	struct outbuf o = {0};
	_cleanup_free_ struct diff_op *ops = NULL;
	size_t nops = 0, i, last = last_kept(f);
	size_t old_no = 0, new_no = 0;
	char head[128];

	if (!f->changed)
		return out_finish(&o, out, out_len, err);
	ops = calloc(f->n + 1, sizeof *ops);
	if (!ops)
		return unc_error_sys(err, ENOMEM, "cannot build the diff");
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (l->deleted) {
			ops[nops++] = (struct diff_op){OP_DEL, l, l->has_newline};
		} else if (l->added) {
			ops[nops++] = (struct diff_op){OP_ADD, l, 1};
		} else if (!l->has_newline && i != last) {
			/* gains a newline because lines are added after it */
			ops[nops++] = (struct diff_op){OP_DEL, l, 0};
			ops[nops++] = (struct diff_op){OP_ADD, l, 1};
		} else {
			ops[nops++] = (struct diff_op){OP_KEEP, l, l->has_newline};
		}
	}
	out_put(&o, "--- ", 4);
	out_put(&o, path, strlen(path));
	out_put(&o, "\n+++ ", 5);
	out_put(&o, path, strlen(path));
	out_put(&o, "\n", 1);
	for (i = 0; i < nops;) {
		size_t j, dels = 0, adds = 0;
		int n;
		if (ops[i].kind == OP_KEEP) {
			old_no++;
			new_no++;
			i++;
			continue;
		}
		for (j = i; j < nops && ops[j].kind != OP_KEEP; j++) {
			if (ops[j].kind == OP_DEL)
				dels++;
			else
				adds++;
		}
		n = snprintf(head, sizeof head, "@@ -%zu,%zu +%zu,%zu @@\n",
			     dels ? old_no + 1 : old_no, dels, adds ? new_no + 1 : new_no, adds);
		out_put(&o, head, (size_t)n);
		for (; i < j; i++) {
			if (ops[i].kind == OP_DEL)
				put_diff_line(&o, '-', &ops[i]);
		}
		for (i = j - dels - adds; i < j; i++) {
			if (ops[i].kind == OP_ADD)
				put_diff_line(&o, '+', &ops[i]);
		}
		old_no += dels;
		new_no += adds;
	}
	return out_finish(&o, out, out_len, err);
}

void unc_subid_file_free(struct unc_subid_file *f)
{
	size_t i;

	for (i = f->n_read; i < f->n; i++)
		free((char *)f->lines[i].text);
	for (i = 0; i < f->n_read; i++)
		free(f->lines[i].shadow_text);
	free(f->lines);
	free(f->buf);
	memset(f, 0, sizeof *f);
}
