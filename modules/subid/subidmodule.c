#include "subidmodule.h"

#include "logindefs.h"

int unc_module_rule(const char *defs, size_t len, enum unc_subid_kind kind,
		    struct unc_subid_rule *r)
{
	struct unc_login_defs d;
	int ret;

	unc_login_defs_init(&d);
	if (unc_login_defs_parse(defs, len, "login.defs", &d, NULL) < 0)
		return -1;
	ret = unc_login_defs_served(&d, kind, r, NULL);
	return ret < 0 ? -1 : ret;
}

int unc_module_range(const struct unc_subid_rule *r, enum unc_subid_kind kind, uint64_t uid,
		     uint64_t *start)
{
	/* (uid_t)-1 is no user's UID; wrap never: a served rule has none */
	if (uid >= UNC_ID_LIMIT)
		return -1;
	return unc_subid_deterministic(r, kind, uid, 0, start, NULL) < 0 ? -1 : 0;
}

int unc_module_owner(const struct unc_subid_rule *r, enum unc_subid_kind kind, uint64_t id,
		     uint64_t *uid)
{
	uint64_t u, start;

	if (r->count == 0 || id < r->min)
		return -1;
	/* ranges are consecutive slots from min: id's slot is its UID's */
	u = r->uid_min + (id - r->min) / r->count;
	if (u >= UNC_ID_LIMIT || unc_module_range(r, kind, u, &start) < 0 || id - start >= r->count)
		return -1;
	*uid = u;
	return 0;
}
