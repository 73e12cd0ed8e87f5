#include "procsafety.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int unc_refuse_setid(struct unc_error *err)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		return unc_error_sys(err, errno, "cannot read the process's IDs");
	if (ruid != euid || ruid != suid)
		return unc_error_set(err, EPERM,
				     "refusing to run setuid (real UID %u, effective UID %u): it "
				     "needs no privilege of its own; remove the bit with chmod u-s",
				     (unsigned)ruid, (unsigned)euid);
	if (rgid != egid || rgid != sgid)
		return unc_error_set(err, EPERM,
				     "refusing to run setgid (real GID %u, effective GID %u): it "
				     "needs no privilege of its own; remove the bit with chmod g-s",
				     (unsigned)rgid, (unsigned)egid);
	return 0;
}

int unc_guard_std_fds(void)
{
	int fd, closed = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		closed |= 1 << fd;
		/* open() returns the lowest free descriptor: this one. It is
		 * close-on-exec, so the command finds it closed, as it was. */
		if (open("/dev/null", O_PATH | O_CLOEXEC) != fd)
			break;
	}
	return closed;
}

int unc_flush_stdout(struct unc_error *err)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return unc_error_sys(err, errno ? errno : EIO, "cannot write to standard output");
	return 0;
}
