/* pidinit.h: the process between uncmap and the command, inside the
 * namespace (in the manner of catatonit).
 *
 * With a new PID namespace it is PID 1 there; without one it is a
 * supervisor (a child subreaper). Either way, the signals it cares about
 * are blocked and read from a signalfd. It starts the command (which
 * restores the original mask before exec), relays SIGINT, SIGQUIT,
 * SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to it, reaps every child that ends
 * (orphans included), and returns the command's status (128+N for signal
 * N, which it also reports on report_fd so that uncmap can die of N).
 *
 * Nothing started inside outlives the command or uncmap. PID 1's exit makes
 * the kernel kill its namespace. A supervisor kills its descendants itself
 * (unc_kill_descendants): every orphan comes to it, being a subreaper, and
 * it finds its children through a /proc entry opened before the command
 * ran, so neither a mount over /proc, nor a nested user or PID namespace,
 * nor a double fork or setsid hides a process from it.
 *
 * The lifeline is the read end of a pipe whose write end only uncmap
 * holds: when it hangs up, uncmap is gone (even by SIGKILL), and the init
 * or supervisor ends everything as above. */
#ifndef UNC_PIDINIT_H
#define UNC_PIDINIT_H

#include <signal.h>
#include <stddef.h>

#include "child.h"
#include "error.h"

/* The signals uncmap relays to the init and the init to the command. */
extern const int unc_forwarded_signals[];
extern const size_t unc_forwarded_signals_n;

/* The command has a session of its own, so a ^C or ^\ typed at the
 * caller's terminal reaches uncmap alone. uncmap relays it with sigqueue()
 * and this value, and the init sends it on to the command's whole process
 * group, as the terminal would have. */
#define UNC_SIGVAL_TERMINAL 0x7474

/* A wait status as an exit status: the code, or 128+N for signal N. */
int unc_exit_status(int wstatus);

struct pidinit_args {
	char *const *argv;
	const sigset_t *orig_mask;
	const sigset_t *ignored; /* signals the caller ignores: kept ignored */
	int report_fd;		 /* exec failures, and the command's signal */
	int lifeline_fd;	 /* hangs up when uncmap is gone; -1: none */
	/* The command gets a session of its own; with tty_fd >= 0 (closed
	 * here once the command has started) as its controlling terminal,
	 * on the descriptors in tty_stdio (bit N: descriptor N). */
	int tty_fd;
	unsigned tty_stdio;
	/* closed once the command has exec'd (or been forked): uncmap,
	 * whose memory we may share, waits for that to run again; -1: none */
	int ready_fd;
	int own_pid_ns;	 /* 1: PID 1 of a new PID namespace */
	int children_fd; /* without own_pid_ns: unc_children_open() */
	/* Runs in the command's process just before exec (the user switch),
	 * may be NULL. A failure is reported with status 125. */
	int (*prepare)(void *arg, struct unc_error *err);
	void *prepare_arg;
};

int unc_pidinit_run(const struct pidinit_args *a, struct unc_child_report *rep);

/* Open this thread's /proc list of children (close-on-exec), to be held
 * while anything could mount over /proc. Negative errno on failure. */
int unc_children_open(void);

/* SIGKILL every descendant of the calling subreaper and reap them all,
 * until it has no child left. children_fd from unc_children_open(), or -1
 * to open it now. Returns how many processes were reaped. */
int unc_kill_descendants(int children_fd);

#endif
