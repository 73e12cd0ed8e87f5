#include "mapper.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "rawsys.h"

int unc_map_read_own(const char *which, struct idmap_plan *own, struct unc_error *err)
{
	_cleanup_free_ char *text = NULL;
	char path[32];
	int r;

	snprintf(path, sizeof path, "/proc/self/%s", which);
	r = unc_read_file(path, UNC_MAP_MAX_BYTES + 1, &text, NULL, err);
	if (r < 0)
		return r;
	return unc_idmap_parse_proc(text, own, err);
}

int unc_map_write_direct(pid_t pid, const struct idmap_plan *uid_plan,
			 const struct idmap_plan *gid_plan, int deny_setgroups,
			 struct unc_error *err)
{
	char path[64];
	char buf[UNC_MAP_MAX_BYTES + 1];
	int len, r;

	if (deny_setgroups) {
		snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
		r = unc_write_file_once(path, "deny", 4, err);
		if (r < 0)
			return r;
	}
	len = unc_idmap_format(gid_plan, buf, sizeof buf);
	if (len < 0)
		return unc_error_set(err, E2BIG, "the GID map is too long");
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	r = unc_write_file_once(path, buf, (size_t)len, err);
	if (r < 0)
		return r;
	len = unc_idmap_format(uid_plan, buf, sizeof buf);
	if (len < 0)
		return unc_error_set(err, E2BIG, "the UID map is too long");
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	return unc_write_file_once(path, buf, (size_t)len, err);
}

/* One running helper. */
struct helper_exec {
	const char *path;
	char **argv;
	char *const *env;
	int out;
};

struct helper_run {
	struct helper_result *res;
	pid_t pid;
	int pidfd;
	int out_fd;
	size_t out_len;
	/* what the helper reads from our memory until its exec: kept until
	 * it is reaped */
	struct helper_exec hx;
	char **argv;
	char *store;
};

/* argv: helper PID IN OUT COUNT ... ; the strings live in `store`. */
static int build_argv(const char *helper, pid_t pid, const struct idmap_plan *plan, char **argv,
		      char *store, size_t store_size)
{
	size_t i, used = 0, k = 0;
	int n;

	argv[k++] = (char *)helper;
	n = snprintf(store + used, store_size - used, "%d", (int)pid);
	argv[k++] = store + used;
	used += (size_t)n + 1;
	for (i = 0; i < plan->n; i++) {
		unsigned long long v[3] = {plan->ext[i].inside, plan->ext[i].outside,
					   plan->ext[i].count};
		int j;
		for (j = 0; j < 3; j++) {
			n = snprintf(store + used, store_size - used, "%llu", v[j]);
			if (n < 0 || (size_t)n + 1 > store_size - used)
				return -E2BIG;
			argv[k++] = store + used;
			used += (size_t)n + 1;
		}
	}
	argv[k] = NULL;
	return 0;
}

/* The helpers' stacks while they share our memory until exec, one each:
 * they run at the same time. */
static char helper_stack[2][32 * 1024] __attribute__((aligned(16)));

/* In the helper's process: no blocked signal, SIGPIPE's default (uncmap
 * ignores it), stdin from /dev/null, stdout and stderr to our pipe. Only
 * system calls that succeed but for the exec: it shares our memory, and
 * runs while we do (a failing call would write errno, which is ours). */
static int helper_main(void *arg)
{
	const struct helper_exec *hx = arg;
	sigset_t none;
	int devnull;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(hx->out, 1) < 0 || dup2(hx->out, 2) < 0)
		_exit(127);
	execve(hx->path, hx->argv, hx->env);
	{
		/* no stdio here: write(2) of fixed text only */
		static const char msg[] = ": cannot be executed\n";
		(void)!write(2, hx->path, strlen(hx->path));
		(void)!write(2, msg, sizeof msg - 1);
	}
	_exit(127);
}

static int start_helper(struct helper_run *run, int slot, const char *helper, pid_t target,
			const struct idmap_plan *plan)
{
	static char *const env[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				    (char *)"LC_ALL=C", NULL};
	/* sized for this plan, on the heap: a frame sized for the kernel's
	 * 340 extents spread the few bytes written over pages of stack that
	 * were all copy-on-write faults once the paused child existed */
	size_t store_size = plan->n * 3 * 21 + 24;
	int out[2], r;

	unc_helper_result_reset(run->res);
	run->res->path = helper;
	run->pid = -1;
	run->pidfd = -1;
	run->out_fd = -1;
	run->out_len = 0;
	run->argv = malloc((3 + 3 * plan->n + 1) * sizeof *run->argv);
	run->store = malloc(store_size);
	if (!run->argv || !run->store) {
		run->res->spawn_errno = ENOMEM;
		return -ENOMEM;
	}
	if (access(helper, X_OK) < 0) {
		run->res->spawn_errno = errno;
		return -errno;
	}
	r = build_argv(helper, target, plan, run->argv, run->store, store_size);
	if (r < 0) {
		run->res->spawn_errno = -r;
		return r;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		run->res->spawn_errno = errno;
		return -errno;
	}
	run->hx = (struct helper_exec){helper, run->argv, env, out[1]};
	/* Started with CLONE_VM, as posix_spawn does: no copy of our page
	 * tables, and no copy-on-write fault in either process after. Not
	 * CLONE_VFORK: we do not wait for the first helper's exec to start
	 * the second (a millisecond and more, here, of a setuid exec's
	 * preparation and of the scheduler), so both run at once from the
	 * start. Sharing our memory until its exec, a helper touches only its
	 * own stack and reads run->hx, which stay as they are until it is
	 * reaped; we write nothing it reads. */
	{
#ifdef __SANITIZE_ADDRESS__
		const int plain_fork = 1; /* ASan cannot follow a process on a stack of ours */
#else
		const int plain_fork = 0;
#endif
		if (!plain_fork)
			run->pid = clone(
			    helper_main, helper_stack[slot] + sizeof helper_stack[slot],
			    CLONE_VM | SIGCHLD | (UNC_ON_VALGRIND() ? CLONE_VFORK : 0), &run->hx);
		else if ((run->pid = fork()) == 0)
			helper_main(&run->hx);
	}
	if (run->pid < 0) {
		run->res->spawn_errno = errno;
		close(out[0]);
		close(out[1]);
		return -run->res->spawn_errno;
	}
	close(out[1]);
	run->out_fd = out[0];
	run->pidfd = (int)syscall(SYS_pidfd_open, run->pid, 0);
	return 0;
}

static void collect_output(struct helper_run *run)
{
	char *buf = run->res->output;
	size_t cap = sizeof run->res->output - 1;
	char scratch[512];
	ssize_t n;

	if (run->out_len < cap)
		n = read(run->out_fd, buf + run->out_len, cap - run->out_len);
	else
		n = read(run->out_fd, scratch, sizeof scratch);
	if (n > 0) {
		if (run->out_len < cap)
			run->out_len += (size_t)n;
		buf[run->out_len] = '\0';
		return;
	}
	if (n < 0 && errno == EINTR)
		return;
	close(run->out_fd);
	run->out_fd = -1;
}

static void reap_helper(struct helper_run *run, int flags)
{
	int status;
	pid_t r;

	if (run->pid <= 0)
		return;
	do {
		r = waitpid(run->pid, &status, flags);
	} while (r < 0 && errno == EINTR);
	if (r != run->pid)
		return;
	if (WIFEXITED(status)) {
		run->res->exited = 1;
		run->res->code = WEXITSTATUS(status);
	} else {
		run->res->exited = 0;
		run->res->code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	run->pid = -1;
	if (run->pidfd >= 0)
		close(run->pidfd);
	run->pidfd = -1;
}

void unc_helper_result_reset(struct helper_result *r)
{
	r->path = NULL;
	r->exited = r->code = r->timed_out = r->spawn_errno = 0;
	r->output[0] = '\0';
}

/* The system call, not the vDSO: the helpers' deadline is all we read the
 * clock for, and the vDSO's code and data pages, first touched here,
 * would cost a page fault each, more than the calls. */
static long long now_ms(void)
{
	struct timespec ts;
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) < 0)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int unc_map_run_helpers(pid_t pid, const char *newuidmap, const char *newgidmap,
			const struct idmap_plan *uid_plan, const struct idmap_plan *gid_plan,
			int timeout_ms, struct helper_result *uid_res,
			struct helper_result *gid_res)
{
	struct helper_run runs[2] = {{.res = uid_res, .pid = -1}, {.res = gid_res, .pid = -1}};
	long long deadline = now_ms() + timeout_ms;
	int i;

	/* Both start before either is waited for: they run concurrently. */
	start_helper(&runs[0], 0, newuidmap, pid, uid_plan);
	start_helper(&runs[1], 1, newgidmap, pid, gid_plan);

	for (;;) {
		struct pollfd pfd[4];
		int map[4], np = 0, live = 0;
		long long left;

		for (i = 0; i < 2; i++) {
			if (runs[i].out_fd >= 0) {
				pfd[np].fd = runs[i].out_fd;
				pfd[np].events = POLLIN;
				map[np++] = i;
			}
			if (runs[i].pid > 0) {
				live++;
				if (runs[i].pidfd >= 0) {
					pfd[np].fd = runs[i].pidfd;
					pfd[np].events = POLLIN;
					map[np++] = i + 2;
				}
			}
		}
		if (np == 0 && live == 0)
			break;
		left = deadline - now_ms();
		if (left <= 0) {
			for (i = 0; i < 2; i++) {
				if (runs[i].pid > 0) {
					runs[i].res->timed_out = 1;
					kill(runs[i].pid, SIGKILL);
					reap_helper(&runs[i], 0);
				}
				if (runs[i].out_fd >= 0) {
					close(runs[i].out_fd);
					runs[i].out_fd = -1;
				}
			}
			break;
		}
		if (np == 0) {
			/* no pidfd support: block in waitpid, bounded by nothing
			 * better than the helpers' own exit */
			for (i = 0; i < 2; i++)
				reap_helper(&runs[i], 0);
			continue;
		}
		if (poll(pfd, (nfds_t)np, (int)(left > 1000 ? 1000 : left)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < np; k++) {
			if (!pfd[k].revents)
				continue;
			if (map[k] < 2)
				collect_output(&runs[map[k]]);
			else
				reap_helper(&runs[map[k] - 2], WNOHANG);
		}
	}
	for (i = 0; i < 2; i++) {
		char *o = runs[i].res->output;

		/* a helper still sharing our memory must be gone before its
		 * argv is freed (only after a failed poll: the loop reaps) */
		if (runs[i].pid > 0) {
			kill(runs[i].pid, SIGKILL);
			reap_helper(&runs[i], 0);
		}
		if (runs[i].out_fd >= 0)
			close(runs[i].out_fd);
		free(runs[i].argv);
		free(runs[i].store);
		size_t len = strlen(o);
		while (len > 0 && (o[len - 1] == '\n' || o[len - 1] == ' '))
			o[--len] = '\0';
	}
	return unc_helper_ok(uid_res) && unc_helper_ok(gid_res) ? 0 : -EPERM;
}
