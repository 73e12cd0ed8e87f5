#include "pidinit.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"

static int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

int unc_pidinit_run(char *const argv[], const sigset_t *orig_mask, int report_fd,
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
	cmd = fork();
	if (cmd < 0) {
		unc_report_send(report_fd, rep, 125, errno, "init: cannot fork the command: %s",
				strerror(errno));
		return 125;
	}
	if (cmd == 0) {
		close(sfd);
		unc_exec_command(argv, orig_mask, report_fd, rep);
		_exit(rep->status ? rep->status : 125);
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
	return cmd_status < 0 ? 125 : cmd_status;
}
