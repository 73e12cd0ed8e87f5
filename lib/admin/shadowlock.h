/* shadowlock.h: the locks shadow's own tools take, taken the same way, so
 * that subidctl and useradd/usermod/newusers never write at once.
 *
 * 1. lckpwdf(): a POSIX (fcntl) write lock on the whole of
 *    ETC/.pwd.lock, as glibc takes it. Released by the kernel when the
 *    process dies, so a crash never leaves it behind.
 * 2. shadow's per-file lock: the PID written to FILE.PID, link()ed to
 *    FILE.lock (link is atomic even on NFS), then FILE.PID removed. A
 *    FILE.lock whose PID is no longer running is stale and is taken over.
 *    Taken after (1), so two subidctl never race on the takeover.
 *
 * Both are retried until a timeout, as shadow's tools wait 15 s. */
#ifndef UNC_SHADOWLOCK_H
#define UNC_SHADOWLOCK_H

#include <sys/types.h>

#include "error.h"

#define UNC_SHADOW_LOCK_MAX_FILES 4

struct unc_shadow_lock {
	int pwd_fd;			       /* -1 when not held */
	char *held[UNC_SHADOW_LOCK_MAX_FILES]; /* FILE.lock paths we made */
	int nheld;
};

void unc_shadow_lock_init(struct unc_shadow_lock *l);

/* Take the lckpwdf() lock on pwd_lock_path (ETC/.pwd.lock), waiting up to
 * timeout_ms. */
int unc_shadow_lock_pwd(struct unc_shadow_lock *l, const char *pwd_lock_path, unsigned timeout_ms,
			struct unc_error *err);

/* Take shadow's FILE.lock for file, waiting up to timeout_ms for a live
 * holder. On failure, *holder is the PID that holds it (0 if unknown). */
int unc_shadow_lock_file(struct unc_shadow_lock *l, const char *file, unsigned timeout_ms,
			 pid_t *holder, struct unc_error *err);

/* Drop every FILE.lock taken (in reverse order), then the lckpwdf() lock. */
void unc_shadow_unlock_all(struct unc_shadow_lock *l);

#endif
