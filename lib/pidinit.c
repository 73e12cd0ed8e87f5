#include "pidinit.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "launch.h"

static int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

struct command_args {
	char *const *argv;
	const sigset_t *mask;
	int report_fd;
};

/* The command's stack while it shares our memory until exec. */
static char command_stack[64 * 1024] __attribute__((aligned(16)));

static int command_main(void *arg)
{
	struct command_args *a = arg;
	struct unc_child_report rep;

	unc_exec_command(a->argv, a->mask, a->report_fd, &rep);
	_exit(rep.status ? rep.status : 125);
}

int unc_pidinit_run(char *const argv[], const sigset_t *orig_mask, int report_fd, int status_fd,
		    struct unc_child_report *rep)
{
	sigset_t set;
	pid_t cmd;
	int sfd, cmd_status = -1;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < unc_forwarded_signals_n; i++)
		sigaddset(&set, unc_forwarded_signals[i]);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		unc_report_send(report_fd, rep, 125, errno, "init: cannot create a signalfd: %s",
				strerror(errno));
		return 125;
	}
	{
		struct command_args a = {argv, orig_mask, report_fd};
		/* CLONE_VM|CLONE_VFORK, as posix_spawn does: no copy of our
		 * page tables, and we sleep until the command has exec'd. */
		cmd = clone(command_main, command_stack + sizeof command_stack,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	}
	if (cmd < 0) {
		unc_report_send(report_fd, rep, 125, errno, "init: cannot start the command: %s",
				strerror(errno));
		return 125;
	}
	/* The parent learns of the exec through EOF: drop our copy. */
	close(report_fd);
	(void)prctl(PR_SET_NAME, "uncmap-init");

	while (cmd_status < 0) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof si);
		if (n != (ssize_t)sizeof si) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		if (si.ssi_signo == SIGCHLD) {
			int ws;
			pid_t p;
			while ((p = waitpid(-1, &ws, WNOHANG)) > 0) {
				if (p == cmd)
					cmd_status = status_of(ws);
			}
			continue;
		}
		/* A terminal's ^C or ^\ already reached the command's process
		 * group; relay only signals sent to us. */
		if ((si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT) && si.ssi_code == SI_KERNEL)
			continue;
		kill(cmd, (int)si.ssi_signo);
	}
	/* Reap what has already ended, so nothing is left a zombie. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (cmd_status < 0)
		cmd_status = 125;
	if (status_fd >= 0)
		(void)unc_write_all(status_fd, &cmd_status, sizeof cmd_status);
	return cmd_status;
}
