#include "diagnose.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "logindefs.h"
#include "pasta.h"
#include "mapper.h"

#define SUBID_FILE_MAX (256u * 1024 * 1024)

static struct unc_check_result scratch;

struct unc_check_result *unc_check_add(struct unc_check_report *rep, enum unc_check_status status,
				       const char *id)
{
	struct unc_check_result *r;

	if (rep->n == rep->cap) {
		size_t cap = rep->cap ? rep->cap * 2 : 32;
		struct unc_check_result *v = realloc(rep->v, cap * sizeof *v);
		if (!v) {
			rep->oom = 1;
			r = &scratch;
			goto fill;
		}
		rep->v = v;
		rep->cap = cap;
	}
	r = &rep->v[rep->n++];
fill:
	memset(r, 0, sizeof *r);
	r->status = status;
	snprintf(r->id, sizeof r->id, "%s", id);
	return r;
}

static void set_what(struct unc_check_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_what(struct unc_check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof r->what, fmt, ap);
	va_end(ap);
}

static void set_fix(struct unc_check_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_fix(struct unc_check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->fix, sizeof r->fix, fmt, ap);
	va_end(ap);
}

enum unc_check_status unc_check_worst(const struct unc_check_report *rep)
{
	enum unc_check_status worst = UNC_CHECK_OK;
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->v[i].status > worst)
			worst = rep->v[i].status;
	return worst;
}

const char *unc_check_status_name(enum unc_check_status status)
{
	switch (status) {
	case UNC_CHECK_OK:
		return "ok";
	case UNC_CHECK_WARN:
		return "warn";
	case UNC_CHECK_FAIL:
		break;
	}
	return "FAIL";
}

void unc_check_report_free(struct unc_check_report *rep)
{
	free(rep->v);
	rep->v = NULL;
	rep->n = rep->cap = 0;
}

/* Read a sysctl file holding one integer. Returns 0 and the value, -ENOENT
 * when the file does not exist, or another negative errno. */
static int read_sysctl(const char *proc_sys, const char *name, long long *out)
{
	_cleanup_free_ char *buf = NULL;
	char path[512], *end;
	size_t len;
	int r;

	snprintf(path, sizeof path, "%s/%s", proc_sys, name);
	r = unc_read_file(path, 64, &buf, &len, NULL);
	if (r < 0)
		return r;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int unc_check_sysctls(struct unc_check_report *rep, const char *proc_sys, int privileged)
{
	enum unc_check_status bad = privileged ? UNC_CHECK_WARN : UNC_CHECK_FAIL;
	struct unc_check_result *c;
	long long v;
	int r;

	r = read_sysctl(proc_sys, "user/max_user_namespaces", &v);
	if (r == -ENOENT) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, "userns-max");
		set_what(c, "this kernel has no user namespaces (no %s/user/max_user_namespaces)",
			 proc_sys);
		set_fix(c, "boot a kernel built with CONFIG_USER_NS=y");
	} else if (r < 0) {
		c = unc_check_add(rep, UNC_CHECK_WARN, "userns-max");
		set_what(c, "cannot read %s/user/max_user_namespaces: %s", proc_sys, strerror(-r));
	} else if (v <= 0) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, "userns-max");
		set_what(c, "user.max_user_namespaces is %lld: no user namespace may be created",
			 v);
		set_fix(c,
			"as root: sysctl -w user.max_user_namespaces=15000 (and put "
			"user.max_user_namespaces=15000 in /etc/sysctl.d/userns.conf to keep it)");
	} else {
		c = unc_check_add(rep, UNC_CHECK_OK, "userns-max");
		set_what(c, "user.max_user_namespaces is %lld", v);
	}

	/* Debian's and Ubuntu's older kernels */
	r = read_sysctl(proc_sys, "kernel/unprivileged_userns_clone", &v);
	if (r == 0 && v == 0) {
		c = unc_check_add(rep, bad, "userns-clone");
		set_what(c, "kernel.unprivileged_userns_clone is 0: only root may create user "
			    "namespaces");
		set_fix(c, "as root: sysctl -w kernel.unprivileged_userns_clone=1 (and put "
			   "kernel.unprivileged_userns_clone=1 in /etc/sysctl.d/userns.conf to "
			   "keep it)");
	} else if (r == 0) {
		c = unc_check_add(rep, UNC_CHECK_OK, "userns-clone");
		set_what(c, "kernel.unprivileged_userns_clone is %lld", v);
	}

	/* Ubuntu 23.10 and later: the namespace is created, but without
	 * capabilities inside unless an AppArmor profile allows "userns". */
	r = read_sysctl(proc_sys, "kernel/apparmor_restrict_unprivileged_userns", &v);
	if (r == 0 && v != 0) {
		c = unc_check_add(rep, bad, "apparmor-userns");
		set_what(c,
			 "kernel.apparmor_restrict_unprivileged_userns is %lld: AppArmor "
			 "takes every capability away inside an unprivileged user namespace",
			 v);
		set_fix(c, "as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, "
			   "or give uncmap an AppArmor profile with the \"userns,\" rule in "
			   "/etc/apparmor.d/");
	} else if (r == 0) {
		c = unc_check_add(rep, UNC_CHECK_OK, "apparmor-userns");
		set_what(c, "kernel.apparmor_restrict_unprivileged_userns is 0");
	}
	return 0;
}

/* Create a user namespace for real, the way the launch does (clone with
 * CLONE_NEWUSER), in a child that exits at once. */
static void check_userns_create(struct unc_check_report *rep)
{
	struct unc_check_result *c;
	int status, e;
	pid_t pid, w;

	pid =
	    (pid_t)syscall(SYS_clone, (unsigned long)CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		e = errno;
		c = unc_check_add(rep, UNC_CHECK_FAIL, "userns-create");
		set_what(c, "cannot create a user namespace: %s", strerror(e));
		if (e == ENOSPC)
			set_fix(c, "the limit user.max_user_namespaces is 0 or reached in this "
				   "namespace; as root: sysctl -w user.max_user_namespaces=15000");
		else if (e == EUSERS)
			set_fix(c, "user namespaces nest at most 32 deep: run uncmap from an "
				   "outer namespace");
		else if (e == EINVAL)
			set_fix(c, "boot a kernel built with CONFIG_USER_NS=y");
		else
			set_fix(c,
				"something denies user namespaces here: a sysctl above, a "
				"seccomp filter (a container, or systemd's RestrictNamespaces=), "
				"a chroot, or an LSM policy; run uncmap outside it, or allow user "
				"namespaces there");
		return;
	}
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	c = unc_check_add(rep, UNC_CHECK_OK, "userns-create");
	set_what(c, "a user namespace can be created");
}

static void check_no_new_privs(struct unc_check_report *rep, int privileged)
{
	struct unc_check_result *c;
	int v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);

	if (v == 1 && !privileged) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, "no-new-privs");
		set_what(c, "no_new_privs is set on this process: the setuid newuidmap and "
			    "newgidmap run without their privilege and cannot write the maps");
		set_fix(c, "run uncmap from a session without no_new_privs (not under "
			   "setpriv --no-new-privs, systemd's NoNewPrivileges=yes, or a container "
			   "started with no-new-privileges)");
	} else if (v == 1) {
		c = unc_check_add(rep, UNC_CHECK_OK, "no-new-privs");
		set_what(c, "no_new_privs is set, which does not matter to root");
	} else {
		c = unc_check_add(rep, UNC_CHECK_OK, "no-new-privs");
		set_what(c, "no_new_privs is not set");
	}
}

/* newuidmap/newgidmap: present, executable, on a filesystem that honours
 * setuid, and setuid root or carrying the file capability. */
static void check_helper(struct unc_check_report *rep, const char *id, const char *path,
			 cap_value_t cap, const char *cap_name)
{
	struct unc_check_result *c;
	struct statvfs vfs;
	struct stat st;
	cap_flag_value_t has = CAP_CLEAR;
	cap_t caps;

	if (stat(path, &st) < 0) {
		int e = errno;
		c = unc_check_add(rep, UNC_CHECK_FAIL, id);
		set_what(c, "%s: %s", path, strerror(e));
		set_fix(c,
			"install shadow's %s (Debian, Ubuntu: apt-get install uidmap; Fedora: "
			"dnf install shadow-utils), or pass --%s PATH",
			id, id);
		return;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, id);
		set_what(c, "%s is not a program you can run", path);
		set_fix(c, "as root: chown root:root %s && chmod 4755 %s", path, path);
		return;
	}
	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, id);
		set_what(c,
			 "%s is on a filesystem mounted nosuid: its setuid bit and file "
			 "capabilities do nothing",
			 path);
		set_fix(c,
			"as root: remount the filesystem holding %s without nosuid, or pass "
			"--%s with a copy installed elsewhere",
			path, id);
		return;
	}
	if ((st.st_mode & S_ISUID) && st.st_uid == 0) {
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "%s is setuid root", path);
		return;
	}
	caps = cap_get_file(path);
	if (caps) {
		if (cap_get_flag(caps, cap, CAP_PERMITTED, &has) < 0)
			has = CAP_CLEAR;
		cap_free(caps);
	}
	if (has == CAP_SET) {
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "%s has the file capability %s", path, cap_name);
		return;
	}
	c = unc_check_add(rep, UNC_CHECK_FAIL, id);
	if (st.st_mode & S_ISUID)
		set_what(c, "%s is setuid to UID %u, not root, and has no %s file capability", path,
			 (unsigned)st.st_uid, cap_name);
	else
		set_what(c, "%s is neither setuid root nor has the %s file capability", path,
			 cap_name);
	set_fix(c, "as root: chown root %s && chmod u+s %s (or: setcap %s+ep %s)", path, path,
		cap_name, path);
}

/* libsubid_uncmap.so computes ranges from login.defs: does it serve them?
 * (unc_login_defs_served, the very rule the module applies.) */
static void check_uncmap_module(struct unc_check_report *rep, const struct unc_check_config *cfg)
{
	const char *path = cfg->login_defs ? cfg->login_defs : "/etc/login.defs";
	struct unc_login_defs defs;
	struct unc_error err;
	int k;

	if (unc_login_defs_load(path, &defs, &err) < 0) {
		struct unc_check_result *c = unc_check_add(rep, UNC_CHECK_FAIL, "subid-module");
		set_what(c, "libsubid_uncmap.so serves nothing (it fails closed): %s", err.msg);
		set_fix(c, "make %s readable", path);
		return;
	}
	for (k = 0; k < 2; k++) {
		const char *K = unc_id_kinds[k].id;
		struct unc_subid_rule r;
		struct unc_check_result *c;
		int ret = unc_login_defs_served(&defs, (enum unc_subid_kind)k, &r, &err);

		c = unc_check_add(rep, ret == 1 ? UNC_CHECK_OK : UNC_CHECK_FAIL, "subid-module");
		if (ret == 1) {
			set_what(c,
				 "libsubid_uncmap.so serves subordinate %ss by UID from %s: "
				 "%" PRIu64 " + (UID - %" PRIu64 ") * %" PRIu64 ", up to %" PRIu64,
				 K, path, r.min, r.uid_min, r.count, r.max);
		} else if (ret == 0) {
			set_what(c,
				 "libsubid_uncmap.so serves no subordinate %ss: "
				 "SUB_%s_DETERMINISTIC is not yes in %s",
				 K, K, path);
			set_fix(c, "set SUB_%s_DETERMINISTIC yes in %s", K, path);
		} else {
			set_what(
			    c, "libsubid_uncmap.so serves no subordinate %ss (it fails closed): %s",
			    K, err.msg);
			set_fix(c, "correct %s", path);
		}
	}
}

/* Which source the helpers use, and whether uncmap follows the same one.
 * Sets *files_source when the ranges come from the subid files. */
static void check_source(struct unc_check_report *rep, const struct unc_check_config *cfg,
			 int *files_source)
{
	struct unc_check_result *c;
	char nss[64], lib[128];
	void *h;

	unc_subid_nss_source(UNC_NSSWITCH_CONF, nss, sizeof nss);
	*files_source = strcmp(nss, "files") == 0 || cfg->via == UNC_SUBID_VIA_FILES ||
			!unc_subid_have_libsubid();
	if (strcmp(nss, "files") == 0) {
		c = unc_check_add(rep, UNC_CHECK_OK, "subid-source");
		set_what(c,
			 "subordinate IDs come from /etc/subuid and /etc/subgid (%s names no "
			 "subid module)",
			 UNC_NSSWITCH_CONF);
		return;
	}
	if (!unc_subid_have_libsubid()) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, "subid-source");
		set_what(c,
			 "%s names the subid source '%s', which this uncmap cannot follow: it "
			 "was built without libsubid, so it reads /etc/subuid and /etc/subgid "
			 "while newuidmap asks '%s'",
			 UNC_NSSWITCH_CONF, nss, nss);
		set_fix(c,
			"rebuild uncmap with libsubid (apt-get install libsubid-dev, then "
			"cmake -DUNC_WITH_LIBSUBID=ON), or pass the ranges '%s' grants with "
			"--map-uid and --map-gid",
			nss);
		return;
	}
	if (cfg->via == UNC_SUBID_VIA_FILES) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, "subid-source");
		set_what(c,
			 "--subid-source files reads /etc/subuid and /etc/subgid, but %s "
			 "names the subid source '%s', which newuidmap asks",
			 UNC_NSSWITCH_CONF, nss);
		set_fix(c, "drop --subid-source files");
		return;
	}
	/* shadow loads the module by its bare name, from the default
	 * library directories; when that fails it uses the files. */
	snprintf(lib, sizeof lib, "libsubid_%s.so", nss);
	h = dlopen(lib, RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		c = unc_check_add(rep, UNC_CHECK_WARN, "subid-source");
		set_what(c,
			 "%s names the subid source '%s', but %s cannot be loaded (%s): "
			 "shadow falls back to /etc/subuid and /etc/subgid",
			 UNC_NSSWITCH_CONF, nss, lib, why ? why : "unknown error");
		set_fix(c,
			"install %s in the default library directory (for SSSD, the sssd "
			"package that ships it), or correct the subid: line of %s",
			lib, UNC_NSSWITCH_CONF);
		*files_source = 1;
		return;
	}
	dlclose(h);
	c = unc_check_add(rep, UNC_CHECK_OK, "subid-source");
	set_what(c, "subordinate IDs come from the module %s (the subid: line of %s)", lib,
		 UNC_NSSWITCH_CONF);
	if (strcmp(nss, "uncmap") == 0)
		check_uncmap_module(rep, cfg);
}

int unc_check_subid_ranges(struct unc_check_report *rep, const struct unc_check_config *cfg,
			   enum unc_subid_kind kind, const char *user, uint64_t self,
			   const struct unc_subid_list *mine)
{
	const struct unc_id_kind *kd = unc_id_kind(kind);
	const struct idmap_plan *explicit_plan = cfg->map[kind];
	const char *k = kd->name, *idn = kd->id;
	struct unc_check_result *c;
	struct unc_error err;
	struct idmap_plan *plan;
	char id[32], desc[256];
	size_t i;

	unc_error_clear(&err);
	snprintf(id, sizeof id, "%s-ranges", k);
	if (mine->n == 0) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, id);
		set_what(c, "no subordinate %ss for %s (looked in %s)", idn, user, mine->source);
		set_fix(c, "ask an administrator to run: subidctl add %s", user);
		if (!explicit_plan || explicit_plan->n == 0)
			return 0;
	} else {
		unc_subid_list_describe(mine, desc, sizeof desc);
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "%s has %llu subordinate %ss in %s: %s", user,
			 (unsigned long long)unc_subid_list_total(mine), idn, mine->source, desc);
	}

	plan = malloc(sizeof *plan);
	if (!plan) {
		rep->oom = 1;
		return -ENOMEM;
	}
	snprintf(id, sizeof id, "%s-size", k);
	if (explicit_plan && explicit_plan->n > 0) {
		if (unc_idmap_validate(explicit_plan, self, 0, mine, user, kd, &err) < 0) {
			c = unc_check_add(rep, UNC_CHECK_FAIL, id);
			set_what(c, "%s", err.msg);
			set_fix(c,
				"map only IDs delegated to %s with %s, or ask an administrator "
				"to delegate them",
				user, kd->map_option);
		} else {
			c = unc_check_add(rep, UNC_CHECK_OK, id);
			set_what(c, "the %s extents are delegated to %s", kd->map_option, user);
		}
	} else if (unc_idmap_plan_range(plan, cfg->range, cfg->map_root, self, mine, kd, &err) <
		       0 ||
		   unc_idmap_validate(plan, self, 0, mine, user, kd, &err) < 0) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, id);
		set_what(c, "%s", err.msg);
		set_fix(c,
			"use a smaller --range, or ask an administrator to run: subidctl add %s "
			"--top-up %llu",
			user, (unsigned long long)cfg->range);
	} else {
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "--range %llu fits in %s's subordinate %ss",
			 (unsigned long long)cfg->range, user, idn);
	}
	free(plan);

	snprintf(id, sizeof id, "%s-own-id", k);
	for (i = 0; i < mine->n; i++) {
		const struct unc_subid_range *r = &mine->ranges[i];
		if (self >= r->start && self - r->start < r->count) {
			c = unc_check_add(rep, UNC_CHECK_WARN, id);
			set_what(c,
				 "%s's subordinate %ss %llu-%llu contain %s's own %s %llu: uncmap "
				 "maps around it, but the kernel refuses a map that names it "
				 "twice, as unshare --map-auto and podman make",
				 user, idn, (unsigned long long)r->start,
				 (unsigned long long)(r->start + r->count - 1), user, idn,
				 (unsigned long long)self);
			set_fix(c,
				"ask an administrator to replace %s's range %llu:%llu in %s with "
				"one that does not contain %llu",
				user, (unsigned long long)r->start, (unsigned long long)r->count,
				mine->source, (unsigned long long)self);
			return 0;
		}
	}
	if (mine->n > 0) {
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "%s's subordinate %ss do not contain its own %s %llu", user, idn, idn,
			 (unsigned long long)self);
	}
	return 0;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Is the first field of a line (up to ':'), less blanks and a trailing
 * CR, the caller's name or UID? Such a line was meant for the caller. */
static int line_meant_for(const char *line, size_t len, const char *user, uid_t uid)
{
	const char *colon = memchr(line, ':', len);
	const char *s = line, *e = colon ? colon : line + len;
	char num[16];
	size_t n;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && (is_blank(e[-1]) || e[-1] == '\r'))
		e--;
	n = (size_t)(e - s);
	if (n > 0 && user && strlen(user) == n && memcmp(s, user, n) == 0)
		return 1;
	snprintf(num, sizeof num, "%u", (unsigned)uid);
	return n > 0 && strlen(num) == n && memcmp(s, num, n) == 0;
}

int unc_check_subid_text(struct unc_check_report *rep, enum unc_subid_kind kind, const char *path,
			 const char *buf, size_t len, const char *user, uid_t uid,
			 const struct unc_subid_list *mine)
{
	const char *p = buf, *stop = buf + len;
	const char *k = unc_id_kind(kind)->name, *idn = unc_id_kind(kind)->id;
	size_t lineno = 0, skipped = 0, skipped_first = 0, overlaps = 0, overlap_line = 0;
	struct unc_subid_range ov_mine = {0, 0}, ov_other = {0, 0};
	char ov_owner[64] = "", id[32];
	const char *reason = NULL;
	int crlf = 0;
	struct unc_check_result *c;

	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t llen = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		struct unc_subid_entry e;
		int parsed = unc_subid_parse_line(p, llen, &e) == 0;

		lineno++;
		if (parsed && unc_subid_entry_is_owner(&e, user, uid)) {
			/* used: nothing to say */
		} else if (line_meant_for(p, llen, user, uid)) {
			if (skipped++ == 0) {
				skipped_first = lineno;
				if (llen > 0 && p[llen - 1] == '\r') {
					reason = "it ends with a carriage return (a CRLF line)";
					crlf = 1;
				} else if (memchr(p, ' ', llen) || memchr(p, '\t', llen)) {
					reason = "it has blanks in it";
				} else if (llen > UNC_SUBID_LINE_MAX) {
					reason = "it is longer than 1023 bytes";
				} else {
					reason = "it is not NAME:START:COUNT";
				}
			}
		} else if (parsed && e.owner[0] != '#') {
			size_t i;
			for (i = 0; i < mine->n; i++) {
				const struct unc_subid_range *r = &mine->ranges[i];
				if (e.count == 0 || r->count == 0 ||
				    e.start >= r->start + r->count || r->start >= e.start + e.count)
					continue;
				if (overlaps++ == 0) {
					ov_mine = *r;
					ov_other.start = e.start;
					ov_other.count = e.count;
					overlap_line = lineno;
					snprintf(ov_owner, sizeof ov_owner, "%.*s",
						 (int)(e.owner_len < 60 ? e.owner_len : 60),
						 e.owner);
				}
				break;
			}
		}
		p = nl ? nl + 1 : stop;
	}

	snprintf(id, sizeof id, "%s-lines", k);
	if (skipped) {
		c = unc_check_add(rep, mine->n ? UNC_CHECK_WARN : UNC_CHECK_FAIL, id);
		set_what(c, "line %zu of %s, meant for %s, is skipped by shadow: %s%s",
			 skipped_first, path, user, reason,
			 skipped > 1 ? " (and more lines like it)" : "");
		if (crlf)
			set_fix(c, "as root: sed -i 's/\\r$//' %s", path);
		else
			set_fix(c,
				"as root: correct line %zu of %s to NAME:START:COUNT, without "
				"blanks",
				skipped_first, path);
	} else {
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "no line of %s's in %s is skipped", user, path);
	}

	snprintf(id, sizeof id, "%s-overlap", k);
	if (overlaps) {
		c = unc_check_add(rep, UNC_CHECK_WARN, id);
		set_what(c,
			 "%s's subordinate %ss %llu-%llu overlap %s's %llu-%llu (line %zu of %s)%s",
			 user, idn, (unsigned long long)ov_mine.start,
			 (unsigned long long)(ov_mine.start + ov_mine.count - 1), ov_owner,
			 (unsigned long long)ov_other.start,
			 (unsigned long long)(ov_other.start + ov_other.count - 1), overlap_line,
			 path, overlaps > 1 ? ", and other owners' ranges too" : "");
		set_fix(c,
			"ask an administrator to give every user IDs no one else has in %s "
			"(subidctl check lists the overlaps)",
			path);
	} else if (mine->n) {
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "%s's subordinate %ss overlap no other owner's in %s", user, idn, path);
	}
	return 0;
}

int unc_check_login_defs_bool(const char *buf, size_t len, const char *key)
{
	const char *p = buf, *stop = buf + len;
	size_t klen = strlen(key);
	int value = 0;

	/* shadow's getdef: "KEY value" lines, '#' comments, the last one wins;
	 * a boolean is true when the value is "yes" (any case). */
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *e = nl ? nl : stop, *s = p;

		while (s < e && isspace((unsigned char)*s))
			s++;
		if ((size_t)(e - s) > klen && memcmp(s, key, klen) == 0 &&
		    isspace((unsigned char)s[klen])) {
			const char *v = s + klen;
			while (v < e && isspace((unsigned char)*v))
				v++;
			value = (size_t)(e - v) >= 3 && strncasecmp(v, "yes", 3) == 0 &&
				(e - v == 3 || isspace((unsigned char)v[3]));
		}
		p = nl ? nl + 1 : stop;
	}
	return value;
}

/* The conditions newuidmap checks about its caller before the ranges. */
static void check_caller(struct unc_check_report *rep, const struct unc_check_config *cfg,
			 uid_t uid, gid_t gid, const struct passwd *pw)
{
	struct unc_check_result *c;
	_cleanup_free_ char *defs = NULL;
	size_t len = 0;
	struct group *gr;

	if (!pw) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, "passwd");
		set_what(c,
			 "your UID %u has no passwd entry: newuidmap needs one to know whose "
			 "ranges to check",
			 (unsigned)uid);
		set_fix(c, "ask an administrator to add a passwd entry for UID %u", (unsigned)uid);
		return;
	}
	c = unc_check_add(rep, UNC_CHECK_OK, "passwd");
	set_what(c, "%s (UID %u) has a passwd entry, primary group %u", pw->pw_name, (unsigned)uid,
		 (unsigned)pw->pw_gid);

	if (gid == pw->pw_gid && getegid() == gid) {
		c = unc_check_add(rep, UNC_CHECK_OK, "primary-group");
		set_what(c, "your current GID %u is %s's primary group", (unsigned)gid,
			 pw->pw_name);
		return;
	}
	if (unc_read_file(cfg->login_defs ? cfg->login_defs : "/etc/login.defs", 1 << 20, &defs,
			  &len, NULL) == 0 &&
	    unc_check_login_defs_bool(defs, len, "GRANT_AUX_GROUP_SUBIDS") && getegid() == gid) {
		c = unc_check_add(rep, UNC_CHECK_OK, "primary-group");
		set_what(c,
			 "your current GID %u is not %s's primary group %u, which login.defs "
			 "allows (GRANT_AUX_GROUP_SUBIDS yes)",
			 (unsigned)gid, pw->pw_name, (unsigned)pw->pw_gid);
		return;
	}
	gr = getgrgid(pw->pw_gid);
	c = unc_check_add(rep, UNC_CHECK_FAIL, "primary-group");
	set_what(c,
		 "your current GID %u is not %s's primary group %u: newuidmap will refuse "
		 "with \"Target process ... is owned by a different user\"",
		 (unsigned)gid, pw->pw_name, (unsigned)pw->pw_gid);
	if (gr)
		set_fix(c,
			"run uncmap with your primary group as the current group (sg %s -c "
			"'uncmap ...', or log in again)",
			gr->gr_name);
	else
		set_fix(c, "run uncmap with GID %u as the current group (log in again)",
			(unsigned)pw->pw_gid);
}

static void check_kind(struct unc_check_report *rep, const struct unc_check_config *cfg,
		       enum unc_subid_kind kind, const char *user, uid_t uid, uint64_t self,
		       int files_source)
{
	const char *file = cfg->subid_file[kind];
	const char *path = file ? file : unc_id_kind(kind)->file;
	struct unc_subid_list mine = {0};
	struct unc_check_result *c;
	struct unc_error err;
	char id[32];

	unc_error_clear(&err);
	if (unc_subid_lookup(kind, cfg->via, file, user, uid, &mine, &err) < 0) {
		snprintf(id, sizeof id, "%s-ranges", unc_id_kind(kind)->name);
		c = unc_check_add(rep, UNC_CHECK_FAIL, id);
		set_what(c, "%s", err.msg);
		set_fix(c, "see that %s is readable and that the subid source of %s answers", path,
			UNC_NSSWITCH_CONF);
		unc_subid_list_free(&mine);
		return;
	}
	unc_check_subid_ranges(rep, cfg, kind, user, self, &mine);
	if (file || files_source) {
		_cleanup_free_ char *buf = NULL;
		size_t len = 0;

		if (unc_read_file(path, SUBID_FILE_MAX, &buf, &len, NULL) == 0)
			unc_check_subid_text(rep, kind, path, buf, len, user, uid, &mine);
	}
	unc_subid_list_free(&mine);
}

/* Root maps what its own namespace holds, the way the launch plans it. */
static void check_root_kind(struct unc_check_report *rep, const struct unc_check_config *cfg,
			    enum unc_subid_kind kind)
{
	const struct unc_id_kind *k = unc_id_kind(kind);
	const struct idmap_plan *explicit_plan = cfg->map[kind];
	const char *file = cfg->subid_file[kind];
	struct unc_subid_list mine = {0};
	struct idmap_plan *plan = malloc(2 * sizeof *plan), *own = plan + 1;
	struct unc_check_result *c;
	struct unc_error err;
	char id[32], desc[256];
	int r;

	if (!plan) {
		rep->oom = 1;
		return;
	}
	unc_error_clear(&err);
	snprintf(id, sizeof id, "%s-size", k->name);
	r = unc_map_read_own(k->proc_map, own, &err);
	if (r == 0 && explicit_plan && explicit_plan->n > 0) {
		*plan = *explicit_plan;
		r = unc_idmap_fit_own(plan, own, k, &err);
	} else if (r == 0) {
		/* root's own ranges are used when it has some: no error here */
		(void)unc_subid_lookup(kind, cfg->via, file, "root", 0, &mine, NULL);
		r = unc_idmap_plan_privileged(plan, cfg->range, cfg->map_root, &mine, own, k, &err);
	}
	if (r < 0) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, id);
		set_what(c, "%s", err.msg);
		set_fix(c, "%s", err.hint[0] ? err.hint : "map fewer IDs");
	} else {
		unc_idmap_describe_inside(plan, desc, sizeof desc);
		c = unc_check_add(rep, UNC_CHECK_OK, id);
		set_what(c, "root maps %ss %s%s", k->id, desc,
			 mine.n ? ", from its subordinate ranges" : " of its own namespace");
	}
	unc_subid_list_free(&mine);
	free(plan);
}

int unc_check_run(const struct unc_check_config *cfg, struct unc_check_report *rep,
		  struct unc_error *err)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	int privileged = uid == 0 && geteuid() == 0;
	int files_source = 1;
	struct passwd *pw;
	char user[256];

	unc_check_sysctls(rep, cfg->proc_sys ? cfg->proc_sys : "/proc/sys", privileged);
	check_userns_create(rep);
	check_no_new_privs(rep, privileged);
	if (privileged) {
		struct unc_check_result *c = unc_check_add(rep, UNC_CHECK_OK, "root");
		set_what(c, "you are root: uncmap writes the maps itself; newuidmap, newgidmap "
			    "and subordinate ranges are not needed");
		check_root_kind(rep, cfg, UNC_SUBUID);
		check_root_kind(rep, cfg, UNC_SUBGID);
	} else {
		check_helper(rep, "newuidmap", cfg->newuidmap, CAP_SETUID, "cap_setuid");
		check_helper(rep, "newgidmap", cfg->newgidmap, CAP_SETGID, "cap_setgid");
		/* the name is copied: later lookups may reuse getpwuid's buffer */
		pw = getpwuid(uid);
		if (pw)
			snprintf(user, sizeof user, "%s", pw->pw_name);
		else
			snprintf(user, sizeof user, "%u", (unsigned)uid);
		check_caller(rep, cfg, uid, gid, pw);
		check_source(rep, cfg, &files_source);
		check_kind(rep, cfg, UNC_SUBUID, user, uid, uid, files_source);
		check_kind(rep, cfg, UNC_SUBGID, user, uid, gid, files_source);
	}
	if (cfg->net_pasta)
		unc_check_pasta(rep, cfg->pasta ? cfg->pasta : "pasta");
	if (rep->oom)
		return unc_error_sys(err, ENOMEM, "cannot collect the check results");
	return 0;
}
