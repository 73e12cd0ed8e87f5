#include "session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"

#define STATE_MAX (64 * 1024)

static int pidfd_open_pid(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return -errno;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static int pidfd_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

void unc_session_state_free(struct unc_session_state *st)
{
	size_t i;

	for (i = 0; i < st->nopts; i++) {
		free(st->opts[i].name);
		free(st->opts[i].value);
	}
	free(st->opts);
	st->opts = NULL;
	st->nopts = 0;
}

int unc_session_opt_add(struct unc_session_state *st, const char *name, const char *value)
{
	struct unc_session_opt *v = realloc(st->opts, (st->nopts + 1) * sizeof *v);

	if (!v)
		return -ENOMEM;
	st->opts = v;
	v[st->nopts].name = strdup(name);
	v[st->nopts].value = strdup(value);
	if (!v[st->nopts].name || !v[st->nopts].value) {
		free(v[st->nopts].name);
		free(v[st->nopts].value);
		return -ENOMEM;
	}
	st->nopts++;
	return 0;
}

int unc_session_name_check(const char *name, struct unc_error *err)
{
	size_t i, n = strlen(name);
	char shown[UNC_SESSION_NAME_MAX * 4 + 1];

	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			break;
	}
	if (n == 0 || n > UNC_SESSION_NAME_MAX || i < n || name[0] == '.') {
		unc_escape_text(name, shown, sizeof shown);
		unc_error_set(err, EINVAL,
			      "--session: '%s' is not a session name of 1 to %d letters, digits, "
			      "'_', '-' or '.' (not first)",
			      shown, UNC_SESSION_NAME_MAX);
		return -EINVAL;
	}
	return 0;
}

/* A state directory or file: ours, and writable by no one else. */
static int check_owned(int fd, const char *path, int want_dir, struct unc_error *err)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return unc_error_sys(err, errno, "cannot examine %s", path);
	if (want_dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode)) {
		unc_error_set(err, ENOTDIR, "%s is not a %s", path,
			      want_dir ? "directory" : "file");
		return -ENOTDIR;
	}
	if (sb.st_uid != getuid()) {
		unc_error_set(err, EPERM, "%s belongs to UID %u, not to you: it is not used", path,
			      (unsigned)sb.st_uid);
		unc_error_hint(err, "remove it, or set XDG_RUNTIME_DIR to a directory of yours");
		return -EPERM;
	}
	if (sb.st_mode & 022) {
		unc_error_set(err, EPERM, "%s is writable by others (mode %04o): it is not used",
			      path, (unsigned)(sb.st_mode & 07777));
		unc_error_hint(err, "chmod go-w %s", path);
		return -EPERM;
	}
	return 0;
}

int unc_session_dir_open(char *path, size_t size, struct unc_error *err)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char fallback[64];
	int fd, r;

	if (!base || base[0] != '/') {
		struct stat sb;
		snprintf(fallback, sizeof fallback, "/run/user/%u", (unsigned)getuid());
		if (stat(fallback, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			unc_error_set(err, ENOENT,
				      "--session: no directory for the session state: "
				      "XDG_RUNTIME_DIR is not set and %s does not exist",
				      fallback);
			unc_error_hint(err,
				       "set XDG_RUNTIME_DIR to a directory of yours, mode 0700");
			return -ENOENT;
		}
		base = fallback;
	}
	if ((size_t)snprintf(path, size, "%s/uncmap", base) >= size)
		return unc_error_set(err, ENAMETOOLONG, "--session: XDG_RUNTIME_DIR is too long");
	/* made on first use; a join finds it there */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return unc_error_sys(err, errno, "--session: cannot create %s", path);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return unc_error_sys(err, errno, "--session: cannot open %s", path);
	r = check_owned(fd, path, 1, err);
	if (r < 0) {
		close(fd);
		unc_error_prefix(err, "--session");
		return r;
	}
	return fd;
}

int unc_session_lock(int dirfd, struct unc_error *err)
{
	/* an open file description of our own: flock() is per description */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return unc_error_sys(err, errno, "--session: cannot open the state directory");
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return unc_error_sys(err, e, "--session: cannot lock the state directory");
		}
	}
	return fd;
}

/* One value on one line: backslash and newline escaped. */
static size_t put_escaped(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : NULL;
		size_t k = e ? 2 : 1;
		if (n + k < size)
			memcpy(out + n, e ? e : s, k);
		n += k;
	}
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '\\' && (s[1] == '\\' || s[1] == 'n')) {
			*w++ = s[1] == 'n' ? '\n' : '\\';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int unc_session_state_format(const struct unc_session_state *st, char *buf, size_t size)
{
	size_t n, i;

	n = (size_t)snprintf(buf, size,
			     "uncmap-session 1\nname %s\nholder %d %llu\nkeeper %d %llu\n"
			     "userns %" PRIu64 " %" PRIu64 "\npidns %" PRIu64 "\ncreated %lld\n"
			     "nsflags %#x\nidle %u\nuid-map %s\ngid-map %s\n",
			     st->name, (int)st->holder, st->holder_start, (int)st->keeper,
			     st->keeper_start, st->userns_dev, st->userns_ino, st->pidns_ino,
			     st->created, (unsigned)st->nsflags, st->idle_s, st->uid_map,
			     st->gid_map);
	for (i = 0; i < st->nopts && n < size; i++) {
		n += (size_t)snprintf(buf + n, size - n, "option %s ", st->opts[i].name);
		if (n < size)
			n += put_escaped(buf + n, size - n, st->opts[i].value);
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, "\n");
	}
	if (n >= size)
		return -ENOSPC;
	return (int)n;
}

int unc_session_state_parse(const char *text, struct unc_session_state *st, struct unc_error *err)
{
	_cleanup_free_ char *copy = strdup(text);
	char *line, *save = NULL;
	int seen = 0, n = 0;

	memset(st, 0, sizeof *st);
	if (!copy)
		return unc_error_set(err, ENOMEM, "out of memory");
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		int end = 0;
		unsigned flags = 0;
		char *sp;

		if (n == 0) {
			if (strcmp(line, "uncmap-session 1") != 0)
				goto bad;
			continue;
		}
		sp = strchr(line, ' ');
		if (!sp)
			goto bad;
		*sp++ = '\0';
		if (strcmp(line, "name") == 0) {
			if (unc_session_name_check(sp, NULL) < 0)
				goto bad;
			strcpy(st->name, sp);
			seen |= 1;
		} else if (strcmp(line, "holder") == 0 || strcmp(line, "keeper") == 0) {
			int is_holder = line[0] == 'h';
			int pid = 0;
			if (sscanf(sp, "%d %llu%n", &pid,
				   is_holder ? &st->holder_start : &st->keeper_start, &end) != 2 ||
			    sp[end] || pid < 0 || (is_holder && pid == 0))
				goto bad; /* keeper 0: not known */
			*(is_holder ? &st->holder : &st->keeper) = pid;
			seen |= is_holder ? 2 : 0;
		} else if (strcmp(line, "userns") == 0) {
			if (sscanf(sp, "%" SCNu64 " %" SCNu64 "%n", &st->userns_dev,
				   &st->userns_ino, &end) != 2 ||
			    sp[end])
				goto bad;
			seen |= 4;
		} else if (strcmp(line, "pidns") == 0) {
			if (sscanf(sp, "%" SCNu64 "%n", &st->pidns_ino, &end) != 1 || sp[end])
				goto bad;
		} else if (strcmp(line, "created") == 0) {
			if (sscanf(sp, "%lld%n", &st->created, &end) != 1 || sp[end])
				goto bad;
		} else if (strcmp(line, "nsflags") == 0) {
			if (sscanf(sp, "%x%n", &flags, &end) != 1 || sp[end] ||
			    !(flags & CLONE_NEWUSER))
				goto bad;
			st->nsflags = (int)flags;
			seen |= 8;
		} else if (strcmp(line, "idle") == 0) {
			if (sscanf(sp, "%u%n", &st->idle_s, &end) != 1 || sp[end])
				goto bad;
		} else if (strcmp(line, "uid-map") == 0 || strcmp(line, "gid-map") == 0) {
			char *dst = line[0] == 'u' ? st->uid_map : st->gid_map;
			if (strlen(sp) >= UNC_SESSION_MAP_MAX)
				goto bad;
			strcpy(dst, sp);
		} else if (strcmp(line, "option") == 0) {
			char *value = strchr(sp, ' ');
			if (!value)
				goto bad;
			*value++ = '\0';
			unescape(value);
			if (unc_session_opt_add(st, sp, value) < 0) {
				unc_session_state_free(st);
				return unc_error_set(err, ENOMEM, "out of memory");
			}
		}
		/* an unknown key is from a newer uncmap: ignored */
	}
	if (seen == 15)
		return 0;
bad:
	unc_session_state_free(st);
	unc_error_set(err, EINVAL, "malformed state file");
	return -EINVAL;
}

int unc_session_state_read(int dirfd, const char *name, struct unc_session_state *st,
			   struct unc_error *err)
{
	_cleanup_close_ int fd = -1;
	char *buf;
	ssize_t n;
	int r;

	memset(st, 0, sizeof *st);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			unc_error_set(err, ENOENT, "no session '%s'", name);
			return -ENOENT;
		}
		return unc_error_sys(err, errno, "session '%s': cannot open its state", name);
	}
	if ((r = check_owned(fd, "its state file", 0, err)) < 0) {
		unc_error_prefix(err, "session '%s'", name);
		return r;
	}
	buf = malloc(STATE_MAX + 1);
	if (!buf)
		return unc_error_set(err, ENOMEM, "out of memory");
	n = unc_read_all(fd, buf, STATE_MAX);
	if (n < 0) {
		free(buf);
		return unc_error_sys(err, (int)-n, "session '%s': cannot read its state", name);
	}
	buf[n] = '\0';
	r = unc_session_state_parse(buf, st, err);
	free(buf);
	if (r == 0 && strcmp(st->name, name) != 0) {
		unc_session_state_free(st);
		r = unc_error_set(err, EINVAL, "malformed state file");
	}
	if (r < 0)
		unc_error_prefix(err, "session '%s'", name);
	return r;
}

int unc_session_state_write(int dirfd, const struct unc_session_state *st, struct unc_error *err)
{
	char tmp[UNC_SESSION_NAME_MAX + 32];
	_cleanup_free_ char *buf = malloc(STATE_MAX);
	int fd, n, r;

	if (!buf)
		return unc_error_set(err, ENOMEM, "out of memory");
	n = unc_session_state_format(st, buf, STATE_MAX);
	if (n < 0)
		return unc_error_set(err, ENOSPC, "session '%s': the state is too large", st->name);
	snprintf(tmp, sizeof tmp, ".%s.%d.tmp", st->name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return unc_error_sys(err, errno, "session '%s': cannot write its state", st->name);
	r = unc_write_all(fd, buf, (size_t)n);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, st->name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return unc_error_sys(err, -r, "session '%s': cannot write its state", st->name);
	}
	return 0;
}

void unc_session_state_remove(int dirfd, const struct unc_session_state *st)
{
	struct unc_session_state now;
	int lock = unc_session_lock(dirfd, NULL);

	if (unc_session_state_read(dirfd, st->name, &now, NULL) == 0) {
		if (now.holder == st->holder && now.holder_start == st->holder_start)
			(void)unlinkat(dirfd, st->name, 0);
		unc_session_state_free(&now);
	}
	if (lock >= 0)
		close(lock);
}

/* The values of option name in st, joined by spaces; 0 when it has none. */
static size_t opt_values(const struct unc_session_state *st, const char *name, char *buf,
			 size_t size)
{
	size_t i, found = 0, n = 0;

	buf[0] = '\0';
	for (i = 0; i < st->nopts; i++) {
		if (strcmp(st->opts[i].name, name) != 0)
			continue;
		n += (size_t)snprintf(buf + (n < size ? n : size - 1), n < size ? size - n : 1,
				      "%s%s", found ? " " : "", st->opts[i].value);
		found++;
	}
	return found;
}

/* An option's values as a message shows them: 'VALUE', or for a flag
 * (no value) its name. */
static void shown_values(const char *name, const char *values, char *out, size_t size)
{
	char esc[1024];

	if (values[0] == '\0' || strspn(values, " ") == strlen(values)) {
		snprintf(out, size, "%s", name);
		return;
	}
	unc_escape_text(values, esc, sizeof esc);
	snprintf(out, size, "'%s'", esc);
}

int unc_session_opts_compare(const struct unc_session_state *session,
			     const struct unc_session_state *given, struct unc_error *err)
{
	char want[1024], have[1024], shown_want[1100], shown_have[1100];
	size_t i, j;

	for (i = 0; i < given->nopts; i++) {
		const char *name = given->opts[i].name;
		size_t nhave;
		for (j = 0; j < i; j++)
			if (strcmp(given->opts[j].name, name) == 0)
				break;
		if (j < i)
			continue; /* compared with its first occurrence */
		opt_values(given, name, want, sizeof want);
		nhave = opt_values(session, name, have, sizeof have);
		if (nhave && strcmp(want, have) == 0)
			continue;
		shown_values(name, want, shown_want, sizeof shown_want);
		shown_values(name, have, shown_have, sizeof shown_have);
		unc_error_set(err, EEXIST, "--session %s: %s differs: the session has %s, given %s",
			      session->name, name, nhave ? shown_have : "none", shown_want);
		unc_error_hint(err,
			       "leave %s out to join the session as it is, or end it first: "
			       "uncmap --end %s",
			       name, session->name);
		return -EEXIST;
	}
	return 0;
}

/* Field 22 of /proc/PID/stat: the start time, in clock ticks after boot.
 * A zombie has ended (-ESRCH): its PID stays taken while no one reaps it
 * (as on a machine whose PID 1 never does), its /proc entry readable. */
static int read_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	int fd, field, ended;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	if (!p || p[1] != ' ')
		return -EIO;
	ended = p[2] == 'Z' || p[2] == 'X';
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", start) != 1)
		return -EIO;
	return ended ? -ESRCH : 0;
}

/* The user namespace of pid: its device, inode and owner. */
static int read_userns(pid_t pid, uint64_t *dev, uint64_t *ino, uid_t *owner)
{
	char path[64];
	struct stat sb;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 || ioctl(fd, NS_GET_OWNER_UID, owner) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	*dev = (uint64_t)sb.st_dev;
	*ino = (uint64_t)sb.st_ino;
	return 0;
}

static uint64_t ns_inode(pid_t pid, const char *ns)
{
	char path[64];
	struct stat sb;

	snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, ns);
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

enum unc_session_verdict unc_session_verify(const struct unc_session_state *st, int *pidfd,
					    struct unc_error *err)
{
	unsigned long long start;
	uint64_t dev, ino;
	uid_t owner;
	int fd, r;

	*pidfd = -1;
	/* First the pidfd: while it refers to a live process, the PID in
	 * /proc is that process's and cannot be reused under us. */
	fd = pidfd_open_pid(st->holder);
	if (fd < 0) {
		unc_error_sys(err, -fd, "session '%s': its holder (PID %d) is gone", st->name,
			      (int)st->holder);
		return fd == -ESRCH ? UNC_SESSION_STALE : UNC_SESSION_FOREIGN;
	}
	r = read_start_time(st->holder, &start);
	if (r == -ESRCH) {
		close(fd);
		unc_error_set(err, ESRCH, "session '%s': its holder (PID %d) has ended", st->name,
			      (int)st->holder);
		return UNC_SESSION_STALE;
	}
	if (r == 0 && start != st->holder_start) {
		close(fd);
		unc_error_set(err, ESRCH,
			      "session '%s': its holder is gone: PID %d is another process now",
			      st->name, (int)st->holder);
		return UNC_SESSION_STALE;
	}
	if (r == 0)
		r = read_userns(st->holder, &dev, &ino, &owner);
	if (r < 0) {
		close(fd);
		if (r == -ENOENT || r == -ESRCH) {
			unc_error_set(err, ESRCH, "session '%s': its holder (PID %d) is gone",
				      st->name, (int)st->holder);
			return UNC_SESSION_STALE;
		}
		unc_error_sys(err, -r, "session '%s': PID %d is not a holder of yours", st->name,
			      (int)st->holder);
		return UNC_SESSION_FOREIGN;
	}
	if (owner != getuid() || dev != st->userns_dev || ino != st->userns_ino) {
		close(fd);
		unc_error_set(err, EPERM,
			      "session '%s': PID %d is not its holder (%s): it is not joined",
			      st->name, (int)st->holder,
			      owner != getuid() ? "its user namespace is not yours"
						: "another user namespace");
		unc_error_hint(err, "remove the state file and start the session again");
		return UNC_SESSION_FOREIGN;
	}
	/* still the same live process: what we read above was its */
	r = pidfd_signal(fd, 0);
	if (r < 0) {
		close(fd);
		unc_error_sys(err, -r, "session '%s': its holder (PID %d) is gone", st->name,
			      (int)st->holder);
		return r == -ESRCH ? UNC_SESSION_STALE : UNC_SESSION_FOREIGN;
	}
	*pidfd = fd;
	return UNC_SESSION_LIVE;
}

int unc_session_enter(const struct unc_join *j, struct unc_error *err)
{
	if (setns(j->pidfd, j->nsflags) < 0)
		return unc_error_sys(err, errno, "cannot enter the session's namespaces");
	return 0;
}

int unc_session_join_setup(void *arg, struct unc_error *err)
{
	const struct unc_session_dir *d = arg;

	if (d->wd) {
		if (chdir(d->wd) < 0)
			return unc_error_sys(err, errno, "--wd: cannot enter '%s'", d->wd);
	} else if ((!d->cwd || chdir(d->cwd) < 0) && chdir("/") < 0) {
		return unc_error_sys(err, errno, "cannot enter / in the session");
	}
	return 0;
}

void unc_session_map_text(const struct idmap_plan *plan, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < plan->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%llu:%llu:%llu", i ? "," : "",
				      (unsigned long long)plan->ext[i].inside,
				      (unsigned long long)plan->ext[i].outside,
				      (unsigned long long)plan->ext[i].count);
}

void unc_session_ns_text(int nsflags, char *buf, size_t size)
{
	static const struct {
		int flag;
		const char *name;
	} ns[] = {{CLONE_NEWUSER, "user"},    {CLONE_NEWPID, "pid"}, {CLONE_NEWNS, "mnt"},
		  {CLONE_NEWUTS, "uts"},      {CLONE_NEWIPC, "ipc"}, {CLONE_NEWNET, "net"},
		  {CLONE_NEWCGROUP, "cgroup"}};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof ns / sizeof ns[0] && n < size; i++)
		if (nsflags & ns[i].flag)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", ns[i].name);
}

int unc_session_count_processes(const struct unc_session_state *st)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[300];
		struct stat sb;
		long pid = strtol(de->d_name, NULL, 10);
		if (pid <= 0 || pid == st->holder)
			continue;
		snprintf(path, sizeof path, "%s/ns/user", de->d_name);
		if (fstatat(dirfd(d), path, &sb, 0) == 0 && (uint64_t)sb.st_ino == st->userns_ino) {
			count++;
			continue;
		}
		snprintf(path, sizeof path, "%s/ns/pid", de->d_name);
		if (st->pidns_ino && fstatat(dirfd(d), path, &sb, 0) == 0 &&
		    (uint64_t)sb.st_ino == st->pidns_ino)
			count++;
	}
	closedir(d);
	return count;
}

/* ---- creation: the keeper and the holder ---- */

enum keeper_msg_kind {
	KEEPER_HOLDER = 1, /* the holder exists, paused: map it */
	KEEPER_READY,	   /* the holder is set up and the state written */
	KEEPER_FAILED,	   /* failure and rep say what */
};

struct keeper_msg {
	enum keeper_msg_kind kind;
	enum unc_launch_failure failure;
	pid_t pid;
	struct unc_child_report rep;
};

/* The holder: PID 1 of the session. It sets the namespaces up as a
 * launch's child does, then holds them: every signal blocked (only
 * SIGKILL ends it), every descriptor closed (the keeper reads that as
 * "ready"), reaping whatever is left to it. */
static void holder_main(void *arg, int report_fd, struct unc_child_report *rep)
{
	const struct unc_session_create_spec *s = arg;
	struct unc_error err;
	sigset_t all, chld;
	int sfd;

	unc_error_clear(&err);
	(void)setsid();
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		unc_report_send(report_fd, rep, 125, errno,
				"cannot become root in the namespace: %s", strerror(errno));
		return;
	}
	if (s->setup && s->setup(s->setup_arg, &err) < 0) {
		unc_report_error(report_fd, rep, 125, &err);
		return;
	}
	if (chdir("/") < 0) {
		unc_report_send(report_fd, rep, 125, errno, "cannot enter /: %s", strerror(errno));
		return;
	}
	(void)prctl(PR_SET_NAME, "uncmap-holder");
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC);
	if (sfd < 0) {
		unc_report_send(report_fd, rep, 125, errno, "holder: cannot create a signalfd: %s",
				strerror(errno));
		return;
	}
	{
		const int keep[] = {sfd};
		(void)unc_close_fds_except(keep, 1); /* report_fd too: ready */
	}
	for (;;) {
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof si) < 0 && errno != EINTR)
			(void)poll(NULL, 0, 1000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

static void keeper_send(int sock, enum keeper_msg_kind kind, enum unc_launch_failure failure,
			pid_t pid, const struct unc_child_report *rep)
{
	struct keeper_msg m;

	memset(&m, 0, sizeof m);
	m.kind = kind;
	m.failure = failure;
	m.pid = pid;
	if (rep)
		m.rep = *rep;
	(void)send(sock, &m, sizeof m, MSG_NOSIGNAL);
}

static void keeper_fail(int sock, enum unc_launch_failure failure, const struct unc_error *err)
{
	struct unc_child_report rep;

	memset(&rep, 0, sizeof rep);
	rep.status = 125;
	rep.errnum = err->errnum;
	snprintf(rep.msg, sizeof rep.msg, "%s", err->msg);
	snprintf(rep.hint, sizeof rep.hint, "%s", err->hint);
	keeper_send(sock, KEEPER_FAILED, failure, 0, &rep);
}

/* Fill in what only the living holder can say, and the keeper's own. */
static int describe_holder(struct unc_session_state *st, pid_t holder, struct unc_error *err)
{
	uid_t owner;
	int r;

	st->holder = holder;
	st->keeper = getpid();
	st->created = (long long)time(NULL);
	r = read_start_time(holder, &st->holder_start);
	if (r == 0)
		r = read_start_time(st->keeper, &st->keeper_start);
	if (r == 0)
		r = read_userns(holder, &st->userns_dev, &st->userns_ino, &owner);
	if (r < 0)
		return unc_error_sys(err, -r, "cannot examine the holder (PID %d)", (int)holder);
	st->pidns_ino = ns_inode(holder, "pid");
	return 0;
}

/* The keeper's life after the holder is ready: wait for the holder's end
 * (or end it when the session has been idle long enough), reap it, remove
 * the state. */
static void keeper_watch(int dirfd, struct unc_child *holder, const struct unc_session_state *st)
{
	unsigned idle_for = 0;

	for (;;) {
		struct pollfd p = {.fd = holder->pidfd, .events = POLLIN};
		int r = poll(&p, 1, st->idle_s ? 1000 : -1);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			break;
		if (r == 0 && st->idle_s) {
			if (unc_session_count_processes(st) != 0)
				idle_for = 0;
			else if (++idle_for >= st->idle_s)
				(void)pidfd_signal(holder->pidfd, SIGKILL);
		}
	}
	while (waitpid(holder->pid, NULL, 0) < 0 && errno == EINTR)
		;
	unc_session_state_remove(dirfd, st);
}

static void keeper_main(const struct unc_session_create_spec *s, int sock)
{
	struct unc_session_state st = *s->state;
	struct unc_child holder;
	struct unc_child_report rep;
	struct unc_error err;
	int keep[3 + 16], nkeep = 0, null, r;
	size_t i;
	sigset_t none;
	char byte;
	ssize_t n;

	unc_error_clear(&err);
	/* nothing of the caller's: no terminal, no descriptor, no signal */
	(void)setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	keep[nkeep++] = sock;
	keep[nkeep++] = s->dirfd;
	for (i = 0; i < s->nkeep && nkeep < (int)(sizeof keep / sizeof keep[0]); i++)
		keep[nkeep++] = s->keep_fds[i];
	(void)unc_close_fds_except(keep, (size_t)nkeep);
	(void)prctl(PR_SET_NAME, "uncmap-keeper");

	r = unc_spawn_paused(s->clone_flags, UNC_SPAWN_COPY, holder_main, (void *)s, &holder, &err);
	if (r < 0 || holder.pidfd < 0) {
		if (r >= 0) {
			unc_child_abort(&holder);
			unc_error_set(&err, ENOSYS, "--session needs pidfd_open (Linux 5.3)");
		}
		keeper_fail(sock,
			    holder.failure == UNC_SPAWN_FAIL_USERNS ? UNC_LAUNCH_FAIL_USERNS
								    : UNC_LAUNCH_FAIL_SETUP,
			    &err);
		_exit(125);
	}
	keeper_send(sock, KEEPER_HOLDER, UNC_LAUNCH_OK, holder.pid, NULL);
	do {
		n = read(sock, &byte, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1 || byte != 'g') {
		/* the maps failed, or uncmap is gone: the holder never runs */
		unc_child_abort(&holder);
		_exit(125);
	}
	if (unc_child_release(&holder, &err) < 0) {
		unc_child_abort(&holder);
		keeper_fail(sock, UNC_LAUNCH_FAIL_SETUP, &err);
		_exit(125);
	}
	/* the holder closes its end of the report pipe once set up */
	r = unc_child_read_report(&holder, &rep);
	if (r != 0 || waitpid(holder.pid, NULL, WNOHANG) != 0) {
		if (r != 1) {
			memset(&rep, 0, sizeof rep);
			rep.status = 125;
			snprintf(rep.msg, sizeof rep.msg,
				 "the session's holder died while setting up");
		}
		unc_child_abort(&holder);
		keeper_send(sock, KEEPER_FAILED, UNC_LAUNCH_FAIL_CHILD, 0, &rep);
		_exit(125);
	}
	if (describe_holder(&st, holder.pid, &err) < 0 ||
	    unc_session_state_write(s->dirfd, &st, &err) < 0) {
		unc_child_abort(&holder);
		keeper_fail(sock, UNC_LAUNCH_FAIL_SETUP, &err);
		_exit(125);
	}
	keeper_send(sock, KEEPER_READY, UNC_LAUNCH_OK, holder.pid, NULL);
	close(holder.report_fd);
	holder.report_fd = -1;
	for (i = 0; i < s->nkeep; i++)
		close(s->keep_fds[i]);
	close(sock);
	if (chdir("/") < 0) {
		/* nothing to do: / always exists */
	}
	keeper_watch(s->dirfd, &holder, &st);
	_exit(0);
}

static int keeper_recv(int sock, struct keeper_msg *m)
{
	ssize_t n;

	do {
		n = recv(sock, m, sizeof *m, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof *m ? 0 : -EPIPE;
}

static int create_failed(struct launch_result *res, enum unc_launch_failure failure)
{
	res->failure = failure;
	return res->status = 125;
}

/* The keeper said it failed (r == 0, m) or died (r < 0): res and err
 * from what it said; the holder's own report as a child's failure. */
static int keeper_failure(int r, const struct keeper_msg *m, struct launch_result *res,
			  struct unc_error *err)
{
	if (r < 0 || m->kind != KEEPER_FAILED) {
		unc_error_set(err, EPIPE, "the session's keeper died");
		return create_failed(res, UNC_LAUNCH_FAIL_SETUP);
	}
	if (m->failure == UNC_LAUNCH_FAIL_CHILD) {
		res->report = m->rep;
		return create_failed(res, UNC_LAUNCH_FAIL_CHILD);
	}
	unc_error_set(err, m->rep.errnum, "%s", m->rep.msg);
	if (m->rep.hint[0])
		unc_error_hint(err, "%s", m->rep.hint);
	return create_failed(res, m->failure);
}

int unc_session_create(const struct unc_session_create_spec *s, struct launch_result *res,
		       struct unc_error *err)
{
	struct keeper_msg m;
	int sv[2], r;
	pid_t k0;

	memset(res, 0, sizeof *res);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		unc_error_sys(err, errno, "cannot create a socket pair");
		return create_failed(res, UNC_LAUNCH_FAIL_SETUP);
	}
	/* Two forks: the keeper is no child of ours, so nothing we do at
	 * the end of the first command (killing our descendants) reaches
	 * it, and it outlives us. */
	k0 = fork();
	if (k0 < 0) {
		unc_error_sys(err, errno, "cannot create the session's keeper");
		close(sv[0]);
		close(sv[1]);
		return create_failed(res, UNC_LAUNCH_FAIL_SETUP);
	}
	if (k0 == 0) {
		pid_t k;
		close(sv[0]);
		k = fork();
		if (k == 0)
			keeper_main(s, sv[1]);
		_exit(k < 0 ? 125 : 0);
	}
	close(sv[1]);
	while (waitpid(k0, NULL, 0) < 0 && errno == EINTR)
		;
	r = keeper_recv(sv[0], &m);
	if (r < 0 || m.kind != KEEPER_HOLDER) {
		close(sv[0]);
		return keeper_failure(r, &m, res, err);
	}
	if (s->mapper == UNC_MAPPER_HELPERS) {
		if (unc_map_run_helpers(m.pid, s->newuidmap, s->newgidmap, s->uid_plan, s->gid_plan,
					s->helper_timeout_ms, &res->uid_res, &res->gid_res) < 0) {
			close(sv[0]); /* the keeper kills the holder */
			return create_failed(res, UNC_LAUNCH_FAIL_HELPER);
		}
	} else if (unc_map_write_direct(m.pid, s->uid_plan, s->gid_plan,
					s->mapper == UNC_MAPPER_SELF, err) < 0) {
		close(sv[0]);
		return create_failed(res, UNC_LAUNCH_FAIL_MAP);
	}
	if (send(sv[0], "g", 1, MSG_NOSIGNAL) != 1) {
		unc_error_sys(err, errno, "cannot release the session's holder");
		close(sv[0]);
		return create_failed(res, UNC_LAUNCH_FAIL_SETUP);
	}
	r = keeper_recv(sv[0], &m);
	close(sv[0]);
	if (r == 0 && m.kind == KEEPER_READY)
		return 0;
	return keeper_failure(r, &m, res, err);
}

/* Wait until pidfd's process has ended, at most ms. */
static int wait_exit(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -ETIMEDOUT;
}

int unc_session_end(int dirfd, const struct unc_session_state *st, int pidfd, struct unc_error *err)
{
	unsigned long long start;
	int keeper = -1, r;

	/* the keeper, if it is still the one the state names */
	if (st->keeper > 0) {
		keeper = pidfd_open_pid(st->keeper);
		if (keeper >= 0 &&
		    (read_start_time(st->keeper, &start) < 0 || start != st->keeper_start)) {
			close(keeper);
			keeper = -1;
		}
	}
	r = pidfd_signal(pidfd, SIGKILL);
	if (r < 0 && r != -ESRCH) {
		if (keeper >= 0)
			close(keeper);
		return unc_error_sys(err, -r, "--end %s: cannot kill the holder (PID %d)", st->name,
				     (int)st->holder);
	}
	/* the holder has ended once its namespace is empty */
	r = wait_exit(pidfd, 10000);
	if (r == 0 && keeper >= 0)
		(void)wait_exit(keeper, 5000); /* it has reaped the holder */
	if (keeper >= 0)
		close(keeper);
	if (r < 0)
		return unc_error_sys(err, -r, "--end %s: the holder (PID %d) did not end", st->name,
				     (int)st->holder);
	unc_session_state_remove(dirfd, st);
	return 0;
}
