/* caps.h: the capabilities a command keeps, through libcap.
 *
 * `uncmap --cap-add`/`--cap-drop` and the user switch describe what to keep
 * as a caps_spec. Root's command starts from every capability, a non-root
 * user's from none; --cap-drop takes away (ALL takes everything), then
 * --cap-add gives back. Dropped capabilities also leave the bounding set, so
 * no setuid-root program can bring them back; added ones reach a non-root
 * user as ambient capabilities, so they survive its exec. */
#ifndef UNC_CAPS_H
#define UNC_CAPS_H

#include <stdint.h>

#include "error.h"

struct caps_spec {
	uint64_t add;	  /* capability bits to keep or give */
	uint64_t drop;	  /* capability bits to take away */
	int drop_all;	  /* --cap-drop ALL */
	int no_new_privs; /* PR_SET_NO_NEW_PRIVS before exec */
};

/* Parse a comma-separated list of capability names ("CAP_NET_ADMIN",
 * "net_admin", "cap_chown") into bits added to *mask. With allow_all,
 * "ALL" (any case) sets *all instead. `option` names the list in
 * messages ("--cap-add"). Pure: no system state is read. */
int unc_caps_parse_list(const char *list, int allow_all, uint64_t *mask, int *all,
			const char *option, struct unc_error *err);

/* The capabilities a process should end with: for root (to_root) all of
 * `all_mask` less what is dropped, plus what is added; for another user
 * only what is added. Pure. */
uint64_t unc_caps_kept(const struct caps_spec *spec, int to_root, uint64_t all_mask);

/* The capabilities the bounding set should keep: everything not dropped,
 * plus what is added. Pure. */
uint64_t unc_caps_bounding(const struct caps_spec *spec, uint64_t all_mask);

/* Every capability the running kernel knows, as a mask. */
uint64_t unc_caps_all(void);

/* Is `cap` in the effective set of this process? 1, 0, or negative. */
int unc_caps_have_effective(int cap, struct unc_error *err);

/* Take out of the bounding set everything not in `keep`. Needs
 * CAP_SETPCAP, so it runs before a switch away from root. */
int unc_caps_limit_bounding(uint64_t keep, struct unc_error *err);

/* Make the effective, permitted and inheritable sets exactly `keep`, and
 * the ambient set `keep` too when `ambient` (else empty); then read them
 * back and fail if the kernel holds anything else. */
int unc_caps_set(uint64_t keep, int ambient, struct unc_error *err);

/* Keep the permitted set across the next setresuid() away from root
 * (SECBIT_KEEP_CAPS, through libcap), or stop keeping it. */
int unc_caps_keep_across_setuid(int on, struct unc_error *err);

/* Set no_new_privs: execve() grants nothing (setuid bits, file caps). */
int unc_caps_no_new_privs(struct unc_error *err);

/* Apply a spec to this process when it stays root: bounding set, then
 * effective/permitted/inheritable, then no_new_privs. */
int unc_caps_apply_as_root(const struct caps_spec *spec, struct unc_error *err);

#endif
