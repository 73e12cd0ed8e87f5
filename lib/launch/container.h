/* container.h: what the child sets up between release and exec: host
 * name, loopback, mounts and root filesystem, working directory. */
#ifndef UNC_CONTAINER_H
#define UNC_CONTAINER_H

#include "error.h"
#include "mounts.h"

struct container_spec {
	const char *hostname;  /* with a new UTS namespace */
	int net_lo_up;	       /* with a new network namespace: bring lo up */
	int pasta_resolv_conf; /* --net=pasta inside --root: bind our resolv.conf */
	struct mount_plan mounts;
	const char *wd;	  /* --wd, or NULL */
	const char *cwd;  /* the caller's directory, tried when wd is NULL */
	int close_fds[2]; /* uncmap's own (--info-fd...), closed first; -1 */
};

/* Runs in the child (unc_setup_fn). */
int unc_container_setup(void *spec, struct unc_error *err);

#endif
