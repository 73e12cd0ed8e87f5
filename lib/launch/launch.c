#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "pidinit.h"
#include "rawsys.h"
#include "session.h"

struct child_ctx {
	const struct launch_spec *spec;
	sigset_t orig_mask;
	int lifeline_fd; /* read end; hangs up when uncmap is gone */
	int lifeline_wr; /* uncmap's end, closed in the child */
	int pty_sock;	 /* the child's end: the pty's master goes back */
	int pty_peer;	 /* uncmap's end, closed in the child */
	int ready_wr;	 /* closed when uncmap may run again; -1: none */
};

/* In the command's process, just before exec. The switch comes after the
 * mounts and --root, so the user is looked up in the namespace's own
 * /etc/passwd; the init itself stays root so it can kill what remains. */
static int prepare_command(void *arg, struct unc_error *err)
{
	const struct launch_spec *spec = arg;
	int r = unc_user_become(spec->user, spec->caps, err);

	if (r == 0 && spec->env)
		r = unc_env_apply(spec->env, err);
	return r;
}

/* In the child, after release: become root of the namespace, run the
 * caller's setup, then exec (or become the init that does). */
static void child_main(void *arg, int report_fd, struct unc_child_report *rep)
{
	struct child_ctx *ctx = arg;
	const struct launch_spec *spec = ctx->spec;
	struct unc_error err;
	int tty = -1, children_fd = -1;

	unc_error_clear(&err);
	close(ctx->lifeline_wr);
	if (ctx->pty_peer >= 0)
		close(ctx->pty_peer);
	/* Out of the caller's session: nothing in the namespace has the
	 * caller's terminal as its controlling terminal (TIOCSTI). */
	(void)setsid();
	if (!spec->pid_init) {
		/* opened before the command could mount over /proc */
		children_fd = unc_children_open();
		if (children_fd < 0) {
			unc_report_send(report_fd, rep, 125, -children_fd,
					"cannot open /proc/thread-self: %s",
					strerror(-children_fd));
			return;
		}
	}
	/* A join enters the session here: after the children list, which
	 * is in our own /proc, and before anything that needs its root. */
	if (spec->join && unc_session_enter(spec->join, &err) < 0) {
		unc_report_error(report_fd, rep, 125, &err);
		return;
	}
	/* With --map-root=sub our own IDs are unmapped; become 0 inside.
	 * Capabilities stay: the switch is to UID 0. */
	if (setresgid(0, 0, 0) < 0) {
		unc_report_send(report_fd, rep, 125, errno,
				"cannot become GID 0 in the namespace: %s", strerror(errno));
		return;
	}
	if (setresuid(0, 0, 0) < 0) {
		unc_report_send(report_fd, rep, 125, errno,
				"cannot become UID 0 in the namespace: %s", strerror(errno));
		return;
	}
	if (spec->setup && spec->setup(spec->setup_arg, &err) < 0) {
		unc_report_error(report_fd, rep, 125, &err);
		return;
	}
	if (ctx->pty_sock >= 0) {
		/* after the mounts: with --root, the namespace's own devpts */
		tty = unc_pty_open(spec->pty, spec->pty_console, ctx->pty_sock, &err);
		close(ctx->pty_sock);
		if (tty < 0) {
			unc_report_error(report_fd, rep, 125, &err);
			return;
		}
	}
	{
		/* Nothing of the caller's may be seen inside through our
		 * /proc/PID/fd: keep only the pipes to uncmap, the children
		 * list and the command's terminal. After the setup, which may
		 * read a descriptor the caller passed (--file FD:DST), and
		 * before any process of the namespace exists to look. */
		const int keep[] = {report_fd, ctx->lifeline_fd, children_fd, tty, ctx->ready_wr};
		int r = unc_close_fds_except(keep, sizeof keep / sizeof keep[0]);
		if (r < 0) {
			unc_report_send(report_fd, rep, 125, -r, "cannot close descriptors: %s",
					strerror(-r));
			return;
		}
	}
	{
		/* An init (PID 1 with --pid, else a supervisor) stands between
		 * uncmap and the command, so that nothing of the namespace
		 * outlives uncmap, even when it is killed. */
		struct pidinit_args a = {
		    .argv = spec->argv,
		    .orig_mask = &ctx->orig_mask,
		    .ignored = spec->ignored,
		    .report_fd = report_fd,
		    .lifeline_fd = ctx->lifeline_fd,
		    .tty_fd = tty,
		    .tty_stdio = tty >= 0 ? spec->pty->stdio : 0,
		    .ready_fd = ctx->ready_wr,
		    .own_pid_ns = spec->pid_init,
		    .children_fd = children_fd,
		    /* a join too starts the command with CLONE_VM: the
		     * kernel refuses only CLONE_THREAD into another PID
		     * namespace */
		    .prepare = (spec->user || spec->caps || spec->env) ? prepare_command : NULL,
		    .prepare_arg = (void *)spec,
		};
		_exit(unc_pidinit_run(&a, rep));
	}
}

/* Wait for the child, relaying signals, and read its report. The child
 * (the init or supervisor) is reaped here, never left to some other init:
 * an orphaned zombie would pin the user namespace. */
static int wait_child(struct unc_child *child, int sfd, struct unc_pty_relay *pty,
		      struct launch_result *res)
{
	int have_report = 0, wstatus = 0;
	sigset_t pty_sigs; /* what the terminal relay handles itself */

	sigemptyset(&pty_sigs);
	if (pty)
		unc_pty_signals(pty->plan, &pty_sigs);

	for (;;) {
		struct pollfd pfd[3 + UNC_PTY_POLLFDS];
		int np = 0, i_report = -1, i_sig = -1, i_pid = -1, i_pty = -1, npty = 0;
		pid_t r;

		if (child->report_fd >= 0) {
			pfd[np] = (struct pollfd){.fd = child->report_fd, .events = POLLIN};
			i_report = np++;
		}
		if (sfd >= 0) {
			pfd[np] = (struct pollfd){.fd = sfd, .events = POLLIN};
			i_sig = np++;
		}
		if (child->pidfd >= 0) {
			pfd[np] = (struct pollfd){.fd = child->pidfd, .events = POLLIN};
			i_pid = np++;
		} else if (child->report_fd < 0 && !pty) {
			/* no pidfd: block in waitpid */
			do {
				r = waitpid(child->pid, &wstatus, 0);
			} while (r < 0 && errno == EINTR);
			break;
		}
		if (pty) {
			i_pty = np;
			npty = unc_pty_relay_fds(pty, pfd + np);
			np += npty;
		}
		/* without a pidfd (before Linux 5.3), look for the end often */
		if (poll(pfd, (nfds_t)np, child->pidfd >= 0 ? -1 : 100) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (i_report >= 0 && pfd[i_report].revents) {
			int rr = unc_child_read_report(child, &res->report);
			if (rr == 1)
				have_report = 1;
			close(child->report_fd);
			child->report_fd = -1;
		}
		if (i_sig >= 0 && (pfd[i_sig].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (pty && sigismember(&pty_sigs, (int)si.ssi_signo) == 1)
					unc_pty_relay_signal(pty, (int)si.ssi_signo);
				else if ((si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT) &&
					 si.ssi_code == SI_KERNEL)
					sigqueue(child->pid, (int)si.ssi_signo,
						 (union sigval){.sival_int = UNC_SIGVAL_TERMINAL});
				else
					kill(child->pid, (int)si.ssi_signo);
			}
		}
		/* after the signals: a new window size is set before the keys
		 * typed after it arrive */
		if (npty)
			unc_pty_relay_events(pty, pfd + i_pty, npty);
		if ((i_pid >= 0 && pfd[i_pid].revents) || child->pidfd < 0) {
			do {
				r = waitpid(child->pid, &wstatus, WNOHANG);
			} while (r < 0 && errno == EINTR);
			if (r == child->pid) {
				if (child->report_fd >= 0) {
					if (unc_child_read_report(child, &res->report) == 1)
						have_report = 1;
				}
				break;
			}
		}
	}
	child->pid = -1;
	if (have_report && res->report.signal) {
		res->signal = res->report.signal;
		return res->report.status;
	}
	if (have_report) {
		res->failure = UNC_LAUNCH_FAIL_CHILD;
		return res->report.status;
	}
	return unc_exit_status(wstatus);
}

int unc_launch_run(const struct launch_spec *spec, struct launch_result *res, struct unc_error *err)
{
	struct child_ctx ctx = {.spec = spec, .pty_sock = -1, .pty_peer = -1, .ready_wr = -1};
	struct unc_child child;
	struct unc_pty_relay relay, *pty = NULL;
	sigset_t block;
	int sfd = -1, status, r, lifeline[2] = {-1, -1}, ready[2] = {-1, -1};
	size_t i;

	/* field by field: the texts' pages (10 KiB) are written only when
	 * something fails */
	res->failure = UNC_LAUNCH_OK;
	res->status = res->signal = 0;
	unc_helper_result_reset(&res->uid_res);
	unc_helper_result_reset(&res->gid_res);
	res->report.status = res->report.signal = res->report.errnum = 0;
	res->report.msg[0] = res->report.hint[0] = '\0';
	if (spec->die_with_parent) {
		/* bwrap's --die-with-parent: the lifeline does the rest. The
		 * signal comes when the thread that started us ends. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != spec->die_with_parent) {
			unc_error_set(err, ESRCH, "--die-with-parent: the parent is already gone");
			res->failure = UNC_LAUNCH_FAIL_SETUP;
			return res->status = 125;
		}
	}
	/* Without a PID namespace, what the command leaves comes to us if
	 * the supervisor is killed from inside, and is killed here. */
	if (!spec->pid_init)
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigemptyset(&block);
	for (i = 0; i < unc_forwarded_signals_n; i++)
		sigaddset(&block, unc_forwarded_signals[i]);
	if (spec->pty && spec->pty->use) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			unc_error_sys(err, errno, "cannot create a socket pair");
			res->failure = UNC_LAUNCH_FAIL_SETUP;
			res->status = 125;
			return 125;
		}
		unc_pty_relay_init(&relay, spec->pty, sv[0]);
		pty = &relay;
		ctx.pty_peer = sv[0];
		ctx.pty_sock = sv[1];
		unc_pty_signals(spec->pty, &block);
	}
	sigprocmask(SIG_BLOCK, &block, &ctx.orig_mask);
	sfd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
	/* The child shares our memory where it can (no copy of our page
	 * tables, none to tear down at its end), and we must not run while
	 * it sets the namespace up: it closes ready[1] when done. */
	if (pipe2(lifeline, O_CLOEXEC) < 0 ||
	    (unc_spawn_can_share() && pipe2(ready, O_CLOEXEC) < 0)) {
		unc_error_sys(err, errno, "cannot create a pipe");
		res->failure = UNC_LAUNCH_FAIL_SETUP;
		res->status = 125;
		goto out;
	}
	ctx.lifeline_fd = lifeline[0];
	ctx.lifeline_wr = lifeline[1];
	ctx.ready_wr = ready[1];

	r = unc_spawn_paused(spec->clone_flags, UNC_SPAWN_SHARED, child_main, &ctx, &child, err);
	if (ctx.pty_sock >= 0)
		close(ctx.pty_sock); /* the child's end: its copy is the one */
	if (ready[1] >= 0) {
		close(ready[1]);
		ready[1] = -1;
	}
	if (r < 0) {
		res->failure = child.failure == UNC_SPAWN_FAIL_USERNS ? UNC_LAUNCH_FAIL_USERNS
								      : UNC_LAUNCH_FAIL_SETUP;
		res->status = 125;
		goto out;
	}
	if (spec->mapper == UNC_MAPPER_HELPERS) {
		if (unc_map_run_helpers(child.pid, spec->newuidmap, spec->newgidmap,
					&spec->uid_plan, &spec->gid_plan, spec->helper_timeout_ms,
					&res->uid_res, &res->gid_res) < 0) {
			unc_child_abort(&child);
			res->failure = UNC_LAUNCH_FAIL_HELPER;
			res->status = 125;
			goto out;
		}
	} else if (spec->mapper != UNC_MAPPER_NONE &&
		   unc_map_write_direct(child.pid, &spec->uid_plan, &spec->gid_plan,
					spec->mapper == UNC_MAPPER_SELF, err) < 0) {
		unc_child_abort(&child);
		res->failure = UNC_LAUNCH_FAIL_MAP;
		res->status = 125;
		goto out;
	}
	if (spec->before_release &&
	    spec->before_release(spec->before_release_arg, child.pid, err) < 0) {
		unc_child_abort(&child);
		res->failure = UNC_LAUNCH_FAIL_SETUP;
		res->status = 125;
		goto out;
	}
	/* before the release, while the child's /proc entries are still
	 * the caller's to read (unc_spawn_paused) */
	if (spec->started)
		spec->started(spec->started_arg, child.pid);
	close(lifeline[0]);
	lifeline[0] = -1;
	if (unc_child_release(&child, err) < 0) {
		unc_child_abort(&child);
		res->failure = UNC_LAUNCH_FAIL_SETUP;
		res->status = 125;
		goto out;
	}
	if (ready[0] >= 0) {
		/* Nothing of ours runs until the child is done with what it
		 * does in our memory: end of file, when the command has
		 * started or the child has ended. */
		char byte;
		long n;
		do {
			n = unc_sys(SYS_read, ready[0], &byte, 1, 0);
		} while (n > 0 || n == -EINTR);
		close(ready[0]);
		ready[0] = -1;
	}
	status = wait_child(&child, sfd, pty, res);
	unc_child_close(&child);
	if (!spec->pid_init)
		unc_kill_descendants(-1);
	if (status < 0) {
		unc_error_sys(err, -status, "cannot wait for the command");
		res->failure = UNC_LAUNCH_FAIL_SETUP;
		res->status = 125;
		goto out;
	}
	res->status = status;
out:
	/* before uncmap says anything or ends: the caller's terminal as it was */
	if (pty)
		unc_pty_relay_end(pty);
	if (sfd >= 0)
		close(sfd);
	/* lifeline[1] stays open until uncmap exits: its hang-up is how the
	 * namespace learns that uncmap is gone. */
	if (lifeline[0] >= 0)
		close(lifeline[0]);
	if (ready[0] >= 0)
		close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	sigprocmask(SIG_SETMASK, &ctx.orig_mask, NULL);
	return res->status;
}
