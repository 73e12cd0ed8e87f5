/* uncmap_session.h: the command side of named sessions (session.h):
 * finding one to join, --sessions, --end, --check --session. */
#ifndef UNCMAP_SESSION_H
#define UNCMAP_SESSION_H

#include "session.h"

/* Find session name: 0 when it is live and verified (*dirfd the state
 * directory, st its state, *pidfd its holder); 1 when there is none (a
 * stale state is removed; *dirfd is open, st empty); otherwise the exit
 * status, having said why. */
int uncmap_session_open(const char *name, int *dirfd, struct unc_session_state *st, int *pidfd);

/* uncmap --sessions [--json] */
int uncmap_session_list(int json);

/* uncmap --end NAME, or every session with NAME "--all" */
int uncmap_session_end(const char *name);

/* uncmap --check --session NAME [--json] */
int uncmap_session_check(const char *name, int json);

#endif
