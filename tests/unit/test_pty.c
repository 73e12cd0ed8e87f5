/* test_pty.c: lib/launch/pty.c: which descriptors become the command's
 * pseudo-terminal, and the relay through a real pty (no privileges). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "pty.h"

/* Which descriptors become the pty, for each mode and set of terminals
 * (bit N: descriptor N is a terminal). */
static const struct decide_case {
	const char *what;
	enum unc_pty_mode mode;
	unsigned ttys;
	int use;
	unsigned stdio;
	int in_fd, out_fd, term_fd, raw;
} decide_cases[] = {
    {"no terminal", UNC_PTY_AUTO, 0, 0, 0, -1, -1, -1, 0},
    {"stdout and stderr terminals alone", UNC_PTY_AUTO, 6, 0, 0, -1, -1, -1, 0},
    {"--no-pty", UNC_PTY_OFF, 7, 0, 0, -1, -1, -1, 0},
    {"an interactive shell", UNC_PTY_AUTO, 7, 1, 7, 0, 1, 0, 1},
    {"uncmap ls | grep x: the pipe is passed on", UNC_PTY_AUTO, 5, 1, 5, 0, 2, 0, 1},
    {"uncmap cmd >out 2>err: only the echo", UNC_PTY_AUTO, 1, 1, 1, 0, 0, 0, 1},
    {"--pty <in >out: all three, nothing raw", UNC_PTY_ON, 0, 1, 7, 0, 1, -1, 0},
    {"--pty with a terminal on 2: its size", UNC_PTY_ON, 4, 1, 7, 0, 1, 2, 0},
};

static void test_decide(void **state)
{
	size_t i;

	for (i = 0; i < sizeof decide_cases / sizeof decide_cases[0]; i++) {
		const struct decide_case *c = &decide_cases[i];
		struct unc_pty_plan p;

		print_message("%s\n", c->what);
		unc_pty_decide(c->mode, c->ttys, &p);
		assert_int_equal(p.use, c->use);
		assert_int_equal(p.stdio, c->stdio);
		assert_int_equal(p.in_fd, c->in_fd);
		assert_int_equal(p.out_fd, c->out_fd);
		assert_int_equal(p.term_fd, c->term_fd);
		assert_int_equal(p.raw, c->raw);
	}
}

/* Run the relay until poll has nothing for ms milliseconds. */
static void pump(struct unc_pty_relay *r, int ms)
{
	for (;;) {
		struct pollfd pfd[UNC_PTY_POLLFDS];
		int n = unc_pty_relay_fds(r, pfd);
		if (n == 0 || poll(pfd, (nfds_t)n, ms) <= 0)
			return;
		unc_pty_relay_events(r, pfd, n);
	}
}

static size_t read_some(int fd, char *buf, size_t size)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (poll(&p, 1, 2000) <= 0)
		return 0;
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/* A relay from pipe in[0] to a real pty and from it to pipe out[1], as
 * uncmap runs it with --pty; returns the slave. */
struct relay_fixture {
	struct unc_pty_plan plan;
	struct unc_pty_relay relay;
	int in[2], out[2];
};

static int relay_open(struct relay_fixture *f)
{
	struct unc_error err;
	int sv[2], slave;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe2(f->in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(f->out, O_CLOEXEC), 0);
	unc_pty_decide(UNC_PTY_ON, 0, &f->plan);
	f->plan.in_fd = f->in[0];
	f->plan.out_fd = f->out[1];
	f->plan.size = (struct winsize){.ws_row = 33, .ws_col = 99};
	unc_error_clear(&err);
	slave = unc_pty_open(&f->plan, 0, sv[1], &err);
	assert_true(slave >= 0);
	assert_string_equal(err.msg, "");
	assert_true(isatty(slave));
	assert_true(fcntl(slave, F_GETFD) & FD_CLOEXEC);
	close(sv[1]);
	unc_pty_relay_init(&f->relay, &f->plan, sv[0]);
	pump(&f->relay, 200);
	assert_true(f->relay.master >= 0);
	return slave;
}

static void relay_close(struct relay_fixture *f, int slave)
{
	if (slave >= 0)
		close(slave);
	unc_pty_relay_end(&f->relay);
	close(f->in[0]);
	close(f->out[0]);
	close(f->out[1]);
}

/* The next read of fd is end of file (and does not block). */
static int at_eof(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;

	return poll(&p, 1, 2000) == 1 && read(fd, &c, 1) == 0;
}

static void test_relay_both_ways(void **state)
{
	struct relay_fixture f;
	int slave = relay_open(&f);
	struct winsize ws;
	char buf[256];

	assert_int_equal(ioctl(slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 33);
	assert_int_equal(ws.ws_col, 99);
	/* the command's output, through the line discipline */
	assert_int_equal(write(slave, "out\n", 4), 4);
	pump(&f.relay, 100);
	assert_int_equal(read_some(f.out[0], buf, sizeof buf), 5);
	assert_string_equal(buf, "out\r\n");
	/* what is typed reaches the command, and is echoed */
	assert_int_equal(write(f.in[1], "in\n", 3), 3);
	pump(&f.relay, 100);
	assert_int_equal(read_some(slave, buf, sizeof buf), 3);
	assert_string_equal(buf, "in\n");
	assert_int_equal(read_some(f.out[0], buf, sizeof buf), 4);
	assert_string_equal(buf, "in\r\n");
	/* end of input is end of file for a command reading lines */
	close(f.in[1]);
	pump(&f.relay, 100);
	assert_int_equal(f.relay.in_fd, -1);
	assert_true(at_eof(slave));
	/* what the command wrote last is shown even after it is gone */
	assert_int_equal(write(slave, "bye\n", 4), 4);
	close(slave);
	unc_pty_relay_end(&f.relay);
	assert_int_equal(f.relay.master, -1);
	assert_int_equal(read_some(f.out[0], buf, sizeof buf), 5);
	assert_string_equal(buf, "bye\r\n");
	relay_close(&f, -1); /* a second end is harmless */
}

/* `printf abc | uncmap --pty cat`: the last line, then end of file. */
static void test_relay_last_line_without_newline(void **state)
{
	struct relay_fixture f;
	int slave = relay_open(&f);
	char buf[256];

	assert_int_equal(write(f.in[1], "abc", 3), 3);
	close(f.in[1]);
	pump(&f.relay, 100);
	assert_int_equal(read_some(slave, buf, sizeof buf), 3);
	assert_string_equal(buf, "abc");
	assert_true(at_eof(slave));
	relay_close(&f, slave);
}

static void test_relay_child_gone(void **state)
{
	struct unc_pty_plan plan;
	struct unc_pty_relay relay;
	int sv[2];

	/* the child ended before it sent a master: nothing to relay */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	unc_pty_decide(UNC_PTY_ON, 0, &plan);
	unc_pty_relay_init(&relay, &plan, sv[0]);
	close(sv[1]);
	pump(&relay, 100);
	assert_int_equal(relay.sock, -1);
	assert_int_equal(relay.master, -1);
	unc_pty_relay_end(&relay);
}

/* In a new session, the pty is the controlling terminal of 0, 1 and 2. */
static void test_enter_session(void **state)
{
	struct unc_pty_plan plan;
	struct unc_error err;
	int sv[2], slave, ws;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	unc_pty_decide(UNC_PTY_ON, 0, &plan);
	slave = unc_pty_open(&plan, 0, sv[1], &err);
	assert_true(slave >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = unc_pty_enter_session(slave, 5) == 0 && getsid(0) == getpid() &&
			 tcgetsid(0) == getpid() && tcgetsid(2) == getpid() &&
			 !(fcntl(0, F_GETFD) & FD_CLOEXEC);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	close(slave);
	close(sv[0]);
	close(sv[1]);
}

/* With no pty: a process group of its own in the session it is in. */
static void test_enter_no_terminal(void **state)
{
	pid_t pid;
	int ws;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pid_t sid = getsid(0);
		int ok =
		    unc_pty_enter_session(-1, 0) == 0 && getpgrp() == getpid() && getsid(0) == sid;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decide),
	    cmocka_unit_test(test_relay_both_ways),
	    cmocka_unit_test(test_relay_last_line_without_newline),
	    cmocka_unit_test(test_relay_child_gone),
	    cmocka_unit_test(test_enter_session),
	    cmocka_unit_test(test_enter_no_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
