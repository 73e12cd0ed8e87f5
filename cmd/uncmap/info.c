#include "uncmap_info.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdmsg.h"
#include "io.h"

int uncmap_info_check_fd(int fd, const char *option)
{
	if (fd <= 2)
		return cmd_fail("%s: %d is a standard descriptor; give one above 2", option, fd);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return cmd_fail("%s: descriptor %d is not open", option, fd);
	return 0;
}

/* The namespaces a launch can make, by their bwrap names. */
static const struct {
	int flag;
	const char *proc, *json;
} namespaces[] = {
    {CLONE_NEWCGROUP, "cgroup", "cgroup-namespace"}, {CLONE_NEWIPC, "ipc", "ipc-namespace"},
    {CLONE_NEWNS, "mnt", "mnt-namespace"},	     {CLONE_NEWNET, "net", "net-namespace"},
    {CLONE_NEWPID, "pid", "pid-namespace"},	     {CLONE_NEWUSER, "user", "user-namespace"},
    {CLONE_NEWUTS, "uts", "uts-namespace"},
};

void uncmap_info_started(void *arg, pid_t pid)
{
	struct uncmap_info *info = arg;
	char buf[1024], path[64];
	size_t used, i;

	used = (size_t)snprintf(buf, sizeof buf, "{\n    \"child-pid\": %d", (int)pid);
	for (i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++) {
		struct stat st;
		if (!(info->clone_flags & namespaces[i].flag))
			continue;
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, namespaces[i].proc);
		if (stat(path, &st) < 0)
			continue;
		used += (size_t)snprintf(buf + used, sizeof buf - used, ",\n    \"%s\": %llu",
					 namespaces[i].json, (unsigned long long)st.st_ino);
	}
	used += (size_t)snprintf(buf + used, sizeof buf - used, "\n}\n");
	/* a reader that went away must not stop the command */
	if (info->info_fd >= 0 && info->info_fd != info->status_fd) {
		(void)unc_write_all(info->info_fd, buf, used);
		close(info->info_fd);
	}
	info->info_fd = -1;
	if (info->status_fd >= 0)
		(void)unc_write_all(info->status_fd, buf, used);
	info->started = 1;
}

void uncmap_info_finish(struct uncmap_info *info, int status)
{
	char buf[64];
	int n;

	if (info->status_fd < 0)
		return;
	if (info->started) {
		n = snprintf(buf, sizeof buf, "{ \"exit-code\": %d }\n", status);
		(void)unc_write_all(info->status_fd, buf, (size_t)n);
	}
	close(info->status_fd);
	info->status_fd = -1;
}
