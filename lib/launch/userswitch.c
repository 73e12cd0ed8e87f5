#include "userswitch.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"

/* /proc/self/uid_map holds at most 340 lines of three numbers. */
#define PROC_MAP_MAX 65536

/* PATH after `newuidshell -l`, as su(1) sets it. */
#define LOGIN_PATH_USER "/usr/local/bin:/usr/bin:/bin"
#define LOGIN_PATH_ROOT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int unc_user_request_parse(char *spec, struct user_request *req, const char *option,
			   struct unc_error *err)
{
	char *colon = strchr(spec, ':');

	req->user = spec;
	req->group = NULL;
	req->groups = NULL;
	if (colon) {
		*colon = '\0';
		req->group = colon + 1;
		if (req->group[0] == '\0')
			return unc_error_set(err, EINVAL, "%s: no group after ':'", option);
	}
	if (req->user[0] == '\0')
		return unc_error_set(err, EINVAL, "%s: no user given", option);
	return 0;
}

static int is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A group given by name (it must be in /etc/group) or by number (it
 * need not be). */
static int resolve_group(const char *spec, const struct group_db *gr, gid_t *out,
			 struct unc_error *err)
{
	const struct group_entry *g;
	uint32_t id;

	if (is_number(spec)) {
		if (unc_parse_id(spec, strlen(spec), &id) < 0)
			return unc_error_set(err, ERANGE, "gid %s is out of range (0-4294967294)",
					     spec);
		*out = (gid_t)id;
		return 0;
	}
	g = unc_group_by_name(gr, spec);
	if (!g)
		return unc_error_set(err, ENOENT, "group '%s' does not exist in %s", spec,
				     UNC_USER_GROUP_PATH);
	*out = (gid_t)g->gid;
	return 0;
}

static int add_group(struct user_target *t, gid_t gid)
{
	size_t i;
	gid_t *bigger;

	for (i = 0; i < t->ngroups; i++)
		if (t->groups[i] == gid)
			return 0;
	bigger = realloc(t->groups, (t->ngroups + 1) * sizeof *bigger);
	if (!bigger)
		return -ENOMEM;
	t->groups = bigger;
	t->groups[t->ngroups++] = gid;
	return 0;
}

/* The primary group and each of a comma-separated list. */
static int explicit_groups(struct user_target *t, const char *list, const struct group_db *gr,
			   struct unc_error *err)
{
	const char *p = list;
	int r;

	if (add_group(t, t->gid) < 0)
		return unc_error_sys(err, ENOMEM, "cannot list groups");
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		_cleanup_free_ char *one = strndup(p, len);
		gid_t gid;

		if (!one)
			return unc_error_sys(err, ENOMEM, "cannot list groups");
		if (len == 0)
			return unc_error_set(err, EINVAL, "empty group name in '%s'", list);
		r = resolve_group(one, gr, &gid, err);
		if (r < 0)
			return r;
		if (add_group(t, gid) < 0)
			return unc_error_sys(err, ENOMEM, "cannot list groups");
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int fill_identity(struct user_target *t, const struct passwd_entry *e)
{
	char number[16];

	if (e) {
		t->name = strdup(e->name);
		t->home = strdup(e->home[0] ? e->home : "/");
		t->shell = strdup(e->shell[0] ? e->shell : "/bin/sh");
	} else {
		snprintf(number, sizeof number, "%u", (unsigned)t->uid);
		t->name = strdup(number);
		t->home = strdup("/");
		t->shell = strdup("/bin/sh");
	}
	return t->name && t->home && t->shell ? 0 : -ENOMEM;
}

int unc_user_resolve(const struct user_request *req, const struct passwd_db *pw,
		     const struct group_db *gr, struct user_target *out, struct unc_error *err)
{
	const struct passwd_entry *e;
	uint32_t id;
	int r;

	memset(out, 0, sizeof *out);
	if (!req->user || req->user[0] == '\0')
		return unc_error_set(err, EINVAL, "no user given");
	if (is_number(req->user)) {
		if (unc_parse_id(req->user, strlen(req->user), &id) < 0)
			return unc_error_set(err, ERANGE, "uid %s is out of range (0-4294967294)",
					     req->user);
		e = unc_passwd_by_uid(pw, id);
		out->uid = (uid_t)id;
		out->gid = (gid_t)id;
	} else {
		e = unc_passwd_by_name(pw, req->user);
		if (!e)
			return unc_error_set(err, ENOENT, "user '%s' does not exist in %s",
					     req->user, UNC_USER_PASSWD_PATH);
	}
	if (e) {
		out->uid = (uid_t)e->uid;
		out->gid = (gid_t)e->gid;
		out->has_entry = 1;
	}
	if (fill_identity(out, e) < 0) {
		r = unc_error_sys(err, ENOMEM, "cannot resolve user '%s'", req->user);
		goto fail;
	}
	if (req->group && (r = resolve_group(req->group, gr, &out->gid, err)) < 0)
		goto fail;
	if (req->group || req->groups)
		r = explicit_groups(out, req->groups, gr, err);
	else if (e)
		r = unc_group_list_for_user(gr, e->name, out->gid, &out->groups, &out->ngroups,
					    err);
	else
		r = add_group(out, out->gid) < 0 ? unc_error_sys(err, ENOMEM, "cannot list groups")
						 : 0;
	if (r < 0)
		goto fail;
	return 0;
fail:
	unc_user_target_free(out);
	return r < 0 ? r : -1;
}

void unc_user_target_free(struct user_target *t)
{
	free(t->groups);
	free(t->name);
	free(t->home);
	free(t->shell);
	memset(t, 0, sizeof *t);
}

static int refuse_unmapped(const char *kind, uint64_t id, const struct idmap_plan *plan,
			   struct unc_error *err)
{
	char mapped[256];

	unc_idmap_describe_inside(plan, mapped, sizeof mapped);
	return unc_error_set(err, EINVAL,
			     "%s %llu is not mapped in this user namespace (mapped: %s)", kind,
			     (unsigned long long)id, mapped);
}

int unc_user_check_mapped(const struct user_target *t, int with_groups,
			  const struct idmap_plan *uids, const struct idmap_plan *gids,
			  struct unc_error *err)
{
	size_t i;

	if (!unc_idmap_maps_inside(uids, t->uid))
		return refuse_unmapped("uid", t->uid, uids, err);
	if (!unc_idmap_maps_inside(gids, t->gid))
		return refuse_unmapped("gid", t->gid, gids, err);
	for (i = 0; with_groups && i < t->ngroups; i++)
		if (!unc_idmap_maps_inside(gids, t->groups[i]))
			return refuse_unmapped("supplementary gid", t->groups[i], gids, err);
	return 0;
}

int unc_user_can_switch(struct unc_error *err)
{
	static const struct {
		int cap;
		const char *name;
	} need[] = {{CAP_SETUID, "CAP_SETUID"}, {CAP_SETGID, "CAP_SETGID"}};
	size_t i;

	for (i = 0; i < sizeof need / sizeof need[0]; i++) {
		int r = unc_caps_have_effective(need[i].cap, err);
		if (r < 0)
			return r;
		if (r == 0)
			return unc_error_set(err, EPERM,
					     "cannot switch users: no %s in this user namespace "
					     "(run it as root inside uncmap)",
					     need[i].name);
	}
	return 0;
}

/* A missing file is an empty one: numeric IDs need no entries. */
static int missing_is_empty(int r, const struct unc_error *err)
{
	return r < 0 && err && err->errnum == ENOENT ? 0 : r;
}

int unc_user_lookup(const struct user_request *req, struct user_target *out, struct unc_error *err)
{
	struct passwd_db pw = {0};
	struct group_db gr = {0};
	int r;

	r = missing_is_empty(unc_passwd_load(UNC_USER_PASSWD_PATH, &pw, err), err);
	if (r == 0)
		r = missing_is_empty(unc_group_load(UNC_USER_GROUP_PATH, &gr, err), err);
	if (r == 0)
		r = unc_user_resolve(req, &pw, &gr, out, err);
	unc_passwd_free(&pw);
	unc_group_free(&gr);
	return r;
}

static int read_proc_map(const char *path, struct idmap_plan *plan, struct unc_error *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = unc_read_file(path, PROC_MAP_MAX, &text, NULL, err);
	if (r < 0)
		return r;
	return unc_idmap_parse_proc(text, plan, err);
}

/* Is setgroups(2) denied in this namespace? (no file: a kernel from
 * before 3.19, where it never is) */
static int setgroups_denied(void)
{
	_cleanup_free_ char *text = NULL;

	if (unc_read_file("/proc/self/setgroups", 64, &text, NULL, NULL) < 0)
		return 0;
	return strncmp(text, "deny", 4) == 0;
}

int unc_user_switch(const struct user_target *t, const struct caps_spec *caps,
		    struct switch_result *res, struct unc_error *err)
{
	static const struct caps_spec no_caps;
	const struct caps_spec *spec = caps ? caps : &no_caps;
	int changes = spec->add || spec->drop || spec->drop_all;
	int to_root = t->uid == 0;
	struct idmap_plan uids, gids;
	uint64_t all, keep;
	int denied, r;

	res->groups_denied = 0;
	r = unc_user_can_switch(err);
	if (r < 0)
		return r;
	r = read_proc_map("/proc/self/uid_map", &uids, err);
	if (r < 0)
		return r;
	r = read_proc_map("/proc/self/gid_map", &gids, err);
	if (r < 0)
		return r;
	denied = setgroups_denied();
	/* Nothing changes before this check. */
	r = unc_user_check_mapped(t, !denied, &uids, &gids, err);
	if (r < 0)
		return r;

	all = unc_caps_all();
	keep = unc_caps_kept(spec, to_root, all);
	/* Dropping from the bounding set needs CAP_SETPCAP: do it as root. */
	if (changes) {
		r = unc_caps_limit_bounding(unc_caps_bounding(spec, all), err);
		if (r < 0)
			return r;
	}
	if (!to_root && keep) {
		r = unc_caps_keep_across_setuid(1, err);
		if (r < 0)
			return r;
	}

	if (!denied && setgroups(t->ngroups, t->groups) < 0)
		return unc_error_sys(err, errno, "cannot set the supplementary groups of %s",
				     t->name);
	if (setresgid(t->gid, t->gid, t->gid) < 0)
		return unc_error_sys(err, errno, "cannot set GID %u", (unsigned)t->gid);
	if (setresuid(t->uid, t->uid, t->uid) < 0)
		return unc_error_sys(err, errno, "cannot set UID %u", (unsigned)t->uid);

	if (!to_root) {
		/* The kernel cleared the effective and permitted sets, and
		 * the ambient set with them, but not the inheritable set:
		 * make all four exactly `keep` (usually empty) and check. */
		r = unc_caps_set(keep, 1, err);
		if (r == 0 && keep)
			r = unc_caps_keep_across_setuid(0, err);
	} else if (changes) {
		r = unc_caps_set(keep, 0, err);
	}
	if (r == 0 && spec->no_new_privs)
		r = unc_caps_no_new_privs(err);
	if (r < 0)
		return r;
	res->groups_denied = denied;
	return 0;
}

int unc_user_setenv(const struct user_target *t, int login, struct unc_error *err)
{
	if (login) {
		const char *term = getenv("TERM");
		_cleanup_free_ char *keep_term = term ? strdup(term) : NULL;

		if (term && !keep_term)
			return unc_error_sys(err, ENOMEM, "cannot set the environment");
		if (clearenv() != 0)
			return unc_error_set(err, ENOMEM, "cannot clear the environment");
		if ((keep_term && setenv("TERM", keep_term, 1) < 0) ||
		    setenv("PATH", t->uid == 0 ? LOGIN_PATH_ROOT : LOGIN_PATH_USER, 1) < 0)
			return unc_error_sys(err, errno, "cannot set the environment");
	}
	if (setenv("HOME", t->home, 1) < 0 || setenv("SHELL", t->shell, 1) < 0 ||
	    setenv("USER", t->name, 1) < 0 || setenv("LOGNAME", t->name, 1) < 0)
		return unc_error_sys(err, errno, "cannot set the environment");
	return 0;
}

int unc_user_become(const struct user_request *req, const struct caps_spec *caps,
		    struct unc_error *err)
{
	struct user_target t;
	struct switch_result res;
	int r;

	if (!req)
		return caps ? unc_caps_apply_as_root(caps, err) : 0;
	r = unc_user_lookup(req, &t, err);
	if (r < 0)
		return r;
	r = unc_user_switch(&t, caps, &res, err);
	if (r == 0)
		r = unc_user_setenv(&t, 0, err);
	unc_user_target_free(&t);
	return r;
}
