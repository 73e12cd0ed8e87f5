#include "subid.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "io.h"
#include "twin.h"

#ifdef UNC_HAVE_LIBSUBID
#include <shadow/subid.h>
#endif

#define SUBID_FILE_MAX (256u * 1024 * 1024)

/* shadow 4.13's getulong(): strtoul base 0, whole field, no ERANGE. A
 * '-' sign is taken as strtoul takes it ("-1" is 2^64-1): the range is
 * then one nobody can map, but it is a range to shadow, and so to us. A
 * field may be as long as the line (leading zeros or blanks), so the
 * buffer is too. */
static int parse_ulong_field(const char *s, size_t len, uint64_t *out)
{
	char buf[UNC_SUBID_LINE_MAX + 1];
	char *end;
	unsigned long v;
	size_t i;

	if (len == 0 || len >= sizeof buf)
		return -1;
	/* The common case, plain decimal without a leading zero, is read
	 * directly (strtoul would give the same); anything else (blanks,
	 * signs, 0x, octal) goes through strtoul as shadow does. */
	if (len <= 19 && s[0] >= '1' && s[0] <= '9') {
		uint64_t d = 0;
		for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			d = d * 10 + (uint64_t)(s[i] - '0');
		if (i == len) {
			*out = d;
			return 0;
		}
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		return -1;
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (*end != '\0' || errno != 0)
		return -1;
	*out = v;
	return 0;
}

int unc_subid_parse_line(const char *line, size_t len, struct unc_subid_entry *out)
{
	const char *field[3];
	size_t flen[3];
	const char *p = line, *stop = line + len;
	int i;

	if (len > UNC_SUBID_LINE_MAX || memchr(line, '\0', len))
		return -1;
	/* commonio's name_is_nis(): "+..." and "-..." lines are never parsed */
	if (len > 0 && (line[0] == '+' || line[0] == '-'))
		return -1;
	for (i = 0; i < 3; i++) {
		const char *colon;
		if (p == NULL)
			return -1;
		colon = memchr(p, ':', (size_t)(stop - p));
		field[i] = p;
		if (colon) {
			flen[i] = (size_t)(colon - p);
			p = colon + 1;
		} else {
			flen[i] = (size_t)(stop - p);
			p = NULL;
		}
	}
	for (i = 0; i < 3; i++)
		if (flen[i] == 0)
			return -1;
	if (parse_ulong_field(field[1], flen[1], &out->start) < 0)
		return -1;
	if (parse_ulong_field(field[2], flen[2], &out->count) < 0)
		return -1;
	out->owner = field[0];
	out->owner_len = flen[0];
	return 0;
}

#define SHADOW_BUFLEN 4096

void unc_subid_reader_init(struct unc_subid_reader *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof *r);
	r->buf = buf;
	r->len = len;
	r->bufsize = SHADOW_BUFLEN;
}

void unc_subid_reader_free(struct unc_subid_reader *r)
{
	free(r->joined);
	r->joined = NULL;
	r->joined_cap = 0;
}

/* fgets(dst, size, fp) on the buffer: up to size-1 bytes, through the
 * first newline. Returns how many it took; 0 (and eof) at the end. Like
 * glibc, end of file is noticed only when a read wants more bytes than
 * are left, not when it stops at size-1 exactly there. */
static size_t reader_fgets(struct unc_subid_reader *r, size_t size, const char **piece)
{
	size_t avail = r->len - r->pos, want = size - 1, take;
	const char *nl;

	*piece = r->buf + r->pos;
	if (avail == 0) {
		r->eof = 1;
		return 0;
	}
	take = want < avail ? want : avail;
	nl = memchr(*piece, '\n', take);
	if (nl)
		take = (size_t)(nl - *piece) + 1;
	else if (take < want)
		r->eof = 1;
	r->pos += take;
	return take;
}

static int joined_put(struct unc_subid_reader *r, size_t at, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (at + n > r->joined_cap) {
		size_t cap = r->joined_cap ? r->joined_cap : 256;
		char *bigger;
		while (at + n > cap)
			cap *= 2;
		bigger = realloc(r->joined, cap);
		if (!bigger)
			return -ENOMEM;
		r->joined = bigger;
		r->joined_cap = cap;
	}
	memcpy(r->joined + at, p, n);
	return 0;
}

int unc_subid_reader_next(struct unc_subid_reader *r, struct unc_subid_record *rec)
{
	const char *piece;
	size_t got, clen;
	int stitched = 0;

	memset(rec, 0, sizeof *rec);
	rec->start = r->pos;
	got = reader_fgets(r, r->bufsize, &piece);
	if (got == 0)
		return 0;
	/* the C string shadow sees: up to the first NUL */
	clen = strnlen(piece, got);
	rec->nul = clen < got;
	rec->lines = piece[got - 1] == '\n';
	rec->text = piece;
	while (!(clen > 0 && rec->text[clen - 1] == '\n') && !r->eof) {
		size_t more, mlen;
		r->bufsize += SHADOW_BUFLEN;
		more = reader_fgets(r, r->bufsize - clen, &piece);
		if (more == 0) {
			rec->end = r->pos;
			return -EBADMSG;
		}
		mlen = strnlen(piece, more);
		rec->nul |= mlen < more;
		rec->lines += piece[more - 1] == '\n';
		if (mlen == 0)
			continue;
		/* contiguous (a long line read in pieces): no copy needed */
		if (!stitched && rec->text + clen == piece) {
			clen += mlen;
			continue;
		}
		if (!stitched && joined_put(r, 0, rec->text, clen) < 0)
			return -ENOMEM;
		stitched = 1;
		if (joined_put(r, clen, piece, mlen) < 0)
			return -ENOMEM;
		rec->text = r->joined;
		clen += mlen;
	}
	if (clen > 0 && rec->text[clen - 1] == '\n')
		clen--;
	rec->len = clen;
	rec->end = r->pos;
	return 1;
}

int unc_subid_entry_is_owner(const struct unc_subid_entry *e, const char *user, uid_t uid)
{
	uint64_t v = 0;
	size_t i;

	if (user && strlen(user) == e->owner_len && memcmp(e->owner, user, e->owner_len) == 0)
		return 1;
	/* the owner as the UID in decimal, as "%u" writes it: no sign, no
	 * leading zero (called for every line of a 50,000-line file) */
	if (e->owner_len == 0 || e->owner_len > 10 || (e->owner[0] == '0' && e->owner_len > 1))
		return 0;
	for (i = 0; i < e->owner_len; i++) {
		if (e->owner[i] < '0' || e->owner[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(e->owner[i] - '0');
	}
	return v == (uint64_t)uid;
}

int unc_subid_list_add(struct unc_subid_list *l, uint64_t start, uint64_t count)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct unc_subid_range *r = realloc(l->ranges, cap * sizeof *r);
		if (!r)
			return -ENOMEM;
		l->ranges = r;
		l->cap = cap;
	}
	l->ranges[l->n].start = start;
	l->ranges[l->n].count = count;
	l->n++;
	return 0;
}

void unc_subid_list_describe(const struct unc_subid_list *l, char *buf, size_t size)
{
	size_t i, used = 0;

	if (size == 0)
		return;
	snprintf(buf, size, "%s", l->n == 0 ? "none" : "");
	for (i = 0; i < l->n; i++) {
		/* room for the longest range, ", 4294967294-4294967294", and ", ..." */
		int n;
		if (used + 30 > size) {
			if (used + 6 <= size)
				snprintf(buf + used, size - used, ", ...");
			return;
		}
		n = snprintf(buf + used, size - used, "%s%llu-%llu", i ? ", " : "",
			     (unsigned long long)l->ranges[i].start,
			     (unsigned long long)(l->ranges[i].start + l->ranges[i].count - 1));
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}

uint64_t unc_subid_list_total(const struct unc_subid_list *l)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (UINT64_MAX - total < l->ranges[i].count)
			return UINT64_MAX;
		total += l->ranges[i].count;
	}
	return total;
}

int unc_subid_list_covers(const struct unc_subid_list *l, uint64_t start, uint64_t count)
{
	uint64_t end;

	if (count == 0 || UINT64_MAX - start < count)
		return 0;
	end = start + count; /* exclusive */
	/* Walk forward like shadow's have_range(): find a range holding the
	 * next uncovered ID, jump to its end, repeat. */
	while (start < end) {
		size_t i;
		uint64_t best_end = 0;
		for (i = 0; i < l->n; i++) {
			const struct unc_subid_range *r = &l->ranges[i];
			uint64_t r_end;
			/* shadow's last ID is start + count - 1: a range where
			 * that wraps matches nothing */
			if (r->count == 0 || r->count - 1 > UINT64_MAX - r->start)
				continue;
			r_end = r->count > UINT64_MAX - r->start ? UINT64_MAX : r->start + r->count;
			if (r->start <= start && start < r_end && r_end > best_end)
				best_end = r_end;
		}
		if (best_end == 0)
			return 0;
		start = best_end;
	}
	return 1;
}

void unc_subid_list_free(struct unc_subid_list *l)
{
	free(l->ranges);
	l->ranges = NULL;
	l->n = l->cap = 0;
}

int unc_subid_ranges_from_buffer(const char *buf, size_t len, const char *user, uid_t uid,
				 struct unc_subid_list *out, struct unc_error *err)
{
	struct unc_subid_reader rd;
	struct unc_subid_record rec;
	int r;

	unc_subid_reader_init(&rd, buf, len);
	while ((r = unc_subid_reader_next(&rd, &rec)) > 0) {
		struct unc_subid_entry e;

		if (unc_subid_parse_line(rec.text, rec.len, &e) == 0 &&
		    unc_subid_entry_is_owner(&e, user, uid) &&
		    unc_subid_list_add(out, e.start, e.count) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	unc_subid_reader_free(&rd);
	if (r == -ENOMEM)
		return unc_error_sys(err, ENOMEM, "cannot collect ranges");
	if (r == -EBADMSG) {
		unc_subid_list_free(out);
		return unc_error_set(err, EBADMSG,
				     "shadow cannot read it: its last line %s, so shadow's "
				     "reader fails on the whole file",
				     rec.nul ? "holds a NUL byte before its newline"
					     : "ends exactly at the edge of shadow's buffer");
	}
	return 0;
}

int unc_subid_ranges_from_file(const char *path, const char *user, uid_t uid,
			       struct unc_subid_list *out, struct unc_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	snprintf(out->source, sizeof out->source, "%s", path);
	r = unc_read_file(path, SUBID_FILE_MAX, &buf, &len, err);
	if (r < 0) {
		/* A missing file means no ranges, as for shadow. */
		if (r == -ENOENT) {
			unc_error_clear(err);
			return 0;
		}
		return r;
	}
	r = unc_subid_ranges_from_buffer(buf, len, user, uid, out, err);
	if (r == -EBADMSG) {
		unc_error_prefix(err, "%s", path);
		unc_error_hint(err, "ask an administrator to fix the file: subidctl check shows "
				    "how shadow reads it");
	}
	return r;
}

int unc_nss_first_source(const char *nsswitch_path, const char *database, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(nsswitch_path, "re");
	size_t dlen = strlen(database);
	char line[1024];

	if (size)
		buf[0] = '\0';
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		char *p = line, *tok;
		/* As shadow 4.13's nss_init(): "DATABASE:" at the start of the
		 * line, in any case; a line with no source is passed over. */
		if (strncasecmp(p, database, dlen) != 0 || p[dlen] != ':')
			continue;
		p += dlen + 1;
		while (isspace((unsigned char)*p))
			p++;
		tok = p;
		while (*p && !isspace((unsigned char)*p) && *p != '#')
			p++;
		*p = '\0';
		if (!*tok)
			continue;
		snprintf(buf, size, "%s", tok);
		/* the first line with a source only */
		return 1;
	}
	return 0;
}

int unc_subid_nss_source(const char *nsswitch_path, char *buf, size_t size)
{
	if (!unc_nss_first_source(nsswitch_path, "subid", buf, size))
		snprintf(buf, size, "files");
	return 0;
}

int unc_subid_have_libsubid(void)
{
#ifdef UNC_HAVE_LIBSUBID
	return 1;
#else
	return 0;
#endif
}

#ifdef UNC_HAVE_LIBSUBID
#define UNC_STR2(x)	#x
#define UNC_STR(x)	UNC_STR2(x)
#define LIBSUBID_SONAME "libsubid.so." UNC_STR(SUBID_ABI_MAJOR)

typedef int (*get_ranges_fn)(const char *, struct subid_range **);
typedef bool (*subid_init_fn)(const char *, FILE *);

/* libsubid drags in PAM, SELinux, audit and libsemanage (about 2 ms of
 * loading on every launch), so it is opened only when it is asked. */
static int libsubid_get(enum unc_subid_kind kind, const char *user, struct unc_subid_list *out,
			struct unc_error *err)
{
	static void *handle;
	struct subid_range *ranges = NULL;
	const struct unc_id_kind *kd = unc_id_kind(kind);
	get_ranges_fn get;
	int n, i;

	if (!handle) {
		subid_init_fn init;
		/* a static uncmap cannot load it (twin.h) */
		if (unc_twin_handover(LIBSUBID_SONAME, err) < 0)
			return -1;
		handle = dlopen(LIBSUBID_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (!handle)
			return unc_error_set(err, ENOENT, "cannot load %s: %s", LIBSUBID_SONAME,
					     dlerror());
		init = (subid_init_fn)dlsym(handle, "subid_init");
		if (init)
			init("uncmap", stderr);
	}
	get = (get_ranges_fn)dlsym(handle, kd->libsubid_get);
	if (!get)
		return unc_error_set(err, ENOSYS, "%s has no %s", LIBSUBID_SONAME,
				     kd->libsubid_get);
	n = get(user, &ranges);
	if (n < 0) {
		free(ranges);
		return unc_error_set(err, EIO, "cannot read subordinate %s of %s from %s", kd->ids,
				     user, out->source);
	}
	for (i = 0; i < n; i++) {
		if (unc_subid_list_add(out, ranges[i].start, ranges[i].count) < 0) {
			free(ranges);
			return unc_error_sys(err, ENOMEM, "cannot collect ranges");
		}
	}
	free(ranges);
	return 0;
}
#endif

int unc_subid_lookup(enum unc_subid_kind kind, enum unc_subid_via via, const char *file,
		     const char *user, uid_t uid, struct unc_subid_list *out, struct unc_error *err)
{
	const char *system_file = unc_id_kind(kind)->file;
	char nss[64];
	int use_libsubid;

	if (file)
		return unc_subid_ranges_from_file(file, user, uid, out, err);
	{
		/* read once per process: uncmap asks for UIDs, then GIDs */
		static char cached[sizeof nss];
		if (!cached[0])
			unc_subid_nss_source(UNC_NSSWITCH_CONF, cached, sizeof cached);
		memcpy(nss, cached, sizeof nss);
	}
	if (strcmp(nss, "files") == 0)
		snprintf(out->source, sizeof out->source, "%s", system_file);
	else
		snprintf(out->source, sizeof out->source, "the subid source '%s' of %s", nss,
			 UNC_NSSWITCH_CONF);
	use_libsubid = via == UNC_SUBID_VIA_LIBSUBID ||
		       (via == UNC_SUBID_VIA_AUTO && strcmp(nss, "files") != 0);
	if (!use_libsubid)
		return unc_subid_ranges_from_file(system_file, user, uid, out, err);
#ifdef UNC_HAVE_LIBSUBID
	return libsubid_get(kind, user, out, err);
#else
	if (via == UNC_SUBID_VIA_LIBSUBID)
		return unc_error_set(err, ENOSYS, "this uncmap was built without libsubid");
	{
		int r = unc_subid_ranges_from_file(system_file, user, uid, out, err);
		snprintf(out->source, sizeof out->source,
			 "%s (%s names subid source '%s', which this build cannot follow: it "
			 "was built without libsubid)",
			 system_file, UNC_NSSWITCH_CONF, nss);
		return r;
	}
#endif
}
