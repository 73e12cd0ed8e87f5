#include "pasta.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "idmap.h"
#include "mapper.h"
#include "cleanup.h"
#include "io.h"
#include "numparse.h"

#define PUBLISH_FORM "[HOSTIP:]HOSTPORT:PORT[/tcp|/udp]"

static int parse_port(const char *s, size_t len, uint16_t *out, const char *arg,
		      struct unc_error *err)
{
	char buf[16];
	uint64_t v;

	if (len == 0 || len >= sizeof buf)
		return unc_error_set(err, EINVAL, "--publish: '%s' is not " PUBLISH_FORM, arg);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (unc_parse_u64(buf, 1, 65535, &v, "--publish: port", err) < 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int unc_publish_parse(const char *arg, struct unc_publish *out, struct unc_error *err)
{
	const char *p = arg, *slash, *end, *colon;
	size_t len;

	memset(out, 0, sizeof *out);
	end = arg + strlen(arg);
	slash = strrchr(arg, '/');
	if (slash) {
		if (strcmp(slash, "/tcp") == 0)
			out->proto = UNC_PUBLISH_TCP;
		else if (strcmp(slash, "/udp") == 0)
			out->proto = UNC_PUBLISH_UDP;
		else
			return unc_error_set(err, EINVAL,
					     "--publish: '%s': the protocol is tcp or udp", arg);
		end = slash;
	}
	/* HOSTIP: an IPv6 address in brackets, or IPv4 before a second colon */
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close || close[1] != ':' || (size_t)(close - p - 1) >= sizeof out->host_ip)
			return unc_error_set(err, EINVAL, "--publish: '%s' is not " PUBLISH_FORM,
					     arg);
		memcpy(out->host_ip, p + 1, (size_t)(close - p - 1));
		p = close + 2;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
			if ((size_t)(colon - p) >= sizeof out->host_ip)
				return unc_error_set(err, EINVAL,
						     "--publish: '%s' is not " PUBLISH_FORM, arg);
			memcpy(out->host_ip, p, (size_t)(colon - p));
			p = colon + 1;
		}
	}
	if (out->host_ip[0]) {
		unsigned char addr[16];
		int family = strchr(out->host_ip, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(family, out->host_ip, addr) != 1)
			return unc_error_set(err, EINVAL,
					     "--publish: '%s' is not an IP address (IPv6 goes in "
					     "brackets: [::1]:8080:80)",
					     out->host_ip);
	}
	colon = memchr(p, ':', (size_t)(end - p));
	if (!colon)
		return unc_error_set(err, EINVAL, "--publish: '%s' is not " PUBLISH_FORM, arg);
	len = (size_t)(colon - p);
	if (parse_port(p, len, &out->host_port, arg, err) < 0 ||
	    parse_port(colon + 1, (size_t)(end - colon - 1), &out->port, arg, err) < 0)
		return -EINVAL;
	return 0;
}

/* Does an extra option set this port-forwarding option itself? Then our
 * default ("none") must not be given too. */
static int extra_sets(const struct unc_pasta_spec *spec, const char *short_opt,
		      const char *long_opt)
{
	size_t i, l = strlen(long_opt);

	for (i = 0; i < spec->nextra; i++) {
		const char *a = spec->extra[i];
		if (strcmp(a, short_opt) == 0 || strncmp(a, long_opt, l) == 0 ||
		    (strncmp(a, short_opt, 2) == 0 && a[2] != '\0'))
			return 1;
	}
	return 0;
}

struct argv_builder {
	char **argv;
	size_t n, max;
	char *storage;
	size_t used, size;
	int overflow;
};

static void add_arg(struct argv_builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_arg(struct argv_builder *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->n + 1 >= b->max || b->used >= b->size) {
		b->overflow = 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(b->storage + b->used, b->size - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->used) {
		b->overflow = 1;
		return;
	}
	b->argv[b->n++] = b->storage + b->used;
	b->used += (size_t)n + 1;
}

/* One -t or -u per published port: pasta takes the option repeatedly,
 * and an address applies to a whole option. */
static void add_forwards(struct argv_builder *b, const struct unc_pasta_spec *spec,
			 enum unc_publish_proto proto, const char *opt, const char *long_opt)
{
	size_t i;
	int any = 0;

	for (i = 0; i < spec->npublish; i++) {
		const struct unc_publish *p = &spec->publish[i];
		if (p->proto != proto)
			continue;
		add_arg(b, "%s", opt);
		add_arg(b, "%s%s%u:%u", p->host_ip, p->host_ip[0] ? "/" : "",
			(unsigned)p->host_port, (unsigned)p->port);
		any = 1;
	}
	/* pasta's default is "auto": every port bound inside would appear
	 * on the host. Only what --publish names is forwarded. */
	if (!any && !extra_sets(spec, opt, long_opt)) {
		add_arg(b, "%s", opt);
		add_arg(b, "none");
	}
}

int unc_pasta_argv(const struct unc_pasta_spec *spec, pid_t target, int ready_fd, char **argv,
		   size_t max, char *storage, size_t size)
{
	struct argv_builder b = {.argv = argv, .max = max, .storage = storage, .size = size};
	size_t i;

	add_arg(&b, "%s", spec->path);
	add_arg(&b, "--config-net");
	add_arg(&b, "--foreground");
	add_arg(&b, "--quiet");
	add_arg(&b, "--dns-forward");
	add_arg(&b, UNC_PASTA_DNS);
	if (spec->run_as_root) {
		add_arg(&b, "--runas");
		add_arg(&b, "0:0");
	}
	add_forwards(&b, spec, UNC_PUBLISH_TCP, "-t", "--tcp-ports");
	add_forwards(&b, spec, UNC_PUBLISH_UDP, "-u", "--udp-ports");
	/* "auto" here would bring the host's loopback ports to the
	 * namespace's own 127.0.0.1; the gateway address is the way. */
	if (!extra_sets(spec, "-T", "--tcp-ns")) {
		add_arg(&b, "-T");
		add_arg(&b, "none");
	}
	if (!extra_sets(spec, "-U", "--udp-ns")) {
		add_arg(&b, "-U");
		add_arg(&b, "none");
	}
	add_arg(&b, "--pid");
	add_arg(&b, "/proc/self/fd/%d", ready_fd);
	for (i = 0; i < spec->nextra; i++)
		add_arg(&b, "%s", spec->extra[i]);
	add_arg(&b, "%d", (int)target);
	if (b.overflow)
		return -E2BIG;
	argv[b.n] = NULL;
	return 0;
}

int unc_pasta_find(const char *name, char *out, size_t size, struct unc_error *err)
{
	const char *path, *p;

	if (strchr(name, '/')) {
		if (access(name, X_OK) < 0) {
			int e = errno;
			unc_error_sys(err, e, "--pasta: cannot run '%s'", name);
			unc_error_hint(err, "install the package passt (apt-get install passt), "
					    "or pass --pasta with the path of pasta");
			return -e;
		}
		snprintf(out, size, "%s", name);
		return 0;
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		struct stat st;
		int n = snprintf(out, size, "%.*s/%s", (int)(end - p), p, name);
		if (end > p && n > 0 && (size_t)n < size && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
		if (*end == '\0')
			break;
		p = end;
	}
	unc_error_set(err, ENOENT, "--net=pasta: %s not found in PATH", name);
	unc_error_hint(err, "install the package passt (apt-get install passt), or pass --pasta "
			    "with the path of pasta");
	return -ENOENT;
}

int unc_pasta_check_tun(struct unc_error *err)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NOCTTY);
	int e = errno;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	unc_error_sys(err, e, "--net=pasta: cannot open /dev/net/tun");
	if (e == EACCES || e == EPERM)
		unc_error_hint(err, "pasta opens it from inside the namespace, where only the "
				    "mode for others counts: as root, chmod 0666 /dev/net/tun (as "
				    "Debian's udev rules make it)");
	else if (e == ENOENT || e == ENODEV || e == ENXIO)
		unc_error_hint(err, "load the tun module (as root: modprobe tun), or create the "
				    "node: mknod -m 0666 /dev/net/tun c 10 200");
	return -e;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the forked child: its own session, stdin and stdout on /dev/null
 * (stderr stays, for pasta's own words), every signal unblocked, the PID
 * file pipe kept across exec, and death with uncmap. Never returns. */
static void exec_pasta(char **argv, int ready_fd, pid_t parent)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(125);
	/* A session of its own: a terminal's ^C, ^\ or hang-up is for the
	 * command, never for the network under it. */
	if (setsid() < 0)
		_exit(125);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		_exit(125);
	if (unc_cloexec_from(3) < 0 || fcntl(ready_fd, F_SETFD, 0) < 0)
		_exit(125);
	/* uncmap ignores SIGPIPE; pasta of Debian 12 fails to start
	 * ("Couldn't install signal handlers") when it finds it ignored. */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

static void reap(pid_t pid, int *wstatus)
{
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
}

int unc_pasta_start(const struct unc_pasta_spec *spec, pid_t target, struct unc_pasta *out,
		    struct unc_error *err)
{
	char *argv[160], storage[8192], line[32];
	_cleanup_close_ int rd = -1;
	int ready[2], wstatus = 0, r;
	size_t got = 0;
	long deadline;
	pid_t pid, self = getpid();
	const char *then = spec->trial ? "" : "; the command was not run";

	out->pid = -1;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return unc_error_sys(err, errno, "--net=pasta: cannot create a pipe");
	rd = ready[0];
	r = unc_pasta_argv(spec, target, ready[1], argv, sizeof argv / sizeof argv[0], storage,
			   sizeof storage);
	if (r < 0) {
		close(ready[1]);
		return unc_error_set(err, E2BIG, "--pasta-opt: too many or too long options");
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ready[1]);
		return unc_error_sys(err, e, "--net=pasta: cannot start %s", spec->path);
	}
	if (pid == 0)
		exec_pasta(argv, ready[1], self);
	close(ready[1]);

	/* pasta writes "PID\n" once the namespace's network is up; end of
	 * file first means it died. */
	deadline = now_ms() + spec->timeout_ms;
	for (;;) {
		struct pollfd pfd = {.fd = rd, .events = POLLIN};
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			reap(pid, NULL);
			unc_error_set(err, ETIMEDOUT,
				      "--net=pasta: %s did not bring the network up within %d "
				      "second%s%s",
				      spec->path, spec->timeout_ms / 1000,
				      spec->timeout_ms == 1000 ? "" : "s", then);
			unc_error_hint(err, "see pasta's messages above; a slow machine may need a "
					    "longer --helper-timeout");
			return -ETIMEDOUT;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR) {
			int e = errno;
			kill(pid, SIGKILL);
			reap(pid, NULL);
			return unc_error_sys(err, e, "--net=pasta: cannot wait for %s", spec->path);
		}
		if (r <= 0)
			continue;
		n = read(rd, line + got, sizeof line - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			got += (size_t)n;
			if (memchr(line, '\n', got)) {
				out->pid = pid;
				return 0;
			}
			if (got < sizeof line - 1)
				continue;
		}
		/* end of file, an error, or no line where a PID belongs */
		kill(pid, SIGKILL);
		reap(pid, &wstatus);
		break;
	}
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
		unc_error_set(err, ENOENT, "--net=pasta: cannot run %s%s", spec->path, then);
	else if (WIFEXITED(wstatus))
		unc_error_set(err, EIO,
			      "--net=pasta: %s exited with status %d before the network was up%s",
			      spec->path, WEXITSTATUS(wstatus), then);
	else
		unc_error_set(err, EIO,
			      "--net=pasta: %s was killed by signal %d (%s) before the network "
			      "was up%s",
			      spec->path, WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)), then);
	if (spec->trial)
		unc_error_hint(err, "see pasta's messages above");
	else
		unc_error_hint(err, "see pasta's messages above; run 'uncmap --check --net=pasta' "
				    "for a diagnosis");
	return -EIO;
}

void unc_pasta_stop(struct unc_pasta *p)
{
	if (p->pid <= 0)
		return;
	/* pasta keeps no state worth a goodbye: SIGKILL, then reap */
	kill(p->pid, SIGKILL);
	reap(p->pid, NULL);
	p->pid = -1;
}

int unc_pasta_bind_resolv_conf(struct unc_error *err)
{
	static const char text[] = "# written by uncmap --net=pasta: pasta forwards queries to "
				   "the host's resolver\nnameserver " UNC_PASTA_DNS "\n";
	static const char staged[] = "/dev/.uncmap-resolv.conf";
	int fd, r, e;

	fd = open(staged, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return unc_error_sys(err, errno, "--net=pasta: cannot create %s", staged);
	r = unc_write_all(fd, text, sizeof text - 1);
	close(fd);
	if (r < 0) {
		unlink(staged);
		return unc_error_sys(err, -r, "--net=pasta: cannot write %s", staged);
	}
	r = mount(staged, "/etc/resolv.conf", NULL, MS_BIND, NULL);
	e = errno;
	unlink(staged);
	if (r < 0) {
		unc_error_sys(err, e,
			      "--net=pasta: cannot bind a resolv.conf on /etc/resolv.conf "
			      "in the root");
		unc_error_hint(err,
			       "the root needs an /etc/resolv.conf to cover (an empty file "
			       "will do), or bind your own with --ro-bind FILE:/etc/resolv.conf");
		return -e;
	}
	return 0;
}

static void never_runs(void *arg, int report_fd, struct unc_child_report *rep)
{
	(void)arg;
	(void)report_fd;
	rep->status = 125;
}

/* A real start, as a launch does it: pasta on a new user and network
 * namespace of our own (only our own IDs mapped), never released. */
static int trial_start(const char *path, struct unc_error *err)
{
	static struct idmap_plan uid_plan, gid_plan;
	struct unc_pasta_spec spec = {
	    .path = path, .run_as_root = geteuid() == 0, .timeout_ms = 10000, .trial = 1};
	struct unc_child child;
	struct unc_pasta running;
	int r;

	uid_plan.n = gid_plan.n = 1;
	uid_plan.ext[0] = (struct map_extent){.inside = 0, .outside = getuid(), .count = 1};
	gid_plan.ext[0] = (struct map_extent){.inside = 0, .outside = getgid(), .count = 1};
	r = unc_spawn_paused(CLONE_NEWUSER | CLONE_NEWNET, UNC_SPAWN_COPY, never_runs, NULL, &child,
			     err);
	if (r < 0)
		return r;
	r = unc_map_write_direct(child.pid, &uid_plan, &gid_plan, geteuid() != 0, err);
	if (r >= 0)
		r = unc_pasta_start(&spec, child.pid, &running, err);
	if (r >= 0)
		unc_pasta_stop(&running);
	unc_child_abort(&child);
	return r;
}

void unc_check_pasta(struct unc_check_report *rep, const char *pasta)
{
	struct unc_check_result *c;
	struct unc_error err;
	char path[4096];
	int usable = 1;

	unc_error_clear(&err);
	if (unc_pasta_find(pasta, path, sizeof path, &err) < 0) {
		usable = 0;
		c = unc_check_add(rep, UNC_CHECK_FAIL, "pasta");
		snprintf(c->what, sizeof c->what, "%.600s", err.msg);
		snprintf(c->fix, sizeof c->fix, "%.500s", err.hint);
	} else {
		c = unc_check_add(rep, UNC_CHECK_OK, "pasta");
		snprintf(c->what, sizeof c->what, "--net=pasta runs %.600s", path);
	}
	unc_error_clear(&err);
	if (unc_pasta_check_tun(&err) < 0) {
		usable = 0;
		c = unc_check_add(rep, UNC_CHECK_FAIL, "net-tun");
		snprintf(c->what, sizeof c->what, "%.600s", err.msg);
		snprintf(c->fix, sizeof c->fix, "%.500s", err.hint);
	} else {
		c = unc_check_add(rep, UNC_CHECK_OK, "net-tun");
		snprintf(c->what, sizeof c->what, "/dev/net/tun can be opened for pasta");
	}
	if (!usable)
		return; /* a trial would only say it again */
	unc_error_clear(&err);
	if (trial_start(path, &err) < 0) {
		c = unc_check_add(rep, UNC_CHECK_FAIL, "pasta-start");
		snprintf(c->what, sizeof c->what, "%.600s", err.msg);
		snprintf(c->fix, sizeof c->fix, "%.500s", err.hint);
	} else {
		c = unc_check_add(rep, UNC_CHECK_OK, "pasta-start");
		snprintf(c->what, sizeof c->what,
			 "pasta brought up the network of a new namespace of yours");
	}
}
