#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"

/* The mount options, described once: how each value is split and what
 * it becomes. */
struct mount_option_desc {
	const char *name;
	enum mount_op_kind kind;
	int nfields;	  /* 1: one path, taken literally; 0: an overlay */
	const char *form; /* for "is not FORM" */
	int try_src;
};

static const struct mount_option_desc mount_options[] = {
    {"--bind", UNC_MOUNT_BIND, 2, "SRC:DST", 0},
    {"--ro-bind", UNC_MOUNT_RO_BIND, 2, "SRC:DST", 0},
    {"--dev-bind", UNC_MOUNT_DEV_BIND, 2, "SRC:DST", 0},
    {"--bind-try", UNC_MOUNT_BIND, 2, "SRC:DST", 1},
    {"--ro-bind-try", UNC_MOUNT_RO_BIND, 2, "SRC:DST", 1},
    {"--dev-bind-try", UNC_MOUNT_DEV_BIND, 2, "SRC:DST", 1},
    {"--tmpfs", UNC_MOUNT_TMPFS, 1, NULL, 0},
    {"--dir", UNC_MOUNT_DIR, 1, NULL, 0},
    {"--remount-ro", UNC_MOUNT_REMOUNT_RO, 1, NULL, 0},
    {"--symlink", UNC_MOUNT_SYMLINK, 2, "TARGET:DST", 0},
    {"--chmod", UNC_MOUNT_CHMOD, 2, "MODE:PATH", 0},
    {"--file", UNC_MOUNT_FILE, 2, "FD:DST", 0},
    {"--ro-bind-data", UNC_MOUNT_RO_DATA, 2, "FD:DST", 0},
    {"--overlay", UNC_MOUNT_OVERLAY, 0, "LOWER[:LOWER...]:UPPER:WORK:DST", 0},
    {"--tmp-overlay", UNC_MOUNT_TMP_OVERLAY, 2, "LOWER:DST", 0},
};

#define MAX_FIELDS 64

static const struct mount_option_desc *find_option(const char *option)
{
	size_t i;

	for (i = 0; i < sizeof mount_options / sizeof mount_options[0]; i++)
		if (strcmp(mount_options[i].name, option) == 0)
			return &mount_options[i];
	return NULL;
}

int unc_mount_is_option(const char *option)
{
	return find_option(option) != NULL;
}

/* Split s in place on ':', turning '\:' into ':' and '\\' into '\'. The
 * fields stay consecutive in s, each after the previous one's NUL. */
static int split_fields(char *s, char **field, size_t max, size_t *n)
{
	char *w = s, *r;

	*n = 0;
	field[(*n)++] = w;
	for (r = s; *r; r++) {
		if (*r == '\\' && (r[1] == ':' || r[1] == '\\')) {
			*w++ = *++r;
		} else if (*r == ':') {
			*w++ = '\0';
			if (*n == max)
				return -E2BIG;
			field[(*n)++] = w;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return 0;
}

static int parse_fields(const struct mount_option_desc *d, const char *arg, char *copy,
			struct mount_op *op, struct unc_error *err)
{
	char *f[MAX_FIELDS];
	size_t n, i;
	uint64_t v;
	char *end;

	if (split_fields(copy, f, MAX_FIELDS, &n) < 0)
		return unc_error_set(err, E2BIG, "%s: more than %d fields in '%s'", d->name,
				     MAX_FIELDS, arg);
	for (i = 0; i < n; i++)
		if (!f[i][0])
			break;
	if (i < n || (d->nfields && n != (size_t)d->nfields) || (!d->nfields && n < 4))
		return unc_error_set(err, EINVAL, "%s: '%s' is not %s", d->name, arg, d->form);
	op->dst = f[n - 1];
	switch (d->kind) {
	case UNC_MOUNT_CHMOD:
		errno = 0;
		v = strtoull(f[0], &end, 8);
		if (errno || *end || f[0][0] < '0' || f[0][0] > '9' || v > 07777)
			return unc_error_set(err, EINVAL, "%s: '%s' is not an octal mode", d->name,
					     f[0]);
		op->mode = (mode_t)v;
		break;
	case UNC_MOUNT_FILE:
	case UNC_MOUNT_RO_DATA:
		errno = 0;
		v = strtoull(f[0], &end, 10);
		if (errno || *end || f[0][0] < '0' || f[0][0] > '9' || v > INT_MAX)
			return unc_error_set(err, EINVAL, "%s: '%s' is not a file descriptor",
					     d->name, f[0]);
		op->fd = (int)v;
		break;
	case UNC_MOUNT_OVERLAY:
		op->src = f[0];
		op->nlower = n - 3;
		op->upper = f[n - 3];
		op->work = f[n - 2];
		break;
	case UNC_MOUNT_TMP_OVERLAY:
		op->src = f[0];
		op->nlower = 1;
		break;
	default:
		op->src = f[0];
		break;
	}
	return 0;
}

int unc_mount_parse(const char *option, const char *arg, struct mount_op *op, char **storage,
		    struct unc_error *err)
{
	const struct mount_option_desc *d = find_option(option);
	char *copy;

	*storage = NULL;
	if (!d)
		return unc_error_set(err, EINVAL, "%s: not a mount option", option);
	memset(op, 0, sizeof *op);
	op->kind = d->kind;
	op->option = d->name;
	op->try_src = d->try_src;
	op->fd = -1;
	if (d->nfields == 1) {
		if (arg[0] != '/')
			return unc_error_set(err, EINVAL, "%s: '%s' is not an absolute path",
					     d->name, arg);
		op->dst = arg;
		return 0;
	}
	if (!arg[0])
		return unc_error_set(err, EINVAL, "%s: empty value, expected %s", d->name, d->form);
	copy = strdup(arg);
	if (!copy)
		return unc_error_sys(err, ENOMEM, "%s", d->name);
	if (parse_fields(d, arg, copy, op, err) < 0) {
		free(copy);
		return -EINVAL;
	}
	if (op->dst[0] != '/') {
		unc_error_set(err, EINVAL, "%s: destination '%s' must be an absolute path", d->name,
			      op->dst);
		free(copy);
		return -EINVAL;
	}
	*storage = copy;
	return 0;
}

static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	return fd < 0 ? -errno : fd;
}

/* Where a destination is: inside the root (resolved there) or on the
 * host's tree. Returns an O_PATH fd or -errno. */
static int open_target(int rootfd, const char *dst)
{
	int fd;

	if (rootfd >= 0)
		return open_in_root(rootfd, dst, O_PATH);
	fd = open(dst, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

enum make { MAKE_NONE, MAKE_DIR, MAKE_FILE };

/* Create `name` in dirfd (never following a symlink there) unless it
 * exists. */
static int make_at(int dirfd, const char *name, enum make what)
{
	int fd;

	if (what == MAKE_DIR) {
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
			return -errno;
		return 0;
	}
	fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/* The O_PATH fd of a destination. Inside a root, what is missing is made:
 * each missing parent a directory, the last component `last`. Every
 * component is created by name in its parent, and that parent was itself
 * resolved in the root, so neither a symlink, nor "..", nor a directory
 * swapped for a symlink meanwhile can lead a creation out of the root.
 * Without a root (rootfd < 0) nothing is created. */
static int open_dst(int rootfd, const char *path, enum make last)
{
	_cleanup_close_ int parent = -1;
	char buf[PATH_MAX], *p;
	size_t len = strlen(path);
	int fd = open_target(rootfd, path);

	if (fd != -ENOENT || rootfd < 0 || last == MAKE_NONE)
		return fd;
	if (len >= sizeof buf)
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (parent < 0)
		return -errno;
	for (p = buf;;) {
		char *end, save;
		int at_end, r;

		p += strspn(p, "/");
		if (!*p)
			return -ENOENT;
		end = strchrnul(p, '/');
		at_end = end[strspn(end, "/")] == '\0';
		save = *end;
		*end = '\0';
		fd = open_in_root(rootfd, buf, O_PATH);
		if (fd == -ENOENT) {
			r = make_at(parent, p, at_end ? last : MAKE_DIR);
			if (r < 0)
				return r;
			fd = open_in_root(rootfd, buf, O_PATH);
		}
		if (fd < 0 || at_end)
			return fd;
		*end = save;
		close(parent);
		parent = fd;
		p = end;
	}
}

static void fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* mount_setattr(2), recursively: read-only for ro binds and /sys, no
 * devices for plain binds. */
static int restrict_mount(const char *path, unsigned long long attr, struct unc_error *err,
			  const char *what, const char *name)
{
	struct mount_attr ma = {.attr_set = attr};
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND;

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &ma, sizeof ma) == 0)
		return 0;
	if (errno != ENOSYS)
		goto fail;
	/* Before Linux 5.12 (or under valgrind): remount the top mount,
	 * keeping the flags a user namespace may not drop. */
	if (statvfs(path, &sv) == 0) {
		flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
			 (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
			 (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) |
			 (sv.f_flag & ST_RDONLY ? MS_RDONLY : 0) |
			 (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0) |
			 (sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0) |
			 (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0);
	}
	flags |=
	    (attr & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) | (attr & MOUNT_ATTR_NODEV ? MS_NODEV : 0);
	if (mount("none", path, "none", flags, NULL) == 0)
		return 0;
fail:
	return unc_error_sys(err, errno, "%s%scannot make '%s' %s", what ? what : "",
			     what ? ": " : "", name,
			     attr & MOUNT_ATTR_RDONLY ? "read-only" : "nodev");
}

/* What the operations of one launch share. */
struct apply_ctx {
	int rootfd;    /* the new root, or -1 */
	int devfd;     /* its /dev (ours), once the private tmpfs exists */
	int scratchfd; /* that tmpfs, for --file data; or -1 */
	unsigned nscratch;
};

#define SCRATCH_NAME ".uncmap-data"

static int kernel_older_than(int major, int minor, char *release, size_t size)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) < 0)
		return 0;
	snprintf(release, size, "%s", u.release);
	if (sscanf(u.release, "%d.%d", &a, &b) != 2)
		return 0;
	return a < major || (a == major && b < minor);
}

/* Mount an overlay on target from directory fds (their /proc/self/fd
 * names spare us overlayfs's escaping of ':' and ','). */
static int mount_overlay(const char *target, const int *lower, size_t nlower, int upper, int work,
			 const char *option, const char *dst, struct unc_error *err)
{
	char opts[4096], rel[sizeof((struct utsname *)0)->release];
	size_t used = 0, i;
	int n;

	n = snprintf(opts, sizeof opts, "lowerdir=");
	used = (size_t)n;
	for (i = 0; i < nlower; i++) {
		n = snprintf(opts + used, sizeof opts - used, "%s/proc/self/fd/%d", i ? ":" : "",
			     lower[i]);
		if (n < 0 || (size_t)n >= sizeof opts - used)
			return unc_error_set(err, E2BIG, "%s: too many lower directories", option);
		used += (size_t)n;
	}
	n = snprintf(opts + used, sizeof opts - used,
		     ",upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,userxattr", upper, work);
	if (n < 0 || (size_t)n >= sizeof opts - used)
		return unc_error_set(err, E2BIG, "%s: too many lower directories", option);
	if (mount("overlay", target, "overlay", MS_NOSUID | MS_NODEV, opts) == 0)
		return 0;
	if (errno == EINVAL) {
		/* before Linux 5.11 overlayfs knows no userxattr */
		opts[strlen(opts) - strlen(",userxattr")] = '\0';
		if (mount("overlay", target, "overlay", MS_NOSUID | MS_NODEV, opts) == 0)
			return 0;
	}
	n = errno;
	unc_error_sys(err, n, "%s: cannot mount an overlay on '%s'", option, dst);
	if (kernel_older_than(5, 11, rel, sizeof rel))
		unc_error_hint(err,
			       "overlayfs in a user namespace needs Linux 5.11 or later; "
			       "this is Linux %s",
			       rel);
	return -n;
}

/* Upper and work directories on a fresh tmpfs mounted on `target` (the
 * O_PATH name of dst), whose old content (the lower, opened before) it
 * hides until the overlay covers it. dst is opened again (in the root
 * when rootfd >= 0) to reach the tmpfs, and must then be that empty
 * tmpfs. The upper gets the lower's mode and owner, so the overlay's top
 * directory looks like the lower's. */
static int tmp_upper(int rootfd, const char *dst, const char *target, int lowerfd, int *upper,
		     int *work, const char *option, struct unc_error *err)
{
	_cleanup_close_ int tfd = -1;
	struct statfs sf;
	struct stat st;

	if (fstat(lowerfd, &st) < 0)
		return unc_error_sys(err, errno, "%s: lower of '%s'", option, dst);
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
		return unc_error_sys(err, errno, "%s: cannot mount a tmpfs for the upper of '%s'",
				     option, dst);
	tfd = open_target(rootfd, dst);
	if (tfd < 0)
		return unc_error_sys(err, -tfd, "%s: destination '%s'", option, dst);
	if (fstatfs(tfd, &sf) < 0 || sf.f_type != TMPFS_MAGIC)
		return unc_error_set(err, EBUSY, "%s: '%s' changed during setup", option, dst);
	if (mkdirat(tfd, "upper", 0700) < 0 || mkdirat(tfd, "work", 0700) < 0)
		return unc_error_sys(err, errno, "%s: cannot make the upper of '%s'", option, dst);
	*upper = openat(tfd, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	*work = openat(tfd, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*upper < 0 || *work < 0)
		return unc_error_sys(err, errno, "%s: cannot open the upper of '%s'", option, dst);
	/* the owner may be unmapped here: keep what the tmpfs gave then */
	if (fchown(*upper, st.st_uid, st.st_gid) < 0 && errno != EINVAL)
		return unc_error_sys(err, errno, "%s: cannot give the upper of '%s' its owner",
				     option, dst);
	if (fchmod(*upper, st.st_mode & 07777) < 0)
		return unc_error_sys(err, errno, "%s: cannot give the upper of '%s' its mode",
				     option, dst);
	return 0;
}

/* --overlay and --tmp-overlay on the (already opened) destination. */
static int apply_overlay(int rootfd, const struct mount_op *op, const char *target,
			 struct unc_error *err)
{
	int lower[MAX_FIELDS];
	_cleanup_close_ int upper = -1, work = -1;
	const char *p = op->src;
	size_t i, n = 0;
	int r = 0;

	for (i = 0; i < op->nlower; i++, p += strlen(p) + 1) {
		lower[n] = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (lower[n] < 0) {
			r = unc_error_sys(err, errno, "%s: lower directory '%s'", op->option, p);
			goto out;
		}
		n++;
	}
	if (op->kind == UNC_MOUNT_OVERLAY) {
		upper = open(op->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (upper < 0) {
			r = unc_error_sys(err, errno, "%s: upper directory '%s'", op->option,
					  op->upper);
			goto out;
		}
		work = open(op->work, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (work < 0) {
			r = unc_error_sys(err, errno, "%s: work directory '%s'", op->option,
					  op->work);
			goto out;
		}
	} else if ((r = tmp_upper(rootfd, op->dst, target, lower[0], &upper, &work, op->option,
				  err)) < 0) {
		goto out;
	}
	r = mount_overlay(target, lower, n, upper, work, op->option, op->dst, err);
out:
	for (i = 0; i < n; i++)
		close(lower[i]);
	return r;
}

/* The private tmpfs for --file data, made on first use in the root's
 * /dev (our own tmpfs), every step by descriptor: nothing the tree holds
 * can redirect it. */
static int open_scratch(struct apply_ctx *c, const char *option, struct unc_error *err)
{
	_cleanup_close_ int dir = -1;
	char path[64];
	struct statfs sf;

	c->devfd = open_in_root(c->rootfd, "/dev", O_PATH | O_DIRECTORY);
	if (c->devfd < 0)
		return unc_error_sys(err, -c->devfd, "%s: cannot open /dev", option);
	if (mkdirat(c->devfd, SCRATCH_NAME, 0700) < 0)
		return unc_error_sys(err, errno, "%s: cannot make a private tmpfs", option);
	dir = openat(c->devfd, SCRATCH_NAME, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return unc_error_sys(err, errno, "%s: cannot make a private tmpfs", option);
	fd_path(dir, path, sizeof path);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
		return unc_error_sys(err, errno, "%s: cannot make a private tmpfs", option);
	/* the fd names the covered directory: open what covers it */
	c->scratchfd =
	    openat(c->devfd, SCRATCH_NAME, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->scratchfd < 0 || fstatfs(c->scratchfd, &sf) < 0 || sf.f_type != TMPFS_MAGIC)
		return unc_error_set(err, EBUSY, "%s: the private tmpfs changed during setup",
				     option);
	return 0;
}

/* Detach the private tmpfs: the copies stay reachable through their
 * binds only. */
static int close_scratch(struct apply_ctx *c, struct unc_error *err)
{
	char path[64];
	int r = 0;

	if (c->scratchfd >= 0) {
		fd_path(c->scratchfd, path, sizeof path);
		if (umount2(path, MNT_DETACH) < 0 ||
		    unlinkat(c->devfd, SCRATCH_NAME, AT_REMOVEDIR) < 0)
			r = unc_error_sys(err, errno, "cannot detach /dev/" SCRATCH_NAME);
		close(c->scratchfd);
		c->scratchfd = -1;
	}
	if (c->devfd >= 0)
		close(c->devfd);
	c->devfd = -1;
	return r;
}

/* A private copy of the data on descriptor fd, in the private tmpfs.
 * Returns an fd of the copy. */
static int copy_data(struct apply_ctx *c, const struct mount_op *op, struct unc_error *err)
{
	_cleanup_close_ int out = -1;
	char name[32], buf[65536];
	ssize_t n;

	if (c->scratchfd < 0 && open_scratch(c, op->option, err) < 0)
		return -1;
	snprintf(name, sizeof name, "%u", c->nscratch++);
	out = openat(c->scratchfd, name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC,
		     op->kind == UNC_MOUNT_RO_DATA ? 0444 : 0644);
	if (out < 0)
		return unc_error_sys(err, errno, "%s: cannot make the copy", op->option);
	for (;;) {
		n = read(op->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return unc_error_sys(err, errno, "%s: cannot read descriptor %d",
					     op->option, op->fd);
		if (n == 0)
			break;
		if (unc_write_all(out, buf, (size_t)n) < 0)
			return unc_error_sys(err, errno, "%s: cannot copy descriptor %d",
					     op->option, op->fd);
	}
	return take_fd(&out);
}

/* --symlink: the link is made by name in its parent, resolved (and made
 * when missing) in the root; an identical link already there is fine,
 * as in bwrap. */
static int make_symlink(const struct apply_ctx *c, const struct mount_op *op, struct unc_error *err)
{
	char dir[PATH_MAX + 1], old[PATH_MAX], *name;
	_cleanup_close_ int parent = -1;
	size_t len = strlen(op->dst);
	ssize_t n;

	if (len >= sizeof dir)
		return unc_error_set(err, ENAMETOOLONG, "%s: '%s' is too long", op->option,
				     op->dst);
	memcpy(dir, op->dst, len + 1);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	name = strrchr(dir, '/') + 1;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return unc_error_set(err, EINVAL, "%s: '%s' names no link", op->option, op->dst);
	/* dir keeps its last '/': "/" for a link at the top */
	memmove(name + 1, name, strlen(name) + 1);
	*name++ = '\0';
	parent = open_dst(c->rootfd, dir, MAKE_DIR);
	if (parent < 0)
		return unc_error_sys(err, -parent, "%s: destination '%s'", op->option, op->dst);
	if (symlinkat(op->src, parent, name) == 0)
		return 0;
	if (errno != EEXIST)
		return unc_error_sys(err, errno, "%s: cannot make '%s'", op->option, op->dst);
	n = readlinkat(parent, name, old, sizeof old - 1);
	if (n >= 0) {
		old[n] = '\0';
		if (strcmp(old, op->src) == 0)
			return 0;
	}
	return unc_error_set(err, EEXIST, "%s: '%s' already exists", op->option, op->dst);
}

/* The kind of thing a bind source is, to make its destination: a
 * directory for a directory, a file for anything else. */
static enum make make_for(const char *src)
{
	struct stat st;
	return stat(src, &st) == 0 && S_ISDIR(st.st_mode) ? MAKE_DIR : MAKE_FILE;
}

static int apply_op(struct apply_ctx *c, const struct mount_op *op, struct unc_error *err)
{
	static const enum make makes[] = {
	    [UNC_MOUNT_TMPFS] = MAKE_DIR,	[UNC_MOUNT_DIR] = MAKE_DIR,
	    [UNC_MOUNT_FILE] = MAKE_FILE,	[UNC_MOUNT_RO_DATA] = MAKE_FILE,
	    [UNC_MOUNT_OVERLAY] = MAKE_DIR,	[UNC_MOUNT_TMP_OVERLAY] = MAKE_DIR,
	    [UNC_MOUNT_REMOUNT_RO] = MAKE_NONE, [UNC_MOUNT_CHMOD] = MAKE_NONE,
	};
	_cleanup_close_ int fd = -1, data = -1;
	int is_bind = op->kind == UNC_MOUNT_BIND || op->kind == UNC_MOUNT_RO_BIND ||
		      op->kind == UNC_MOUNT_DEV_BIND;
	const char *src = op->src;
	char target[64], srcpath[64];

	if (op->kind == UNC_MOUNT_SYMLINK)
		return make_symlink(c, op, err);
	if (is_bind && op->try_src && access(src, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (op->kind == UNC_MOUNT_FILE || op->kind == UNC_MOUNT_RO_DATA) {
		data = copy_data(c, op, err);
		if (data < 0)
			return data;
		fd_path(data, srcpath, sizeof srcpath);
		src = srcpath;
	}
	fd = open_dst(c->rootfd, op->dst, is_bind ? make_for(src) : makes[op->kind]);
	if (fd < 0)
		return unc_error_sys(err, -fd, "%s: destination '%s'", op->option, op->dst);
	fd_path(fd, target, sizeof target);
	switch (op->kind) {
	case UNC_MOUNT_TMPFS:
		if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
			return unc_error_sys(err, errno, "%s: cannot mount a tmpfs on '%s'",
					     op->option, op->dst);
		return 0;
	case UNC_MOUNT_DIR: {
		struct stat st;
		if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
			return unc_error_set(err, ENOTDIR, "%s: '%s' is not a directory",
					     op->option, op->dst);
		return 0;
	}
	case UNC_MOUNT_CHMOD:
		if (chmod(target, op->mode) < 0)
			return unc_error_sys(err, errno, "%s: cannot change the mode of '%s'",
					     op->option, op->dst);
		return 0;
	case UNC_MOUNT_REMOUNT_RO:
		return restrict_mount(target, MOUNT_ATTR_RDONLY, err, op->option, op->dst);
	case UNC_MOUNT_OVERLAY:
	case UNC_MOUNT_TMP_OVERLAY:
		return apply_overlay(c->rootfd, op, target, err);
	case UNC_MOUNT_SYMLINK:
		return 0;
	case UNC_MOUNT_BIND:
	case UNC_MOUNT_RO_BIND:
	case UNC_MOUNT_DEV_BIND:
	case UNC_MOUNT_FILE:
	case UNC_MOUNT_RO_DATA:
		break;
	}
	if (mount(src, target, "none", MS_BIND | MS_REC, NULL) < 0)
		return unc_error_sys(err, errno, "%s: cannot bind '%s' on '%s'", op->option,
				     is_bind ? op->src : "the data", op->dst);
	if (op->kind != UNC_MOUNT_DEV_BIND) {
		/* fd names the covered inode; reopen the mount */
		unsigned long long attr =
		    op->kind == UNC_MOUNT_RO_BIND || op->kind == UNC_MOUNT_RO_DATA
			? MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV
			: MOUNT_ATTR_NODEV;
		_cleanup_close_ int mfd = open_target(c->rootfd, op->dst);
		char mpath[64];
		if (mfd < 0)
			return unc_error_sys(err, -mfd, "%s: destination '%s'", op->option,
					     op->dst);
		fd_path(mfd, mpath, sizeof mpath);
		return restrict_mount(mpath, attr, err, op->option, op->dst);
	}
	return 0;
}

int unc_mount_plan_check(const struct mount_plan *plan, struct unc_error *err)
{
	_cleanup_close_ int rootfd = -1;
	struct stat st;
	size_t i;

	if (plan->root) {
		rootfd = open(plan->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return unc_error_sys(err, errno, "--root: cannot use '%s'", plan->root);
	}
	for (i = 0; i < plan->nops; i++) {
		const struct mount_op *op = &plan->ops[i];
		_cleanup_close_ int fd = -1;
		struct stat dst_st;
		int is_bind = op->kind == UNC_MOUNT_BIND || op->kind == UNC_MOUNT_RO_BIND ||
			      op->kind == UNC_MOUNT_DEV_BIND;
		int covered = 0;

		if (op->optional)
			continue;
		if (!plan->root && (op->kind == UNC_MOUNT_DIR || op->kind == UNC_MOUNT_SYMLINK ||
				    op->kind == UNC_MOUNT_CHMOD || op->fd >= 0)) {
			unc_error_set(err, EINVAL, "%s: '%s' is not inside a --root", op->option,
				      op->dst);
			unc_error_hint(err,
				       "uncmap never creates or changes host paths; %s works "
				       "only with --root",
				       op->option);
			return -EINVAL;
		}
		if (is_bind && stat(op->src, &st) < 0) {
			if (op->try_src && errno == ENOENT)
				continue;
			return unc_error_sys(err, errno, "%s: source '%s'", op->option, op->src);
		}
		if (op->kind == UNC_MOUNT_OVERLAY || op->kind == UNC_MOUNT_TMP_OVERLAY) {
			const char *p = op->src;
			for (size_t l = 0; l < op->nlower + (op->upper ? 2 : 0); l++) {
				const char *d = l < op->nlower	  ? p
						: l == op->nlower ? op->upper
								  : op->work;
				if (stat(d, &st) < 0)
					return unc_error_sys(err, errno, "%s: directory '%s'",
							     op->option, d);
				if (!S_ISDIR(st.st_mode))
					return unc_error_set(err, ENOTDIR,
							     "%s: '%s' is not a directory",
							     op->option, d);
				if (l < op->nlower)
					p += strlen(p) + 1;
			}
		}
		if (op->fd >= 0 && fcntl(op->fd, F_GETFD) < 0)
			return unc_error_set(err, EBADF, "%s: descriptor %d is not open",
					     op->option, op->fd);
		/* an earlier operation may make what a later one needs: only
		 * check destinations that no earlier one covers */
		for (size_t j = 0; j < i && !covered; j++) {
			const char *earlier = plan->ops[j].dst;
			size_t l = strlen(earlier), m = strlen(op->dst);
			covered = strncmp(earlier, op->dst, l) == 0 &&
				  (op->dst[l] == '/' || op->dst[l] == '\0' || l == 1);
			/* inside a root, an earlier one made its parents too */
			covered |=
			    plan->root && strncmp(earlier, op->dst, m) == 0 && earlier[m] == '/';
		}
		if (covered || op->kind == UNC_MOUNT_SYMLINK)
			continue;
		fd = open_target(rootfd, op->dst);
		if (fd == -ENOENT && plan->root && op->kind != UNC_MOUNT_REMOUNT_RO &&
		    op->kind != UNC_MOUNT_CHMOD)
			continue; /* made at launch */
		if (fd < 0) {
			if (plan->root)
				return unc_error_sys(err, -fd, "%s: destination '%s' in root '%s'",
						     op->option, op->dst, plan->root);
			unc_error_sys(err, -fd, "%s: destination '%s'", op->option, op->dst);
			if (fd == -ENOENT)
				unc_error_hint(err, "uncmap creates missing destinations only "
						    "inside --root, never on the host");
			return fd;
		}
		if (is_bind && fstat(fd, &dst_st) == 0 &&
		    S_ISDIR(st.st_mode) != S_ISDIR(dst_st.st_mode))
			return unc_error_set(
			    err, ENOTDIR, "%s: cannot mount %s '%s' on %s '%s'", op->option,
			    S_ISDIR(st.st_mode) ? "directory" : "file", op->src,
			    S_ISDIR(dst_st.st_mode) ? "directory" : "file", op->dst);
	}
	return 0;
}

/* The O_PATH fd of `name` in dirfd, a directory made when missing. Never
 * through a symlink: a tree whose /dev is a link gets an error, not a
 * mount where the link points. */
static int dir_at(int dirfd, const char *name, mode_t mode)
{
	int fd;

	if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Mount on the directory `name` of dirfd (made when missing), by
 * descriptor; src NULL for a new filesystem of type fstype. Returns the
 * fd of what is mounted there now, or -errno. */
static int mount_at(int dirfd, const char *name, mode_t mode, const char *src, const char *fstype,
		    unsigned long flags, const char *data)
{
	_cleanup_close_ int fd = dir_at(dirfd, name, mode);
	char target[64];

	if (fd < 0)
		return fd;
	fd_path(fd, target, sizeof target);
	if (mount(src ? src : fstype, target, src ? "none" : fstype, flags, data) < 0)
		return -errno;
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : take_fd(&fd);
}

/* A minimal /dev on a tmpfs: host device nodes bound on empty files,
 * a private devpts with its own ptmx, /dev/shm, and the usual links. */
static int setup_dev(int rootfd, struct unc_error *err)
{
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},	   {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	    {"pts/ptmx", "ptmx"},
	};
	_cleanup_close_ int devfd = -1;
	int fd;
	size_t i;

	devfd = mount_at(rootfd, "dev", 0755, NULL, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
	if (devfd < 0)
		return unc_error_sys(err, -devfd, "cannot mount a tmpfs on /dev");
	for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		char host[64], target[64];
		_cleanup_close_ int node = -1;
		snprintf(host, sizeof host, "/dev/%s", nodes[i]);
		fd = openat(devfd, nodes[i], O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (fd < 0)
			return unc_error_sys(err, errno, "cannot create %s", host);
		close(fd);
		node = openat(devfd, nodes[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (node < 0)
			return unc_error_sys(err, errno, "cannot open %s", host);
		fd_path(node, target, sizeof target);
		if (mount(host, target, "none", MS_BIND, NULL) < 0)
			return unc_error_sys(err, errno, "cannot bind %s", host);
	}
	for (i = 0; i < sizeof links / sizeof links[0]; i++) {
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
			return unc_error_sys(err, errno, "cannot create /dev/%s", links[i][1]);
	}
	fd = mount_at(devfd, "pts", 0755, NULL, "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=620");
	if (fd < 0)
		return unc_error_sys(err, -fd, "cannot mount devpts on /dev/pts");
	close(fd);
	fd = mount_at(devfd, "shm", 01777, NULL, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (fd < 0)
		return unc_error_sys(err, -fd, "cannot mount a tmpfs on /dev/shm");
	close(fd);
	return 0;
}

/* A fresh /proc with a PID namespace of our own; the host's otherwise (a
 * new proc cannot be mounted then). */
static int setup_proc(int rootfd, int fresh, struct unc_error *err)
{
	int fd = fresh ? mount_at(rootfd, "proc", 0555, NULL, "proc",
				  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)
		       : mount_at(rootfd, "proc", 0555, "/proc", NULL, MS_BIND | MS_REC, NULL);

	if (fd < 0)
		return unc_error_sys(err, -fd,
				     fresh ? "cannot mount a fresh /proc" : "cannot bind /proc");
	close(fd);
	return 0;
}

static int setup_sys(int rootfd, struct unc_error *err)
{
	_cleanup_close_ int fd =
	    mount_at(rootfd, "sys", 0555, "/sys", NULL, MS_BIND | MS_REC, NULL);
	char path[64];

	if (fd < 0)
		return unc_error_sys(err, -fd, "cannot bind /sys");
	fd_path(fd, path, sizeof path);
	return restrict_mount(path, MOUNT_ATTR_RDONLY, err, NULL, "/sys");
}

/* --root-overlay: the root directory becomes the lower of an overlay
 * whose upper is a tmpfs, mounted on the root's own path; the tree is
 * never written. */
static int overlay_root(const char *newroot, struct unc_error *err)
{
	_cleanup_close_ int lower = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int upper = -1, work = -1;

	if (lower < 0)
		return unc_error_sys(err, errno, "cannot open '%s'", newroot);
	if (tmp_upper(-1, newroot, newroot, lower, &upper, &work, "--root-overlay", err) < 0)
		return -1;
	return mount_overlay(newroot, &lower, 1, upper, work, "--root-overlay", newroot, err);
}

/* Everything --root does before the command line's operations: the root
 * a mount point (an overlay with --root-overlay), its /proc, /dev, /sys.
 * Messages name no option: the caller adds it, once. */
static int setup_root(const struct mount_plan *plan, const char *newroot, int *rootfd,
		      struct unc_error *err)
{
	if (plan->root_overlay && overlay_root(newroot, err) < 0)
		return -1;
	/* pivot_root needs the new root to be a mount point */
	if (mount(newroot, newroot, "none", MS_BIND | MS_REC, NULL) < 0)
		return unc_error_sys(err, errno, "cannot bind '%s' on itself", newroot);
	*rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0)
		return unc_error_sys(err, errno, "cannot open '%s'", newroot);
	if (setup_proc(*rootfd, plan->have_pid_ns, err) < 0 || setup_dev(*rootfd, err) < 0 ||
	    setup_sys(*rootfd, err) < 0)
		return -1;
	return 0;
}

/* pivot_root(".", "."): the old root ends up on top of the new one and is
 * detached at once; no directory for it is needed. */
static int enter_root(const char *newroot, struct unc_error *err)
{
	if (chdir(newroot) < 0)
		return unc_error_sys(err, errno, "cannot enter '%s'", newroot);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return unc_error_sys(err, errno, "pivot_root into '%s' failed", newroot);
	if (umount2(".", MNT_DETACH) < 0)
		return unc_error_sys(err, errno, "cannot detach the old root");
	if (chdir("/") < 0)
		return unc_error_sys(err, errno, "cannot enter the new root");
	return 0;
}

static void close_data_fds(const struct mount_plan *plan)
{
	size_t i;

	/* standard descriptors stay: read to their end, but the command's */
	for (i = 0; i < plan->nops; i++)
		if (plan->ops[i].fd > 2)
			(void)close(plan->ops[i].fd);
}

int unc_mount_plan_apply(const struct mount_plan *plan, struct unc_error *err)
{
	struct apply_ctx c = {.rootfd = -1, .devfd = -1, .scratchfd = -1};
	char newroot[PATH_MAX];
	size_t i;
	int r = 0;

	if (!plan->private_mounts && !plan->root && !plan->mount_proc && plan->nops == 0)
		return 0;
	/* Nothing we mount may propagate back to the host. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return unc_error_sys(err, errno, "cannot make the mounts private");

	if (!plan->root) {
		if (plan->mount_proc &&
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return unc_error_sys(err, errno,
					     "--mount-proc: cannot mount a fresh /proc");
		for (i = 0; i < plan->nops && r == 0; i++)
			r = apply_op(&c, &plan->ops[i], err);
		close_data_fds(plan);
		return r < 0 ? r : 0;
	}

	if (!realpath(plan->root, newroot)) {
		r = unc_error_sys(err, errno, "cannot use '%s'", plan->root);
	} else if ((r = setup_root(plan, newroot, &c.rootfd, err)) == 0) {
		for (i = 0; i < plan->nops && r == 0; i++) {
			r = apply_op(&c, &plan->ops[i], err);
			if (r < 0 && plan->ops[i].optional)
				r = 0;
			else if (r < 0)
				goto out; /* the operation names itself */
		}
		if (r == 0)
			r = close_scratch(&c, err);
		if (r == 0)
			r = enter_root(newroot, err);
	}
	if (r < 0)
		unc_error_prefix(err, plan->root_overlay ? "--root-overlay" : "--root");
out:
	(void)close_scratch(&c, NULL);
	if (c.rootfd >= 0)
		close(c.rootfd);
	close_data_fds(plan);
	return r < 0 ? r : 0;
}
