#include "passwd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "io.h"

#define PASSWD_FILE_MAX (512u * 1024 * 1024)

int unc_parse_id(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > 4294967294ULL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Split a line into exactly `want` colon-separated fields. */
static int split_fields(const char *line, size_t len, const char **f, size_t *flen, int want)
{
	const char *p = line, *stop = line + len;
	int i;

	for (i = 0; i < want; i++) {
		const char *colon = memchr(p, ':', (size_t)(stop - p));
		f[i] = p;
		if (i < want - 1) {
			if (!colon)
				return -1;
			flen[i] = (size_t)(colon - p);
			p = colon + 1;
		} else {
			if (colon)
				return -1; /* too many fields */
			flen[i] = (size_t)(stop - p);
		}
	}
	return 0;
}

/* Call fn for each line (without newline or a trailing \r? no: a \r stays
 * and makes numeric fields fail, as it does for glibc). */
#define FOR_EACH_LINE(buf, len, line, llen, lineno)                                                \
	for (const char *p_ = (buf), *stop_ = (buf) + (len), *nl_ = NULL; p_ < stop_;              \
	     p_ = nl_ ? nl_ + 1 : stop_)                                                           \
		if ((nl_ = memchr(p_, '\n', (size_t)(stop_ - p_))), ((line) = p_),                 \
		    ((llen) = nl_ ? (size_t)(nl_ - p_) : (size_t)(stop_ - p_)), ++(lineno), 1)

static int passwd_add(struct passwd_db *db)
{
	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 64;
		struct passwd_entry *v = realloc(db->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		db->v = v;
		db->cap = cap;
	}
	return 0;
}

/* Keep text (malloc'd, NUL-terminated) for as long as the database. */
static char *arena_adopt(struct text_arenas *t, char *text)
{
	char **v = realloc(t->v, (t->n + 1) * sizeof *v);

	if (!v)
		return NULL;
	t->v = v;
	t->v[t->n++] = text;
	return text;
}

/* A writable copy of buf that lives as long as the database. */
static char *arena_copy(struct text_arenas *t, const char *buf, size_t len)
{
	char **v = realloc(t->v, (t->n + 1) * sizeof *v);
	char *copy;

	if (!v)
		return NULL;
	t->v = v;
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	t->v[t->n++] = copy;
	return copy;
}

static void arenas_free(struct text_arenas *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* End each of the n fields with a NUL where its ':' or newline was. */
static void terminate_fields(const char **f, const size_t *fl, int n)
{
	int i;

	for (i = 0; i < n; i++)
		((char *)f[i])[fl[i]] = '\0';
}

/* Parse text that already lives in db's arenas (cut up in place). */
static int passwd_parse_text(const char *text, size_t len, struct passwd_db *db,
			     struct unc_error *err)
{
	const char *line;
	size_t llen, lineno = 0;

	FOR_EACH_LINE(text, len, line, llen, lineno)
	{
		const char *f[7];
		size_t fl[7];
		struct passwd_entry e;

		if (llen == 0 || llen > UNC_PASSWD_LINE_MAX || memchr(line, '\0', llen))
			continue;
		if (line[0] == '+' || line[0] == '-' || line[0] == '#')
			continue;
		if (split_fields(line, llen, f, fl, 7) < 0 || fl[0] == 0)
			continue;
		if (unc_parse_id(f[2], fl[2], &e.uid) < 0 || unc_parse_id(f[3], fl[3], &e.gid) < 0)
			continue;
		if (passwd_add(db) < 0)
			return unc_error_sys(err, ENOMEM, "cannot read the passwd file");
		/* the line is accepted: cut it into strings in place (after
		 * FOR_EACH_LINE has found this line's newline) */
		terminate_fields(f, fl, 7);
		e.name = (char *)f[0];
		e.gecos = (char *)f[4];
		e.home = (char *)f[5];
		e.shell = (char *)f[6];
		e.line = lineno;
		db->v[db->n++] = e;
	}
	return 0;
}

int unc_passwd_parse(const char *buf, size_t len, struct passwd_db *db, struct unc_error *err)
{
	const char *text = arena_copy(&db->text, buf, len);

	if (!text)
		return unc_error_sys(err, ENOMEM, "cannot read the passwd file");
	return passwd_parse_text(text, len, db, err);
}

/* Read path into a new arena of t: the file's own buffer is kept, no
 * second copy. Returns 0 with *text and *len set, or a negative errno
 * (unc_read_file's own, passed on, or -ENOMEM) with *text untouched. */
static int load_arena(const char *path, struct text_arenas *t, const char **text, size_t *len,
		      struct unc_error *err)
{
	_cleanup_free_ char *buf = NULL;
	int r;

	r = unc_read_file(path, PASSWD_FILE_MAX, &buf, len, err);
	if (r < 0)
		return r;
	if (!arena_adopt(t, buf)) {
		/* the code itself, not unc_error_sys's value: gcc must see
		 * that every failure is negative, or *text "may be unset" */
		unc_error_sys(err, ENOMEM, "cannot read %s", path);
		return -ENOMEM;
	}
	*text = steal_pointer(&buf);
	return 0;
}

int unc_passwd_load(const char *path, struct passwd_db *db, struct unc_error *err)
{
	const char *text;
	size_t len = 0;
	int r;

	r = load_arena(path, &db->text, &text, &len, err);
	if (r < 0)
		return r;
	return passwd_parse_text(text, len, db, err);
}

const struct passwd_entry *unc_passwd_by_name(const struct passwd_db *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->v[i].name, name) == 0)
			return &db->v[i];
	return NULL;
}

const struct passwd_entry *unc_passwd_by_uid(const struct passwd_db *db, uint32_t uid)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (db->v[i].uid == uid)
			return &db->v[i];
	return NULL;
}

void unc_passwd_free(struct passwd_db *db)
{
	arenas_free(&db->text);
	free(db->v);
	db->v = NULL;
	db->n = db->cap = 0;
}

static void group_entry_free(struct group_entry *g)
{
	free(g->members); /* the names themselves are in the arena */
}

/* Split the member list. The array is sized once from the commas: growing
 * it by one per member made a hostile line of 32,000 members cost
 * quadratic copying. */
/* Split the member list in place (s lies in the arena). */
static int parse_members(char *s, size_t len, struct group_entry *g)
{
	char *p = s, *stop = s + len;
	size_t most = 1, i;

	g->members = NULL;
	g->nmembers = 0;
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		most += s[i] == ',';
	g->members = malloc(most * sizeof *g->members);
	if (!g->members)
		return -ENOMEM;
	while (p < stop) {
		char *comma = memchr(p, ',', (size_t)(stop - p));
		size_t mlen = comma ? (size_t)(comma - p) : (size_t)(stop - p);
		p[mlen] = '\0';
		if (mlen > 0)
			g->members[g->nmembers++] = p;
		p = comma ? comma + 1 : stop;
	}
	return 0;
}

static int group_parse_text(const char *text, size_t len, struct group_db *db,
			    struct unc_error *err)
{
	const char *line;
	size_t llen, lineno = 0;

	FOR_EACH_LINE(text, len, line, llen, lineno)
	{
		const char *f[4];
		size_t fl[4];
		struct group_entry g;

		if (llen == 0 || llen > UNC_PASSWD_LINE_MAX || memchr(line, '\0', llen))
			continue;
		if (line[0] == '+' || line[0] == '-' || line[0] == '#')
			continue;
		if (split_fields(line, llen, f, fl, 4) < 0 || fl[0] == 0)
			continue;
		if (unc_parse_id(f[2], fl[2], &g.gid) < 0)
			continue;
		if (db->n == db->cap) {
			size_t cap = db->cap ? db->cap * 2 : 64;
			struct group_entry *v = realloc(db->v, cap * sizeof *v);
			if (!v)
				return unc_error_sys(err, ENOMEM, "cannot read the group file");
			db->v = v;
			db->cap = cap;
		}
		g.members = NULL;
		g.nmembers = 0;
		terminate_fields(f, fl, 3);
		g.name = (char *)f[0];
		g.line = lineno;
		if (parse_members((char *)f[3], fl[3], &g) < 0) {
			group_entry_free(&g);
			return unc_error_sys(err, ENOMEM, "cannot read the group file");
		}
		db->v[db->n++] = g;
	}
	return 0;
}

int unc_group_parse(const char *buf, size_t len, struct group_db *db, struct unc_error *err)
{
	const char *text = arena_copy(&db->text, buf, len);

	if (!text)
		return unc_error_sys(err, ENOMEM, "cannot read the group file");
	return group_parse_text(text, len, db, err);
}

int unc_group_load(const char *path, struct group_db *db, struct unc_error *err)
{
	const char *text;
	size_t len = 0;
	int r;

	r = load_arena(path, &db->text, &text, &len, err);
	if (r < 0)
		return r;
	return group_parse_text(text, len, db, err);
}

const struct group_entry *unc_group_by_name(const struct group_db *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->v[i].name, name) == 0)
			return &db->v[i];
	return NULL;
}

const struct group_entry *unc_group_by_gid(const struct group_db *db, uint32_t gid)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (db->v[i].gid == gid)
			return &db->v[i];
	return NULL;
}

int unc_group_list_for_user(const struct group_db *db, const char *user, gid_t primary, gid_t **out,
			    size_t *n, struct unc_error *err)
{
	size_t i, j, k, count = 1;
	gid_t *list = malloc(sizeof *list);

	if (!list)
		return unc_error_sys(err, ENOMEM, "cannot list groups");
	list[0] = primary;
	for (i = 0; i < db->n; i++) {
		const struct group_entry *g = &db->v[i];
		int member = 0, dup = 0;
		for (j = 0; j < g->nmembers && !member; j++)
			member = strcmp(g->members[j], user) == 0;
		if (!member)
			continue;
		for (k = 0; k < count && !dup; k++)
			dup = list[k] == g->gid;
		if (dup)
			continue;
		gid_t *bigger = realloc(list, (count + 1) * sizeof *list);
		if (!bigger) {
			free(list);
			return unc_error_sys(err, ENOMEM, "cannot list groups");
		}
		list = bigger;
		list[count++] = g->gid;
	}
	*out = list;
	*n = count;
	return 0;
}

void unc_group_free(struct group_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		group_entry_free(&db->v[i]);
	arenas_free(&db->text);
	free(db->v);
	db->v = NULL;
	db->n = db->cap = 0;
}
