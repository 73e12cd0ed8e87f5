#include "pidinit.h"

#include <errno.h>
#include <fcntl.h>
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
#include "pty.h"
#include "rawsys.h"

const int unc_forwarded_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};
const size_t unc_forwarded_signals_n =
    sizeof unc_forwarded_signals / sizeof unc_forwarded_signals[0];

int unc_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

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
	unc_exec_command(a->argv, a->orig_mask, a->ignored, a->report_fd, &rep);
	_exit(rep.status ? rep.status : 125);
}

static pid_t start_command(const struct pidinit_args *a)
{
	/* The command's stack while it shares our memory until exec: on
	 * ours, in pages the paused child made present (we sleep until the
	 * exec). Its way to the exec needs about 10 KiB. */
	char command_stack[16 * 1024] __attribute__((aligned(16)));
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

int unc_children_open(void)
{
	return (int)unc_sys(SYS_openat, AT_FDCWD, "/proc/thread-self",
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

/* From here on the supervisor may share uncmap's memory while uncmap runs
 * (unc_spawn_paused, UNC_SPAWN_SHARED): every system call goes through
 * unc_sys (rawsys.h), which leaves errno alone, and nothing is written
 * but our own stack. */

/* SIGKILL each child listed in children_fd's "children" file ("PID PID "),
 * as many as one read holds: the caller repeats until none is left. A
 * child's PID cannot be recycled under us: it stays ours until reaped. */
static int kill_children(int children_fd)
{
	char buf[4096];
	const char *p;
	long fd, n;
	int killed = 0;

	fd = unc_sys(SYS_openat, children_fd, "children", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	n = unc_sys(SYS_read, fd, buf, sizeof buf - 1, 0);
	(void)unc_sys(SYS_close, fd, 0, 0, 0);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	for (p = buf;;) {
		long pid = 0;
		const char *start = p;
		while (*p >= '0' && *p <= '9' && pid < 1L << 30)
			pid = pid * 10 + (*p++ - '0');
		if (p == start || *p != ' ')
			break; /* the end, or a number cut by the buffer */
		p++;
		if (pid > 0 && unc_sys(SYS_kill, pid, SIGKILL, 0, 0) == 0)
			killed++;
	}
	return killed;
}

/* waitpid(-1, NULL, flags), -errno on failure; EINTR retried */
static long reap_any(int *wstatus, int flags)
{
	long p;

	do {
		p = unc_sys(SYS_wait4, -1, wstatus, flags, NULL);
	} while (p == -EINTR);
	return p;
}

int unc_kill_descendants(int children_fd)
{
	int reaped = 0, own_fd = -1;

	for (;;) {
		/* Killed children hand their own children to us (we are a
		 * subreaper) before they can be reaped: repeat until none. */
		long p = reap_any(NULL, WNOHANG);
		if (p < 0)
			break; /* ECHILD: nothing of ours is left */
		if (p > 0) {
			reaped++;
			continue;
		}
		if (children_fd < 0)
			children_fd = own_fd = unc_children_open();
		if (children_fd >= 0)
			(void)kill_children(children_fd);
		if (reap_any(NULL, 0) < 0)
			break;
		reaped++;
	}
	if (own_fd >= 0)
		(void)unc_sys(SYS_close, own_fd, 0, 0, 0);
	return reaped;
}

static void lifeline_lost(const struct pidinit_args *a)
{
	/* PID 1's exit makes the kernel kill its namespace. */
	if (!a->own_pid_ns)
		unc_kill_descendants(a->children_fd);
	_exit(125);
}

int unc_pidinit_run(const struct pidinit_args *a, struct unc_child_report *rep)
{
	sigset_t set;
	pid_t cmd;
	int sfd, cmd_status = -1, cmd_signal = 0;
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
	/* The terminal is the command's: the init holds none. */
	if (a->tty_fd >= 0)
		(void)unc_sys(SYS_close, a->tty_fd, 0, 0, 0);
	/* The command has exec'd (or, forked, runs on its own): from here
	 * uncmap runs again, and we keep to unc_sys. */
	if (a->ready_fd >= 0)
		(void)unc_sys(SYS_close, a->ready_fd, 0, 0, 0);

	while (cmd_status < 0) {
		struct pollfd pfd[2] = {{.fd = sfd, .events = POLLIN},
					{.fd = a->lifeline_fd, .events = POLLIN}};
		struct signalfd_siginfo si;
		long n;

		n = unc_sys(SYS_ppoll, pfd, a->lifeline_fd >= 0 ? 2 : 1, NULL, NULL);
		if (n == -EINTR)
			continue;
		if (n < 0)
			break;
		if (a->lifeline_fd >= 0 && pfd[1].revents)
			lifeline_lost(a);
		if (!(pfd[0].revents & POLLIN))
			continue;
		n = unc_sys(SYS_read, sfd, &si, sizeof si, 0);
		if (n == -EINTR)
			continue;
		if (n != (long)sizeof si)
			break;
		if (si.ssi_signo == SIGCHLD) {
			int ws;
			long p;
			while ((p = reap_any(&ws, WNOHANG)) > 0) {
				if (p == cmd) {
					cmd_status = unc_exit_status(ws);
					cmd_signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
				}
			}
			continue;
		}
		/* A key typed at the caller's terminal goes to the command's
		 * process group, as the terminal would have sent it. */
		if (!(si.ssi_code == SI_QUEUE && si.ssi_int == UNC_SIGVAL_TERMINAL &&
		      unc_sys(SYS_kill, -cmd, si.ssi_signo, 0, 0) == 0))
			(void)unc_sys(SYS_kill, cmd, si.ssi_signo, 0, 0);
	}
	/* Nothing started inside outlives the command: PID 1's exit kills
	 * the namespace; a supervisor kills what is left itself. Either way
	 * what has ended is reaped, so nothing is left a zombie. */
	if (!a->own_pid_ns)
		unc_kill_descendants(a->children_fd);
	while (reap_any(NULL, WNOHANG) > 0)
		;
	if (cmd_status < 0)
		return 125;
	if (cmd_signal) {
		/* one write: uncmap then dies of the same signal */
		memset(rep, 0, sizeof *rep);
		rep->status = cmd_status;
		rep->signal = cmd_signal;
		(void)unc_sys(SYS_write, a->report_fd, rep, sizeof *rep, 0);
	}
	return cmd_status;
}
