/* pidinit.h: the process between uncmap and the command, inside the
 * namespace (in the manner of catatonit).
 *
 * With a new PID namespace it is PID 1 there; without one it is a
 * supervisor (a child subreaper). Either way, the signals it cares about
 * are blocked and read from a signalfd. It starts the command (which
 * restores the original mask before exec), relays SIGINT, SIGQUIT,
 * SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to it, reaps every child that ends
 * (orphans included), and when the command ends, reaps what is left to
 * reap, and returns the command's status (128+N for signal N).
 *
 * The lifeline is the read end of a pipe whose write end only uncmap
 * holds: when it hangs up, uncmap is gone (even by SIGKILL), and nothing
 * of the namespace may outlive it. PID 1 then exits, and the kernel kills
 * the PID namespace; a supervisor kills every process of its user
 * namespace (found through /proc/PID/ns/user, signalled through pidfds). */
#ifndef UNC_PIDINIT_H
#define UNC_PIDINIT_H

#include <signal.h>

#include "child.h"
#include "error.h"

struct pidinit_args {
	char *const *argv;
	const sigset_t *orig_mask;
	int report_fd;	 /* the command's exec failure goes here */
	int lifeline_fd; /* hangs up when uncmap is gone; -1: none */
	/* The command gets a session of its own; with tty_fd >= 0 (closed
	 * here once the command has started) as its controlling terminal,
	 * on the descriptors in tty_stdio (bit N: descriptor N). */
	int tty_fd;
	unsigned tty_stdio;
	int own_pid_ns; /* 1: PID 1 of a new PID namespace */
	/* Runs in the command's process just before exec (the user switch),
	 * may be NULL. A failure is reported with status 125. */
	int (*prepare)(void *arg, struct unc_error *err);
	void *prepare_arg;
};

int unc_pidinit_run(const struct pidinit_args *a, struct unc_child_report *rep);

/* Kill (SIGKILL) every other process whose user namespace is ours, until
 * none is left. Returns how many were signalled. */
int unc_kill_userns_processes(void);

#endif
