#include "userindex.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

/* qsort has no context argument: the arrays being sorted are set here for
 * the duration of one sort (lib/ is single-threaded). */
static const struct passwd_db *sort_pw;
static const struct group_db *sort_gr;

static int cmp_index(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_pw_name(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = strcmp(sort_pw->v[a].name, sort_pw->v[b].name);
	return c ? c : cmp_index(a, b);
}

static int cmp_pw_uid(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	uint32_t ua = sort_pw->v[a].uid, ub = sort_pw->v[b].uid;
	return ua != ub ? (ua < ub ? -1 : 1) : cmp_index(a, b);
}

static int cmp_gr_gid(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	uint32_t ga = sort_gr->v[a].gid, gb = sort_gr->v[b].gid;
	return ga != gb ? (ga < gb ? -1 : 1) : cmp_index(a, b);
}

static int cmp_gr_name(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = strcmp(sort_gr->v[a].name, sort_gr->v[b].name);
	return c ? c : cmp_index(a, b);
}

static size_t *sorted_indices(size_t n, int (*cmp)(const void *, const void *))
{
	size_t *v = malloc((n ? n : 1) * sizeof *v), i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = i;
	qsort(v, n, sizeof *v, cmp);
	return v;
}

int unc_user_index_build(struct unc_user_index *x, const struct passwd_db *pw,
			 const struct group_db *gr, struct unc_error *err)
{
	memset(x, 0, sizeof *x);
	x->pw = pw;
	x->gr = gr;
	sort_pw = pw;
	sort_gr = gr;
	x->pw_by_name = sorted_indices(pw->n, cmp_pw_name);
	x->pw_by_uid = sorted_indices(pw->n, cmp_pw_uid);
	x->gr_by_gid = sorted_indices(gr->n, cmp_gr_gid);
	x->gr_by_name = sorted_indices(gr->n, cmp_gr_name);
	if (!x->pw_by_name || !x->pw_by_uid || !x->gr_by_gid || !x->gr_by_name) {
		unc_user_index_free(x);
		return unc_error_sys(err, ENOMEM, "cannot index the users");
	}
	return 0;
}

/* compare a NUL-terminated name with (s, len) */
static int cmp_name_len(const char *name, const char *s, size_t len)
{
	int c = strncmp(name, s, len);
	if (c)
		return c;
	return name[len] != '\0';
}

/* lowest position in the sorted index whose key is >= the probe */
#define LOWER_BOUND(n, less_than_probe)                                                            \
	({                                                                                         \
		size_t lo_ = 0, hi_ = (n);                                                         \
		while (lo_ < hi_) {                                                                \
			size_t mid = lo_ + (hi_ - lo_) / 2;                                        \
			if (less_than_probe)                                                       \
				lo_ = mid + 1;                                                     \
			else                                                                       \
				hi_ = mid;                                                         \
		}                                                                                  \
		lo_;                                                                               \
	})

const struct passwd_entry *unc_user_by_name(const struct unc_user_index *x, const char *name,
					    size_t len)
{
	const struct passwd_entry *v = x->pw->v;
	size_t at = LOWER_BOUND(x->pw->n, cmp_name_len(v[x->pw_by_name[mid]].name, name, len) < 0);

	if (at < x->pw->n && cmp_name_len(v[x->pw_by_name[at]].name, name, len) == 0)
		return &v[x->pw_by_name[at]];
	return NULL;
}

const struct group_entry *unc_group_by_name_ix(const struct unc_user_index *x, const char *name,
					       size_t len)
{
	const struct group_entry *v = x->gr->v;
	size_t at = LOWER_BOUND(x->gr->n, cmp_name_len(v[x->gr_by_name[mid]].name, name, len) < 0);

	if (at < x->gr->n && cmp_name_len(v[x->gr_by_name[at]].name, name, len) == 0)
		return &v[x->gr_by_name[at]];
	return NULL;
}

const struct passwd_entry *unc_user_uid_in(const struct unc_user_index *x, uint64_t start,
					   uint64_t count)
{
	const struct passwd_entry *v = x->pw->v;
	size_t at = LOWER_BOUND(x->pw->n, v[x->pw_by_uid[mid]].uid < start);

	if (at < x->pw->n && v[x->pw_by_uid[at]].uid - start < count)
		return &v[x->pw_by_uid[at]];
	return NULL;
}

const struct group_entry *unc_group_gid_in(const struct unc_user_index *x, uint64_t start,
					   uint64_t count)
{
	const struct group_entry *v = x->gr->v;
	size_t at = LOWER_BOUND(x->gr->n, v[x->gr_by_gid[mid]].gid < start);

	if (at < x->gr->n && v[x->gr_by_gid[at]].gid - start < count)
		return &v[x->gr_by_gid[at]];
	return NULL;
}

const struct passwd_entry *unc_user_by_uid(const struct unc_user_index *x, uint32_t uid)
{
	return unc_user_uid_in(x, uid, 1);
}

const struct passwd_entry *unc_user_by_owner(const struct unc_user_index *x, const char *owner,
					     size_t len)
{
	const struct passwd_entry *e = unc_user_by_name(x, owner, len);
	uint32_t uid;

	if (e)
		return e;
	if (unc_parse_id(owner, len, &uid) == 0 && (e = unc_user_by_uid(x, uid)))
		return e;
	return x->nss ? unc_nss_user(x->nss, owner, len) : NULL;
}

int unc_real_id_in(const struct unc_user_index *x, int gids, uint64_t start, uint64_t count,
		   uint32_t *id, const char **name)
{
	if (gids) {
		const struct group_entry *g = unc_group_gid_in(x, start, count);
		if (g) {
			*id = g->gid;
			*name = g->name;
		}
		return g != NULL;
	} else {
		const struct passwd_entry *u = unc_user_uid_in(x, start, count);
		if (u) {
			*id = u->uid;
			*name = u->name;
		}
		return u != NULL;
	}
}

void unc_user_index_free(struct unc_user_index *x)
{
	free(x->pw_by_name);
	free(x->pw_by_uid);
	free(x->gr_by_gid);
	free(x->gr_by_name);
	memset(x, 0, sizeof *x);
}

static char nss_empty[1];

/* Keep a copy of what getpwnam/getpwuid returned. */
static const struct passwd_entry *nss_keep(struct unc_nss_users *c, const struct passwd *pw)
{
	struct passwd_entry *e;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct passwd_entry **v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	e = calloc(1, sizeof *e);
	if (!e || !(e->name = strdup(pw->pw_name))) {
		free(e);
		return NULL;
	}
	e->uid = pw->pw_uid;
	e->gid = pw->pw_gid;
	e->gecos = e->home = e->shell = nss_empty;
	c->v[c->n++] = e;
	return e;
}

const struct passwd_entry *unc_nss_user(struct unc_nss_users *c, const char *owner, size_t len)
{
	char name[256];
	const struct passwd *pw;
	uint32_t uid;
	int numeric = unc_parse_id(owner, len, &uid) == 0;
	size_t i;

	if (len == 0 || len >= sizeof name || memchr(owner, '\0', len))
		return NULL;
	for (i = 0; i < c->n; i++)
		if (cmp_name_len(c->v[i]->name, owner, len) == 0)
			return c->v[i];
	for (i = 0; numeric && i < c->n; i++)
		if (c->v[i]->uid == uid)
			return c->v[i];
	memcpy(name, owner, len);
	name[len] = '\0';
	errno = 0;
	pw = getpwnam(name);
	if (!pw && numeric)
		pw = getpwuid((uid_t)uid);
	if (!pw || !pw->pw_name || pw->pw_uid == (uid_t)-1)
		return NULL;
	return nss_keep(c, pw);
}

void unc_nss_users_free(struct unc_nss_users *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i]->name);
		free(c->v[i]);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}
