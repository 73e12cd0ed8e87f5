/* child.h: a child created paused in new namespaces, released by its
 * parent once the maps exist, and the exec that reports failure back.
 *
 * The child blocks on a close-on-exec pipe before it does anything: it
 * runs no instruction of the user's setup or command until the parent
 * writes the release byte. If the parent dies first, the child reads end
 * of file and exits; PR_SET_PDEATHSIG(SIGKILL) covers the time after. */
#ifndef UNC_CHILD_H
#define UNC_CHILD_H

#include <signal.h>
#include <sys/types.h>

#include "error.h"

/* What a child sends back when it cannot reach exec. One write, less than
 * PIPE_BUF, so it arrives whole. */
struct unc_child_report {
	int status; /* the exit status uncmap should use: 125, 126 or 127 */
	int signal; /* not a failure: the command was killed by this signal */
	int errnum;
	char msg[UNC_ERROR_MSG_MAX];
	char hint[UNC_ERROR_HINT_MAX];
};

/* Why unc_spawn_paused failed, where the caller must react differently. */
enum unc_spawn_failure {
	UNC_SPAWN_OK = 0,
	UNC_SPAWN_FAIL_USERNS, /* the kernel refused a user namespace */
	UNC_SPAWN_FAIL_OTHER,
};

/* How the paused child holds memory. */
enum unc_spawn_mode {
	UNC_SPAWN_COPY,	  /* a fork: a copy of ours */
	UNC_SPAWN_SHARED, /* ours (CLONE_VM), on a stack of its own, where it
			   * can be done safely; else a fork. See below. */
};

struct unc_child {
	enum unc_spawn_failure failure;
	pid_t pid;
	int pidfd;     /* pidfd of the child, for poll() */
	int go_fd;     /* parent's end: one byte releases the child */
	int report_fd; /* parent's end: unc_child_report, or EOF on exec */
	int shared;    /* 1: it shares our memory (UNC_SPAWN_SHARED was done) */
	void *stack;   /* its stack when shared, unmapped once it is reaped */
	size_t stack_size;
};

/* Runs in the child after release. report_fd is the write end of the
 * report pipe. Returns only on failure, having filled rep. */
typedef void (*unc_child_fn)(void *arg, int report_fd, struct unc_child_report *rep);

/* clone() a child with CLONE_* flags (CLONE_NEWUSER and friends), paused.
 * The child inherits the parent's signal mask; whatever it runs must
 * restore the caller's original mask before exec (unc_exec_command).
 *
 * UNC_SPAWN_SHARED spares a copy of our page tables now and their
 * teardown when the child ends (on the VM this is measured on, 0.2 ms and
 * 0.45 ms of a launch's 16). It is done only where rawsys.h has raw
 * system calls, and not under ASan or valgrind; out->shared says whether
 * it was. Then:
 *  - once released, the child makes its memory, ours, not dumpable
 *    (PR_SET_DUMPABLE 0, for the rest of our life): nothing in its
 *    namespaces may ptrace it or read its /proc/PID/mem. A forked child
 *    asked for UNC_SPAWN_SHARED does the same with its copy, which holds
 *    the caller's environment;
 *  - until its release the child makes only raw system calls;
 *  - from the release until it says it is ready (pidinit.h's ready_fd),
 *    the caller must not run: it waits in a read();
 *  - after that, the child makes only raw system calls again and writes
 *    only its own stack, for it runs while we do. */
int unc_spawn_paused(int clone_flags, enum unc_spawn_mode mode, unc_child_fn fn, void *arg,
		     struct unc_child *out, struct unc_error *err);

/* Whether UNC_SPAWN_SHARED would be done here. */
int unc_spawn_can_share(void);

/* Let the child run. */
int unc_child_release(struct unc_child *c, struct unc_error *err);

/* Kill and reap a child that must never run. */
void unc_child_abort(struct unc_child *c);

/* Read the child's report: 0 when the pipe closed without one (exec
 * succeeded), 1 with rep filled, negative on error. */
int unc_child_read_report(struct unc_child *c, struct unc_child_report *rep);

void unc_child_close(struct unc_child *c);

/* In a child: fill a report and send it. */
void unc_report_send(int report_fd, struct unc_child_report *rep, int status, int errnum,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* In a child: send a report built from an unc_error. */
void unc_report_error(int report_fd, struct unc_child_report *rep, int status,
		      const struct unc_error *err);

/* In a child, just before exec: restore default dispositions of the
 * signals we touched (except those in ignored, which the caller ignores
 * and the command inherits ignored, as execvp would leave them) and the
 * given mask, mark every descriptor above 2 close-on-exec, exec argv with
 * execvp's rules (PATH search; a file without #! runs under /bin/sh with
 * its whole argv), and on failure report 127 for "not found" and 126 for
 * "cannot execute". Returns only on failure. */
void unc_exec_command(char *const argv[], const sigset_t *mask, const sigset_t *ignored,
		      int report_fd, struct unc_child_report *rep);

/* The signals whose disposition is SIG_IGN in the calling process: call it
 * first thing, before the program ignores any of its own. */
void unc_ignored_signals(sigset_t *out);

/* Close every descriptor above 2 except the n in keep (close_range). */
int unc_close_fds_except(const int *keep, size_t n);

/* Mark every descriptor >= from close-on-exec (close_range, with a
 * fallback walk of /proc/self/fd on old kernels). */
int unc_cloexec_from(int from);

#endif
