#include "twin.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char **twin_argv;
static sigset_t twin_ignored;
static const char *twin_rel;

void unc_twin_init(char **argv, const sigset_t *caller_ignored, const char *rel)
{
	size_t n = 0;

	while (argv[n])
		n++;
	/* a copy of the pointers: getopt_long permutes argv, not the strings */
	twin_argv = calloc(n + 1, sizeof *twin_argv);
	if (!twin_argv)
		return; /* no hand-over: the caller goes on, as a dynamic build */
	memcpy(twin_argv, argv, n * sizeof *argv);
	twin_ignored = *caller_ignored;
	twin_rel = rel;
}

/* the twin, at rel from the directory of this executable: an installed
 * tree moved elsewhere (a test prefix, a DESTDIR) keeps working, and a
 * lone copy of uncmap never runs some other uncmap's twin */
static int twin_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0)
		return -errno;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash - buf) + 1 + strlen(twin_rel) >= size)
		return -ENAMETOOLONG;
	strcpy(slash + 1, twin_rel);
	return 0;
}

int unc_twin_handover(const char *why, struct unc_error *err)
{
	char path[PATH_MAX];
	int sig, r;

	if (!twin_argv)
		return 0;
	r = twin_path(path, sizeof path);
	if (r < 0) {
		unc_error_set(err, -r,
			      "cannot find the dynamically linked uncmap needed for %s: "
			      "/proc/self/exe: %s",
			      why, strerror(-r));
		unc_error_hint(err, "mount /proc");
		return r;
	}
	/* what cmd_start ignored for us goes back to the caller's default */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sigismember(&twin_ignored, sig) != 1)
			signal(sig, SIG_DFL);
	fflush(NULL);
	execv(path, twin_argv);
	r = errno;
	unc_error_set(err, r, "cannot run %s, the dynamically linked uncmap needed for %s: %s",
		      path, why, strerror(r));
	unc_error_hint(err, "reinstall uncmap: it installs both");
	return -r;
}
