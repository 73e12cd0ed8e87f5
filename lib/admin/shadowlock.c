#include "shadowlock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"

void unc_shadow_lock_init(struct unc_shadow_lock *l)
{
	memset(l, 0, sizeof *l);
	l->pwd_fd = -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Sleep a little between tries: short at first (the holder is usually
 * another subidctl done in milliseconds), then up to 50 ms. */
static void backoff(unsigned *delay_ms)
{
	struct timespec ts;
	unsigned d = *delay_ms;

	/* spread the waiters so they do not wake in step */
	d += (unsigned)(((uint64_t)getpid() * 7919u + now_ms()) % (d + 1));
	ts.tv_sec = d / 1000;
	ts.tv_nsec = (long)(d % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	if (*delay_ms < 50)
		*delay_ms *= 2;
}

int unc_shadow_lock_pwd(struct unc_shadow_lock *l, const char *pwd_lock_path, unsigned timeout_ms,
			struct unc_error *err)
{
	_cleanup_close_ int fd = -1;
	struct flock fl;
	uint64_t deadline = now_ms() + timeout_ms;
	unsigned delay = 1;

	fd = open(pwd_lock_path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return unc_error_sys(err, errno, "cannot lock %s", pwd_lock_path);
	for (;;) {
		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			break;
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			return unc_error_sys(err, errno, "cannot lock %s", pwd_lock_path);
		if (now_ms() >= deadline) {
			pid_t pid = 0;
			memset(&fl, 0, sizeof fl);
			fl.l_type = F_WRLCK;
			fl.l_whence = SEEK_SET;
			if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
				pid = fl.l_pid;
			if (pid > 0)
				return unc_error_set(err, EAGAIN,
						     "cannot lock %s: held by PID %ld for more "
						     "than %u s",
						     pwd_lock_path, (long)pid, timeout_ms / 1000);
			return unc_error_set(err, EAGAIN,
					     "cannot lock %s: held by another program for more "
					     "than %u s",
					     pwd_lock_path, timeout_ms / 1000);
		}
		backoff(&delay);
	}
	l->pwd_fd = take_fd(&fd);
	return 0;
}

/* Read the PID in a FILE.lock: decimal, maybe followed by a NUL (shadow
 * writes one) or a newline. Returns 0 or -1. */
static int read_lock_pid(const char *lock, pid_t *pid)
{
	_cleanup_close_ int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	char buf[32];
	ssize_t n;
	long v = 0;
	ssize_t i;

	if (fd < 0)
		return -1;
	n = unc_read_all(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return -1;
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (buf[i] - '0');
		if (v > 0x7fffffff)
			return -1;
	}
	if (i == 0 || (i < n && buf[i] != '\0' && buf[i] != '\n') || v <= 0)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

/* One attempt. Returns 1 when taken, 0 when a live process holds it
 * (*holder set), negative on an error. */
static int try_lock_file(const char *tmp, const char *lock, pid_t *holder, struct unc_error *err)
{
	char pidbuf[32];
	int fd, n, r, takeover;
	struct stat st;

	for (takeover = 0; takeover < 2; takeover++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
			  0600);
		if (fd < 0)
			return unc_error_sys(err, errno, "cannot create %s", tmp);
		n = snprintf(pidbuf, sizeof pidbuf, "%ld", (long)getpid());
		/* with the NUL, as shadow; not synced: a lock file only matters
		 * while its holder lives, and a stale one is taken over */
		r = unc_write_all(fd, pidbuf, (size_t)n + 1);
		(void)close(fd);
		if (r < 0) {
			(void)unlink(tmp);
			return unc_error_sys(err, -r, "cannot write %s", tmp);
		}
		if (link(tmp, lock) == 0) {
			/* shadow checks the link count: on some NFS servers link()
			 * can report failure after succeeding, or the reverse */
			r = stat(tmp, &st);
			(void)unlink(tmp);
			if (r < 0 || st.st_nlink != 2) {
				(void)unlink(lock);
				return unc_error_set(err, EIO,
						     "cannot lock: %s has a bad link count", lock);
			}
			return 1;
		}
		r = errno;
		(void)unlink(tmp);
		if (r != EEXIST)
			return unc_error_sys(err, r, "cannot create %s", lock);
		if (read_lock_pid(lock, holder) < 0) {
			/* Being written right now, or garbage: not ours to judge
			 * at once; the caller retries, then reports. */
			*holder = 0;
			return 0;
		}
		if (kill(*holder, 0) == 0 || errno == EPERM)
			return 0;
		/* stale: its process is gone */
		if (unlink(lock) < 0 && errno != ENOENT)
			return unc_error_sys(err, errno, "cannot remove the stale lock %s", lock);
	}
	return 0;
}

int unc_shadow_lock_file(struct unc_shadow_lock *l, const char *file, unsigned timeout_ms,
			 pid_t *holder, struct unc_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_free_ char *lock = NULL;
	uint64_t deadline = now_ms() + timeout_ms;
	unsigned delay = 1;
	pid_t who = 0;

	if (l->nheld == UNC_SHADOW_LOCK_MAX_FILES)
		return unc_error_set(err, EINVAL, "too many locks");
	if (asprintf(&tmp, "%s.%ld", file, (long)getpid()) < 0 ||
	    asprintf(&lock, "%s.lock", file) < 0)
		return unc_error_sys(err, ENOMEM, "cannot lock %s", file);
	for (;;) {
		int r = try_lock_file(tmp, lock, &who, err);
		if (r < 0) {
			unc_error_prefix(err, "cannot lock %s", file);
			return r;
		}
		if (r == 1)
			break;
		if (now_ms() >= deadline) {
			if (holder)
				*holder = who;
			if (who > 0)
				return unc_error_set(err, EAGAIN,
						     "cannot lock %s: %s is held by PID %ld", file,
						     lock, (long)who);
			return unc_error_set(err, EAGAIN, "cannot lock %s: %s holds no valid PID",
					     file, lock);
		}
		backoff(&delay);
	}
	l->held[l->nheld++] = steal_pointer(&lock);
	return 0;
}

void unc_shadow_unlock_all(struct unc_shadow_lock *l)
{
	while (l->nheld > 0) {
		char *lock = l->held[--l->nheld];
		(void)unlink(lock);
		free(lock);
	}
	if (l->pwd_fd >= 0) {
		(void)close(l->pwd_fd); /* releases the fcntl lock */
		l->pwd_fd = -1;
	}
}
