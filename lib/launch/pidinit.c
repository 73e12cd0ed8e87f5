#include "pidinit.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "launch.h"
#include "pty.h"

static int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

/* The command's stack while it shares our memory until exec. */
static char command_stack[64 * 1024] __attribute__((aligned(16)));

static int command_main(void *arg)
{
	const struct pidinit_args *a = arg;
	struct unc_child_report rep;
	struct unc_error err;
	int r;

	r = unc_pty_enter_session(a->tty_fd, a->tty_stdio);
	if (r < 0) {
		unc_report_send(a->report_fd, &rep, 125, -r,
				"cannot give the command its terminal: %s", strerror(-r));
		_exit(125);
	}
	if (a->prepare) {
		unc_error_clear(&err);
		if (a->prepare(a->prepare_arg, &err) < 0) {
			unc_report_error(a->report_fd, &rep, 125, &err);
			_exit(125);
		}
	}
	unc_exec_command(a->argv, a->orig_mask, a->report_fd, &rep);
	_exit(rep.status ? rep.status : 125);
}

static pid_t start_command(const struct pidinit_args *a)
{
	pid_t pid;

#ifdef __SANITIZE_ADDRESS__
	/* ASan cannot follow a process running on a stack of our making */
	const int plain_fork = 1;
#else
	const int plain_fork = 0;
#endif
	if (a->prepare || plain_fork) {
		/* The user switch reads files and allocates: a real fork. */
		pid = fork();
		if (pid == 0)
			command_main((void *)a);
		return pid;
	}
	/* CLONE_VM|CLONE_VFORK, as posix_spawn does: no copy of our page
	 * tables, and we sleep until the command has exec'd. */
	return clone(command_main, command_stack + sizeof command_stack,
		     CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)a);
}

int unc_kill_userns_processes(void)
{
	struct stat own;
	int total = 0, pass;

	if (stat("/proc/self/ns/user", &own) < 0)
		return 0;
	/* Processes may fork while we kill: repeat until a pass finds none. */
	for (pass = 0; pass < 100; pass++) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		int killed = 0;

		if (!d)
			break;
		while ((de = readdir(d))) {
			char path[64];
			struct stat st;
			pid_t pid;
			int pidfd;

			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			pid = (pid_t)atoi(de->d_name);
			if (pid == getpid())
				continue;
			/* Pin the process first, then check it is one of ours:
			 * a recycled PID cannot be hit. */
			pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
			if (pidfd < 0)
				continue;
			snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
			if (stat(path, &st) == 0 && st.st_ino == own.st_ino &&
			    st.st_dev == own.st_dev &&
			    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0)
				killed++;
			close(pidfd);
		}
		closedir(d);
		total += killed;
		if (killed == 0)
			break;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	return total;
}

static void lifeline_lost(const struct pidinit_args *a)
{
	/* PID 1's exit makes the kernel kill its namespace. */
	if (!a->own_pid_ns)
		unc_kill_userns_processes();
	_exit(125);
}

int unc_pidinit_run(const struct pidinit_args *a, struct unc_child_report *rep)
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
		unc_report_send(a->report_fd, rep, 125, errno, "init: cannot create a signalfd: %s",
				strerror(errno));
		return 125;
	}
	(void)prctl(PR_SET_NAME, a->own_pid_ns ? "uncmap-init" : "uncmap-sup");
	if (!a->own_pid_ns) {
		/* Without a PID namespace, orphans of the command come to us,
		 * and uncmap's death must not kill us before we have killed
		 * them: the lifeline tells us instead of PR_SET_PDEATHSIG. */
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
		if (a->lifeline_fd >= 0)
			(void)prctl(PR_SET_PDEATHSIG, 0);
	}
	cmd = start_command(a);
	if (cmd < 0) {
		unc_report_send(a->report_fd, rep, 125, errno, "init: cannot start the command: %s",
				strerror(errno));
		return 125;
	}
	/* The parent learns of the exec through EOF: drop our copy. The
	 * terminal is the command's: the init holds none. */
	close(a->report_fd);
	if (a->tty_fd >= 0)
		close(a->tty_fd);

	while (cmd_status < 0) {
		struct pollfd pfd[2] = {{.fd = sfd, .events = POLLIN},
					{.fd = a->lifeline_fd, .events = POLLIN}};
		struct signalfd_siginfo si;
		ssize_t n;

		if (poll(pfd, a->lifeline_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (a->lifeline_fd >= 0 && pfd[1].revents)
			lifeline_lost(a);
		if (!(pfd[0].revents & POLLIN))
			continue;
		n = read(sfd, &si, sizeof si);
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
		/* A key typed at the caller's terminal goes to the command's
		 * process group, as the terminal would have sent it. */
		if (!(si.ssi_code == SI_QUEUE && si.ssi_int == UNC_SIGVAL_TERMINAL &&
		      kill(-cmd, (int)si.ssi_signo) == 0))
			kill(cmd, (int)si.ssi_signo);
	}
	/* Reap what has already ended, so nothing is left a zombie. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (cmd_status < 0)
		cmd_status = 125;
	return cmd_status;
}
