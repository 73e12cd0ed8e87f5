#include "subidadmin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicwrite.h"
#include "cleanup.h"

#define LOCK_TIMEOUT_MS 15000

static const char *const kind_ids[2] = {"UIDs", "GIDs"};

int unc_subid_admin_init(struct unc_subid_admin *a, const char *prefix, int kinds,
			 struct unc_error *err)
{
	struct unc_subid_paths *p = &a->paths;
	const char *pre = prefix ? prefix : "";
	size_t plen = strlen(pre);

	memset(a, 0, sizeof *a);
	unc_shadow_lock_init(&a->lock);
	a->kinds = kinds;
	a->lock_timeout_ms = LOCK_TIMEOUT_MS;
	unc_login_defs_init(&a->defs);
	/* "DIR/" and "DIR" name the same tree */
	while (plen > 0 && pre[plen - 1] == '/')
		plen--;
	if (asprintf(&p->etc, "%.*s/etc", (int)plen, pre) < 0 ||
	    asprintf(&p->file[UNC_SUBUID], "%s/subuid", p->etc) < 0 ||
	    asprintf(&p->file[UNC_SUBGID], "%s/subgid", p->etc) < 0 ||
	    asprintf(&p->passwd, "%s/passwd", p->etc) < 0 ||
	    asprintf(&p->group, "%s/group", p->etc) < 0 ||
	    asprintf(&p->login_defs, "%s/login.defs", p->etc) < 0 ||
	    asprintf(&p->nsswitch, "%s/nsswitch.conf", p->etc) < 0 ||
	    asprintf(&p->pwd_lock, "%s/.pwd.lock", p->etc) < 0)
		return unc_error_sys(err, ENOMEM, "cannot start");
	return 0;
}

void unc_subid_admin_nss_source(const struct unc_subid_admin *a, char *buf, size_t size)
{
	unc_subid_nss_source(a->paths.nsswitch, buf, size);
}

static int want(const struct unc_subid_admin *a, int kind)
{
	return a->kinds & (kind == UNC_SUBUID ? UNC_KIND_UIDS : UNC_KIND_GIDS);
}

int unc_subid_admin_begin(struct unc_subid_admin *a, int for_write, struct unc_error *err)
{
	int k, r;

	if (for_write) {
		if (unc_shadow_lock_pwd(&a->lock, a->paths.pwd_lock, a->lock_timeout_ms, err) < 0)
			return -1;
		for (k = 0; k < 2; k++) {
			if (!want(a, k))
				continue;
			if (unc_shadow_lock_file(&a->lock, a->paths.file[k], a->lock_timeout_ms,
						 NULL, err) < 0)
				return -1;
		}
	}
	if (unc_login_defs_load(a->paths.login_defs, &a->defs, err) < 0)
		return -1;
	if (unc_passwd_load(a->paths.passwd, &a->pw, err) < 0)
		return -1;
	r = unc_group_load(a->paths.group, &a->gr, err);
	if (r == -ENOENT)
		unc_error_clear(err);
	else if (r < 0)
		return -1;
	for (k = 0; k < 2; k++) {
		/* read both even when acting on one: list and check show both */
		if (unc_subid_file_load(&a->file[k], a->paths.file[k], &a->exists[k], err) < 0)
			return -1;
	}
	return 0;
}

int unc_subid_line_owned_by(const struct unc_subid_line *l, const struct passwd_entry *e)
{
	return l->parsed && !l->deleted && unc_subid_entry_is_owner(&l->entry, e->name, e->uid);
}

/* Is line l the user's: by passwd entry e, or, for a former user gone
 * from passwd (e NULL), by the name alone? */
static int line_is_users(const struct unc_subid_line *l, const struct passwd_entry *e,
			 const char *user)
{
	if (e)
		return unc_subid_line_owned_by(l, e);
	return l->parsed && !l->deleted && l->entry.owner_len == strlen(user) &&
	       memcmp(l->entry.owner, user, l->entry.owner_len) == 0;
}

/* Never replace a file newuidmap refuses (a symbolic link: the new file
 * would replace the link, not what it points to) or one shadow reads other
 * than as written (a NUL byte joins lines: an appended line could become
 * part of another owner's). */
static int editable(const struct unc_subid_admin *a, int k, struct unc_error *err)
{
	const struct unc_subid_file *f = &a->file[k];
	const char *path = a->paths.file[k];
	size_t i;

	if (f->symlink) {
		unc_error_set(err, ELOOP,
			      "cannot change %s: it is a symbolic link, which newuidmap and "
			      "newgidmap refuse to read",
			      path);
		unc_error_hint(err, "replace the link with a regular file, then run this again");
		return -ELOOP;
	}
	if (!f->misread && !f->unreadable)
		return 0;
	for (i = 0; i < f->n_read && !f->lines[i].nul; i++)
		;
	unc_error_set(err, EBADMSG, "cannot change %s: line %zu %s", path,
		      i < f->n_read ? f->lines[i].lineno : f->unreadable,
		      i < f->n_read ? "holds a NUL byte, so shadow reads the lines after it "
				      "other than as written"
				    : "ends at the edge of shadow's buffer, so shadow cannot "
				      "read the file");
	unc_error_hint(err, "fix the line (subidctl check shows how shadow reads it), then run "
			    "this again");
	return -EBADMSG;
}

static int event(struct unc_subid_events *ev, enum unc_subid_event_what what, int kind,
		 const char *user, uint64_t start, uint64_t count, size_t line,
		 struct unc_error *err)
{
	if (!ev)
		return 0;
	if (ev->n == ev->cap) {
		size_t cap = ev->cap ? ev->cap * 2 : 16;
		struct unc_subid_event *v = realloc(ev->v, cap * sizeof *v);
		if (!v)
			return unc_error_sys(err, ENOMEM, "cannot report");
		ev->v = v;
		ev->cap = cap;
	}
	ev->v[ev->n++] =
	    (struct unc_subid_event){what, (enum unc_subid_kind)kind, user, start, count, line};
	return 0;
}

static void window(const struct unc_subid_admin *a, int k, uint64_t *min, uint64_t *max,
		   uint64_t *count)
{
	*min = k == UNC_SUBUID ? a->defs.sub_uid_min : a->defs.sub_gid_min;
	*max = k == UNC_SUBUID ? a->defs.sub_uid_max : a->defs.sub_gid_max;
	*count = k == UNC_SUBUID ? a->defs.sub_uid_count : a->defs.sub_gid_count;
}

/* Everything in use in a file's ID space: every range any line gives
 * (even a '#' owner's: shadow reads it as a range), and every real ID. */
static int alloc_prepare(struct unc_subid_admin *a, int k, struct unc_error *err)
{
	struct unc_subid_alloc *al = &a->alloc[k];
	const struct unc_subid_file *f = &a->file[k];
	uint64_t min, max, dflt;
	size_t i;

	if (a->alloc_ready[k])
		return 0;
	unc_subid_alloc_init(al);
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (l->parsed && !l->deleted &&
		    unc_subid_alloc_use(al, l->entry.start, l->entry.count, err) < 0)
			return -1;
	}
	/* (uid_t)-1 is no ID: newuidmap refuses a range that holds it */
	if (unc_subid_alloc_use(al, UNC_ID_LIMIT, 1, err) < 0)
		return -1;
	/* Real IDs matter only inside the window ranges are taken from. */
	window(a, k, &min, &max, &dflt);
	for (i = 0; i < a->pw.n; i++) {
		uint64_t id = k == UNC_SUBUID ? a->pw.v[i].uid : a->pw.v[i].gid;
		if (id >= min && id <= max && unc_subid_alloc_use(al, id, 1, err) < 0)
			return -1;
	}
	for (i = 0; k == UNC_SUBGID && i < a->gr.n; i++) {
		uint64_t id = a->gr.v[i].gid;
		if (id >= min && id <= max && unc_subid_alloc_use(al, id, 1, err) < 0)
			return -1;
	}
	a->alloc_ready[k] = 1;
	return 0;
}

int unc_subid_admin_index(struct unc_subid_admin *a, const struct unc_user_index **ix,
			  struct unc_error *err)
{
	if (!a->ix_ready) {
		if (unc_user_index_build(&a->ix, &a->pw, &a->gr, err) < 0)
			return -1;
		a->ix_ready = 1;
	}
	if (ix)
		*ix = &a->ix;
	return 0;
}

/* A user by name, else by numeric UID. Without the index (one user
 * added to 50,000: sorting would cost more than it saves), a scan. */
static const struct passwd_entry *resolve_user(const struct unc_subid_admin *a, const char *user)
{
	const struct passwd_entry *e;
	uint32_t uid;
	int numeric = unc_parse_id(user, strlen(user), &uid) == 0;

	if (a->ix_ready) {
		e = unc_user_by_name(&a->ix, user, strlen(user));
		return e || !numeric ? e : unc_user_by_uid(&a->ix, uid);
	}
	e = unc_passwd_by_name(&a->pw, user);
	return e || !numeric ? e : unc_passwd_by_uid(&a->pw, uid);
}

/* Refuse an exact range that collides with another range or a real ID. */
static int check_exact(struct unc_subid_admin *a, int k, const struct passwd_entry *e,
		       uint64_t start, uint64_t count, struct unc_error *err)
{
	const struct unc_subid_file *f = &a->file[k];
	const char *path = a->paths.file[k];
	uint64_t end = start + count;
	const char *real_name;
	uint32_t real_id;
	size_t i;

	if (start >= UNC_ID_LIMIT || UNC_ID_LIMIT - start < count)
		return unc_error_set(err, ERANGE,
				     "cannot add %" PRIu64 "-%" PRIu64 " to %s in %s: it goes past "
				     "4294967294, the largest ID",
				     start, end - 1, e->name, path);
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		uint64_t lend;
		if (!l->parsed || l->deleted || l->entry.count == 0)
			continue;
		lend = l->entry.start + l->entry.count;
		if (l->entry.start < end && start < lend) {
			char where[48] = " (added by this run)";
			if (l->lineno)
				snprintf(where, sizeof where, " (line %zu)", l->lineno);
			return unc_error_set(err, EEXIST,
					     "cannot add %" PRIu64 "-%" PRIu64
					     " to %s in %s: it overlaps %.*s's range %" PRIu64
					     "-%" PRIu64 "%s",
					     start, end - 1, e->name, path, (int)l->entry.owner_len,
					     l->entry.owner, l->entry.start, lend - 1, where);
		}
	}
	if (unc_subid_admin_index(a, NULL, err) < 0)
		return -1;
	if (unc_real_id_in(&a->ix, k == UNC_SUBGID, start, count, &real_id, &real_name))
		return unc_error_set(err, EEXIST,
				     "cannot add %" PRIu64 "-%" PRIu64
				     " to %s in %s: it contains %s %u, %s%s's own",
				     start, end - 1, e->name, path, k == UNC_SUBUID ? "UID" : "GID",
				     real_id, k == UNC_SUBUID ? "" : "group ", real_name);
	return 0;
}

/* Take [start, start+count) in kind k when it lies in [min, max] and is
 * free: 1 taken, 0 not, -1 error. */
static int take_if_free(struct unc_subid_admin *a, int k, uint64_t start, uint64_t count,
			uint64_t min, uint64_t max, struct unc_error *err)
{
	if (count == 0 || start < min || start > max || max - start < count - 1 ||
	    unc_subid_alloc_overlaps(&a->alloc[k], start, count))
		return 0;
	return unc_subid_alloc_use(&a->alloc[k], start, count, err) < 0 ? -1 : 1;
}

/* IDs user e holds in kind k. */
static uint64_t held_by(const struct unc_subid_admin *a, int k, const struct passwd_entry *e)
{
	const struct unc_subid_file *f = &a->file[k];
	uint64_t held = 0;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (unc_subid_line_owned_by(&f->lines[i], e))
			held += f->lines[i].entry.count;
	return held;
}

static int add_one(struct unc_subid_admin *a, int k, const struct passwd_entry *e, uint64_t count,
		   int has_start, uint64_t start, struct unc_subid_events *ev,
		   struct unc_error *err)
{
	struct unc_subid_file *f = &a->file[k];
	uint64_t min, max, dflt, held = 0;
	size_t i;
	int r;

	r = editable(a, k, err);
	if (r < 0)
		return r;
	window(a, k, &min, &max, &dflt);
	if (count == 0)
		count = dflt;
	for (i = 0; has_start && i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (unc_subid_line_owned_by(l, e) && l->entry.start == start &&
		    l->entry.count == count)
			return event(ev, UNC_SUBID_HELD, k, e->name, start, count, l->lineno, err);
	}
	held = held_by(a, k, e);
	if (!has_start && held >= count)
		return event(ev, UNC_SUBID_HELD, k, e->name, 0, held, 0, err);
	if (alloc_prepare(a, k, err) < 0)
		return -1;
	if (a->top_up && !has_start) {
		count -= held;
		/* right after a range the user holds, so its map stays one extent */
		for (i = 0; i < f->n && held > 0; i++) {
			const struct unc_subid_line *l = &f->lines[i];
			uint64_t next;
			if (!unc_subid_line_owned_by(l, e) || l->entry.count == 0 ||
			    UINT64_MAX - l->entry.start < l->entry.count)
				continue;
			next = l->entry.start + l->entry.count;
			r = take_if_free(a, k, next, count, min, max, err);
			if (r < 0)
				return -1;
			if (r > 0) {
				start = next;
				goto found;
			}
		}
	} else if (!has_start && !a->unpaired) {
		/* the start of the user's range of this size in the other file:
		 * keeps a pair in step, and re-running an add that crashed
		 * between the two files repairs it */
		const struct unc_subid_file *o = &a->file[!k];
		for (i = 0; i < o->n; i++) {
			const struct unc_subid_line *l = &o->lines[i];
			if (!unc_subid_line_owned_by(l, e) || l->entry.count != count)
				continue;
			r = take_if_free(a, k, l->entry.start, count, min, max, err);
			if (r < 0)
				return -1;
			if (r > 0) {
				start = l->entry.start;
				goto found;
			}
		}
	}
	if (has_start) {
		if (check_exact(a, k, e, start, count, err) < 0)
			return -1;
		if (unc_subid_alloc_use(&a->alloc[k], start, count, err) < 0)
			return -1;
	} else if (unc_subid_alloc_first_fit(&a->alloc[k], min, max, count, &start, err) < 0) {
		if (err && err->errnum == ENOSPC) {
			char why[UNC_ERROR_MSG_MAX];
			snprintf(why, sizeof why, "%s", err->msg);
			unc_error_set(err, ENOSPC,
				      "cannot add %" PRIu64 " subordinate %s to %s in %s: %s",
				      count, kind_ids[k], e->name, a->paths.file[k], why);
			unc_error_hint(
			    err, "raise %s in %s, or delete ranges that are no longer needed",
			    k == UNC_SUBUID ? "SUB_UID_MAX" : "SUB_GID_MAX", a->paths.login_defs);
		}
		return -1;
	}
found:
	if (unc_subid_file_append(f, e->name, start, count, err) < 0)
		return -1;
	return event(ev, UNC_SUBID_ADDED, k, e->name, start, count, 0, err);
}

/* A user who lacks a range in both files gets one at the same start in
 * both when a gap is free in both (FreeIPA hands pairs out so): 1 done,
 * 0 not a pair (the files are then served one by one), or an error. */
static int add_pair(struct unc_subid_admin *a, const struct passwd_entry *e, uint64_t count,
		    int has_start, struct unc_subid_events *ev, struct unc_error *err)
{
	uint64_t min[2], max[2], n[2], lo, hi, start;
	int k, r;

	if (a->kinds != UNC_KIND_BOTH || has_start || a->top_up || a->unpaired)
		return 0;
	for (k = 0; k < 2; k++) {
		window(a, k, &min[k], &max[k], &n[k]);
		if (count)
			n[k] = count;
		if (held_by(a, k, e) > 0 || editable(a, k, NULL) < 0)
			return 0;
	}
	lo = min[0] > min[1] ? min[0] : min[1];
	hi = max[0] < max[1] ? max[0] : max[1];
	if (n[0] != n[1] || lo > hi)
		return 0;
	for (k = 0; k < 2; k++)
		if (alloc_prepare(a, k, err) < 0)
			return -1;
	r = unc_subid_alloc_first_fit_pair(&a->alloc[0], &a->alloc[1], lo, hi, n[0], &start, NULL);
	if (r == -ENOSPC)
		return 0;
	if (r < 0)
		return unc_error_sys(err, -r, "cannot allocate a pair of ranges");
	for (k = 0; k < 2; k++) {
		if (unc_subid_file_append(&a->file[k], e->name, start, n[k], err) < 0)
			return -1;
		if (event(ev, UNC_SUBID_ADDED, k, e->name, start, n[k], 0, err) < 0)
			return -1;
	}
	return 1;
}

int unc_subid_admin_add(struct unc_subid_admin *a, const char *user, uint64_t count, int has_start,
			uint64_t start, struct unc_subid_events *ev, struct unc_error *err)
{
	const struct passwd_entry *e = resolve_user(a, user);
	int k, r;

	if (!e)
		return unc_error_set(err, ENOENT, "cannot add ranges to %s: no such user in %s",
				     user, a->paths.passwd);
	if (unc_subid_owner_valid(e->name, err) < 0) {
		unc_error_prefix(err, "cannot add ranges to %s: the name", e->name);
		return -1;
	}
	r = add_pair(a, e, count, has_start, ev, err);
	if (r != 0)
		return r < 0 ? r : 0;
	for (k = 0; k < 2; k++)
		if (want(a, k) && add_one(a, k, e, count, has_start, start, ev, err) < 0)
			return -1;
	return 0;
}

int unc_subid_admin_del(struct unc_subid_admin *a, const char *user, int has_start, uint64_t start,
			struct unc_subid_events *ev, struct unc_error *err)
{
	const struct passwd_entry *e = resolve_user(a, user);
	size_t removed = 0, i;
	int k;

	for (k = 0; k < 2; k++) {
		struct unc_subid_file *f = &a->file[k];
		int r;
		if (!want(a, k))
			continue;
		r = editable(a, k, err);
		if (r < 0)
			return r;
		for (i = 0; i < f->n; i++) {
			struct unc_subid_line *l = &f->lines[i];
			if (!line_is_users(l, e, user) || (has_start && l->entry.start != start))
				continue;
			unc_subid_file_delete(f, i);
			removed++;
			if (event(ev, UNC_SUBID_REMOVED, k, e ? e->name : user, l->entry.start,
				  l->entry.count, l->lineno, err) < 0)
				return -1;
		}
	}
	if (removed > 0)
		return 0;
	{
		char where[1024], what[64] = "";
		if (a->kinds == UNC_KIND_BOTH)
			snprintf(where, sizeof where, "%s or %s", a->paths.file[UNC_SUBUID],
				 a->paths.file[UNC_SUBGID]);
		else
			snprintf(
			    where, sizeof where, "%s",
			    a->paths.file[a->kinds == UNC_KIND_UIDS ? UNC_SUBUID : UNC_SUBGID]);
		if (has_start)
			snprintf(what, sizeof what, " starting at %" PRIu64, start);
		return unc_error_set(err, ENOENT,
				     "cannot delete %s's ranges: %s holds no range%s in %s",
				     e ? e->name : user, e ? e->name : user, what, where);
	}
}

/* What sync knows of one kind: who holds a range, and where each user's
 * first range starts (to keep a pair in step). */
struct sync_kind {
	unsigned char *holds;
	uint64_t *first_start, *first_count;
	uint64_t min, max, n;
};

/* Does passwd entry i need a range of this kind? */
static int sync_needs(const struct unc_subid_admin *a, const struct sync_kind *s, size_t i)
{
	const struct passwd_entry *e = &a->pw.v[i];
	const struct passwd_entry *first;

	if (e->uid < a->defs.uid_min || e->uid > a->defs.uid_max || s->holds[i])
		return 0;
	/* a name listed twice: the first entry is the user */
	if (unc_user_by_name(&a->ix, e->name, strlen(e->name)) != e)
		return 0;
	/* a UID's first entry holds for every name sharing it */
	first = unc_user_by_uid(&a->ix, e->uid);
	if (first != e && s->holds[first - a->pw.v])
		return 0;
	return unc_subid_owner_valid(e->name, NULL) == 0;
}

static int sync_full(const struct unc_subid_admin *a, int k, const struct passwd_entry *e,
		     uint64_t n, struct unc_error *err)
{
	char why[UNC_ERROR_MSG_MAX];

	if (!err || err->errnum != ENOSPC)
		return -1;
	snprintf(why, sizeof why, "%s", err->msg);
	unc_error_set(err, ENOSPC, "cannot give %s %" PRIu64 " subordinate %s in %s: %s", e->name,
		      n, kind_ids[k], a->paths.file[k], why);
	unc_error_hint(err,
		       "raise %s in %s, or delete ranges that are no longer needed; nothing was "
		       "written",
		       k == UNC_SUBUID ? "SUB_UID_MAX" : "SUB_GID_MAX", a->paths.login_defs);
	return -ENOSPC;
}

int unc_subid_admin_sync(struct unc_subid_admin *a, uint64_t count, size_t added[2],
			 struct unc_error *err)
{
	_cleanup_free_ unsigned char *holds = NULL;
	_cleanup_free_ uint64_t *firsts = NULL;
	struct sync_kind sk[2];
	uint64_t lo, hi;
	size_t i, npw = a->pw.n ? a->pw.n : 1;
	int k, r, pairs;

	holds = calloc(2, npw);
	firsts = calloc(4 * npw, sizeof *firsts);
	if (!holds || !firsts)
		return unc_error_sys(err, ENOMEM, "cannot sync");
	if (unc_subid_admin_index(a, NULL, err) < 0)
		return -1;
	for (k = 0; k < 2; k++) {
		struct unc_subid_file *f = &a->file[k];
		struct sync_kind *s = &sk[k];
		uint64_t dflt;

		added[k] = 0;
		s->holds = holds + (size_t)k * npw;
		s->first_start = firsts + (size_t)k * 2 * npw;
		s->first_count = s->first_start + npw;
		window(a, k, &s->min, &s->max, &dflt);
		s->n = count ? count : dflt;
		if (!want(a, k))
			continue;
		r = editable(a, k, err);
		if (r < 0)
			return r;
		/* who holds a range already: one lookup per line */
		for (i = 0; i < f->n; i++) {
			const struct unc_subid_line *l = &f->lines[i];
			const struct passwd_entry *e;
			if (!l->parsed || l->deleted)
				continue;
			e = unc_user_by_owner(&a->ix, l->entry.owner, l->entry.owner_len);
			if (e && !s->holds[e - a->pw.v]) {
				s->holds[e - a->pw.v] = 1;
				s->first_start[e - a->pw.v] = l->entry.start;
				s->first_count[e - a->pw.v] = l->entry.count;
			}
		}
		if (alloc_prepare(a, k, err) < 0)
			return -1;
	}
	lo = sk[0].min > sk[1].min ? sk[0].min : sk[1].min;
	hi = sk[0].max < sk[1].max ? sk[0].max : sk[1].max;
	pairs = a->kinds == UNC_KIND_BOTH && !a->unpaired && sk[0].n == sk[1].n && lo <= hi;
	for (i = 0; i < a->pw.n; i++) {
		const struct passwd_entry *e = &a->pw.v[i];
		int need[2];
		uint64_t start;
		for (k = 0; k < 2; k++)
			need[k] = want(a, k) && sync_needs(a, &sk[k], i);
		if (pairs && need[0] && need[1]) {
			r = unc_subid_alloc_first_fit_pair(&a->alloc[0], &a->alloc[1], lo, hi,
							   sk[0].n, &start, NULL);
			if (r < 0 && r != -ENOSPC)
				return unc_error_sys(err, -r, "cannot sync");
			for (k = 0; r == 0 && k < 2; k++) {
				if (unc_subid_file_append(&a->file[k], e->name, start, sk[k].n,
							  err) < 0)
					return -1;
				added[k]++;
				need[k] = 0;
			}
		}
		for (k = 0; k < 2; k++) {
			const struct sync_kind *s = &sk[k], *o = &sk[!k];
			if (!need[k])
				continue;
			/* the other file's range, when its size and its start fit here:
			 * re-running a sync that crashed between the files repairs it */
			r = 0;
			if (pairs && o->holds[i] && o->first_count[i] == s->n)
				r = take_if_free(a, k, o->first_start[i], s->n, s->min, s->max,
						 err);
			if (r < 0)
				return -1;
			if (r > 0)
				start = o->first_start[i];
			else if (unc_subid_alloc_first_fit(&a->alloc[k], s->min, s->max, s->n,
							   &start, err) < 0)
				return sync_full(a, k, e, s->n, err);
			if (unc_subid_file_append(&a->file[k], e->name, start, s->n, err) < 0)
				return -1;
			added[k]++;
		}
	}
	return 0;
}

int unc_subid_admin_commit(struct unc_subid_admin *a, int written[2], enum unc_subid_kind *failed,
			   struct unc_error *err)
{
	int k, last = -1;

	written[0] = written[1] = 0;
	/* Both files live in one directory: it is synced once, after both
	 * renames (each new file was synced before its own rename). */
	for (k = 0; k < 2; k++) {
		struct unc_subid_file *f = &a->file[k];
		_cleanup_free_ char *data = NULL;
		size_t len;
		int replaced = 0;

		if (!want(a, k) || !f->changed)
			continue;
		*failed = (enum unc_subid_kind)k;
		if (unc_subid_file_serialise(f, &data, &len, err) < 0)
			return -1;
		if (unc_atomic_replace_nodirsync(a->paths.file[k], data, len,
						 a->exists[k] ? f->buf : NULL, f->len, 0644,
						 &replaced, err) < 0) {
			written[k] = replaced;
			if (last >= 0 && unc_fsync_dir_of(a->paths.file[last], NULL) < 0)
				*failed = (enum unc_subid_kind)last;
			return -1;
		}
		written[k] = 1;
		last = k;
	}
	if (last >= 0 && unc_fsync_dir_of(a->paths.file[last], err) < 0) {
		*failed = (enum unc_subid_kind)last;
		return -1;
	}
	return 0;
}

void unc_subid_admin_end(struct unc_subid_admin *a)
{
	struct unc_subid_paths *p = &a->paths;
	int k;

	unc_shadow_unlock_all(&a->lock);
	for (k = 0; k < 2; k++) {
		unc_subid_file_free(&a->file[k]);
		if (a->alloc_ready[k])
			unc_subid_alloc_free(&a->alloc[k]);
		free(p->file[k]);
	}
	unc_user_index_free(&a->ix);
	unc_passwd_free(&a->pw);
	unc_group_free(&a->gr);
	free(p->etc);
	free(p->passwd);
	free(p->group);
	free(p->login_defs);
	free(p->nsswitch);
	free(p->pwd_lock);
	memset(a, 0, sizeof *a);
}

void unc_subid_events_free(struct unc_subid_events *ev)
{
	free(ev->v);
	ev->v = NULL;
	ev->n = ev->cap = 0;
}

/* list: group lines by owner string. */
struct owner_ref {
	const char *owner;
	size_t len;
	int kind;
	size_t seq;
	uint64_t start, count;
};

static int cmp_owner_ref(const void *x, const void *y)
{
	const struct owner_ref *p = x, *q = y;
	size_t n = p->len < q->len ? p->len : q->len;
	int c = memcmp(p->owner, q->owner, n);

	if (c)
		return c;
	if (p->len != q->len)
		return p->len < q->len ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int cmp_holder_first(const void *x, const void *y)
{
	const struct unc_subid_holder *p = x, *q = y;

	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int holder_add_range(struct unc_subid_holder *h, int k, uint64_t start, uint64_t count,
			    struct unc_error *err)
{
	if (unc_subid_list_add(&h->ranges[k], start, count) < 0)
		return unc_error_sys(err, ENOMEM, "cannot list");
	return 0;
}

int unc_subid_admin_holders(struct unc_subid_admin *a, char *const *users, size_t nusers,
			    struct unc_subid_holders *out, struct unc_error *err)
{
	size_t i, j, k;

	memset(out, 0, sizeof *out);
	if (nusers > 0) {
		out->v = calloc(nusers, sizeof *out->v);
		if (!out->v)
			return unc_error_sys(err, ENOMEM, "cannot list");
		for (i = 0; i < nusers; i++) {
			const struct passwd_entry *e = resolve_user(a, users[i]);
			struct unc_subid_holder *h = &out->v[out->n++];
			int found = 0;
			h->owner = e ? e->name : users[i];
			h->owner_len = strlen(h->owner);
			for (k = 0; k < 2; k++) {
				const struct unc_subid_file *f = &a->file[k];
				if (!want(a, (int)k))
					continue;
				for (j = 0; j < f->n; j++) {
					const struct unc_subid_line *l = &f->lines[j];
					if (!line_is_users(l, e, users[i]))
						continue;
					found = 1;
					if (holder_add_range(h, (int)k, l->entry.start,
							     l->entry.count, err) < 0)
						return -1;
				}
			}
			if (!e && !found)
				return unc_error_set(err, ENOENT,
						     "%s: no such user in %s, and no owner of "
						     "that name",
						     users[i], a->paths.passwd);
		}
		return 0;
	}

	{
		_cleanup_free_ struct owner_ref *refs = NULL;
		size_t nrefs = 0, total = a->file[0].n + a->file[1].n, seq = 0;

		refs = malloc((total ? total : 1) * sizeof *refs);
		if (!refs)
			return unc_error_sys(err, ENOMEM, "cannot list");
		for (k = 0; k < 2; k++) {
			const struct unc_subid_file *f = &a->file[k];
			if (!want(a, (int)k))
				continue;
			for (j = 0; j < f->n; j++) {
				const struct unc_subid_line *l = &f->lines[j];
				if (!l->parsed || l->deleted)
					continue;
				refs[nrefs++] = (struct owner_ref){
				    l->entry.owner, l->entry.owner_len, (int)k,
				    seq++,	    l->entry.start,	l->entry.count};
			}
		}
		qsort(refs, nrefs, sizeof *refs, cmp_owner_ref);
		out->v = calloc(nrefs ? nrefs : 1, sizeof *out->v);
		if (!out->v)
			return unc_error_sys(err, ENOMEM, "cannot list");
		for (i = 0; i < nrefs; i = j) {
			struct unc_subid_holder *h = &out->v[out->n++];
			/* the first appearance (lowest seq) names the group */
			h->owner = refs[i].owner;
			h->owner_len = refs[i].len;
			h->seq = refs[i].seq;
			for (j = i; j < nrefs && refs[j].len == refs[i].len &&
				    memcmp(refs[j].owner, refs[i].owner, refs[i].len) == 0;
			     j++)
				if (holder_add_range(h, refs[j].kind, refs[j].start, refs[j].count,
						     err) < 0)
					return -1;
		}
	}
	qsort(out->v, out->n, sizeof *out->v, cmp_holder_first);
	return 0;
}

void unc_subid_holders_free(struct unc_subid_holders *h)
{
	size_t i;
	int k;

	for (i = 0; i < h->n; i++)
		for (k = 0; k < 2; k++)
			unc_subid_list_free(&h->v[i].ranges[k]);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}
