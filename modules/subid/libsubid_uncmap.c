/* libsubid_uncmap.so: a stateless libsubid module.
 *
 * With "subid: uncmap" in nsswitch.conf, shadow's newuidmap, newgidmap
 * and libsubid (lib/nss.c of shadow 4.13) dlopen() libsubid_uncmap.so and
 * ask it, instead of /etc/subuid and /etc/subgid, which ranges a user
 * holds. It answers each user, by the UID NSS gives for the name, exactly
 * the range upstream shadow's deterministic mode would allocate
 * (lib/core/subiddet.c, shared with subidctl) from /etc/login.defs:
 * every node of a cluster agrees, with no file and no shared state.
 *
 * It serves nothing unless login.defs says SUB_UID_DETERMINISTIC yes
 * (SUB_GID_DETERMINISTIC for GIDs), and fails closed (an error, which
 * shadow treats as "no range") when the configuration is in doubt: a
 * value that does not parse, the unsafe wrap mode, a window with no room
 * (unc_login_defs_served). A user below UID_MIN, or whose range would not
 * fit, holds none. Nothing is cached: login.defs is read on each call
 * (newuidmap makes one or two). */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "io.h"
#include "subid_module_abi.h"
#include "subidmodule.h"

#define LOGIN_DEFS_MAX (4u * 1024 * 1024)

#ifndef UNC_LOGIN_DEFS_PATH
#define UNC_LOGIN_DEFS_PATH "/etc/login.defs"
#endif

static enum unc_subid_kind kind_of(enum subid_type t)
{
	return t == ID_TYPE_UID ? UNC_SUBUID : UNC_SUBGID;
}

/* The rule for id_type: 1 served, 0 not served, -1 fail closed. */
static int rule_for(enum subid_type id_type, struct unc_subid_rule *r)
{
	char *defs = NULL;
	size_t len = 0;
	int ret;

	if (id_type != ID_TYPE_UID && id_type != ID_TYPE_GID)
		return -1;
	ret = unc_read_file(UNC_LOGIN_DEFS_PATH, LOGIN_DEFS_MAX, &defs, &len, NULL);
	if (ret == -ENOENT) /* every default: deterministic mode off */
		return 0;
	if (ret < 0)
		return -1;
	ret = unc_module_rule(defs, len, kind_of(id_type), r);
	free(defs);
	return ret;
}

/* owner, a name or else a numeric UID, as NSS knows it. */
static int owner_uid(const char *owner, uid_t *uid)
{
	const struct passwd *pw;
	unsigned long id;
	char *end;

	if (!owner || !*owner)
		return -1;
	pw = getpwnam(owner);
	if (!pw && owner[0] >= '0' && owner[0] <= '9') {
		errno = 0;
		id = strtoul(owner, &end, 10);
		if (*end == '\0' && errno == 0 && id < UNC_ID_LIMIT)
			pw = getpwuid((uid_t)id);
	}
	if (!pw || pw->pw_uid == (uid_t)-1)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

/* owner's one range: SUCCESS with *n 0 or 1, or why not. */
static enum subid_status owner_range(const char *owner, enum subid_type id_type,
				     struct subid_range *range, int *n)
{
	struct unc_subid_rule r;
	uint64_t start;
	uid_t uid;
	int served = rule_for(id_type, &r);

	*n = 0;
	if (served < 0)
		return SUBID_STATUS_ERROR;
	if (owner_uid(owner, &uid) < 0)
		return SUBID_STATUS_UNKNOWN_USER;
	if (served == 0 ||
	    unc_subid_deterministic(&r, id_type == ID_TYPE_UID ? UNC_SUBUID : UNC_SUBGID, uid, 0,
				    &start, NULL) < 0)
		return SUBID_STATUS_SUCCESS;
	range->start = start;
	range->count = r.count;
	*n = 1;
	return SUBID_STATUS_SUCCESS;
}

enum subid_status shadow_subid_has_range(const char *owner, unsigned long start,
					 unsigned long count, enum subid_type idtype, bool *result)
{
	struct subid_range r;
	enum subid_status st;
	int n;

	if (!result)
		return SUBID_STATUS_ERROR;
	*result = false;
	st = owner_range(owner, idtype, &r, &n);
	if (st != SUBID_STATUS_SUCCESS || n == 0 || count == 0)
		return st;
	*result =
	    start >= r.start && start - r.start < r.count && count <= r.count - (start - r.start);
	return SUBID_STATUS_SUCCESS;
}

enum subid_status shadow_subid_list_owner_ranges(const char *owner, enum subid_type id_type,
						 struct subid_range **ranges, int *count)
{
	struct subid_range r;
	enum subid_status st;
	int n;

	if (!ranges || !count)
		return SUBID_STATUS_ERROR;
	*ranges = NULL;
	*count = 0;
	st = owner_range(owner, id_type, &r, &n);
	if (st != SUBID_STATUS_SUCCESS || n == 0)
		return st;
	*ranges = malloc(sizeof **ranges);
	if (!*ranges)
		return SUBID_STATUS_ERROR;
	**ranges = r;
	*count = 1;
	return SUBID_STATUS_SUCCESS;
}

enum subid_status shadow_subid_find_subid_owners(unsigned long id, enum subid_type id_type,
						 uid_t **uids, int *count)
{
	struct unc_subid_rule r;
	const struct passwd *pw;
	uint64_t uid;
	int served;

	if (!uids || !count)
		return SUBID_STATUS_ERROR;
	*uids = NULL;
	*count = 0;
	served = rule_for(id_type, &r);
	if (served < 0)
		return SUBID_STATUS_ERROR;
	if (served == 0 || unc_module_owner(&r, kind_of(id_type), id, &uid) < 0)
		return SUBID_STATUS_SUCCESS;
	pw = getpwuid((uid_t)uid);
	if (!pw)
		return SUBID_STATUS_SUCCESS;
	*uids = malloc(sizeof **uids);
	if (!*uids)
		return SUBID_STATUS_ERROR;
	**uids = pw->pw_uid;
	*count = 1;
	return SUBID_STATUS_SUCCESS;
}

void shadow_subid_free(void *ptr)
{
	free(ptr);
}
