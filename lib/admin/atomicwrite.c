#include "atomicwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"

/* Write data to a fresh file at path with st's mode and owner (or mode
 * alone when st is NULL), and fsync it. On failure path is removed. */
static int write_fresh(const char *path, const char *data, size_t len, const struct stat *st,
		       unsigned mode, int sync, struct unc_error *err)
{
	int fd, r;

	if (unlink(path) < 0 && errno != ENOENT)
		return unc_error_sys(err, errno, "cannot remove the leftover %s", path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
	if (fd < 0)
		return unc_error_sys(err, errno, "cannot create %s", path);
	if (st) {
		/* Owner first: fchown clears set-ID bits that fchmod then sets. */
		if (fchown(fd, st->st_uid, st->st_gid) < 0 &&
		    (st->st_uid != geteuid() || st->st_gid != getegid())) {
			r = unc_error_sys(err, errno, "cannot give %s its owner", path);
			goto fail;
		}
		mode = st->st_mode & 07777;
	}
	if (fchmod(fd, mode) < 0) {
		r = unc_error_sys(err, errno, "cannot set the mode of %s", path);
		goto fail;
	}
	r = unc_write_all(fd, data, len);
	if (r < 0) {
		r = unc_error_sys(err, -r, "cannot write %s", path);
		goto fail;
	}
	if (sync && fsync(fd) < 0) {
		r = unc_error_sys(err, errno, "cannot write %s: fsync", path);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = unc_error_sys(err, errno, "cannot write %s: close", path);
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(path);
	return r;
}

int unc_fsync_dir_of(const char *path, struct unc_error *err)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_close_ int fd = -1;

	if (!copy)
		return unc_error_sys(err, ENOMEM, "cannot sync the directory of %s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return unc_error_sys(err, errno, "cannot sync the directory of %s", path);
	return 0;
}

static int atomic_replace(const char *path, const char *data, size_t len, const char *old,
			  size_t old_len, unsigned new_mode, int *replaced, int dirsync,
			  struct unc_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_free_ char *backup = NULL;
	_cleanup_free_ char *backup_tmp = NULL;
	struct stat st;
	int have_old = old != NULL;
	int r;

	*replaced = 0;

	if (asprintf(&tmp, "%s+", path) < 0 || asprintf(&backup, "%s-", path) < 0 ||
	    asprintf(&backup_tmp, "%s-+", path) < 0)
		return unc_error_sys(err, ENOMEM, "cannot write %s", path);
	if (have_old && stat(path, &st) < 0)
		return unc_error_sys(err, errno, "cannot write %s: stat", path);

	if (have_old) {
		/* The backup is itself replaced atomically: a crash never
		 * leaves a half-written FILE-. */
		r = write_fresh(backup_tmp, old, old_len, &st, 0, 0, err);
		if (r < 0)
			return r;
		if (rename(backup_tmp, backup) < 0) {
			int e = errno;
			(void)unlink(backup_tmp);
			return unc_error_sys(err, e, "cannot rename %s to %s", backup_tmp, backup);
		}
	}
	r = write_fresh(tmp, data, len, have_old ? &st : NULL, new_mode, 1, err);
	if (r < 0)
		return r;
	if (rename(tmp, path) < 0) {
		int e = errno;
		(void)unlink(tmp);
		return unc_error_sys(err, e, "cannot rename %s to %s", tmp, path);
	}
	*replaced = 1;
	return dirsync ? unc_fsync_dir_of(path, err) : 0;
}

int unc_atomic_replace(const char *path, const char *data, size_t len, const char *old,
		       size_t old_len, unsigned new_mode, int *replaced, struct unc_error *err)
{
	return atomic_replace(path, data, len, old, old_len, new_mode, replaced, 1, err);
}

int unc_atomic_replace_nodirsync(const char *path, const char *data, size_t len, const char *old,
				 size_t old_len, unsigned new_mode, int *replaced,
				 struct unc_error *err)
{
	return atomic_replace(path, data, len, old, old_len, new_mode, replaced, 0, err);
}
