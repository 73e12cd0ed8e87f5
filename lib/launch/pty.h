/* pty.h: the command's terminal (DESIGN.md "The boundary with the caller").
 *
 * The command never shares the caller's controlling terminal, so it can
 * never push input into the caller's shell (TIOCSTI). When standard input
 * is a terminal (or with --pty), the child opens a pseudo-terminal in the
 * namespace's own devpts once the mounts are made (inside --root, its
 * slave is bind-mounted on /dev/console), sends the master to uncmap over
 * a socketpair, and the command makes the slave its controlling terminal
 * in a session of its own. uncmap relays both ways from its wait loop,
 * with the caller's terminal in raw mode until the end. Otherwise the
 * command runs in the new session the child made for itself (it has no
 * controlling terminal), in a process group of its own.
 *
 * Roles: uncmap calls unc_pty_prepare before the child exists and runs
 * the relay; the child calls unc_pty_open; the command's process calls
 * unc_pty_enter_session just before exec. */
#ifndef UNC_PTY_H
#define UNC_PTY_H

#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "error.h"

enum unc_pty_mode {
	UNC_PTY_AUTO = 0, /* a pty when standard input is a terminal */
	UNC_PTY_ON,	  /* --pty: always, for all of 0, 1 and 2 */
	UNC_PTY_OFF,	  /* --no-pty: never */
};

/* What a launch does about terminals, decided before any process exists. */
struct unc_pty_plan {
	int use;	/* give the command a pseudo-terminal */
	unsigned stdio; /* bit N: the command's descriptor N is the pty */
	int in_fd;	/* relayed into the pty (uncmap's 0), or -1 */
	int out_fd;	/* the pty's output goes here, or -1 (drained) */
	int term_fd;	/* the caller's terminal (size, termios), or -1 */
	int raw;	/* put term_fd in raw mode while relaying */
	int have_termios;
	struct termios termios; /* the caller's, given to the pty at birth */
	struct winsize size;	/* the caller's window; 0x0 when unknown */
};

/* Pure: the plan for mode when bit N of ttys says descriptor N is a
 * terminal. In auto mode the descriptors that are terminals become the
 * pty and the others (files, pipes) are passed on as they are. */
void unc_pty_decide(enum unc_pty_mode mode, unsigned ttys, struct unc_pty_plan *plan);

/* In uncmap: decide for its own 0, 1 and 2 and read the caller's termios
 * and window size. With standard input not a terminal (auto mode) this is
 * one isatty() and nothing else. */
void unc_pty_prepare(enum unc_pty_mode mode, struct unc_pty_plan *plan);

/* In the child, after the mounts: open a pseudo-terminal (/dev/ptmx of
 * the mount namespace at hand) with the caller's termios and window size,
 * send its master on sock and close it. With console, bind the slave on
 * /dev/console and open it there, so the terminal has that name. Returns
 * the slave, close-on-exec, or a negative errno with err filled. */
int unc_pty_open(const struct unc_pty_plan *plan, int console, int sock, struct unc_error *err);

/* In the command's process, before exec: with tty >= 0, a new session
 * whose controlling terminal is tty, also on the descriptors in stdio;
 * with none, a process group of its own (the child's session has no
 * terminal already, and a second setsid() would cost a scheduler
 * autogroup on every launch). Returns 0 or -errno. */
int unc_pty_enter_session(int tty, unsigned stdio);

/* uncmap's side of the terminal, driven by its wait loop. */
struct unc_pty_relay {
	const struct unc_pty_plan *plan;
	int sock;    /* the master arrives here; -1 once it has */
	int master;  /* non-blocking; -1 before it arrives and after the end */
	int in_fd;   /* plan->in_fd while relayed (in the foreground) */
	int in_done; /* in_fd reached its end of file */
	int raw_set;
	struct termios saved; /* the caller's, restored at the end */
	struct termios raw;   /* what the relay puts in its place */
	char buf[4096];	      /* read from in_fd, not yet in the pty */
	size_t off, len;
	char last; /* the last byte read from in_fd, 0 before any */
};

#define UNC_PTY_POLLFDS 2

/* Start a relay that waits for the master on sock (which it then owns). */
void unc_pty_relay_init(struct unc_pty_relay *r, const struct unc_pty_plan *plan, int sock);

/* Fill pfd (at most UNC_PTY_POLLFDS entries) with what to poll; returns
 * how many. */
int unc_pty_relay_fds(const struct unc_pty_relay *r, struct pollfd *pfd);

/* Act on poll's answer for the entries unc_pty_relay_fds filled. */
void unc_pty_relay_events(struct unc_pty_relay *r, const struct pollfd *pfd, int n);

/* Add to set the signals the relay handles itself: SIGWINCH (the window
 * size) with a terminal, and with one in raw mode SIGTSTP and SIGCONT
 * (uncmap stopped by `kill -TSTP` gives the terminal back as it was and
 * takes it again when continued). */
void unc_pty_signals(const struct unc_pty_plan *plan, sigset_t *set);

/* A signal from that set arrived: act on it. */
void unc_pty_relay_signal(struct unc_pty_relay *r, int sig);

/* The command is gone (or the launch failed): relay what it left in the
 * pty, close everything and restore the caller's terminal. Safe to call
 * more than once, and on a relay that never started. */
void unc_pty_relay_end(struct unc_pty_relay *r);

#endif
