#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"

void unc_pty_decide(enum unc_pty_mode mode, unsigned ttys, struct unc_pty_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	plan->in_fd = plan->out_fd = plan->term_fd = -1;
	ttys &= 7;
	plan->use = mode == UNC_PTY_ON || (mode == UNC_PTY_AUTO && (ttys & 1));
	if (!plan->use)
		return;
	plan->stdio = mode == UNC_PTY_ON ? 7 : ttys;
	plan->in_fd = 0;
	/* What the pty shows (the command's output, the echo of what is
	 * typed) goes where the command's output would have gone. */
	if (plan->stdio & 2)
		plan->out_fd = 1;
	else if (plan->stdio & 4)
		plan->out_fd = 2;
	else if (ttys & 1)
		plan->out_fd = 0;
	plan->term_fd = ttys & 1 ? 0 : ttys & 2 ? 1 : ttys & 4 ? 2 : -1;
	/* only the terminal we read keystrokes from goes raw */
	plan->raw = (ttys & 1) != 0;
}

void unc_pty_prepare(enum unc_pty_mode mode, struct unc_pty_plan *plan)
{
	unsigned ttys = 0;
	int fd;

	if (mode != UNC_PTY_OFF && isatty(0))
		ttys = 1;
	if (mode == UNC_PTY_ON || ttys) {
		for (fd = 1; fd <= 2; fd++)
			if (isatty(fd))
				ttys |= 1u << fd;
	}
	unc_pty_decide(mode, ttys, plan);
	if (plan->term_fd < 0)
		return;
	plan->have_termios = tcgetattr(plan->term_fd, &plan->termios) == 0;
	if (ioctl(plan->term_fd, TIOCGWINSZ, &plan->size) < 0)
		memset(&plan->size, 0, sizeof plan->size);
}

/* One descriptor over a unix socket (SCM_RIGHTS), with one byte of data. */
struct fd_message {
	char byte;
	struct iovec iov;
	struct msghdr msg;
	/* last: struct cmsghdr ends in a flexible array (glibc), which only
	 * the end of a struct may hold (clang -Wgnu-variable-sized-type...) */
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
};

static void fd_message_init(struct fd_message *m)
{
	memset(m, 0, sizeof *m);
	m->byte = 'm';
	m->iov = (struct iovec){.iov_base = &m->byte, .iov_len = 1};
	m->msg = (struct msghdr){.msg_iov = &m->iov,
				 .msg_iovlen = 1,
				 .msg_control = m->control.buf,
				 .msg_controllen = sizeof m->control.buf};
}

static int send_fd(int sock, int fd)
{
	struct fd_message m;
	struct cmsghdr *c;

	fd_message_init(&m);
	c = CMSG_FIRSTHDR(&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	while (sendmsg(sock, &m.msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Returns the descriptor received (close-on-exec), -EPIPE at end of file,
 * or another negative errno. */
static int recv_fd(int sock)
{
	struct fd_message m;
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	fd_message_init(&m);
	do {
		n = recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&m.msg); c; c = CMSG_NXTHDR(&m.msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
	}
	if (fd >= 0)
		return fd;
	return n == 0 ? -EPIPE : -EBADMSG;
}

/* Show the slave as /dev/console (as systemd-nspawn and podman do) and
 * open it by that name, so that tty(1) and ps say /dev/console. */
static int open_console(int master, struct unc_error *err)
{
	char name[64];
	int fd;

	if (ptsname_r(master, name, sizeof name) != 0)
		return unc_error_sys(err, errno, "cannot name the pseudo-terminal");
	fd = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return unc_error_sys(err, errno, "--root: cannot create /dev/console");
	close(fd);
	if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return unc_error_sys(err, errno, "--root: cannot bind %s on /dev/console", name);
	fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return unc_error_sys(err, errno, "--root: cannot open /dev/console");
	return fd;
}

int unc_pty_open(const struct unc_pty_plan *plan, int console, int sock, struct unc_error *err)
{
	_cleanup_close_ int master = -1, slave = -1;
	int r;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0) {
		r = unc_error_sys(err, errno, "cannot open a pseudo-terminal (/dev/ptmx)");
		unc_error_hint(err, "run without a terminal: add --no-pty");
		return r;
	}
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return unc_error_sys(err, errno, "cannot open the pseudo-terminal's slave");
	/* the caller's settings (erase character, UTF-8...) and size */
	if (plan->have_termios)
		(void)tcsetattr(slave, TCSANOW, &plan->termios);
	if (plan->size.ws_row || plan->size.ws_col)
		(void)ioctl(slave, TIOCSWINSZ, &plan->size);
	if (console) {
		r = open_console(master, err);
		if (r < 0)
			return r;
		close(slave);
		slave = r;
	}
	r = send_fd(sock, master);
	if (r < 0)
		return unc_error_sys(err, -r, "cannot hand the pseudo-terminal to uncmap");
	return take_fd(&slave);
}

int unc_pty_enter_session(int tty, unsigned stdio)
{
	int fd;

	if (tty < 0)
		return setpgid(0, 0) < 0 ? -errno : 0;
	if (setsid() < 0 || ioctl(tty, TIOCSCTTY, 0) < 0)
		return -errno;
	for (fd = 0; fd <= 2; fd++) {
		if ((stdio & (1u << fd)) && dup2(tty, fd) < 0)
			return -errno;
	}
	return 0;
}

void unc_pty_relay_init(struct unc_pty_relay *r, const struct unc_pty_plan *plan, int sock)
{
	memset(r, 0, sizeof *r);
	r->plan = plan;
	r->sock = sock;
	r->master = -1;
	r->in_fd = -1;
}

/* The caller's terminal goes raw, so that every key (^C, ^Z, ^D included)
 * reaches the pty, whose own line discipline gives the command its
 * signals and its echo. */
static void raw_enter(struct unc_pty_relay *r)
{
	const struct unc_pty_plan *p = r->plan;

	if (r->raw_set) {
		/* continued after a stop: the shell may have changed it */
		(void)tcsetattr(p->term_fd, TCSANOW, &r->raw);
		return;
	}
	if (!p->raw || tcgetattr(p->term_fd, &r->saved) < 0)
		return;
	r->raw = r->saved;
	cfmakeraw(&r->raw);
	r->raw.c_cc[VMIN] = 1;
	r->raw.c_cc[VTIME] = 0;
	if (tcsetattr(p->term_fd, TCSANOW, &r->raw) == 0)
		r->raw_set = 1;
}

static void raw_leave(struct unc_pty_relay *r)
{
	if (r->raw_set) {
		(void)tcsetattr(r->plan->term_fd, TCSANOW, &r->saved);
		r->raw_set = 0;
	}
}

/* Read keys and go raw only while uncmap is in the foreground of the
 * caller's terminal: a job started with & must not stop at once on
 * SIGTTOU or SIGTTIN. `fg` sends SIGCONT, which comes back here. */
static void take_terminal(struct unc_pty_relay *r)
{
	const struct unc_pty_plan *p = r->plan;

	if (p->raw && tcgetpgrp(p->term_fd) != getpgrp())
		return;
	if (!r->in_done)
		r->in_fd = p->in_fd;
	raw_enter(r);
}

/* The master is here: relay from now on. */
static void relay_start(struct unc_pty_relay *r, int master)
{
	r->master = master;
	(void)fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	take_terminal(r);
	/* the size may have changed since the child took it */
	unc_pty_relay_signal(r, SIGWINCH);
}

int unc_pty_relay_fds(const struct unc_pty_relay *r, struct pollfd *pfd)
{
	int n = 0;

	if (r->sock >= 0)
		pfd[n++] = (struct pollfd){.fd = r->sock, .events = POLLIN};
	if (r->master >= 0)
		pfd[n++] = (struct pollfd){
		    .fd = r->master, .events = (short)(POLLIN | (r->len > r->off ? POLLOUT : 0))};
	/* read more only when what was read has gone into the pty */
	if (r->master >= 0 && r->in_fd >= 0 && r->len == r->off)
		pfd[n++] = (struct pollfd){.fd = r->in_fd, .events = POLLIN};
	return n;
}

/* The pty's output to the caller, at most chunks reads of it: a command
 * that never stops writing must not keep the loop from keys, signals and
 * its own end. Returns 0 while the pty lives, -1 once every slave is
 * closed (EIO) or on an error. */
static int relay_out(struct unc_pty_relay *r, int chunks)
{
	char buf[4096];
	ssize_t n;

	while (chunks > 0) {
		n = read(r->master, buf, sizeof buf);
		if (n > 0) {
			chunks--;
			if (r->plan->out_fd >= 0)
				(void)unc_write_all(r->plan->out_fd, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		return -1;
	}
	return 0;
}

/* End of input: like a ^D typed at the terminal, when the pty is in
 * canonical mode (a shell reading lines ends); otherwise nothing more.
 * After a last line with no newline, the first ^D only hands that line
 * over: a second one is the end of file. */
static void relay_in_eof(struct unc_pty_relay *r)
{
	struct termios t;

	r->in_fd = -1;
	r->in_done = 1;
	if (tcgetattr(r->master, &t) == 0 && (t.c_lflag & ICANON)) {
		r->buf[0] = r->buf[1] = (char)t.c_cc[VEOF];
		r->off = 0;
		r->len = r->last && r->last != '\n' ? 2 : 1;
	}
}

static void relay_in(struct unc_pty_relay *r, short revents)
{
	ssize_t n;

	if (r->len == r->off && (revents & (POLLIN | POLLHUP | POLLERR))) {
		do {
			n = read(r->in_fd, r->buf, sizeof r->buf);
		} while (n < 0 && errno == EINTR);
		if (n <= 0) {
			relay_in_eof(r);
		} else {
			r->off = 0;
			r->len = (size_t)n;
			r->last = r->buf[n - 1];
		}
	}
}

static void relay_flush_in(struct unc_pty_relay *r)
{
	while (r->len > r->off) {
		ssize_t n = write(r->master, r->buf + r->off, r->len - r->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				r->off = r->len; /* the pty is gone: drop it */
			return;
		}
		r->off += (size_t)n;
	}
	r->off = r->len = 0;
}

void unc_pty_relay_events(struct unc_pty_relay *r, const struct pollfd *pfd, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == r->sock) {
			int fd = recv_fd(r->sock);
			close(r->sock);
			r->sock = -1;
			if (fd >= 0)
				relay_start(r, fd);
		} else if (pfd[i].fd == r->master) {
			if (relay_out(r, 16) < 0) {
				/* no slave left open: nothing more will come */
				close(r->master);
				r->master = -1;
				r->in_fd = -1;
				return;
			}
		} else if (pfd[i].fd == r->in_fd) {
			relay_in(r, pfd[i].revents);
		}
	}
	if (r->master >= 0)
		relay_flush_in(r);
}

void unc_pty_signals(const struct unc_pty_plan *plan, sigset_t *set)
{
	if (plan->term_fd >= 0)
		sigaddset(set, SIGWINCH);
	if (plan->raw) {
		sigaddset(set, SIGTSTP);
		sigaddset(set, SIGCONT);
	}
}

void unc_pty_relay_signal(struct unc_pty_relay *r, int sig)
{
	struct winsize ws;

	if (r->master < 0)
		return;
	switch (sig) {
	case SIGWINCH:
		if (r->plan->term_fd >= 0 && ioctl(r->plan->term_fd, TIOCGWINSZ, &ws) == 0)
			(void)ioctl(r->master, TIOCSWINSZ, &ws);
		break;
	case SIGTSTP:
		/* as if uncmap had no terminal of its own: stop, with the
		 * caller's terminal as it was; SIGCONT comes back here */
		raw_leave(r);
		(void)kill(getpid(), SIGSTOP);
		break;
	case SIGCONT:
		take_terminal(r);
		unc_pty_relay_signal(r, SIGWINCH);
		break;
	}
}

void unc_pty_relay_end(struct unc_pty_relay *r)
{
	if (r->master >= 0) {
		/* what the command wrote before it ended is still ours to
		 * show; a survivor still writing gets 1 MiB of it at most */
		(void)relay_out(r, 256);
		close(r->master);
		r->master = -1;
	}
	if (r->sock >= 0) {
		close(r->sock);
		r->sock = -1;
	}
	r->in_fd = -1;
	raw_leave(r);
}
