/* faultshim.so: LD_PRELOAD it to make one system call fail on one path.
 *
 *   UNC_FAULT_OP    write | fsync | rename
 *   UNC_FAULT_PATH  the path whose call fails: for write and fsync, the
 *                   file the descriptor is open on; for rename, either
 *                   name. A path ending in '*' matches any path it begins.
 *   UNC_FAULT_ERRNO the errno to fail with: ENOSPC (default), EIO, EDQUOT
 *
 * Calls on other paths go through untouched. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int op_is(const char *op)
{
	const char *want = getenv("UNC_FAULT_OP");
	return want && strcmp(want, op) == 0;
}

static int path_matches(const char *path)
{
	const char *want = getenv("UNC_FAULT_PATH");
	size_t n;

	if (!want || !path)
		return 0;
	n = strlen(want);
	if (n > 0 && want[n - 1] == '*')
		return strncmp(path, want, n - 1) == 0;
	return strcmp(path, want) == 0;
}

static int fd_matches(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return path_matches(path);
}

static int fault_errno(void)
{
	const char *e = getenv("UNC_FAULT_ERRNO");

	if (e && strcmp(e, "EIO") == 0)
		return EIO;
	if (e && strcmp(e, "EDQUOT") == 0)
		return EDQUOT;
	return ENOSPC;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t count)
{
	if (op_is("write") && fd_matches(fd)) {
		errno = fault_errno();
		return -1;
	}
	return REAL("write", ssize_t(*)(int, const void *, size_t))(fd, buf, count);
}

int fsync(int fd)
{
	if (op_is("fsync") && fd_matches(fd)) {
		errno = fault_errno();
		return -1;
	}
	return REAL("fsync", int (*)(int))(fd);
}

int rename(const char *from, const char *to)
{
	if (op_is("rename") && (path_matches(from) || path_matches(to))) {
		errno = fault_errno();
		return -1;
	}
	return REAL("rename", int (*)(const char *, const char *))(from, to);
}
