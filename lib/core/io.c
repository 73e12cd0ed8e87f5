#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int unc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t unc_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int unc_read_file(const char *path, size_t max, char **out, size_t *out_len, struct unc_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t cap = 4096, len = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return unc_error_sys(err, errno, "cannot open %s", path);
	{
		/* size the buffer from the file: one read, no copying */
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		    (uint64_t)st.st_size < max)
			cap = (size_t)st.st_size + 1; /* +1 so EOF is seen in one more read */
	}
	buf = malloc(cap + 1);
	if (!buf)
		return unc_error_sys(err, ENOMEM, "cannot read %s", path);
	for (;;) {
		ssize_t n;
		if (len == cap) {
			char *bigger;
			if (cap >= max)
				return unc_error_set(err, EFBIG, "%s is larger than %zu bytes",
						     path, max);
			cap = cap * 2 > max ? max : cap * 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger)
				return unc_error_sys(err, ENOMEM, "cannot read %s", path);
			buf = bigger;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return unc_error_sys(err, errno, "cannot read %s", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (out_len)
		*out_len = len;
	*out = steal_pointer(&buf);
	return 0;
}

int unc_write_file_once(const char *path, const char *buf, size_t len, struct unc_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return unc_error_sys(err, errno, "cannot open %s", path);
	do {
		n = write(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return unc_error_sys(err, errno, "cannot write %s", path);
	if ((size_t)n != len)
		return unc_error_set(err, EIO, "short write to %s", path);
	return 0;
}
