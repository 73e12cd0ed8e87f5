/* uncmap --session: finding a session, --sessions, --end, --check
 * --session. The work is in lib/launch/session.c. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdmsg.h"
#include "json.h"
#include "uncmap_session.h"

#define EXIT_UNCMAP 125

static int open_dir(int *dirfd, char *path, size_t size)
{
	struct unc_error err;

	unc_error_clear(&err);
	*dirfd = unc_session_dir_open(path, size, &err);
	return *dirfd < 0 ? cmd_fail_err(&err) : 0;
}

/* Read and verify name's state: 0 live, 1 none or stale (removed), else
 * -1 with err filled. */
static int find(int dirfd, const char *name, struct unc_session_state *st, int *pidfd,
		struct unc_error *err)
{
	int r = unc_session_state_read(dirfd, name, st, err);

	*pidfd = -1;
	if (r == -ENOENT)
		return 1;
	if (r < 0)
		return -1;
	switch (unc_session_verify(st, pidfd, err)) {
	case UNC_SESSION_LIVE:
		return 0;
	case UNC_SESSION_STALE:
		unc_session_state_remove(dirfd, st);
		unc_session_state_free(st);
		return 1;
	case UNC_SESSION_FOREIGN:
		break;
	}
	unc_session_state_free(st);
	return -1;
}

int uncmap_session_open(const char *name, int *dirfd, struct unc_session_state *st, int *pidfd)
{
	char path[4096];
	struct unc_error err;
	int r;

	unc_error_clear(&err);
	memset(st, 0, sizeof *st);
	if (unc_session_name_check(name, &err) < 0)
		return cmd_fail_err(&err);
	if (open_dir(dirfd, path, sizeof path))
		return EXIT_UNCMAP;
	r = find(*dirfd, name, st, pidfd, &err);
	return r < 0 ? cmd_fail_err(&err) : r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct unc_session_state *)a)->name,
		      ((const struct unc_session_state *)b)->name);
}

/* The live sessions, sorted by name; stale ones are removed on the way,
 * foreign ones said and left out. */
static int collect(int dirfd, struct unc_session_state **out, size_t *n)
{
	struct unc_session_state *v = NULL;
	struct dirent *de;
	DIR *d;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*n = 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return cmd_fail("cannot read the session directory: %s", strerror(errno));
	}
	while ((de = readdir(d))) {
		struct unc_session_state st, *nv;
		struct unc_error err;
		int pidfd;

		if (de->d_name[0] == '.')
			continue;
		unc_error_clear(&err);
		if (unc_session_name_check(de->d_name, &err) < 0)
			continue;
		switch (find(dirfd, de->d_name, &st, &pidfd, &err)) {
		case 0:
			close(pidfd);
			nv = realloc(v, (*n + 1) * sizeof *v);
			if (!nv) {
				unc_session_state_free(&st);
				break;
			}
			v = nv;
			v[(*n)++] = st;
			break;
		case 1:
			break;
		default:
			cmd_say_err(&err);
		}
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, by_name);
	*out = v;
	return 0;
}

static void free_all(struct unc_session_state *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		unc_session_state_free(&v[i]);
	free(v);
}

static void since_text(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "%lld", t);
}

int uncmap_session_list(int json)
{
	char path[4096], ns[128], since[64];
	struct unc_session_state *v;
	size_t i, n;
	int dirfd, r;

	if (open_dir(&dirfd, path, sizeof path))
		return EXIT_UNCMAP;
	r = collect(dirfd, &v, &n);
	close(dirfd);
	if (r)
		return r;
	if (json)
		fputs("[", stdout);
	else if (n)
		printf("%-16s %8s  %-19s  %-24s %-24s %s\n", "NAME", "HOLDER", "SINCE", "UID-MAP",
		       "GID-MAP", "NAMESPACES");
	for (i = 0; i < n; i++) {
		const struct unc_session_state *s = &v[i];
		unc_session_ns_text(s->nsflags, ns, sizeof ns);
		if (!json) {
			since_text(s->created, since, sizeof since);
			printf("%-16s %8d  %-19s  %-24s %-24s %s\n", s->name, (int)s->holder, since,
			       s->uid_map, s->gid_map, ns);
			continue;
		}
		printf("%s\n{\"name\":", i ? "," : "");
		cmd_json_string(stdout, s->name, strlen(s->name));
		printf(",\"holder\":%d,\"since\":%lld,\"uid_map\":\"%s\",\"gid_map\":\"%s\","
		       "\"namespaces\":\"%s\",\"idle\":%u}",
		       (int)s->holder, s->created, s->uid_map, s->gid_map, ns, s->idle_s);
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	free_all(v, n);
	return cmd_finish_stdout() < 0 ? EXIT_UNCMAP : 0;
}

static int end_one(int dirfd, const char *name)
{
	struct unc_session_state st;
	struct unc_error err;
	int pidfd, r;

	unc_error_clear(&err);
	if (unc_session_name_check(name, &err) < 0)
		return cmd_fail_err(&err);
	r = find(dirfd, name, &st, &pidfd, &err);
	if (r == 1)
		return cmd_fail("--end: no session '%s'", name);
	if (r < 0)
		return cmd_fail_err(&err);
	r = unc_session_end(dirfd, &st, pidfd, &err);
	close(pidfd);
	unc_session_state_free(&st);
	return r < 0 ? cmd_fail_err(&err) : 0;
}

int uncmap_session_end(const char *name)
{
	char path[4096];
	struct unc_session_state *v;
	size_t i, n;
	int dirfd, r = 0;

	if (open_dir(&dirfd, path, sizeof path))
		return EXIT_UNCMAP;
	if (strcmp(name, "--all") != 0) {
		r = end_one(dirfd, name);
		close(dirfd);
		return r;
	}
	r = collect(dirfd, &v, &n);
	for (i = 0; i < n; i++) {
		int e = end_one(dirfd, v[i].name);
		if (e && !r)
			r = e;
	}
	free_all(v, n);
	close(dirfd);
	return r;
}

/* --check --session: one line per check, as --check prints them. */
struct session_check {
	const char *id;
	int ok;
	char what[UNC_ERROR_MSG_MAX + 64];
	char fix[UNC_ERROR_HINT_MAX];
};

static void check_add(struct session_check *c, size_t *n, const char *id, int ok, const char *fix,
		      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void check_add(struct session_check *c, size_t *n, const char *id, int ok, const char *fix,
		      const char *fmt, ...)
{
	va_list ap;

	c[*n].id = id;
	c[*n].ok = ok;
	va_start(ap, fmt);
	vsnprintf(c[*n].what, sizeof c[*n].what, fmt, ap);
	va_end(ap);
	snprintf(c[*n].fix, sizeof c[*n].fix, "%s", fix ? fix : "");
	(*n)++;
}

int uncmap_session_check(const char *name, int json)
{
	struct session_check c[8];
	struct unc_session_state st;
	struct unc_error err;
	char path[4096], ns[128];
	size_t n = 0, i;
	int dirfd = -1, pidfd = -1, works = 0, r;

	unc_error_clear(&err);
	memset(&st, 0, sizeof st);
	if (unc_session_name_check(name, &err) < 0)
		return cmd_fail_err(&err);
	dirfd = unc_session_dir_open(path, sizeof path, &err);
	if (dirfd < 0) {
		check_add(c, &n, "state-dir", 0, err.hint, "%s", err.msg);
		goto report;
	}
	check_add(c, &n, "state-dir", 1, NULL,
		  "state directory %s is yours, writable by no one else", path);
	r = unc_session_state_read(dirfd, name, &st, &err);
	if (r < 0) {
		check_add(c, &n, "state", 0,
			  r == -ENOENT ? "uncmap --session NAME [options] creates it" : err.hint,
			  "%s", err.msg);
		goto report;
	}
	check_add(c, &n, "state", 1, NULL, "session '%s' has a state file, yours", name);
	switch (unc_session_verify(&st, &pidfd, &err)) {
	case UNC_SESSION_LIVE:
		check_add(c, &n, "holder", 1, NULL,
			  "holder PID %d verified: its user namespace (inode %llu) is yours, its "
			  "start time the recorded one",
			  (int)st.holder, (unsigned long long)st.userns_ino);
		break;
	case UNC_SESSION_STALE:
		check_add(c, &n, "holder", 0,
			  "the next 'uncmap --session NAME' removes the state and starts it again",
			  "%s", err.msg);
		goto report;
	case UNC_SESSION_FOREIGN:
		check_add(c, &n, "holder", 0, err.hint, "%s", err.msg);
		goto report;
	}
	works = 1;
	unc_session_ns_text(st.nsflags, ns, sizeof ns);
	check_add(c, &n, "namespaces", 1, NULL, "namespaces %s; uid map %s; gid map %s", ns,
		  st.uid_map, st.gid_map);
	r = unc_session_count_processes(&st);
	check_add(c, &n, "processes", r >= 0, NULL,
		  "%d process%s in the session besides the holder%s", r, r == 1 ? "" : "es",
		  st.idle_s ? " (it ends when idle for --session-idle seconds)" : "");
report:
	if (json) {
		printf("{\"session\":");
		cmd_json_string(stdout, name, strlen(name));
		printf(",\"joinable\":%s,\"checks\":[", works ? "true" : "false");
		for (i = 0; i < n; i++) {
			printf("%s\n{\"id\":\"%s\",\"status\":\"%s\",\"what\":", i ? "," : "",
			       c[i].id, c[i].ok ? "ok" : "fail");
			cmd_json_string(stdout, c[i].what, strlen(c[i].what));
			fputs(",\"fix\":", stdout);
			if (c[i].fix[0])
				cmd_json_string(stdout, c[i].fix, strlen(c[i].fix));
			else
				fputs("null", stdout);
			fputc('}', stdout);
		}
		fputs("\n]}\n", stdout);
	} else {
		for (i = 0; i < n; i++) {
			printf("%-4s %s", c[i].ok ? "ok" : "FAIL", c[i].what);
			if (c[i].fix[0])
				printf("; fix: %s", c[i].fix);
			putchar('\n');
		}
		printf("result: session '%s' %s\n", name,
		       works ? "can be joined" : "cannot be joined");
	}
	if (pidfd >= 0)
		close(pidfd);
	if (dirfd >= 0)
		close(dirfd);
	unc_session_state_free(&st);
	if (cmd_finish_stdout() < 0)
		return EXIT_UNCMAP;
	return works ? 0 : 1;
}
