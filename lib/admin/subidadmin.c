#include "subidadmin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicwrite.h"
#include "cleanup.h"

#define LOCK_TIMEOUT_MS 15000

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
	a->use_nss = plen == 0;
	if (asprintf(&p->etc, "%.*s/etc", (int)plen, pre) < 0 ||
	    asprintf(&p->file[UNC_SUBUID], "%s/%s", p->etc, unc_id_kind(UNC_SUBUID)->name) < 0 ||
	    asprintf(&p->file[UNC_SUBGID], "%s/%s", p->etc, unc_id_kind(UNC_SUBGID)->name) < 0 ||
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
	return a->kinds & UNC_KIND_BIT(kind);
}

int unc_subid_admin_begin(struct unc_subid_admin *a, int for_write, struct unc_error *err)
{
	int k, r;

	if (for_write) {
		r = unc_shadow_lock_pwd(&a->lock, a->paths.pwd_lock, a->lock_timeout_ms, err);
		if (r < 0)
			return r;
		for (k = 0; k < 2; k++) {
			if (!want(a, k))
				continue;
			r = unc_shadow_lock_file(&a->lock, a->paths.file[k], a->lock_timeout_ms,
						 NULL, err);
			if (r < 0)
				return r;
		}
	}
	r = unc_login_defs_load(a->paths.login_defs, &a->defs, err);
	if (r < 0)
		return r;
	r = unc_passwd_load(a->paths.passwd, &a->pw, err);
	if (r < 0)
		return r;
	/* a tree without a group file has no groups (useradd's view) */
	r = unc_group_load(a->paths.group, &a->gr, err);
	if (r == -ENOENT)
		unc_error_clear(err);
	else if (r < 0)
		return r;
	for (k = 0; k < 2; k++) {
		/* read both even when acting on one: list and check show both */
		r = unc_subid_file_load(&a->file[k], a->paths.file[k], &a->exists[k], err);
		if (r < 0)
			return r;
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

/* Real IDs matter only inside the window ranges are taken from. */
static int use_real_id(struct unc_subid_alloc *al, const struct unc_sub_window *w, uint64_t id,
		       struct unc_error *err)
{
	if (id < w->min || id > w->max)
		return 0;
	return unc_subid_alloc_use(al, id, 1, err);
}

/* The window and default count of kind k's automatic ranges: login.defs'
 * settings, with the defaults of the mode (deterministic or first fit). */
static const struct unc_sub_window *window(const struct unc_subid_admin *a, int k,
					   struct unc_sub_window *w)
{
	struct unc_subid_rule r;

	unc_login_defs_rule(&a->defs, (enum unc_subid_kind)k, &r);
	*w = (struct unc_sub_window){r.min, r.max, r.count};
	return w;
}

/* Everything in use in a file's ID space: every range any line gives
 * (even a '#' owner's: shadow reads it as a range), and every real ID. */
static int alloc_prepare(struct unc_subid_admin *a, int k, struct unc_error *err)
{
	struct unc_subid_alloc *al = &a->alloc[k];
	const struct unc_subid_file *f = &a->file[k];
	struct unc_sub_window wbuf;
	const struct unc_sub_window *w = window(a, k, &wbuf);
	int groups = unc_id_kinds[k].groups, r;
	size_t i;

	if (a->alloc_ready[k])
		return 0;
	unc_subid_alloc_init(al);
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (!l->parsed || l->deleted)
			continue;
		r = unc_subid_alloc_use(al, l->entry.start, l->entry.count, err);
		if (r < 0)
			return r;
	}
	/* (uid_t)-1 is no ID: newuidmap refuses a range that holds it */
	r = unc_subid_alloc_use(al, UNC_ID_LIMIT, 1, err);
	if (r < 0)
		return r;
	for (i = 0; i < a->pw.n; i++) {
		r = use_real_id(al, w, groups ? a->pw.v[i].gid : a->pw.v[i].uid, err);
		if (r < 0)
			return r;
	}
	for (i = 0; groups && i < a->gr.n; i++) {
		r = use_real_id(al, w, a->gr.v[i].gid, err);
		if (r < 0)
			return r;
	}
	a->alloc_ready[k] = 1;
	return 0;
}

int unc_subid_admin_index(struct unc_subid_admin *a, const struct unc_user_index **ix,
			  struct unc_error *err)
{
	int r;

	if (!a->ix_ready) {
		r = unc_user_index_build(&a->ix, &a->pw, &a->gr, err);
		if (r < 0)
			return r;
		a->ix.nss = a->use_nss ? &a->nss : NULL;
		a->ix_ready = 1;
	}
	if (ix)
		*ix = &a->ix;
	return 0;
}

/* A user by name, else by numeric UID: in the passwd file, then (on the
 * system itself) through NSS. Without the index (one user added to
 * 50,000: sorting would cost more than it saves), a scan. */
static const struct passwd_entry *resolve_user(struct unc_subid_admin *a, const char *user)
{
	const struct passwd_entry *e;
	uint32_t uid;
	int numeric = unc_parse_id(user, strlen(user), &uid) == 0;

	if (a->ix_ready) {
		e = unc_user_by_name(&a->ix, user, strlen(user));
		if (!e && numeric)
			e = unc_user_by_uid(&a->ix, uid);
	} else {
		e = unc_passwd_by_name(&a->pw, user);
		if (!e && numeric)
			e = unc_passwd_by_uid(&a->pw, uid);
	}
	if (!e && a->use_nss)
		e = unc_nss_user(&a->nss, user, strlen(user));
	return e;
}

static const char *no_such_user(const struct unc_subid_admin *a, char *buf, size_t size)
{
	snprintf(buf, size, "no such user in %s%s", a->paths.passwd,
		 a->use_nss ? " or NSS (the passwd: line of nsswitch.conf)" : "");
	return buf;
}

/* Automatic allocation is off (SUB_UID_COUNT 0): say so, and how to
 * give a range anyway. */
static int allocation_off(const struct unc_subid_admin *a, int k, const char *user,
			  struct unc_error *err)
{
	const char *key = unc_id_kinds[k].defs_count;

	unc_error_set(err, EINVAL,
		      "cannot give %s subordinate %s: %s is 0 in %s, which turns automatic "
		      "allocation off",
		      user, unc_id_kinds[k].ids, key, a->paths.login_defs);
	unc_error_hint(
	    err, "give the size with --count N (and the place with --start ID), or set %s", key);
	return -EINVAL;
}

/* The owner field a new line gets: the name, or the UID when login.defs
 * says SUB_UID_STORE_BY_UID (SUB_GID_STORE_BY_UID) yes. */
static const char *owner_field(const struct unc_subid_admin *a, int k, const struct passwd_entry *e,
			       char *buf, size_t size)
{
	if (!a->defs.store_by_uid[k])
		return e->name;
	snprintf(buf, size, "%u", e->uid);
	return buf;
}

/* The start of e's deterministic range, with what failed said as
 * subidctl's own error ("cannot add subordinate UIDs to alice in ..."). */
static int deterministic_start(const struct unc_subid_admin *a, int k, const struct passwd_entry *e,
			       uint64_t count, uint64_t *start, struct unc_error *err)
{
	struct unc_subid_rule r;
	int ret;

	unc_login_defs_rule(&a->defs, (enum unc_subid_kind)k, &r);
	if (count != r.count) {
		unc_error_set(err, EINVAL,
			      "cannot add %" PRIu64 " subordinate %s to %s in %s: %s is yes in %s, "
			      "so every range holds %s (%" PRIu64 ")",
			      count, unc_id_kinds[k].ids, e->name, a->paths.file[k],
			      unc_id_kinds[k].defs_deterministic, a->paths.login_defs,
			      unc_id_kinds[k].defs_count, r.count);
		unc_error_hint(err, "leave --count out, or give the exact range with --start");
		return -EINVAL;
	}
	ret = unc_subid_deterministic(&r, (enum unc_subid_kind)k, e->uid, a->allow_unsafe_wrap,
				      start, err);
	if (ret < 0) {
		unc_error_prefix(err, "cannot add subordinate %s to %s in %s", unc_id_kinds[k].ids,
				 e->name, a->paths.file[k]);
		if (ret == -EPERM)
			unc_error_hint(err,
				       "set it to no in %s, or pass --unsafe-wrap if overlapping "
				       "ranges are really wanted",
				       a->paths.login_defs);
		else
			unc_error_hint(err, "check UID_MIN and SUB_%s_* in %s", unc_id_kinds[k].id,
				       a->paths.login_defs);
	}
	return ret;
}

/* Refuse an exact range that collides with another range or a real ID. */
static int check_exact(struct unc_subid_admin *a, int k, const struct passwd_entry *e,
		       uint64_t start, uint64_t count, struct unc_error *err)
{
	const struct unc_subid_file *f = &a->file[k];
	const struct unc_id_kind *kd = &unc_id_kinds[k];
	const char *path = a->paths.file[k];
	uint64_t end = start + count;
	const char *real_name;
	uint32_t real_id;
	size_t i;
	int r;

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
	r = unc_subid_admin_index(a, NULL, err);
	if (r < 0)
		return r;
	if (unc_real_id_in(&a->ix, kd->groups, start, count, &real_id, &real_name))
		return unc_error_set(
		    err, EEXIST,
		    "cannot add %" PRIu64 "-%" PRIu64 " to %s in %s: it contains %s %u, %s%s's own",
		    start, end - 1, e->name, path, kd->id, real_id, kd->owner_word, real_name);
	return 0;
}

/* The allocator found no room (-ENOSPC): say in front of its words who
 * wanted how many IDs in which file (fmt..., then " in FILE"), and, as the
 * fix, the login.defs key to raise (then hint_end). Any other failure
 * passes on as it is. Returns r. */
static int no_room(const struct unc_subid_admin *a, int k, int r, const char *hint_end,
		   struct unc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int no_room(const struct unc_subid_admin *a, int k, int r, const char *hint_end,
		   struct unc_error *err, const char *fmt, ...)
{
	char what[UNC_ERROR_MSG_MAX];
	va_list ap;

	if (r != -ENOSPC)
		return r;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	unc_error_prefix(err, "%s in %s", what, a->paths.file[k]);
	unc_error_hint(err, "raise %s in %s, or delete ranges that are no longer needed%s",
		       unc_id_kinds[k].defs_max, a->paths.login_defs, hint_end);
	return r;
}

/* Take [start, start+count) in kind k when it lies in w and is free:
 * 1 taken, 0 not, or an error. */
static int take_if_free(struct unc_subid_admin *a, int k, uint64_t start, uint64_t count,
			const struct unc_sub_window *w, struct unc_error *err)
{
	int r;

	if (count == 0 || start < w->min || start > w->max || w->max - start < count - 1 ||
	    unc_subid_alloc_overlaps(&a->alloc[k], start, count))
		return 0;
	r = unc_subid_alloc_use(&a->alloc[k], start, count, err);
	return r < 0 ? r : 1;
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

/* A start for e's new range of count IDs in kind k, found before first
 * fit: with a->top_up, right after a range the user holds (so its map
 * stays one extent); else, unless a->unpaired, the start of the user's
 * range of this size in the other file (keeps a pair in step, and
 * re-running an add that crashed between the two files repairs it).
 * 1 found and taken, 0 none, or an error. */
static int near_start(struct unc_subid_admin *a, int k, const struct passwd_entry *e,
		      uint64_t count, const struct unc_sub_window *w, uint64_t *start,
		      struct unc_error *err)
{
	const struct unc_subid_file *f = &a->file[a->top_up ? k : !k];
	size_t i;
	int r;

	if (!a->top_up && a->unpaired)
		return 0;
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		uint64_t at;
		if (!unc_subid_line_owned_by(l, e))
			continue;
		if (a->top_up) {
			if (l->entry.count == 0 || UINT64_MAX - l->entry.start < l->entry.count)
				continue;
			at = l->entry.start + l->entry.count;
		} else {
			if (l->entry.count != count)
				continue;
			at = l->entry.start;
		}
		r = take_if_free(a, k, at, count, w, err);
		if (r != 0) {
			*start = at;
			return r;
		}
	}
	return 0;
}

static int add_one(struct unc_subid_admin *a, int k, const struct passwd_entry *e, uint64_t count,
		   int has_start, uint64_t start, struct unc_subid_events *ev,
		   struct unc_error *err)
{
	struct unc_subid_file *f = &a->file[k];
	struct unc_sub_window wbuf;
	const struct unc_sub_window *w = window(a, k, &wbuf);
	uint64_t held;
	char owner[16];
	int deterministic = !has_start && a->defs.deterministic[k];
	size_t i;
	int r;

	r = editable(a, k, err);
	if (r < 0)
		return r;
	if (count == 0 && w->count == 0)
		return allocation_off(a, k, e->name, err);
	if (count == 0)
		count = w->count;
	for (i = 0; has_start && i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		if (unc_subid_line_owned_by(l, e) && l->entry.start == start &&
		    l->entry.count == count)
			return event(ev, UNC_SUBID_HELD, k, e->name, start, count, l->lineno, err);
	}
	held = held_by(a, k, e);
	if (!has_start && held >= count)
		return event(ev, UNC_SUBID_HELD, k, e->name, 0, held, 0, err);
	r = alloc_prepare(a, k, err);
	if (r < 0)
		return r;
	if (a->top_up && !has_start)
		count -= held;
	if (deterministic) {
		r = deterministic_start(a, k, e, count, &start, err);
		if (r < 0)
			return r;
		has_start = 1;
	} else if (!has_start) {
		r = near_start(a, k, e, count, w, &start, err);
		if (r < 0)
			return r;
		if (r > 0)
			goto found;
	}
	if (has_start) {
		r = check_exact(a, k, e, start, count, err);
		if (r < 0)
			return r;
		r = unc_subid_alloc_use(&a->alloc[k], start, count, err);
		if (r < 0)
			return r;
	} else {
		r = unc_subid_alloc_first_fit(&a->alloc[k], w->min, w->max, count, &start, err);
		if (r < 0)
			return no_room(a, k, r, "", err,
				       "cannot add %" PRIu64 " subordinate %s to %s", count,
				       unc_id_kinds[k].ids, e->name);
	}
found:
	r = unc_subid_file_append(f, owner_field(a, k, e, owner, sizeof owner), start, count, err);
	if (r < 0)
		return r;
	return event(ev, UNC_SUBID_ADDED, k, e->name, start, count, 0, err);
}

/* A user who lacks a range in both files gets one at the same start in
 * both when a gap is free in both (FreeIPA hands pairs out so): 1 done,
 * 0 not a pair (the files are then served one by one), or an error. Not
 * when login.defs makes either kind deterministic: the formula places
 * those ranges. */
static int add_pair(struct unc_subid_admin *a, const struct passwd_entry *e, uint64_t count,
		    int has_start, struct unc_subid_events *ev, struct unc_error *err)
{
	struct unc_sub_window w[2];
	uint64_t n[2], lo, hi, start;
	char owner[16];
	int k, r;

	if (a->kinds != UNC_KIND_BOTH || has_start || a->top_up || a->unpaired)
		return 0;
	for (k = 0; k < 2; k++) {
		window(a, k, &w[k]);
		n[k] = count ? count : w[k].count;
		if (n[k] == 0 || a->defs.deterministic[k] || held_by(a, k, e) > 0 ||
		    editable(a, k, NULL) < 0)
			return 0;
	}
	lo = w[0].min > w[1].min ? w[0].min : w[1].min;
	hi = w[0].max < w[1].max ? w[0].max : w[1].max;
	if (n[0] != n[1] || lo > hi)
		return 0;
	for (k = 0; k < 2; k++) {
		r = alloc_prepare(a, k, err);
		if (r < 0)
			return r;
	}
	r = unc_subid_alloc_first_fit_pair(&a->alloc[0], &a->alloc[1], lo, hi, n[0], &start, NULL);
	if (r == -ENOSPC)
		return 0;
	if (r < 0)
		return unc_error_sys(err, -r, "cannot allocate a pair of ranges");
	for (k = 0; k < 2; k++) {
		r = unc_subid_file_append(&a->file[k], owner_field(a, k, e, owner, sizeof owner),
					  start, n[k], err);
		if (r < 0)
			return r;
		r = event(ev, UNC_SUBID_ADDED, k, e->name, start, n[k], 0, err);
		if (r < 0)
			return r;
	}
	return 1;
}

int unc_subid_admin_add(struct unc_subid_admin *a, const char *user, uint64_t count, int has_start,
			uint64_t start, struct unc_subid_events *ev, struct unc_error *err)
{
	const struct passwd_entry *e = resolve_user(a, user);
	char why[256];
	int k, r;

	if (!e)
		return unc_error_set(err, ENOENT, "cannot add ranges to %s: %s", user,
				     no_such_user(a, why, sizeof why));
	r = unc_subid_owner_valid(e->name, err);
	if (r < 0) {
		unc_error_prefix(err, "cannot add ranges to %s: the name", e->name);
		return r;
	}
	r = add_pair(a, e, count, has_start, ev, err);
	if (r != 0)
		return r < 0 ? r : 0;
	for (k = 0; k < 2; k++) {
		if (!want(a, k))
			continue;
		r = add_one(a, k, e, count, has_start, start, ev, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int unc_subid_admin_del(struct unc_subid_admin *a, const char *user, int has_start, uint64_t start,
			struct unc_subid_events *ev, struct unc_error *err)
{
	const struct passwd_entry *e = resolve_user(a, user);
	size_t removed = 0, i;
	int k, r;

	for (k = 0; k < 2; k++) {
		struct unc_subid_file *f = &a->file[k];
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
			r = event(ev, UNC_SUBID_REMOVED, k, e ? e->name : user, l->entry.start,
				  l->entry.count, l->lineno, err);
			if (r < 0)
				return r;
		}
	}
	if (removed > 0)
		return 0;
	{
		char where[1024] = "", what[64] = "";
		size_t used = 0;
		for (k = 0; k < 2; k++)
			if (want(a, k) && used < sizeof where)
				used += (size_t)snprintf(where + used, sizeof where - used, "%s%s",
							 used ? " or " : "", a->paths.file[k]);
		if (has_start)
			snprintf(what, sizeof what, " starting at %" PRIu64, start);
		return unc_error_set(err, ENOENT,
				     "cannot delete %s's ranges: %s holds no range%s in %s",
				     e ? e->name : user, e ? e->name : user, what, where);
	}
}

/* sync's deterministic step: the range is e's by formula; a range of the
 * file or a real ID in the way is found in O(log n), and only then named
 * (by the slower scan check_exact makes), which fails the whole sync.
 * The new ranges are not added to the allocator: distinct UIDs get
 * disjoint slots (wrap mode aside, which the caller opted into), and
 * re-sorting after each would make 50,000 users quadratic. */
static int sync_deterministic(struct unc_subid_admin *a, int k, const struct passwd_entry *e,
			      uint64_t n, uint64_t *start, struct unc_error *err)
{
	const char *real_name;
	uint32_t real_id;
	int r = deterministic_start(a, k, e, n, start, err);

	if (r < 0)
		return r;
	if (unc_subid_alloc_overlaps(&a->alloc[k], *start, n) ||
	    unc_real_id_in(&a->ix, unc_id_kinds[k].groups, *start, n, &real_id, &real_name)) {
		r = check_exact(a, k, e, *start, n, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* What sync knows of one kind: who holds a range, and where each user's
 * first range starts (to keep a pair in step). */
struct sync_kind {
	unsigned char *holds;
	uint64_t *first_start, *first_count;
	struct unc_sub_window w;
	uint64_t n;
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

/* Read kind k for sync: who holds a range already (one lookup per line),
 * and everything in use. */
static int sync_prepare(struct unc_subid_admin *a, int k, struct sync_kind *s,
			struct unc_error *err)
{
	const struct unc_subid_file *f = &a->file[k];
	size_t i;
	int r;

	if (s->n == 0)
		return allocation_off(a, k, "every login user", err);
	r = editable(a, k, err);
	if (r < 0)
		return r;
	for (i = 0; i < f->n; i++) {
		const struct unc_subid_line *l = &f->lines[i];
		const struct passwd_entry *e;
		size_t at;
		if (!l->parsed || l->deleted)
			continue;
		e = unc_user_by_owner(&a->ix, l->entry.owner, l->entry.owner_len);
		if (!e || s->holds[e - a->pw.v])
			continue;
		at = (size_t)(e - a->pw.v);
		s->holds[at] = 1;
		s->first_start[at] = l->entry.start;
		s->first_count[at] = l->entry.count;
	}
	return alloc_prepare(a, k, err);
}

/* sync's range of kind k for passwd entry i: the formula's when
 * deterministic; else the other file's start when its size and its start
 * fit here (re-running a sync that crashed between the files repairs
 * it), else first fit. */
static int sync_one(struct unc_subid_admin *a, int k, const struct sync_kind sk[2], int pairs,
		    size_t i, struct unc_error *err)
{
	const struct passwd_entry *e = &a->pw.v[i];
	const struct sync_kind *s = &sk[k], *o = &sk[!k];
	uint64_t start;
	char owner[16];
	int r = 0;

	if (a->defs.deterministic[k]) {
		r = sync_deterministic(a, k, e, s->n, &start, err);
	} else {
		if (pairs && o->holds[i] && o->first_count[i] == s->n)
			r = take_if_free(a, k, o->first_start[i], s->n, &s->w, err);
		if (r > 0) {
			start = o->first_start[i];
			r = 0;
		} else if (r == 0) {
			r = unc_subid_alloc_first_fit(&a->alloc[k], s->w.min, s->w.max, s->n,
						      &start, err);
			r = no_room(a, k, r, "; nothing was written", err,
				    "cannot give %s %" PRIu64 " subordinate %s", e->name, s->n,
				    unc_id_kinds[k].ids);
		}
	}
	if (r < 0)
		return r;
	return unc_subid_file_append(&a->file[k], owner_field(a, k, e, owner, sizeof owner), start,
				     s->n, err);
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
	r = unc_subid_admin_index(a, NULL, err);
	if (r < 0)
		return r;
	for (k = 0; k < 2; k++) {
		struct sync_kind *s = &sk[k];
		added[k] = 0;
		s->holds = holds + (size_t)k * npw;
		s->first_start = firsts + (size_t)k * 2 * npw;
		s->first_count = s->first_start + npw;
		window(a, k, &s->w);
		s->n = count ? count : s->w.count;
		if (!want(a, k))
			continue;
		r = sync_prepare(a, k, s, err);
		if (r < 0)
			return r;
	}
	lo = sk[0].w.min > sk[1].w.min ? sk[0].w.min : sk[1].w.min;
	hi = sk[0].w.max < sk[1].w.max ? sk[0].w.max : sk[1].w.max;
	pairs = a->kinds == UNC_KIND_BOTH && !a->unpaired && sk[0].n == sk[1].n && lo <= hi &&
		!a->defs.deterministic[0] && !a->defs.deterministic[1];
	for (i = 0; i < a->pw.n; i++) {
		const struct passwd_entry *e = &a->pw.v[i];
		int need[2];
		uint64_t start;
		char owner[16];
		for (k = 0; k < 2; k++)
			need[k] = want(a, k) && sync_needs(a, &sk[k], i);
		if (pairs && need[0] && need[1]) {
			r = unc_subid_alloc_first_fit_pair(&a->alloc[0], &a->alloc[1], lo, hi,
							   sk[0].n, &start, NULL);
			if (r < 0 && r != -ENOSPC)
				return unc_error_sys(err, -r, "cannot sync");
			for (k = 0; r == 0 && k < 2; k++) {
				r = unc_subid_file_append(&a->file[k],
							  owner_field(a, k, e, owner, sizeof owner),
							  start, sk[k].n, err);
				if (r < 0)
					return r;
				added[k]++;
				need[k] = 0;
			}
		}
		for (k = 0; k < 2; k++) {
			if (!need[k])
				continue;
			r = sync_one(a, k, sk, pairs, i, err);
			if (r < 0)
				return r;
			added[k]++;
		}
	}
	return 0;
}

int unc_subid_admin_commit(struct unc_subid_admin *a, int written[2], enum unc_subid_kind *failed,
			   struct unc_error *err)
{
	int k, r, last = -1;

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
		r = unc_subid_file_serialise(f, &data, &len, err);
		if (r < 0)
			return r;
		r = unc_atomic_replace_nodirsync(a->paths.file[k], data, len,
						 a->exists[k] ? f->buf : NULL, f->len, 0644,
						 &replaced, err);
		if (r < 0) {
			written[k] = replaced;
			if (last >= 0 && unc_fsync_dir_of(a->paths.file[last], NULL) < 0)
				*failed = (enum unc_subid_kind)last;
			return r;
		}
		written[k] = 1;
		last = k;
	}
	if (last >= 0) {
		r = unc_fsync_dir_of(a->paths.file[last], err);
		if (r < 0) {
			*failed = (enum unc_subid_kind)last;
			return r;
		}
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
	unc_nss_users_free(&a->nss);
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
	int r;

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
					r = holder_add_range(h, (int)k, l->entry.start,
							     l->entry.count, err);
					if (r < 0)
						return r;
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
			     j++) {
				r = holder_add_range(h, refs[j].kind, refs[j].start, refs[j].count,
						     err);
				if (r < 0)
					return r;
			}
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

int unc_subid_admin_module_problem(const struct unc_subid_admin *a, enum unc_subid_kind kind,
				   struct unc_error *why)
{
	const char *K = unc_id_kinds[kind].id;
	struct unc_subid_rule r;
	int ret = unc_login_defs_served(&a->defs, kind, &r, why);

	if (ret == 1)
		return 0;
	if (ret == 0) {
		unc_error_set(
		    why, ENOENT,
		    "libsubid_uncmap.so serves no subordinate %ss: SUB_%s_DETERMINISTIC is "
		    "not yes in %s",
		    K, K, a->paths.login_defs);
		unc_error_hint(why,
			       "set SUB_%s_DETERMINISTIC yes in %s, or correct the subid: "
			       "line of %s",
			       K, a->paths.login_defs, a->paths.nsswitch);
		return -ENOENT;
	}
	unc_error_prefix(why, "libsubid_uncmap.so serves no subordinate %ss (it fails closed)", K);
	unc_error_hint(why, "correct %s", a->paths.login_defs);
	return ret;
}

int unc_subid_admin_served(struct unc_subid_admin *a, char *const *users, size_t nusers,
			   struct unc_subid_holders *out, struct unc_error *err)
{
	size_t i;
	int k;

	memset(out, 0, sizeof *out);
	out->v = calloc(nusers ? nusers : 1, sizeof *out->v);
	if (!out->v)
		return unc_error_sys(err, ENOMEM, "cannot list");
	for (i = 0; i < nusers; i++) {
		const struct passwd_entry *e = resolve_user(a, users[i]);
		struct unc_subid_holder *h = &out->v[out->n++];
		char why[256];

		if (!e)
			return unc_error_set(err, ENOENT, "%s: %s", users[i],
					     no_such_user(a, why, sizeof why));
		h->owner = e->name;
		h->owner_len = strlen(e->name);
		for (k = 0; k < 2; k++) {
			struct unc_subid_rule r;
			uint64_t start;
			if (!want(a, k) ||
			    unc_login_defs_served(&a->defs, (enum unc_subid_kind)k, &r, NULL) !=
				1 ||
			    unc_subid_deterministic(&r, (enum unc_subid_kind)k, e->uid, 0, &start,
						    NULL) < 0)
				continue;
			if (holder_add_range(h, k, start, r.count, err) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}
