/* procsafety.h: what every uncmap program checks about its own process
 * before doing anything. */
#ifndef UNC_PROCSAFETY_H
#define UNC_PROCSAFETY_H

#include "error.h"

/* Refuse to run setuid or setgid (real and effective IDs differ): these
 * programs need no privilege of their own, and one installed with the bit
 * would lend root's to every user. */
int unc_refuse_setid(struct unc_error *err);

/* Make sure descriptors 0, 1 and 2 are open (an O_PATH handle on
 * /dev/null for a closed one: reads and writes on it still fail with
 * EBADF, as on a closed descriptor; close-on-exec, so the command finds
 * it closed), so that no pipe or file opened later lands on them and
 * reaches the command as its standard output. Returns a
 * bit mask of the descriptors that were closed. */
int unc_guard_std_fds(void);

/* Flush standard output and report a failure (a closed descriptor, a
 * broken pipe, a full disk) instead of losing output unnoticed. */
int unc_flush_stdout(struct unc_error *err);

#endif
