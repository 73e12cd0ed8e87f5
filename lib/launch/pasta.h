/* pasta.h: a working network for the namespace (uncmap --net=pasta).
 *
 * pasta (Debian package passt) joins the child's user and network
 * namespaces by PID once the maps exist and before the child is released,
 * gives it an interface with the host's address, a default route through
 * the host's gateway and a DNS address it forwards to the host's resolver,
 * and forwards the --publish ports. The host's loopback is reachable from
 * inside at the gateway address (pasta's own default).
 *
 * pasta runs in the foreground as uncmap's child, with PR_SET_PDEATHSIG:
 * it dies with uncmap, and uncmap kills and reaps it when the command is
 * done. Readiness: pasta writes its PID file once the namespace's network
 * is configured; the "file" is a pipe of ours (/proc/self/fd/N), so the
 * line arriving is the signal and end of file before it means pasta died. */
#ifndef UNC_PASTA_H
#define UNC_PASTA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diagnose.h"
#include "error.h"

/* The address the namespace sends DNS queries to; pasta forwards them to
 * the first resolver of the host's resolv.conf (podman uses the same). */
#define UNC_PASTA_DNS "169.254.1.1"

enum unc_publish_proto {
	UNC_PUBLISH_TCP = 0,
	UNC_PUBLISH_UDP,
};

/* One --publish [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]. */
struct unc_publish {
	char host_ip[48]; /* "" for every address; IPv6 without brackets */
	uint16_t host_port;
	uint16_t port;
	enum unc_publish_proto proto;
};

/* Parse one --publish value (pure). IPv6 host addresses are written in
 * brackets, as for podman: [::1]:8080:80. */
int unc_publish_parse(const char *arg, struct unc_publish *out, struct unc_error *err);

struct unc_pasta_spec {
	const char *path; /* the pasta program, as unc_pasta_find found it */
	const struct unc_publish *publish;
	size_t npublish;
	char *const *extra; /* --pasta-opt values, passed on as they are */
	size_t nextra;
	int run_as_root; /* the caller is root: pasta must not drop to nobody */
	int timeout_ms;	 /* give up when pasta is not ready by then */
	int trial;	 /* uncmap --check: no command to speak of */
};

/* pasta's argument vector for target PID, its PID file on ready_fd.
 * argv has room for max entries (the last one NULL); the strings live in
 * storage (size bytes). Pure: unit-tested. Returns 0 or -E2BIG. */
int unc_pasta_argv(const struct unc_pasta_spec *spec, pid_t target, int ready_fd, char **argv,
		   size_t max, char *storage, size_t size);

/* Find the pasta program: a name is searched in PATH, a path is taken
 * as it is. out gets the path. Fails with the package to install. */
int unc_pasta_find(const char *name, char *out, size_t size, struct unc_error *err);

/* Can the caller open /dev/net/tun (pasta needs it, read-write, once it
 * is in the namespace, where only the mode bits for others count)? */
int unc_pasta_check_tun(struct unc_error *err);

struct unc_pasta {
	pid_t pid; /* -1 when none runs */
};

/* Start pasta on the namespaces of target and wait until the network is
 * configured. On failure pasta is killed and reaped and err says why. */
int unc_pasta_start(const struct unc_pasta_spec *spec, pid_t target, struct unc_pasta *out,
		    struct unc_error *err);

/* Kill and reap pasta (nothing when none runs). */
void unc_pasta_stop(struct unc_pasta *p);

/* In the child, after pivot_root: bind a resolv.conf naming
 * UNC_PASTA_DNS on /etc/resolv.conf. The file is made in the root's
 * private /dev tmpfs and unlinked there, so the tree is not modified. */
int unc_pasta_bind_resolv_conf(struct unc_error *err);

/* uncmap --check --net=pasta: the pasta program and /dev/net/tun. */
void unc_check_pasta(struct unc_check_report *rep, const char *pasta);

#endif
