#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"

int unc_mount_parse_bind(const char *arg, enum mount_op_kind kind, const char *option,
			 struct mount_op *op, char **storage, struct unc_error *err)
{
	char *copy, *colon;

	if (!arg[0])
		return unc_error_set(err, EINVAL, "%s: empty value, expected SRC:DST", option);
	copy = strdup(arg);
	if (!copy)
		return unc_error_sys(err, ENOMEM, "%s", option);
	colon = strchr(copy, ':');
	if (!colon || colon == copy || colon[1] == '\0' || strchr(colon + 1, ':')) {
		free(copy);
		return unc_error_set(err, EINVAL, "%s: '%s' is not SRC:DST", option, arg);
	}
	*colon = '\0';
	if (colon[1] != '/') {
		unc_error_set(err, EINVAL, "%s: destination '%s' must be an absolute path", option,
			      colon + 1);
		free(copy);
		return -EINVAL;
	}
	op->kind = kind;
	op->src = copy;
	op->dst = colon + 1;
	op->option = option;
	*storage = copy;
	return 0;
}

static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* Where a destination is: inside the root (resolved there) or on the
 * host's tree. Returns an O_PATH fd or -errno. */
static int open_target(int rootfd, const char *dst)
{
	int fd;

	if (rootfd >= 0)
		fd = open_in_root(rootfd, dst, O_PATH);
	else
		fd = open(dst, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
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
		if (op->src && stat(op->src, &st) < 0)
			return unc_error_sys(err, errno, "%s: source '%s'", op->option, op->src);
		/* an earlier tmpfs or bind may create what a later one needs:
		 * only check destinations that no earlier op covers */
		int covered = 0;
		for (size_t j = 0; j < i && !covered; j++) {
			size_t l = strlen(plan->ops[j].dst);
			covered = strncmp(plan->ops[j].dst, op->dst, l) == 0 &&
				  (op->dst[l] == '/' || op->dst[l] == '\0' || l == 1);
		}
		if (covered)
			continue;
		fd = open_target(rootfd, op->dst);
		if (fd < 0) {
			if (plan->root)
				return unc_error_sys(err, -fd, "%s: destination '%s' in root '%s'",
						     op->option, op->dst, plan->root);
			return unc_error_sys(err, -fd, "%s: destination '%s'", op->option, op->dst);
		}
		if (op->src && fstat(fd, &dst_st) == 0 &&
		    S_ISDIR(st.st_mode) != S_ISDIR(dst_st.st_mode))
			return unc_error_set(
			    err, ENOTDIR, "%s: cannot mount %s '%s' on %s '%s'", op->option,
			    S_ISDIR(st.st_mode) ? "directory" : "file", op->src,
			    S_ISDIR(dst_st.st_mode) ? "directory" : "file", op->dst);
	}
	return 0;
}

/* dir + "/" + name into buf; refuses what does not fit */
static int join_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return 0;
}

/* mount_setattr(2): read-only, recursively, for binds and /sys. */
static int make_readonly(const char *path, struct unc_error *err, const char *what)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof attr) == 0)
		return 0;
	if (errno != ENOSYS)
		return unc_error_sys(err, errno, "%s: cannot make '%s' read-only", what, path);
	/* Before Linux 5.12 (or under valgrind): remount the top mount
	 * read-only, keeping the flags a user namespace may not drop. */
	if (statvfs(path, &sv) == 0) {
		flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
			 (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
			 (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) |
			 (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0) |
			 (sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0) |
			 (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0);
	}
	if (mount("none", path, "none", flags, NULL) < 0)
		return unc_error_sys(err, errno, "%s: cannot make '%s' read-only", what, path);
	return 0;
}

static int apply_op(int rootfd, const struct mount_op *op, struct unc_error *err)
{
	_cleanup_close_ int fd = open_target(rootfd, op->dst);
	char target[64];

	if (fd < 0)
		return unc_error_sys(err, -fd, "%s: destination '%s'", op->option, op->dst);
	fd_path(fd, target, sizeof target);
	switch (op->kind) {
	case UNC_MOUNT_TMPFS:
		if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
			return unc_error_sys(err, errno, "%s: cannot mount a tmpfs on '%s'",
					     op->option, op->dst);
		return 0;
	case UNC_MOUNT_BIND:
	case UNC_MOUNT_RO_BIND:
		if (mount(op->src, target, "none", MS_BIND | MS_REC, NULL) < 0)
			return unc_error_sys(err, errno, "%s: cannot bind '%s' on '%s'", op->option,
					     op->src, op->dst);
		if (op->kind == UNC_MOUNT_RO_BIND) {
			/* the fd names the covered inode; reopen the mount */
			_cleanup_close_ int mfd = open_target(rootfd, op->dst);
			char mpath[64];
			if (mfd < 0)
				return unc_error_sys(err, -mfd, "%s: destination '%s'", op->option,
						     op->dst);
			fd_path(mfd, mpath, sizeof mpath);
			return make_readonly(mpath, err, op->option);
		}
		return 0;
	}
	return 0;
}

static int mkdir_in(int dirfd, const char *name, mode_t mode)
{
	if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A minimal /dev on a tmpfs: host device nodes bound on empty files,
 * a private devpts with its own ptmx, /dev/shm, and the usual links. */
static int setup_dev(const char *newroot, struct unc_error *err)
{
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},	   {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	    {"pts/ptmx", "ptmx"},
	};
	char dev[PATH_MAX], path[PATH_MAX + 32];
	_cleanup_close_ int devfd = -1;
	size_t i;

	if (join_path(dev, sizeof dev, newroot, "dev") < 0)
		return unc_error_set(err, ENAMETOOLONG, "--root: path too long");
	if (mkdir(dev, 0755) < 0 && errno != EEXIST)
		return unc_error_sys(err, errno, "--root: cannot create %s", dev);
	if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") < 0)
		return unc_error_sys(err, errno, "--root: cannot mount a tmpfs on %s", dev);
	devfd = open(dev, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (devfd < 0)
		return unc_error_sys(err, errno, "--root: cannot open %s", dev);
	for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		char host[64];
		int fd;
		snprintf(host, sizeof host, "/dev/%s", nodes[i]);
		if (join_path(path, sizeof path, dev, nodes[i]) < 0)
			return unc_error_set(err, ENAMETOOLONG, "--root: path too long");
		fd = openat(devfd, nodes[i], O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (fd < 0)
			return unc_error_sys(err, errno, "--root: cannot create %s", path);
		close(fd);
		if (mount(host, path, "none", MS_BIND, NULL) < 0)
			return unc_error_sys(err, errno, "--root: cannot bind %s", host);
	}
	for (i = 0; i < sizeof links / sizeof links[0]; i++) {
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
			return unc_error_sys(err, errno, "--root: cannot create %s/%s", dev,
					     links[i][1]);
	}
	if (mkdir_in(devfd, "pts", 0755) < 0 || mkdir_in(devfd, "shm", 01777) < 0)
		return unc_error_sys(err, errno, "--root: cannot populate %s", dev);
	if (join_path(path, sizeof path, dev, "pts") < 0)
		return unc_error_set(err, ENAMETOOLONG, "--root: path too long");
	if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") < 0)
		return unc_error_sys(err, errno, "--root: cannot mount devpts on %s", path);
	if (join_path(path, sizeof path, dev, "shm") < 0)
		return unc_error_set(err, ENAMETOOLONG, "--root: path too long");
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return unc_error_sys(err, errno, "--root: cannot mount a tmpfs on %s", path);
	return 0;
}

static int setup_proc(const char *dir, int fresh, struct unc_error *err, const char *what)
{
	if (mkdir(dir, 0555) < 0 && errno != EEXIST)
		return unc_error_sys(err, errno, "%s: cannot create %s", what, dir);
	if (fresh) {
		if (mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return unc_error_sys(err, errno, "%s: cannot mount a fresh /proc on %s",
					     what, dir);
		return 0;
	}
	/* without a PID namespace of our own, a new proc cannot be mounted:
	 * show the host's */
	if (mount("/proc", dir, "none", MS_BIND | MS_REC, NULL) < 0)
		return unc_error_sys(err, errno, "%s: cannot bind /proc on %s", what, dir);
	return 0;
}

static int setup_sys(const char *newroot, struct unc_error *err)
{
	char path[PATH_MAX];

	if (join_path(path, sizeof path, newroot, "sys") < 0)
		return unc_error_set(err, ENAMETOOLONG, "--root: path too long");
	if (mkdir(path, 0555) < 0 && errno != EEXIST)
		return unc_error_sys(err, errno, "--root: cannot create %s", path);
	if (mount("/sys", path, "none", MS_BIND | MS_REC, NULL) < 0)
		return unc_error_sys(err, errno, "--root: cannot bind /sys on %s", path);
	return make_readonly(path, err, "--root");
}

int unc_mount_plan_apply(const struct mount_plan *plan, struct unc_error *err)
{
	_cleanup_close_ int rootfd = -1;
	char newroot[PATH_MAX], path[PATH_MAX + 16];
	size_t i;

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
		for (i = 0; i < plan->nops; i++)
			if (apply_op(-1, &plan->ops[i], err) < 0)
				return -1;
		return 0;
	}

	if (!realpath(plan->root, newroot))
		return unc_error_sys(err, errno, "--root: cannot use '%s'", plan->root);
	/* pivot_root needs the new root to be a mount point */
	if (mount(newroot, newroot, "none", MS_BIND | MS_REC, NULL) < 0)
		return unc_error_sys(err, errno, "--root: cannot bind '%s' on itself", newroot);
	if (join_path(path, sizeof path, newroot, "proc") < 0)
		return unc_error_set(err, ENAMETOOLONG, "--root: path too long");
	if (setup_proc(path, plan->have_pid_ns, err, "--root") < 0)
		return -1;
	if (setup_dev(newroot, err) < 0 || setup_sys(newroot, err) < 0)
		return -1;
	rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return unc_error_sys(err, errno, "--root: cannot open '%s'", newroot);
	for (i = 0; i < plan->nops; i++)
		if (apply_op(rootfd, &plan->ops[i], err) < 0)
			return -1;

	/* pivot_root(".", "."): the old root ends up on top of the new one
	 * and is detached at once; no directory for it is needed. */
	if (chdir(newroot) < 0)
		return unc_error_sys(err, errno, "--root: cannot enter '%s'", newroot);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return unc_error_sys(err, errno, "--root: pivot_root into '%s' failed", newroot);
	if (umount2(".", MNT_DETACH) < 0)
		return unc_error_sys(err, errno, "--root: cannot detach the old root");
	if (chdir("/") < 0)
		return unc_error_sys(err, errno, "--root: cannot enter the new root");
	return 0;
}
