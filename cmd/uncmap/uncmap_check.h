/* uncmap_check.h: `uncmap --check` printed as text or JSON. */
#ifndef UNCMAP_CHECK_H
#define UNCMAP_CHECK_H

#include "diagnose.h"

/* Run the checks and print them (JSON when json is set) on stdout.
 * Returns uncmap's exit status: 0 when a launch would work, 1 when a
 * check failed, 125 when uncmap itself could not do the checks. */
int uncmap_check(const struct unc_check_config *cfg, int json);

#endif
