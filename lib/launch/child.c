#include "child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "rawsys.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void unc_report_send(int report_fd, struct unc_child_report *rep, int status, int errnum,
		     const char *fmt, ...)
{
	va_list ap;

	memset(rep, 0, sizeof *rep);
	rep->status = status;
	rep->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(rep->msg, sizeof rep->msg, fmt, ap);
	va_end(ap);
	(void)unc_write_all(report_fd, rep, sizeof *rep);
}

void unc_report_error(int report_fd, struct unc_child_report *rep, int status,
		      const struct unc_error *err)
{
	memset(rep, 0, sizeof *rep);
	rep->status = status;
	rep->errnum = err->errnum;
	snprintf(rep->msg, sizeof rep->msg, "%s", err->msg);
	snprintf(rep->hint, sizeof rep->hint, "%s", err->hint);
	(void)unc_write_all(report_fd, rep, sizeof *rep);
}

int unc_cloexec_from(int from)
{
	DIR *d;
	struct dirent *de;

	if (syscall(SYS_close_range, (unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd < from || fd == dirfd(d))
			continue;
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

int unc_close_fds_except(const int *keep, size_t n)
{
	unsigned int from = 3;

	/* keep is short: walk it in ascending order, closing the gaps */
	for (;;) {
		unsigned int next = ~0U;
		size_t i;
		for (i = 0; i < n; i++)
			if (keep[i] >= (int)from && (unsigned int)keep[i] < next)
				next = (unsigned int)keep[i];
		if (next > from && syscall(SYS_close_range, from, next - 1, 0) < 0)
			return -errno;
		if (next == ~0U)
			return 0;
		from = next + 1;
	}
}

/* The signals whose dispositions we may change before exec: the only
 * ones unc_exec_command resets. Any other ignored signal stays ignored
 * across exec by itself. */
static const int touched_signals[] = {SIGINT,  SIGQUIT, SIGTERM, SIGHUP,  SIGUSR1, SIGUSR2,
				      SIGPIPE, SIGCHLD, SIGTTOU, SIGTTIN, SIGTSTP};
#define N_TOUCHED (sizeof touched_signals / sizeof touched_signals[0])

void unc_ignored_signals(sigset_t *out)
{
	size_t i;

	sigemptyset(out);
	for (i = 0; i < N_TOUCHED; i++) {
		struct sigaction sa;
		if (sigaction(touched_signals[i], NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			sigaddset(out, touched_signals[i]);
	}
}

/* A file the kernel cannot execute (no #!) runs under /bin/sh, with the
 * whole argv, as execvp does. The array comes from mmap: this may run in
 * a child that shares our memory, where malloc has no business. */
static void exec_as_script(const char *file, char *const argv[])
{
	size_t argc = 0, size;
	char **sh_argv;

	while (argv[argc])
		argc++;
	size = (argc + 2) * sizeof *sh_argv;
	sh_argv = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh_argv == MAP_FAILED)
		return;
	sh_argv[0] = (char *)"/bin/sh";
	sh_argv[1] = (char *)file;
	memcpy(sh_argv + 2, argv + 1, argc * sizeof *sh_argv); /* with the NULL */
	execv("/bin/sh", sh_argv);
	munmap(sh_argv, size);
}

/* execv, and a file without #! as a script (execvp's fallback). Returns
 * the errno. */
static int exec_file(const char *file, char *const argv[])
{
	execv(file, argv);
	if (errno == ENOEXEC) {
		exec_as_script(file, argv);
		errno = ENOEXEC;
	}
	return errno;
}

/* A name without '/' looked up in PATH, as execvp does. Not inlined: its
 * buffer is a page of stack a path never needs (the command runs on a
 * stack whose every page first touched is a fault). */
static __attribute__((noinline)) int exec_in_path(char *const argv[])
{
	const char *path, *p;
	char buf[4096];
	int found_err = 0;

	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		struct stat st;
		if (dlen == 0)
			snprintf(buf, sizeof buf, "%s", argv[0]);
		else
			snprintf(buf, sizeof buf, "%.*s/%s", (int)dlen, p, argv[0]);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			int e = exec_file(buf, argv);
			if (!found_err)
				found_err = e;
		}
		if (*end == '\0')
			break;
		p = end;
	}
	return found_err ? found_err : ENOENT;
}

/* execvp(), except that the answer tells "not found" (ENOENT: 127) from
 * "found but cannot run" (126): glibc reports EACCES when any PATH entry
 * is unreadable, even if the program exists nowhere. */
static int exec_search(char *const argv[])
{
	return strchr(argv[0], '/') ? exec_file(argv[0], argv) : exec_in_path(argv);
}

void unc_exec_command(char *const argv[], const sigset_t *mask, const sigset_t *ignored,
		      int report_fd, struct unc_child_report *rep)
{
	size_t i;
	int e;

	for (i = 0; i < N_TOUCHED; i++)
		if (!ignored || !sigismember(ignored, touched_signals[i]))
			signal(touched_signals[i], SIG_DFL);
	if (unc_cloexec_from(3) < 0) {
		unc_report_send(report_fd, rep, 125, errno,
				"cannot mark descriptors close-on-exec: %s", strerror(errno));
		return;
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
	e = exec_search(argv);
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	unc_report_send(report_fd, rep, e == ENOENT ? 127 : 126, e, "cannot run '%s': %s", argv[0],
			strerror(e));
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* In the paused child, while the helpers write its maps: make present now,
 * in one call, the stack it will write once released (a forked child's
 * pages are shared with the parent until then, each a copy-on-write fault;
 * below them, the command's stack until its exec), so that the way from
 * the release to the command's exec takes no fault. Only an optimisation:
 * a kernel before 5.14 refuses the advice, and nothing changes. A raw
 * call: the child may share our memory (and errno). */
static void prefault_paused(void)
{
	const uintptr_t below = 32 * 1024;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0) & ~(uintptr_t)4095;

	(void)unc_sys(SYS_madvise, sp - below, below, MADV_POPULATE_WRITE, 0);
}

struct paused {
	int go_fd, report_fd; /* the child's ends */
	int go_wr, report_rd; /* ours, which the child's copy of our table holds */
	int undumpable;	      /* once released (UNC_SPAWN_SHARED asked) */
	unc_child_fn fn;
	void *arg;
};

/* The paused child: wait for the maps, then run fn. Until then only raw
 * system calls (it may share our memory). End of file on the go pipe
 * means the parent gave up or died: run nothing. */
static int paused_main(void *p)
{
	const struct paused *pz = p;
	struct unc_child_report rep;
	char byte = 0;
	long n;

	(void)unc_sys(SYS_close, pz->go_wr, 0, 0, 0);
	(void)unc_sys(SYS_close, pz->report_rd, 0, 0, 0);
	(void)unc_sys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
	prefault_paused();
	do {
		n = unc_sys(SYS_read, pz->go_fd, &byte, 1, 0);
	} while (n == -EINTR);
	if (n != 1 || byte != 'g')
		_exit(125);
	(void)unc_sys(SYS_close, pz->go_fd, 0, 0, 0);
	/* Released, the child enters the namespaces, whose root may ptrace
	 * what is dumpable and of its UID: its memory, ours when shared (and
	 * a copy of ours, the caller's environment in it, when not), must not
	 * be. Not before: until the release we and others (pasta, the map we
	 * write, --info-fd) use its /proc entries, which this makes root's. */
	if (pz->undumpable && unc_sys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0) < 0)
		_exit(125);
	pz->fn(pz->arg, pz->report_fd, &rep);
	_exit(rep.status ? rep.status : 125);
}

int unc_spawn_can_share(void)
{
#if defined(__SANITIZE_ADDRESS__) || !UNC_RAW_SYSCALLS
	return 0; /* ASan cannot follow a process on a stack of ours */
#else
	return !UNC_ON_VALGRIND();
#endif
}

/* The shared child's stack: mapped, not static, with a guard page below,
 * so that an overflow is a fault and not a write over our data. Only the
 * pages touched cost anything. */
#define SHARED_STACK_SIZE (1024 * 1024)

static pid_t clone_shared(int clone_flags, struct paused *pz, struct unc_child *out)
{
	const size_t guard = 4096;
	char *stack;
	pid_t pid;

	stack = mmap(NULL, SHARED_STACK_SIZE + guard, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	/* the guard below, then the child at the top */
	if (mprotect(stack, guard, PROT_NONE) == 0)
		pid = clone(paused_main, stack + guard + SHARED_STACK_SIZE,
			    CLONE_VM | clone_flags | SIGCHLD, pz);
	else
		pid = -1;
	if (pid < 0) {
		int e = errno;
		munmap(stack, SHARED_STACK_SIZE + guard);
		errno = e;
		return -1;
	}
	out->shared = 1;
	out->stack = stack;
	out->stack_size = SHARED_STACK_SIZE + guard;
	return pid;
}

int unc_spawn_paused(int clone_flags, enum unc_spawn_mode mode, unc_child_fn fn, void *arg,
		     struct unc_child *out, struct unc_error *err)
{
	/* read by a shared child after we have returned: not on our stack */
	static struct paused shared_pz;
	struct paused pz;
	int go[2], report[2];
	pid_t pid;

	out->failure = UNC_SPAWN_FAIL_OTHER;
	out->pid = -1;
	out->pidfd = out->go_fd = out->report_fd = -1;
	out->shared = 0;
	out->stack = NULL;
	out->stack_size = 0;
	if (pipe2(go, O_CLOEXEC) < 0)
		return unc_error_sys(err, errno, "cannot create a pipe");
	if (pipe2(report, O_CLOEXEC) < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		return unc_error_sys(err, e, "cannot create a pipe");
	}
	pz = (struct paused){go[0], report[1], go[1], report[0], mode == UNC_SPAWN_SHARED, fn, arg};
	if (mode == UNC_SPAWN_SHARED && unc_spawn_can_share()) {
		shared_pz = pz;
		pid = clone_shared(clone_flags, &shared_pz, out);
	} else {
		pid = (pid_t)syscall(SYS_clone, (unsigned long)clone_flags | SIGCHLD, NULL, NULL,
				     NULL, 0);
		if (pid == 0)
			paused_main(&pz);
	}
	if (pid < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		close(report[0]);
		close(report[1]);
		if (e == EPERM || e == ENOSPC || e == EUSERS) {
			out->failure = UNC_SPAWN_FAIL_USERNS;
			return unc_error_sys(err, e, "cannot create a user namespace");
		}
		return unc_error_sys(err, e, "cannot create the child process");
	}
	close(go[0]);
	close(report[1]);
	out->failure = UNC_SPAWN_OK;
	out->pid = pid;
	out->go_fd = go[1];
	out->report_fd = report[0];
	out->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (out->pidfd >= 0)
		(void)fcntl(out->pidfd, F_SETFD, FD_CLOEXEC);
	return 0;
}

int unc_child_release(struct unc_child *c, struct unc_error *err)
{
	int r = unc_write_all(c->go_fd, "g", 1);

	close(c->go_fd);
	c->go_fd = -1;
	if (r < 0)
		return unc_error_sys(err, -r, "cannot release the child");
	return 0;
}

void unc_child_abort(struct unc_child *c)
{
	if (c->go_fd >= 0) {
		close(c->go_fd); /* the child reads EOF and exits */
		c->go_fd = -1;
	}
	if (c->pid > 0) {
		(void)kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->pid = -1;
	}
	unc_child_close(c);
}

int unc_child_read_report(struct unc_child *c, struct unc_child_report *rep)
{
	ssize_t n = unc_read_all(c->report_fd, rep, sizeof *rep);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof *rep)
		return -EIO;
	rep->msg[sizeof rep->msg - 1] = '\0';
	rep->hint[sizeof rep->hint - 1] = '\0';
	return 1;
}

void unc_child_close(struct unc_child *c)
{
	if (c->go_fd >= 0)
		close(c->go_fd);
	if (c->report_fd >= 0)
		close(c->report_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->go_fd = c->report_fd = c->pidfd = -1;
	/* a shared child's stack, once nothing can run on it */
	if (c->stack && c->pid <= 0) {
		munmap(c->stack, c->stack_size);
		c->stack = NULL;
	}
}
