/* pidinit.h: PID 1 of a new PID namespace (in the manner of catatonit).
 *
 * All signals it cares about are blocked and read from a signalfd. It
 * forks the command (which restores the original mask before exec),
 * relays SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to it,
 * reaps every child that ends (orphans included), and when the command
 * ends, reaps what is left to reap and returns the command's status
 * (128+N for signal N). The kernel then kills whatever still runs in the
 * namespace. */
#ifndef UNC_PIDINIT_H
#define UNC_PIDINIT_H

#include <signal.h>

#include "child.h"

/* status_fd: where the command's status is written (4 bytes) as soon as
 * it is known, so uncmap can exit without waiting for the namespace's
 * teardown; -1 for none. */
int unc_pidinit_run(char *const argv[], const sigset_t *orig_mask, int report_fd, int status_fd,
		    struct unc_child_report *rep);

#endif
