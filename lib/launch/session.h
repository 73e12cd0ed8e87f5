/* session.h: named sessions (uncmap --session NAME): namespaces that
 * outlive one command, joined by later calls with no helper.
 *
 * A session is a holder process: PID 1 of the session's own PID namespace,
 * in its user and mount namespaces (and the others the options ask for).
 * It holds no descriptor of the caller's and no terminal, blocks every
 * signal but SIGKILL and reaps what is left to it. Its parent is a keeper
 * on the host (setsid, nothing of the caller's): it reaps the holder,
 * removes the state when the holder dies, and ends an idle session. Killing
 * the holder kills everything in the session (the kernel's guarantee for a
 * PID namespace's init).
 *
 * The state of session NAME is $XDG_RUNTIME_DIR/uncmap/NAME (else
 * /run/user/UID/uncmap): the holder's PID, start time and user-namespace
 * inode, and the options that define the namespaces. A join opens the
 * holder's pidfd and verifies it (the namespace's owner is the caller, its
 * inode and the start time are the state's, the pidfd still refers to it)
 * before it enters anything, so a recycled PID or a planted file never
 * makes uncmap join someone else's process. */
#ifndef UNC_SESSION_H
#define UNC_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "launch.h"

#define UNC_SESSION_NAME_MAX 64
#define UNC_SESSION_MAP_MAX  512

/* One namespace-defining option as given (name "--root", value "rfs"),
 * kept to refuse a join whose options differ. */
struct unc_session_opt {
	char *name;
	char *value;
};

struct unc_session_state {
	char name[UNC_SESSION_NAME_MAX + 1];
	pid_t holder;
	unsigned long long holder_start; /* field 22 of /proc/PID/stat */
	uint64_t userns_dev, userns_ino;
	uint64_t pidns_ino;
	pid_t keeper;
	unsigned long long keeper_start;
	long long created;		   /* seconds since the epoch */
	int nsflags;			   /* the CLONE_NEW* flags of the session */
	unsigned idle_s;		   /* --session-idle, 0: none */
	char uid_map[UNC_SESSION_MAP_MAX]; /* "0:1000:1,1:100000:65535" */
	char gid_map[UNC_SESSION_MAP_MAX];
	struct unc_session_opt *opts;
	size_t nopts;
};

void unc_session_state_free(struct unc_session_state *st);

/* Append a copy of name=value to st's options. 0 or -ENOMEM. */
int unc_session_opt_add(struct unc_session_state *st, const char *name, const char *value);

/* A session name: 1 to 64 of [A-Za-z0-9_.-], not starting with '.'. */
int unc_session_name_check(const char *name, struct unc_error *err);

/* Open (creating it 0700 if missing) the state directory and check it:
 * a directory owned by the caller, writable by no one else. path gets its
 * name. Returns the descriptor or a negative errno with err filled. */
int unc_session_dir_open(char *path, size_t size, struct unc_error *err);

/* Lock the state directory against other creators and removers; returns
 * the descriptor holding the lock (close it to unlock). */
int unc_session_lock(int dirfd, struct unc_error *err);

/* Read NAME's state. -ENOENT (err filled) when there is none; a file not
 * owned by the caller or writable by others, or malformed, is refused. */
int unc_session_state_read(int dirfd, const char *name, struct unc_session_state *st,
			   struct unc_error *err);

/* Write st as NAME's state, atomically (a temporary file, then rename). */
int unc_session_state_write(int dirfd, const struct unc_session_state *st, struct unc_error *err);

/* Remove NAME's state if it still describes the holder of st (a new
 * session of the same name is left alone). Takes the lock itself. */
void unc_session_state_remove(int dirfd, const struct unc_session_state *st);

/* Pure: format and parse the state file. */
int unc_session_state_format(const struct unc_session_state *st, char *buf, size_t size);
int unc_session_state_parse(const char *text, struct unc_session_state *st, struct unc_error *err);

/* Pure: the first option given that differs from the session's; 0 when
 * none does. A name the join does not give is not compared. */
int unc_session_opts_compare(const struct unc_session_state *session,
			     const struct unc_session_state *given, struct unc_error *err);

enum unc_session_verdict {
	UNC_SESSION_LIVE = 0, /* verified: the pidfd refers to the holder */
	UNC_SESSION_STALE,    /* the holder is dead (its PID gone or reused) */
	UNC_SESSION_FOREIGN,  /* a live process that is not our holder */
};

/* Verify st's holder: pidfd_open, then the owner of its user namespace
 * (the caller), that namespace's inode and the start time (the state's),
 * then that the pidfd still refers to a live process. With LIVE, *pidfd
 * is the holder's pidfd (close-on-exec); err says why for the others. */
enum unc_session_verdict unc_session_verify(const struct unc_session_state *st, int *pidfd,
					    struct unc_error *err);

/* How a join enters the session: setns(pidfd, nsflags), in the launch's
 * child (launch_spec.join). */
struct unc_join {
	int pidfd;
	int nsflags;
};

/* In the launch's child: enter the session's namespaces in one setns().
 * Root and working directory become the session's root. */
int unc_session_enter(const struct unc_join *j, struct unc_error *err);

/* A join's working directory: --wd, else the caller's when it exists in
 * the session, else /. Runs in the launch's child (unc_setup_fn). */
struct unc_session_dir {
	const char *wd;
	const char *cwd;
};
int unc_session_join_setup(void *dir, struct unc_error *err);

/* What creating a session needs: the namespaces, the maps and how to
 * write them, the holder's setup (mounts, root, host name). */
struct unc_session_create_spec {
	int dirfd;	 /* the state directory (locked by the caller) */
	int clone_flags; /* CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | ... */
	const struct idmap_plan *uid_plan, *gid_plan;
	enum unc_mapper_kind mapper;
	const char *newuidmap, *newgidmap;
	int helper_timeout_ms;
	unc_setup_fn setup; /* runs in the holder, may be NULL */
	void *setup_arg;
	const int *keep_fds; /* the setup reads these (--file FD:DST) */
	size_t nkeep;
	/* name, idle_s, maps and options: written by the keeper once the
	 * holder is ready, with its own fields filled in */
	const struct unc_session_state *state;
};

/* Create the session: fork the keeper, which clones the holder paused;
 * write its maps here; release it; wait until it has set up and its state
 * is written. Returns 0, or the failure in res (as unc_launch_run does:
 * SETUP/USERNS/MAP with err, HELPER with uid_res/gid_res, CHILD with the
 * holder's report) and 125. */
int unc_session_create(const struct unc_session_create_spec *spec, struct launch_result *res,
		       struct unc_error *err);

/* Kill the holder (SIGKILL through its pidfd), wait until it and its
 * keeper are gone, and remove the state. */
int unc_session_end(int dirfd, const struct unc_session_state *st, int pidfd,
		    struct unc_error *err);

/* Pure: "0:1000:1,1:100000:65535" for a plan. */
void unc_session_map_text(const struct idmap_plan *plan, char *buf, size_t size);

/* Pure: "user,pid,mnt,uts,..." for CLONE_NEW* flags. */
void unc_session_ns_text(int nsflags, char *buf, size_t size);

/* Count the processes of the session other than its holder (those in its
 * user or PID namespace), for the idle timer and --check --session. */
int unc_session_count_processes(const struct unc_session_state *st);

#endif
