/* launch.h: the launch: create the child paused in its namespaces, write
 * its maps (directly or through the helpers), release it or kill it, then
 * wait and turn its end into an exit status. Nothing started inside
 * outlives it (see pidinit.h). It never prints: every outcome is in struct
 * launch_result. */
#ifndef UNC_LAUNCH_H
#define UNC_LAUNCH_H

#include <signal.h>
#include <sys/types.h>

#include "error.h"
#include "idmap.h"
#include "mapper.h"
#include "child.h"
#include "pty.h"
#include "environ.h"
#include "userswitch.h"

struct unc_join;

enum unc_mapper_kind {
	UNC_MAPPER_HELPERS = 0, /* newuidmap + newgidmap */
	UNC_MAPPER_DIRECT,	/* real root writes any map */
	UNC_MAPPER_SELF,	/* only the caller's own IDs: setgroups deny */
	UNC_MAPPER_NONE,	/* a join: the maps exist already */
};

/* What the child does between release and exec; set up by the caller
 * (mounts, hostname, root, user switch). Runs in the child. Returns 0, or
 * a negative value with err filled (the launch then exits 125). */
typedef int (*unc_setup_fn)(void *arg, struct unc_error *err);

struct launch_spec {
	char **argv;
	int clone_flags; /* CLONE_NEWUSER and any other CLONE_NEW* */
	enum unc_mapper_kind mapper;
	const char *newuidmap;
	const char *newgidmap;
	int helper_timeout_ms;
	int pid_init;	    /* with CLONE_NEWPID: the child is an init that
			     * forks the command, forwards signals, reaps */
	unc_setup_fn setup; /* may be NULL */
	void *setup_arg;
	/* After setup: become this user (uncmap --user), resolved in the
	 * namespace's root, and keep these capabilities; NULL for root
	 * with every capability. */
	const struct user_request *user;
	const struct caps_spec *caps;
	/* The command's terminal (unc_pty_prepare), or NULL: either way it
	 * runs in a session of its own. With pty_console (--root) the pty
	 * is the namespace's /dev/console. */
	const struct unc_pty_plan *pty;
	int pty_console;
	/* After the user switch: the command's environment; NULL keeps
	 * uncmap's own. */
	const struct env_spec *env;
	/* Called in uncmap once the maps exist, just before the child is
	 * released (for --info-fd); may be NULL. */
	void (*started)(void *arg, pid_t pid);
	void *started_arg;
	/* After the maps are written and before the child is released, with
	 * the child's PID (uncmap --net=pasta starts pasta here). Runs in
	 * uncmap; a failure kills the child and the launch exits 125. May be
	 * NULL. */
	int (*before_release)(void *arg, pid_t child, struct unc_error *err);
	void *before_release_arg;
	/* Signals the caller ignores (unc_ignored_signals at start-up): the
	 * command inherits them ignored. NULL: none. */
	const sigset_t *ignored;
	/* --die-with-parent: the PID of uncmap's parent at start-up; when it
	 * dies, uncmap is killed and so is everything inside. 0: off. */
	pid_t die_with_parent;
	/* A join of a session (session.h): the child is forked in uncmap's
	 * namespaces and enters the session's first; clone_flags is 0, the
	 * mapper UNC_MAPPER_NONE, pid_init 0. NULL: a launch. */
	const struct unc_join *join;
	/* last, as they are large: the fields above share a page with the
	 * start of the uid plan */
	struct idmap_plan uid_plan;
	struct idmap_plan gid_plan;
};

enum unc_launch_failure {
	UNC_LAUNCH_OK = 0,
	UNC_LAUNCH_FAIL_SETUP,	/* before/while creating the child: err */
	UNC_LAUNCH_FAIL_USERNS, /* the kernel refused a user namespace: err */
	UNC_LAUNCH_FAIL_MAP,	/* writing the maps directly failed: err */
	UNC_LAUNCH_FAIL_HELPER, /* a helper failed: uid_res / gid_res */
	UNC_LAUNCH_FAIL_CHILD,	/* the child reported a failure: report */
};

struct launch_result {
	enum unc_launch_failure failure;
	int status; /* the exit status for uncmap */
	int signal; /* the command was killed by this signal (status 128+N):
		     * uncmap should end by the same signal */
	struct unc_child_report report;
	struct helper_result uid_res;
	struct helper_result gid_res;
};

/* Run the launch. Returns the exit status to use (the command's own,
 * 128+N for a signal, 125/126/127 for failures); res says which. */
int unc_launch_run(const struct launch_spec *spec, struct launch_result *res,
		   struct unc_error *err);

#endif
