/* uncmap_info.h: --info-fd and --json-status-fd, in bubblewrap's format:
 * one JSON object with the child's PID (as the caller's PID namespace
 * sees it) and the inode of each namespace uncmap made, written once the
 * maps exist; for --json-status-fd, a second object with the exit status
 * when the command is over. */
#ifndef UNCMAP_INFO_H
#define UNCMAP_INFO_H

#include <sys/types.h>

struct uncmap_info {
	int info_fd;   /* --info-fd, or -1 */
	int status_fd; /* --json-status-fd, or -1 */
	int clone_flags;
	int started; /* the first object was written */
};

/* Check that a descriptor given on the command line is open, and mark it
 * close-on-exec (the command never inherits it). */
int uncmap_info_check_fd(int fd, const char *option);

/* launch_spec.started: write the first object to both descriptors, then
 * close --info-fd. */
void uncmap_info_started(void *info, pid_t pid);

/* With --json-status-fd: {"exit-code": status}, then close it. */
void uncmap_info_finish(struct uncmap_info *info, int status);

#endif
