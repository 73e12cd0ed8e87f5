/* twin.h: a static uncmap hands over to its dynamic twin when it must load
 * a shared object.
 *
 * uncmap is linked statically (static-pie) where the toolchain can: with no
 * dynamic loader to run, a launch starts sooner (bench/launch.sh). A static
 * program cannot safely load a shared object, though: a static dlopen()
 * brings in a second libc with a heap of its own, and that is how glibc
 * loads libsubid, a libsubid module, or an NSS module other than "files".
 * So, just before it would load one, the static uncmap execs its twin (the
 * same sources linked dynamically, installed as LIBEXECDIR/uncmap/uncmap)
 * with its own arguments and environment, the signals it ignores as the
 * caller left them. Every hand-over point comes before uncmap has written,
 * started or created anything the twin would do again.
 *
 * In the twin, and in a build that is not static, there is no twin and the
 * hand-over is a no-op: the caller goes on and loads what it needs. */
#ifndef UNC_TWIN_H
#define UNC_TWIN_H

#include <signal.h>

#include "error.h"

/* In a static uncmap's main(), first: remember argv (before getopt
 * permutes it) and the signals the caller ignores (cmd_start ignores
 * SIGPIPE for us, not for the twin). The twin is at rel from the
 * directory of /proc/self/exe. */
void unc_twin_init(char **argv, const sigset_t *caller_ignored, const char *rel);

/* Before loading a shared object for why ("libsubid", "getpwuid", ...):
 * exec the twin. Returns 0 when there is no twin to hand over to (go on
 * in this process); on a failed exec, a negative errno with err saying
 * which file is missing and what to do. */
int unc_twin_handover(const char *why, struct unc_error *err);

#endif
