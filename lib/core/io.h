/* io.h: the one read_all/write_all pair (EINTR and short transfers
 * handled), and whole-file helpers. */
#ifndef UNC_IO_H
#define UNC_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Write all of buf. Returns 0, or -errno. */
int unc_write_all(int fd, const void *buf, size_t len);

/* Read until len bytes or end of file. Returns bytes read, or -errno. */
ssize_t unc_read_all(int fd, void *buf, size_t len);

/* Read a whole file (at most max bytes) into a NUL-terminated buffer the
 * caller frees. Returns 0 or a negative value with err filled. */
int unc_read_file(const char *path, size_t max, char **out, size_t *out_len, struct unc_error *err);

/* Open path for writing without creating it and write buf in one write().
 * Used for /proc files such as uid_map, where the kernel wants the whole
 * map in a single write. */
int unc_write_file_once(const char *path, const char *buf, size_t len, struct unc_error *err);

#endif
