/* subidmodule.h: what libsubid_uncmap.so decides, without NSS or files,
 * so the fuzz target (tests/fuzz/fuzz_subidmodule.c) can check it whole. */
#ifndef UNC_SUBIDMODULE_H
#define UNC_SUBIDMODULE_H

#include <stddef.h>
#include <stdint.h>

#include "subiddet.h"

/* The rule login.defs (its text) gives kind: 1 served, 0 not served
 * (deterministic mode off), -1 fail closed (unc_login_defs_served). */
int unc_module_rule(const char *defs, size_t len, enum unc_subid_kind kind,
		    struct unc_subid_rule *r);

/* uid's range: 0 and *start, or -1 when uid holds none. */
int unc_module_range(const struct unc_subid_rule *r, enum unc_subid_kind kind, uint64_t uid,
		     uint64_t *start);

/* The one UID whose range holds id: 0 and *uid, or -1 when none does. */
int unc_module_owner(const struct unc_subid_rule *r, enum unc_subid_kind kind, uint64_t id,
		     uint64_t *uid);

#endif
