#include "container.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "pasta.h"

static int bring_lo_up(struct unc_error *err)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return unc_error_sys(err, errno, "--net: cannot open a socket");
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return unc_error_sys(err, errno, "--net: cannot read the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return unc_error_sys(err, errno, "--net: cannot bring lo up");
	return 0;
}

int unc_container_setup(void *arg, struct unc_error *err)
{
	const struct container_spec *c = arg;
	size_t i;

	/* what uncmap writes to is not the namespace's */
	for (i = 0; i < sizeof c->close_fds / sizeof c->close_fds[0]; i++)
		if (c->close_fds[i] >= 0)
			(void)close(c->close_fds[i]);
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return unc_error_sys(err, errno, "--hostname: cannot set '%s'", c->hostname);
	if (c->net_lo_up && bring_lo_up(err) < 0)
		return -1;
	if (unc_mount_plan_apply(&c->mounts, err) < 0)
		return -1;
	if (c->pasta_resolv_conf && unc_pasta_bind_resolv_conf(err) < 0)
		return -1;
	if (c->wd) {
		if (chdir(c->wd) < 0)
			return unc_error_sys(err, errno, "--wd: cannot enter '%s'", c->wd);
	} else if (c->mounts.root) {
		/* the caller's directory when it exists inside, else / */
		if ((!c->cwd || chdir(c->cwd) < 0) && chdir("/") < 0)
			return unc_error_sys(err, errno, "cannot enter / in the new root");
	}
	return 0;
}
